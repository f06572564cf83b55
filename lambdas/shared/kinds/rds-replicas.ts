/**
 * `rds-replicas`: read replicas of an RDS source instance, or Aurora readers of a cluster, added and
 * removed by the database family through the `rds-replicas` runbook; the available readers published
 * to an SSM parameter (and Route 53 records) for a Django database router.
 */
import { z } from 'zod';
import { type AlarmSpec, type MetricRef, thresholdAlarm } from '../alarm-spec';
import { checkMissingData } from '../config/checks';
import { DAY, dbInstanceClass, dbInstanceIdentifier, missingDataSchema, percent, resourceName, targetId } from '../config/fields';
import { rdsResource } from '../config/resources';
import type { TargetKindModule } from './kind';

/**
 * Read replicas of an RDS PostgreSQL/MySQL source instance, or Aurora readers of a cluster, added and
 * removed by the `rds-replicas` runbook. Exactly one of `sourceInstanceIdentifier` and `clusterIdentifier`.
 */
export const rdsReplicasTargetSchema = z.strictObject({
  kind: z.literal('rds-replicas'),
  id: targetId,
  /** The RDS PostgreSQL/MySQL source (primary) instance whose read replicas are scaled. */
  sourceInstanceIdentifier: dbInstanceIdentifier.optional(),
  /** The Aurora cluster whose reader instances are scaled (instead of `sourceInstanceIdentifier`). */
  clusterIdentifier: dbInstanceIdentifier.optional(),
  /** Instance class of the replicas the autoscaler creates. @default the source's (the writer's for Aurora) */
  replicaInstanceClass: dbInstanceClass.optional(),
  /** Fewest replicas the autoscaler keeps (its own; replicas made by others are left alone). @default 0 */
  minReplicas: z.number().int().min(0).max(15).default(0),
  /** Most replicas the autoscaler creates; with the others, never more than the 15 RDS allows per source. @default 3 */
  maxReplicas: z.number().int().min(1).max(15).default(3),
  /** Average CPU percent of the source or of the replicas above which a replica is added. @default 80 */
  cpuHighPercent: percent.default(80),
  /** Minutes CPU must stay above `cpuHighPercent` before the alarm fires (the seed rule: 10). @default 10 */
  cpuHighMinutes: z.number().int().min(1).max(60).default(10),
  /** Average CPU percent of both source and replicas below which a replica is removed. @default 30 */
  cpuLowPercent: percent.default(30),
  /** Minutes CPU must stay below `cpuLowPercent` before the scale-in alarm fires. @default 30 */
  cpuLowMinutes: z.number().int().min(1).max(240).default(30),
  /** DatabaseConnections of the source above which a replica is added. @default no connection signal */
  // Common sense: no single database server holds 100,000 connections.
  connectionsHigh: z.number().int().positive().max(100_000).optional(),
  /** A replica is never removed while any replica lags more than this many seconds. @default 30 */
  // Common sense: a replica a day behind is broken; waiting on it would keep every replica forever.
  maxReplicaLagSeconds: z.number().positive().max(DAY).default(30),
  /** Least seconds between two replica additions (creating one takes 15 minutes or more). @default 1200 */
  // Common sense: a source overloaded for a day without a second replica is not autoscaled.
  scaleOutCooldownSeconds: z.number().int().min(0).max(DAY).default(1200),
  /** Least seconds after any change before a replica is removed. @default 3600 */
  // Common sense: a week.
  scaleInCooldownSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * DAY)
    .default(3600),
  /**
   * SSM parameter (String, JSON) holding the available reader endpoints, for a Django database router.
   * @default "/<prefix>/<targetId>/reader-endpoints"
   */
  readerEndpointsParameter: resourceName(/^(\/[A-Za-z0-9_.-]+)+$/, 'must be an SSM parameter path such as /shop/db/reader-endpoints')
    .max(1011)
    .optional(),
  /**
   * Weighted CNAME records, one per available reader (SetIdentifier: the replica's identifier), under
   * one name of a private hosted zone that the autoscaler owns.
   * @default no records
   */
  route53: z
    .strictObject({
      /** The private hosted zone's id (`Z0123456789ABCDEFGHIJ`). */
      hostedZoneId: resourceName(/^Z[A-Z0-9]{1,32}$/, 'must be a hosted zone id such as Z0123456789ABCDEFGHIJ'),
      /** The record name the readers share (`read.orders-db.internal`); no other record may use it. */
      recordName: resourceName(
        /^(?=.{1,253}\.?$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/,
        'must be a lowercase DNS name such as read.orders-db.internal',
      ),
      /** TTL of the records, seconds. @default 30 */
      ttl: z.number().int().min(5).max(3600).default(30),
    })
    .optional(),
  /** Late or missing metrics: no removal on them; `fixed` keeps at least `count` replicas of the autoscaler's. @default hold, late after 240 s */
  missingData: missingDataSchema.prefault({}),
  /**
   * Delete the automated backups of a replica the autoscaler removes. A read replica cannot get a final
   * snapshot (DeleteDBInstance requires SkipFinalSnapshot for one and refuses FinalDBSnapshotIdentifier),
   * so its retained automated backups, if it has any, are what is kept unless this is set. An Aurora
   * reader holds no data of its own (the cluster volume does).
   * @default false
   */
  deleteAutomatedBackups: z.boolean().default(false),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

export type RdsReplicasTarget = z.output<typeof rdsReplicasTargetSchema>;

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
  schema: rdsReplicasTargetSchema,
  family: 'database',
  namespaces: ['AWS/RDS'],
  alarms: rdsReplicasAlarms,
  windows: false,
  overridable: { min: 'minReplicas', max: 'maxReplicas' },
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
  runbook: { name: 'rds-replicas', arnEnv: 'RUNBOOK_RDS_REPLICAS_ARN' },
} satisfies TargetKindModule<RdsReplicasTarget>;

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
