/**
 * `rds-replicas`: read replicas of an RDS source instance, or Aurora readers of a cluster, added and
 * removed by the database family through the `rds-replicas` runbook; the available readers published
 * to an SSM parameter (and Route 53 records) for a Django database router.
 */
import { type AlarmSpec, type MetricRef, thresholdAlarm } from '../alarm-spec';
import { checkMissingData } from '../config/checks';
import { rdsResource } from '../config/resources';
import { KIND_FACTS } from './facts';
import type { KindRules, TargetKindModule } from './kind';
import type { RdsReplicasTarget } from './schemas/rds-replicas';

export type { RdsReplicasTarget } from './schemas/rds-replicas';

/** The SSM parameter holding the available reader endpoints (the runbook writes it, the construct grants it). */
export function readerEndpointsParameter(prefix: string, target: RdsReplicasTarget): string {
  return target.readerEndpointsParameter ?? `/${prefix}/${target.id}/reader-endpoints`;
}

/** The source's (Aurora: the writer's) and the readers' metrics of an `rds-replicas` target. */
export function replicaSourceMetrics(target: RdsReplicasTarget): { cpu: MetricRef; connections: MetricRef; readerCpu?: MetricRef; lag?: MetricRef } {
  if (target.clusterIdentifier) {
    const writer = { DBClusterIdentifier: target.clusterIdentifier, Role: 'WRITER' };
    const reader = { DBClusterIdentifier: target.clusterIdentifier, Role: 'READER' };
    return {
      cpu: { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: writer, stat: 'Average' },
      connections: { namespace: 'AWS/RDS', metricName: 'DatabaseConnections', dimensions: writer, stat: 'Average' },
      readerCpu: { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: reader, stat: 'Average' },
      lag: { namespace: 'AWS/RDS', metricName: 'AuroraReplicaLagMaximum', dimensions: { DBClusterIdentifier: target.clusterIdentifier }, stat: 'Maximum' },
    };
  }
  const source = { DBInstanceIdentifier: target.sourceInstanceIdentifier! };
  return {
    cpu: { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: source, stat: 'Average' },
    connections: { namespace: 'AWS/RDS', metricName: 'DatabaseConnections', dimensions: source, stat: 'Average' },
  };
}

/** One replica's metrics (RDS replicas have no aggregate; the handler reads them per replica). */
export function replicaMetrics(replicaId: string): { cpu: MetricRef; lag: MetricRef } {
  const d = { DBInstanceIdentifier: replicaId };
  return {
    cpu: { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: d, stat: 'Average' },
    lag: { namespace: 'AWS/RDS', metricName: 'ReplicaLag', dimensions: d, stat: 'Maximum' },
  };
}

export function rdsReplicasAlarms(prefix: string, target: RdsReplicasTarget): AlarmSpec[] {
  const m = replicaSourceMetrics(target);
  const what = target.clusterIdentifier ? `writer of ${target.clusterIdentifier}` : target.sourceInstanceIdentifier!;
  const alarms = [
    thresholdAlarm(prefix, target.id, {
      signal: 'cpu',
      direction: 'high',
      metric: m.cpu,
      threshold: target.cpuHighPercent,
      minutes: target.cpuHighMinutes,
      description: `${target.id}: CPU of ${what} above ${target.cpuHighPercent}% for ${target.cpuHighMinutes} minutes: add a read replica`,
    }),
    thresholdAlarm(prefix, target.id, {
      signal: 'cpu',
      direction: 'low',
      metric: m.cpu,
      threshold: target.cpuLowPercent,
      minutes: target.cpuLowMinutes,
      description: `${target.id}: CPU of ${what} below ${target.cpuLowPercent}% for ${target.cpuLowMinutes} minutes: consider removing a replica`,
    }),
  ];
  if (m.readerCpu) {
    alarms.push(
      thresholdAlarm(prefix, target.id, {
        signal: 'replica-cpu',
        direction: 'high',
        metric: m.readerCpu,
        threshold: target.cpuHighPercent,
        minutes: target.cpuHighMinutes,
        description: `${target.id}: average CPU of the readers above ${target.cpuHighPercent}% for ${target.cpuHighMinutes} minutes: add a reader`,
      }),
    );
  }
  if (target.connectionsHigh !== undefined) {
    alarms.push(
      thresholdAlarm(prefix, target.id, {
        signal: 'connections',
        direction: 'high',
        metric: m.connections,
        threshold: target.connectionsHigh,
        minutes: 5,
        description: `${target.id}: more than ${target.connectionsHigh} connections to ${what} for 5 minutes: add a read replica`,
      }),
    );
  }
  return alarms;
}

export const rdsReplicas = {
  ...KIND_FACTS['rds-replicas'],
  alarms: rdsReplicasAlarms,
} satisfies TargetKindModule<RdsReplicasTarget>;

/** What synth alone runs of the kind (./rules.ts): the resources a target names, and its checks beyond its schema. */
export const rdsReplicasRules = {
  resources: (t) => [
    ...(t.sourceInstanceIdentifier !== undefined
      ? [rdsResource(['sourceInstanceIdentifier'], 'source instance', 'rds-source', t.sourceInstanceIdentifier)]
      : []),
    ...(t.clusterIdentifier !== undefined ? [rdsResource(['clusterIdentifier'], 'Aurora cluster', 'aurora-cluster', t.clusterIdentifier)] : []),
  ],
  check: (t, at, ctx) => {
    checkMissingData(t.missingData, [t.minReplicas, t.maxReplicas], ['minReplicas', 'maxReplicas'], at, ctx);
    if ((t.sourceInstanceIdentifier === undefined) === (t.clusterIdentifier === undefined)) {
      ctx.addIssue({ code: 'custom', path: [...at], message: 'needs exactly one of sourceInstanceIdentifier (RDS) and clusterIdentifier (Aurora)' });
    }
    if (t.maxReplicas < t.minReplicas) {
      ctx.addIssue({ code: 'custom', path: [...at, 'maxReplicas'], message: `${t.maxReplicas} is below minReplicas ${t.minReplicas}` });
    }
    if (t.cpuLowPercent >= t.cpuHighPercent) {
      ctx.addIssue({ code: 'custom', path: [...at, 'cpuLowPercent'], message: `${t.cpuLowPercent} must be below cpuHighPercent ${t.cpuHighPercent}` });
    }
    if (!/^[a-z]/.test(t.id) || t.id.includes('--')) {
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'id'],
        message: `"${t.id}" names the replicas (<id>-ro-<n>): it must start with a letter and hold no "--"`,
      });
    }
  },
} satisfies KindRules<RdsReplicasTarget>;

/** The deterministic identifier of replica slot `n` of a target: `<targetId>-ro-<n>`. */
export function replicaIdentifier(targetId: string, slot: number): string {
  return `${targetId}-ro-${slot}`;
}

/**
 * Every identifier a target's replicas may hold: slots 1 to `maxReplicas` + 2 (a failed replica keeps
 * its slot until it is gone), never more than the 15 read replicas RDS allows per source.
 */
export function replicaSlots(target: RdsReplicasTarget): string[] {
  return Array.from({ length: Math.min(15, target.maxReplicas + 2) }, (_, k) => replicaIdentifier(target.id, k + 1));
}
