/**
 * What the in-memory RDS and ElastiCache read and change: the simulated database's read replicas and
 * the simulated cache's replication group. The data worlds implement these; the fake services
 * (sim/cloud/rds.ts, sim/cloud/elasticache.ts) answer the SDK's commands from them. Times are seconds
 * from the trace start, like the rest of the simulator.
 */

/** One read replica of the simulated source instance. */
export interface ReplicaUnit {
  readonly id: string;
  /** When CreateDBInstanceReadReplica was called (billed from then). */
  readonly createdAt: number;
  /** When it serves reads (`createdAt + provisioningSeconds`); before then its status is `creating`. */
  readonly readyAt: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly instanceClass?: string;
}

export interface ReplicaBackend {
  /** Seconds from the trace start now. */
  now(): number;
  /** Every replica that exists, oldest first, creating ones included (deleted ones are gone). */
  replicas(): readonly ReplicaUnit[];
  /** Creates a replica now; it serves `provisioningSeconds` later. Throws when the id exists. */
  addReplica(id: string, tags: Readonly<Record<string, string>>, instanceClass?: string): void;
  /** Deletes a replica at once: it stops serving and being billed now. Throws when the id does not exist. */
  removeReplica(id: string): void;
}

/** The shape of a replication group: node type, shards (node groups) and replicas per shard. */
export interface CacheShape {
  readonly nodeType: string;
  readonly shards: number;
  readonly replicasPerShard: number;
}

export interface CacheGroupState extends CacheShape {
  /** Cluster mode enabled (shards can change). */
  readonly clusterMode: boolean;
  /** A change in progress (the group is `modifying`): the shape it moves to and when that is done. */
  readonly change?: { readonly to: CacheShape; readonly doneAt: number };
}

export interface CacheBackend {
  now(): number;
  /** The group now: the shape in effect and the change in progress, if any. */
  group(): CacheGroupState;
  /**
   * Starts a change now (any of node type, shards, replicas per shard); it takes effect
   * `provisioningSeconds` later. Throws when a change is already in progress.
   */
  startChange(to: Partial<CacheShape>): void;
}

/** Shard (node group) ids: `0001`, `0002`, ... */
export function nodeGroupId(shard: number): string {
  return String(shard + 1).padStart(4, '0');
}

/**
 * The member nodes (`CacheClusterId`s) of a group, as ElastiCache names them: `<group>-<shard>-<node>`
 * in cluster mode (`shop-cache-0001-001`), `<group>-<node>` otherwise (`shop-cache-001`). Node 001 of
 * each shard is its primary. CloudWatch publishes the group's metrics per member node under these ids.
 */
export function memberNodes(
  groupId: string,
  shape: CacheShape,
  clusterMode: boolean,
): { readonly id: string; readonly shard: number; readonly primary: boolean }[] {
  const out: { id: string; shard: number; primary: boolean }[] = [];
  for (let s = 0; s < shape.shards; s++) {
    for (let n = 0; n <= shape.replicasPerShard; n++) {
      const node = String(n + 1).padStart(3, '0');
      out.push({ id: clusterMode ? `${groupId}-${nodeGroupId(s)}-${node}` : `${groupId}-${node}`, shard: s, primary: n === 0 });
    }
  }
  return out;
}
