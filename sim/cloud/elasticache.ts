/**
 * In-memory ElastiCache for the cache workload: one Redis OSS replication group read from and changed
 * in a CacheBackend (sim/data/backends.ts). While a change is in progress the group is `modifying`
 * and refuses another; the shape it shows (node type, shards, members) is the one in effect until the
 * change is done.
 */

import { NODE_MEMORY_GIB } from '../../lambdas/engine/redis';
import { type CacheBackend, type CacheGroupState, type CacheShape, memberNodes, nodeGroupId } from '../data/backends';
import { type CallLog, commandName, FakeServiceError, metadata, uuidLike } from './recorder';

export interface FakeElastiCacheOptions {
  readonly replicationGroupId: string;
  readonly backend: CacheBackend;
  readonly log: CallLog;
  /** Epoch ms of the trace's second 0. @default 0 */
  readonly start?: number;
  /** @default us-east-1 */
  readonly region?: string;
  /** @default 123456789012 */
  readonly account?: string;
}

/** Replicas per shard ElastiCache allows (IncreaseReplicaCount / DecreaseReplicaCount NewReplicaCount: 0-5). */
export const MAX_REPLICAS_PER_SHARD = 5;
/** Shards (node groups) of a cluster-mode group: up to 500 (ElastiCache for Redis OSS 5.0.6 and later). */
export const MAX_SHARDS = 500;
/** Hash slots of a Redis cluster, shared out between the shards. */
const HASH_SLOTS = 16384;

/** The fake ElastiCache client: `send` answers the commands of lambdas/adapters/elasticache.ts. */
export class FakeElastiCache {
  private readonly id: string;
  private readonly backend: CacheBackend;
  private readonly log: CallLog;
  private readonly start: number;
  private readonly region: string;
  private readonly account: string;
  private requests = 0;

  constructor(options: FakeElastiCacheOptions) {
    this.id = options.replicationGroupId;
    this.backend = options.backend;
    this.log = options.log;
    this.start = options.start ?? 0;
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
  }

  async send(command: { input?: any }): Promise<any> {
    const name = commandName(command);
    const input = command.input ?? {};
    this.log.record('elasticache', name, input);
    const meta = metadata(uuidLike(`elasticache/${++this.requests}`));
    switch (name) {
      case 'DescribeReplicationGroupsCommand': {
        if (input.ReplicationGroupId !== undefined) this.requireGroup(input.ReplicationGroupId);
        return { ReplicationGroups: [this.describe()], ...meta };
      }
      case 'ListAllowedNodeTypeModificationsCommand': {
        if (input.CacheClusterId !== undefined) throw new Error('in-memory ElastiCache implements ListAllowedNodeTypeModifications by ReplicationGroupId only');
        this.requireGroup(input.ReplicationGroupId);
        const current = this.backend.group().nodeType;
        const gib = this.memoryOf(current);
        const types = Object.keys(NODE_MEMORY_GIB).sort((a, b) => NODE_MEMORY_GIB[a] - NODE_MEMORY_GIB[b] || a.localeCompare(b));
        return {
          ScaleUpModifications: types.filter((t) => NODE_MEMORY_GIB[t] > gib),
          ScaleDownModifications: types.filter((t) => NODE_MEMORY_GIB[t] < gib),
          ...meta,
        };
      }
      case 'ModifyReplicationGroupCommand': {
        const g = this.changeable(input, 'ModifyReplicationGroup');
        const type = input.CacheNodeType;
        if (type === undefined) throw new Error('in-memory ElastiCache implements ModifyReplicationGroup with CacheNodeType only');
        if (typeof type !== 'string' || NODE_MEMORY_GIB[type] === undefined) {
          throw new FakeServiceError('InvalidParameterValueException', `Invalid Cache Node Type: ${String(type)}`);
        }
        if (type === g.nodeType) {
          throw new FakeServiceError('InvalidParameterCombinationException', `Replication group ${this.id} already uses cache node type ${type}.`);
        }
        this.backend.startChange({ nodeType: type });
        return { ReplicationGroup: this.describe(), ...meta };
      }
      case 'ModifyReplicationGroupShardConfigurationCommand': {
        const g = this.changeable(input, 'ModifyReplicationGroupShardConfiguration');
        const count = input.NodeGroupCount;
        if (!g.clusterMode) {
          throw new FakeServiceError(
            'InvalidParameterValueException',
            `Replication group ${this.id} is not cluster mode enabled: its node groups cannot be changed.`,
          );
        }
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_SHARDS) {
          throw new FakeServiceError('InvalidParameterValueException', `NodeGroupCount must be a whole number from 1 to ${MAX_SHARDS}, got ${String(count)}.`);
        }
        if (count === g.shards) throw new FakeServiceError('InvalidParameterValueException', `Replication group ${this.id} already has ${count} node groups.`);
        const remove: unknown = input.NodeGroupsToRemove;
        if (input.NodeGroupsToRetain !== undefined) throw new Error('in-memory ElastiCache does not implement NodeGroupsToRetain');
        if (input.ReshardingConfiguration !== undefined) throw new Error('in-memory ElastiCache does not implement ReshardingConfiguration');
        if (count < g.shards) {
          // Reducing: AWS requires NodeGroupsToRemove (or NodeGroupsToRetain) naming the node groups.
          const existing = Array.from({ length: g.shards }, (_, s) => nodeGroupId(s));
          if (!Array.isArray(remove) || remove.length === 0) {
            throw new FakeServiceError(
              'InvalidParameterValueException',
              `NodeGroupsToRemove or NodeGroupsToRetain is required when reducing the node groups of ${this.id} from ${g.shards} to ${count}.`,
            );
          }
          for (const r of remove) {
            if (!existing.includes(r))
              throw new FakeServiceError(
                'InvalidParameterValueException',
                `Node group ${String(r)} is not a node group of ${this.id} (${existing.join(', ')}).`,
              );
          }
          if (new Set(remove).size !== g.shards - count) {
            throw new FakeServiceError(
              'InvalidParameterValueException',
              `NodeGroupsToRemove names ${new Set(remove).size} node group(s); going from ${g.shards} to ${count} removes ${g.shards - count}.`,
            );
          }
          const highest = existing.slice(count);
          if (!remove.every((r) => highest.includes(r))) {
            throw new Error(`in-memory ElastiCache removes only the highest-numbered node groups (${highest.join(', ')}), not ${remove.join(', ')}`);
          }
        } else if (remove !== undefined) {
          throw new FakeServiceError(
            'InvalidParameterCombinationException',
            `NodeGroupsToRemove is only valid when reducing the node groups of ${this.id} (${g.shards} -> ${count}).`,
          );
        }
        this.backend.startChange({ shards: count });
        return { ReplicationGroup: this.describe(), ...meta };
      }
      case 'IncreaseReplicaCountCommand':
      case 'DecreaseReplicaCountCommand': {
        const increase = name === 'IncreaseReplicaCountCommand';
        const op = increase ? 'IncreaseReplicaCount' : 'DecreaseReplicaCount';
        const g = this.changeable(input, op);
        if (input.ReplicaConfiguration !== undefined || input.ReplicasToRemove !== undefined) {
          throw new Error(`in-memory ElastiCache implements ${op} with NewReplicaCount only`);
        }
        const n = input.NewReplicaCount;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_REPLICAS_PER_SHARD) {
          throw new FakeServiceError(
            'InvalidParameterValueException',
            `NewReplicaCount must be a whole number from 0 to ${MAX_REPLICAS_PER_SHARD}, got ${String(n)}.`,
          );
        }
        if (increase ? n <= g.replicasPerShard : n >= g.replicasPerShard) {
          throw new FakeServiceError(
            'InvalidParameterValueException',
            `NewReplicaCount ${n} must be ${increase ? 'more' : 'fewer'} than the ${g.replicasPerShard} replica(s) per node group of ${this.id}.`,
          );
        }
        this.backend.startChange({ replicasPerShard: n });
        return { ReplicationGroup: this.describe(), ...meta };
      }
      default:
        throw new Error(`in-memory ElastiCache does not implement ${name}`);
    }
  }

  private requireGroup(id: unknown): void {
    if (id !== this.id) throw new FakeServiceError('ReplicationGroupNotFoundFault', `Replication group ${String(id)} not found.`);
  }

  /** The group, after the checks every change makes: it exists, the change applies now, and nothing else is in progress. */
  private changeable(input: any, op: string): CacheGroupState {
    this.requireGroup(input.ReplicationGroupId);
    if (input.ApplyImmediately !== true) throw new Error(`in-memory ElastiCache implements ${op} with ApplyImmediately: true only (no maintenance window)`);
    const g = this.backend.group();
    if (g.change) throw new FakeServiceError('InvalidReplicationGroupStateFault', `Replication group ${this.id} is not in available state.`);
    return g;
  }

  private memoryOf(nodeType: string): number {
    const gib = NODE_MEMORY_GIB[nodeType];
    if (gib === undefined) throw new Error(`in-memory ElastiCache does not know the memory of node type ${nodeType}`);
    return gib;
  }

  private describe() {
    const g = this.backend.group();
    const shape: CacheShape = { nodeType: g.nodeType, shards: g.shards, replicasPerShard: g.replicasPerShard };
    const members = memberNodes(this.id, shape, g.clusterMode);
    // Endpoints read `<name>.<6 characters fixed per account>.<short region: use1>.cache.amazonaws.com`.
    const shortRegion = this.region.replace(/^([a-z]+)-([a-z])[a-z]*-(\d+)$/, '$1$2$3');
    const host = `${uuidLike(`elasticache/${this.account}`).slice(0, 6)}.${shortRegion}.cache.amazonaws.com`;
    const slotsPer = Math.ceil(HASH_SLOTS / g.shards);
    return {
      ReplicationGroupId: this.id,
      Description: `simulated replication group ${this.id}`,
      Status: g.change ? 'modifying' : 'available',
      PendingModifiedValues: {},
      MemberClusters: members.map((m) => m.id),
      NodeGroups: Array.from({ length: g.shards }, (_, s) => ({
        NodeGroupId: nodeGroupId(s),
        Status: 'available',
        ...(g.clusterMode
          ? { Slots: `${s * slotsPer}-${Math.min(HASH_SLOTS, (s + 1) * slotsPer) - 1}` }
          : {
              PrimaryEndpoint: { Address: `master.${this.id}.${host}`, Port: 6379 },
              ReaderEndpoint: { Address: `replica.${this.id}.${host}`, Port: 6379 },
            }),
        NodeGroupMembers: members
          .filter((m) => m.shard === s)
          .map((m, n) => ({
            CacheClusterId: m.id,
            CacheNodeId: '0001',
            PreferredAvailabilityZone: `${this.region}${'abc'[n % 3]}`,
            CurrentRole: m.primary ? 'primary' : 'replica',
            ...(g.clusterMode ? {} : { ReadEndpoint: { Address: `${m.id}.${host}`, Port: 6379 } }),
          })),
      })),
      ...(g.clusterMode ? { ConfigurationEndpoint: { Address: `clustercfg.${this.id}.${host}`, Port: 6379 } } : {}),
      AutomaticFailover: g.clusterMode || g.replicasPerShard > 0 ? 'enabled' : 'disabled',
      MultiAZ: g.replicasPerShard > 0 ? 'enabled' : 'disabled',
      SnapshotRetentionLimit: 1,
      SnapshotWindow: '05:00-06:00',
      ClusterEnabled: g.clusterMode,
      CacheNodeType: g.nodeType,
      Engine: 'redis',
      AuthTokenEnabled: false,
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      ARN: `arn:aws:elasticache:${this.region}:${this.account}:replicationgroup:${this.id}`,
      ReplicationGroupCreateTime: new Date(this.start - 30 * 86_400_000),
      DataTiering: 'disabled',
      AutoMinorVersionUpgrade: true,
      ClusterMode: g.clusterMode ? 'enabled' : 'disabled',
    };
  }
}
