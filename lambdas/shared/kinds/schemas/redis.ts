/**
 * The config schema of `redis` targets (synth only); the kind is lambdas/shared/kinds/redis.ts.
 */
import { z } from 'zod';
import { DAY, missingDataHoldSchema, percent, resourceName, targetId } from '../../config/fields';

/** An ElastiCache node type such as `cache.r7g.large`. */
const cacheNodeType = z.string().regex(/^cache\.[a-z0-9-]+\.[a-z0-9]+$/, 'must be an ElastiCache node type such as cache.r7g.large');

/** An ElastiCache (Redis OSS / Valkey) replication group moved along a node-type ladder by the `redis` runbook. */
export const redisTargetSchema = z.strictObject({
  kind: z.literal('redis'),
  id: targetId,
  /** The replication group. */
  replicationGroupId: resourceName(
    /^[a-z](?!.*--)[a-z0-9-]{0,39}$/,
    'must be a replication group id: 1-40 lowercase letters, digits or hyphens, starting with a letter',
  ),
  /** Node types from smallest to largest, each larger than the one before; the group moves one rung at a time, only to types AWS allows. */
  nodeTypeLadder: z.array(cacheNodeType).min(2).max(20),
  /** DatabaseMemoryUsagePercentage of the fullest node, for 5 minutes, above which the group moves one rung up (the seed rule: 80-90). @default 80 */
  memoryHighPercent: percent.default(80),
  /**
   * DatabaseMemoryUsagePercentage from which eviction is near. A cluster-mode group at `maxShards`, hot
   * on memory alone, moves up the ladder only once memory projected along its trend for `resizeMinutes`
   * (plus 10 minutes to notice) reaches it; at or below `memoryHighPercent` it moves up on the high mark.
   * @default 90
   */
  // The seed guides' critical Redis memory mark ("Redis Memory >90%: upgrade instance", critical);
  // eviction itself starts at 100%, maxmemory, which already leaves out reserved-memory-percent.
  memoryCriticalPercent: percent.default(90),
  /**
   * Minutes a move up the node-type ladder takes, for that projection: set it to what this group's
   * resizes take (how long it stays `modifying`).
   * @default 60
   */
  // AWS publishes no duration ("dependent upon your node type and how much data is in your cluster",
  // ElastiCache User Guide, Scaling up clusters with replicas). An hour is an assumption that errs long:
  // a longer lead only makes the group move up sooner. A day at most.
  resizeMinutes: z.number().int().min(1).max(1440).default(60),
  /** EngineCPUUtilization above which the group moves one rung up. @default 80 */
  cpuHighPercent: percent.default(80),
  /** Evictions per minute above which the group moves one rung up. @default no eviction signal */
  // Common sense: ten million evictions a minute is beyond what one node serves.
  evictionsHigh: z.number().int().positive().max(10_000_000).optional(),
  /** DatabaseMemoryUsagePercentage below which a move one rung down is considered. @default 30 */
  memoryLowPercent: percent.default(30),
  /** Minutes every node's memory must have stayed below `memoryLowPercent` before a move down. @default 60 */
  memoryLowMinutes: z.number().int().min(5).max(1440).default(60),
  /**
   * The smaller type must hold the data used now with this much memory to spare, as a share of the
   * smaller type's memory, and stay under `memoryHighPercent`.
   * @default 0.5
   */
  scaleDownHeadroom: z.number().min(0.1).max(0.9).default(0.5),
  /**
   * Least seconds after a resize before the group moves down (node type, shards or replicas). Scale-in
   * only: a move up has no cooldown, the engine's one step per decision and the group's `modifying`
   * state pace it.
   * @default 21600
   */
  // Common sense: thirty days.
  scaleInCooldownSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * DAY)
    .default(21600),
  /**
   * Fewest replicas per shard. With `maxReplicasPerShard`, the replica count is managed too
   * (IncreaseReplicaCount / DecreaseReplicaCount). Set it to go below what the group had.
   * @default the replicas per shard the group had when the autoscaler first saw it (recorded in the state table)
   */
  minReplicasPerShard: z.number().int().min(0).max(5).optional(),
  /** Most replicas per shard; unset: the replica count is left alone. @default unset */
  maxReplicasPerShard: z.number().int().min(0).max(5).optional(),
  /** CurrConnections per node above which a replica is added (reads spread over more nodes). @default 5000 */
  // ElastiCache fixes maxclients at 65,000 per node: a threshold above it never fires.
  connectionsPerNodeHigh: z.number().int().positive().max(65_000).default(5000),
  /**
   * Fewest shards (cluster mode); the `redis` runbook refuses fewer. Set it to go below what the group had.
   * @default the shards the group had when the autoscaler first saw it (recorded in the state table)
   */
  minShards: z.number().int().min(1).max(500).optional(),
  /** Most shards (cluster mode); the `redis` runbook refuses more. @default 500 */
  maxShards: z.number().int().min(1).max(500).default(500),
  /** Late or missing metrics: no move down on them. @default late after 240 s */
  missingData: missingDataHoldSchema.prefault({}),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

export type RedisTarget = z.output<typeof redisTargetSchema>;
