/**
 * redis: an ElastiCache replication group along its node-type ladder, its shards and its replicas per
 * shard (lambdas/engine/redis.ts). The shape the group had when first seen is its floor, unless the
 * config sets one.
 */
import { decideRedisReplicas, decideRedisShape, redisFloors } from '../../engine/redis';
import type { RedisTarget } from '../../shared/config';
import { TerminalError } from '../../shared/errors';
import { figuresOf, observeRedis } from './observe';
import type { DataKind, Plan } from './plan';

export const redis: DataKind<RedisTarget> = {
  /**
   * Remembers `changingSeenAt`: the last time the group was seen changing (not `available`). Its
   * datapoints up to then, and up to the last action, describe the shape it had before: a decision
   * reads only the newer ones, or a resize would be followed by another on the old type's figures.
   */
  async plan({ target, now, lastActionAt, memory: remembered, firstSeen }, { store, elastiCache, cloudWatch }): Promise<Plan> {
    const group = await elastiCache.replicationGroup(target.replicationGroupId);
    if (!group?.nodeType) throw new TerminalError(`replication group "${target.replicationGroupId}" not found`, 'ReplicationGroupNotFound');
    // The shape the group had when first seen is its floor, unless the config sets one (recorded once).
    if (!firstSeen && group.status === 'available') {
      firstSeen = (await store.recordFirstSeen(target.id, { shards: group.shards, replicasPerShard: group.replicasPerShard }, now)).values;
    }
    const policy = { ...target, ...redisFloors(target, firstSeen) };
    if (group.status !== 'available' || group.snapshotting) {
      return {
        change: false,
        reason: `${group.id} is ${group.snapshotting ? 'snapshotting' : group.status}; decided again once available`,
        figures: {},
        // A snapshot changes nothing; any other state may be a change of shape.
        ...(group.snapshotting && group.status === 'available' ? {} : { memory: { ...remembered, changingSeenAt: now } }),
      };
    }
    const changingSeenAt = typeof remembered?.changingSeenAt === 'number' ? remembered.changingSeenAt : -Infinity;
    const freshAfter = Math.max(changingSeenAt, lastActionAt ?? -Infinity);
    const allowed = await elastiCache.allowedNodeTypes(group.id);
    const observation = await observeRedis(cloudWatch, target, group.memberClusters, now, freshAfter);
    const d = decideRedisShape({
      policy,
      currentNodeType: group.nodeType,
      clusterMode: group.clusterMode,
      shards: group.shards,
      allowedUp: allowed.up,
      allowedDown: allowed.down,
      observation,
      now,
      lastActionAt,
    });
    const figures = figuresOf(observation);
    if (d.direction === 'none') {
      // Node type and shards hold; the replica count may still change (reads spread over more nodes).
      const r = decideRedisReplicas({
        policy,
        shards: group.shards,
        replicasPerShard: group.replicasPerShard,
        connectionsPerNode: observation.connectionsPerNode,
        now,
        lastActionAt,
      });
      if (r.direction === 'none') return { change: false, reason: `${d.reason}; ${r.reason}`, figures };
      return {
        change: true,
        reason: r.reason,
        action: r.direction === 'out' ? 'replicas-up' : 'replicas-down',
        goal: r.replicasPerShard,
        input: { targetId: target.id, replicasPerShard: r.replicasPerShard },
        windowSeconds: r.direction === 'out' ? 1800 : target.scaleInCooldownSeconds,
        figures,
      };
    }
    if (d.direction === 'out' || d.direction === 'in') {
      return {
        change: true,
        reason: d.reason,
        action: `shards-${d.direction}`,
        goal: d.shards,
        input: { targetId: target.id, shards: d.shards },
        windowSeconds: d.direction === 'out' ? 3600 : target.scaleInCooldownSeconds,
        figures,
      };
    }
    return {
      change: true,
      reason: d.reason,
      action: d.direction,
      goal: d.nodeType,
      input: { targetId: target.id, nodeType: d.nodeType },
      windowSeconds: d.direction === 'up' ? 3600 : target.scaleInCooldownSeconds,
      figures,
    };
  },
  // The per-node Redis metrics are no alarms.
  polled: () => true,
};
