/** ElastiCache: a replication group's state and node type, the moves AWS allows, and the resize. */
import {
  DecreaseReplicaCountCommand,
  DescribeReplicationGroupsCommand,
  IncreaseReplicaCountCommand,
  ListAllowedNodeTypeModificationsCommand,
  ModifyReplicationGroupCommand,
  ModifyReplicationGroupShardConfigurationCommand,
} from '@aws-sdk/client-elasticache';
import { awsErrorName, TerminalError } from '../shared/errors';
import { ResourceBusyError } from '../shared/runbook-errors';
import type { SendClient } from './types';

const BUSY = new Set(['InvalidReplicationGroupState', 'InvalidReplicationGroupStateFault', 'InvalidCacheClusterState', 'InvalidCacheClusterStateFault']);
const TERMINAL = new Set([
  'InvalidParameterCombination',
  'InvalidParameterCombinationException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'ReplicationGroupNotFoundFault',
  'InsufficientCacheClusterCapacity',
  'InsufficientCacheClusterCapacityFault',
  'NodeQuotaForClusterExceeded',
  'NodeQuotaForCustomerExceeded',
  'AccessDenied',
  'AccessDeniedException',
]);

export function classifyElastiCacheError(err: unknown, what: string): Error {
  const name = awsErrorName(err);
  const text = `${what}: ${name}: ${(err as Error).message}`;
  if (BUSY.has(name)) return new ResourceBusyError(text);
  if (TERMINAL.has(name)) return new TerminalError(text, name, err);
  return err as Error;
}

export interface ReplicationGroupInfo {
  readonly id: string;
  /** `available`, `creating`, `modifying`, `deleting`, `snapshotting`... */
  readonly status: string;
  readonly nodeType?: string;
  readonly clusterMode: boolean;
  readonly shards: number;
  readonly replicasPerShard: number;
  /** A snapshot is being taken: ElastiCache rejects modifications meanwhile. */
  readonly snapshotting: boolean;
  /** The member nodes (`CacheClusterId`s), whose metrics are the group's signals. */
  readonly memberClusters: readonly string[];
  /** The shards' ids (`0001`...), in order. */
  readonly nodeGroupIds: readonly string[];
}

export class ElastiCacheAdapter {
  constructor(private readonly client: SendClient) {}

  async replicationGroup(id: string): Promise<ReplicationGroupInfo | undefined> {
    try {
      const res = await this.client.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
      const g = res.ReplicationGroups?.[0];
      if (!g) return undefined;
      const groups: { NodeGroupMembers?: unknown[] }[] = g.NodeGroups ?? [];
      return {
        id,
        status: g.Status ?? 'unknown',
        nodeType: g.CacheNodeType,
        clusterMode: g.ClusterEnabled === true,
        shards: groups.length,
        replicasPerShard: Math.max(0, (groups[0]?.NodeGroupMembers?.length ?? 1) - 1),
        snapshotting: typeof g.SnapshottingClusterId === 'string' && g.SnapshottingClusterId.length > 0,
        memberClusters: g.MemberClusters ?? [],
        nodeGroupIds: (groups as { NodeGroupId?: string }[])
          .map((n) => n.NodeGroupId ?? '')
          .filter(Boolean)
          .sort(),
      };
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'ReplicationGroupNotFoundFault') return undefined;
      throw classifyElastiCacheError(err, `DescribeReplicationGroups ${id}`);
    }
  }

  async allowedNodeTypes(id: string): Promise<{ up: string[]; down: string[] }> {
    const res = await this.client.send(new ListAllowedNodeTypeModificationsCommand({ ReplicationGroupId: id }));
    return { up: res.ScaleUpModifications ?? [], down: res.ScaleDownModifications ?? [] };
  }

  async setNodeType(id: string, nodeType: string): Promise<void> {
    try {
      await this.client.send(new ModifyReplicationGroupCommand({ ReplicationGroupId: id, CacheNodeType: nodeType, ApplyImmediately: true }));
    } catch (err) {
      throw classifyElastiCacheError(err, `ModifyReplicationGroup ${id} CacheNodeType ${nodeType}`);
    }
  }

  /** Sets the replicas of every shard to `count` (IncreaseReplicaCount or DecreaseReplicaCount, now). */
  async setReplicaCount(id: string, current: number, count: number): Promise<void> {
    const Command = count > current ? IncreaseReplicaCountCommand : DecreaseReplicaCountCommand;
    try {
      await this.client.send(new Command({ ReplicationGroupId: id, NewReplicaCount: count, ApplyImmediately: true }));
    } catch (err) {
      throw classifyElastiCacheError(err, `${count > current ? 'Increase' : 'Decrease'}ReplicaCount ${id} to ${count}`);
    }
  }

  /** Sets the number of shards (cluster mode); fewer shards remove the highest-numbered ones. */
  async setShardCount(id: string, nodeGroupIds: readonly string[], count: number): Promise<void> {
    const remove = count < nodeGroupIds.length ? [...nodeGroupIds].sort().slice(count) : undefined;
    try {
      await this.client.send(
        new ModifyReplicationGroupShardConfigurationCommand({
          ReplicationGroupId: id,
          NodeGroupCount: count,
          ApplyImmediately: true,
          NodeGroupsToRemove: remove,
        }),
      );
    } catch (err) {
      throw classifyElastiCacheError(err, `ModifyReplicationGroupShardConfiguration ${id} to ${count} shards`);
    }
  }
}
