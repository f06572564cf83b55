/**
 * The alarms of the data tier's targets (`rds-replicas`, `rds-storage`, `redis`), as plain data like
 * every other alarm (lambdas/shared/alarms.ts): the construct synthesizes them, the database family's
 * handler parses their names back.
 */
import type { AlarmSpec, Direction, MetricRef, Signal } from './alarms';
import type { RdsInstanceTarget, RdsReplicasTarget, RdsStorageTarget, RedisTarget } from './config';

const GIB = 1024 ** 3;

interface SpecInput {
  readonly signal: Signal;
  readonly direction: Direction;
  readonly metric: MetricRef;
  readonly threshold: number;
  readonly minutes: number;
  readonly description: string;
}

function spec(prefix: string, targetId: string, s: SpecInput): AlarmSpec {
  return {
    name: `${prefix}/${targetId}/${s.signal}/${s.direction}`,
    targetId,
    signal: s.signal,
    direction: s.direction,
    metric: s.metric,
    periodSeconds: 60,
    evaluationPeriods: s.minutes,
    datapointsToAlarm: s.minutes,
    threshold: s.threshold,
    comparison: s.direction === 'high' ? 'GreaterThanThreshold' : 'LessThanThreshold',
    // A scale-down alarm must never fire on an absence of data.
    treatMissingData: s.direction === 'high' ? 'missing' : 'notBreaching',
    description: s.description,
  };
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
    spec(prefix, target.id, {
      signal: 'cpu',
      direction: 'high',
      metric: m.cpu,
      threshold: target.cpuHighPercent,
      minutes: target.cpuHighMinutes,
      description: `${target.id}: CPU of ${what} above ${target.cpuHighPercent}% for ${target.cpuHighMinutes} minutes: add a read replica`,
    }),
    spec(prefix, target.id, {
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
      spec(prefix, target.id, {
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
      spec(prefix, target.id, {
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

export function rdsStorageMetrics(target: RdsStorageTarget): { freeStorage: MetricRef } {
  return {
    freeStorage: { namespace: 'AWS/RDS', metricName: 'FreeStorageSpace', dimensions: { DBInstanceIdentifier: target.instanceIdentifier }, stat: 'Minimum' },
  };
}

/**
 * FreeStorageSpace is in bytes and the allocated size is not known at synth, so the used share cannot
 * be an alarm threshold. The 1-minute schedule checks every storage target's real share (FreeStorageSpace
 * against DescribeDBInstances' AllocatedStorage); this alarm is the immediate trigger for the smallest
 * instances: free space below `(100 - usedHighPercent)%` of 20 GiB, the RDS minimum size.
 */
export function rdsStorageAlarms(prefix: string, target: RdsStorageTarget): AlarmSpec[] {
  const floorBytes = Math.round(((100 - target.usedHighPercent) / 100) * 20 * GIB);
  return [
    spec(prefix, target.id, {
      signal: 'storage',
      direction: 'low',
      metric: rdsStorageMetrics(target).freeStorage,
      threshold: floorBytes,
      minutes: 5,
      description: `${target.id}: free storage of ${target.instanceIdentifier} below ${(floorBytes / GIB).toFixed(1)} GiB for 5 minutes: grow storage`,
    }),
  ];
}

/**
 * One node's metrics: ElastiCache publishes them per node (`CacheClusterId`, such as `shop-cache-001`
 * or `shop-cache-0001-002` in cluster mode), not per replication group, and the members change with
 * failovers and replicas. So Redis targets have no alarm: the database function's 1-minute schedule
 * reads every member node of the group and decides on the worst.
 */
export function redisNodeMetrics(cacheClusterId: string): { memory: MetricRef; cpu: MetricRef; evictions: MetricRef; connections: MetricRef } {
  const d = { CacheClusterId: cacheClusterId };
  return {
    memory: { namespace: 'AWS/ElastiCache', metricName: 'DatabaseMemoryUsagePercentage', dimensions: d, stat: 'Maximum' },
    cpu: { namespace: 'AWS/ElastiCache', metricName: 'EngineCPUUtilization', dimensions: d, stat: 'Maximum' },
    evictions: { namespace: 'AWS/ElastiCache', metricName: 'Evictions', dimensions: d, stat: 'Sum' },
    connections: { namespace: 'AWS/ElastiCache', metricName: 'CurrConnections', dimensions: d, stat: 'Maximum' },
  };
}

/** No alarms: see `redisNodeMetrics`. The schedule evaluates every Redis target each minute. */
export function redisAlarms(_prefix: string, _target: RedisTarget): AlarmSpec[] {
  return [];
}

export function rdsInstanceMetrics(target: RdsInstanceTarget): { cpu: MetricRef; freeableMemory: MetricRef } {
  const d = { DBInstanceIdentifier: target.instanceIdentifier };
  return {
    cpu: { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: d, stat: 'Average' },
    freeableMemory: { namespace: 'AWS/RDS', metricName: 'FreeableMemory', dimensions: d, stat: 'Minimum' },
  };
}

/**
 * CPU high and low over long windows (a class change restarts the instance), and free memory low. The
 * long windows use 5-minute periods, so even 24 hours stays within CloudWatch's 288 datapoints.
 */
export function rdsInstanceAlarms(prefix: string, target: RdsInstanceTarget): AlarmSpec[] {
  const m = rdsInstanceMetrics(target);
  const i = target.instanceIdentifier;
  const long = (s: SpecInput): AlarmSpec => {
    const periods = Math.max(1, Math.round(s.minutes / 5));
    return { ...spec(prefix, target.id, s), periodSeconds: 300, evaluationPeriods: periods, datapointsToAlarm: periods };
  };
  const alarms = [
    long({
      signal: 'cpu',
      direction: 'high',
      metric: m.cpu,
      threshold: target.cpuHighPercent,
      minutes: target.cpuHighMinutes,
      description: `${target.id}: CPU of ${i} above ${target.cpuHighPercent}% for ${target.cpuHighMinutes} minutes: a larger class`,
    }),
    long({
      signal: 'cpu',
      direction: 'low',
      metric: m.cpu,
      threshold: target.cpuLowPercent,
      minutes: target.cpuLowMinutes,
      description: `${target.id}: CPU of ${i} below ${target.cpuLowPercent}% for ${target.cpuLowMinutes} minutes: a smaller class`,
    }),
  ];
  if (target.freeableMemoryLowMiB !== undefined) {
    alarms.push({
      ...spec(prefix, target.id, {
        signal: 'memory',
        direction: 'low',
        metric: m.freeableMemory,
        threshold: target.freeableMemoryLowMiB * 1024 * 1024,
        minutes: 15,
        description: `${target.id}: freeable memory of ${i} below ${target.freeableMemoryLowMiB} MiB for 15 minutes: a larger class`,
      }),
      // Too little free memory is the overload here; no data is no reason to act.
      treatMissingData: 'missing',
    });
  }
  return alarms;
}
