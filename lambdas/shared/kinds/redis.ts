/** `redis`: an ElastiCache (Redis OSS / Valkey) replication group moved along a node-type ladder by the `redis` runbook. */
import type { AlarmSpec, MetricRef } from '../alarm-spec';
import { checkLadder } from '../config/checks';
import { quoted } from '../config/resources';
import { KIND_FACTS } from './facts';
import type { KindRules, TargetKindModule } from './kind';
import type { RedisTarget } from './schemas/redis';

export type { RedisTarget } from './schemas/redis';

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

export const redis = {
  ...KIND_FACTS.redis,
  alarms: redisAlarms,
} satisfies TargetKindModule<RedisTarget>;

/** What synth alone runs of the kind (./rules.ts): the resources a target names, and its checks beyond its schema. */
export const redisRules = {
  resources: (t) => [
    { path: ['replicationGroupId'], noun: 'replication group', shown: quoted(t.replicationGroupId), key: `elasticache:${t.replicationGroupId}` },
  ],
  check: (t, at, ctx) => {
    checkLadder(t.nodeTypeLadder, [...at, 'nodeTypeLadder'], ctx);
    if (t.maxReplicasPerShard !== undefined && t.minReplicasPerShard !== undefined && t.maxReplicasPerShard < t.minReplicasPerShard) {
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'maxReplicasPerShard'],
        message: `${t.maxReplicasPerShard} is below minReplicasPerShard ${t.minReplicasPerShard}`,
      });
    }
    if (t.minShards !== undefined && t.maxShards < t.minShards) {
      ctx.addIssue({ code: 'custom', path: [...at, 'maxShards'], message: `${t.maxShards} is below minShards ${t.minShards}` });
    }
    if (t.memoryLowPercent >= t.memoryHighPercent) {
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'memoryLowPercent'],
        message: `${t.memoryLowPercent} must be below memoryHighPercent ${t.memoryHighPercent}`,
      });
    }
  },
} satisfies KindRules<RedisTarget>;
