/**
 * Small backends for the in-memory RDS and ElastiCache tests: a list of replicas and a replication
 * group on a clock the test advances, and a runbook context whose adapters talk to the fakes.
 */
import { CloudWatchAdapter } from '../../../lambdas/adapters/cloudwatch';
import { ElastiCacheAdapter } from '../../../lambdas/adapters/elasticache';
import { RdsAdapter } from '../../../lambdas/adapters/rds';
import { Route53Adapter } from '../../../lambdas/adapters/route53';
import { SsmAdapter } from '../../../lambdas/adapters/ssm';
import type { RunbookContext } from '../../../lambdas/runbooks/context';
import type { AutoscalerConfig } from '../../../lambdas/shared/config';
import { MemoryStateStore } from '../../../lambdas/state/memory';
import { FakeCloudWatch, MetricStore } from '../../../sim/cloud/cloudwatch';
import { FakeElastiCache } from '../../../sim/cloud/elasticache';
import { FakeRds } from '../../../sim/cloud/rds';
import { CallLog } from '../../../sim/cloud/recorder';
import { FakeSsm } from '../../../sim/cloud/ssm';
import type { CacheBackend, CacheGroupState, CacheShape, ReplicaBackend, ReplicaUnit } from '../../../sim/data/backends';

/** Epoch ms of second 0. */
export const START = Date.parse('2026-03-02T00:00:00Z');

/** A clock in seconds from START. */
export class Clock {
  seconds = 0;
  advance(s: number): void {
    this.seconds += s;
  }
  epochMs(): number {
    return START + this.seconds * 1000;
  }
}

/** Replicas in a list; each serves `provisioningSeconds` after it is added. */
export class ListReplicas implements ReplicaBackend {
  readonly units: ReplicaUnit[] = [];
  constructor(
    private readonly clock: Clock,
    private readonly provisioningSeconds: number,
  ) {}
  now(): number {
    return this.clock.seconds;
  }
  replicas(): readonly ReplicaUnit[] {
    return this.units;
  }
  addReplica(id: string, tags: Readonly<Record<string, string>>, instanceClass?: string): void {
    if (this.units.some((u) => u.id === id)) throw new Error(`replica ${id} exists`);
    const now = this.clock.seconds;
    this.units.push({ id, createdAt: now, readyAt: now + this.provisioningSeconds, tags: { ...tags }, instanceClass });
  }
  removeReplica(id: string): void {
    const i = this.units.findIndex((u) => u.id === id);
    if (i < 0) throw new Error(`no replica ${id}`);
    this.units.splice(i, 1);
  }
}

/** A replication group whose pending change takes effect once the clock reaches its doneAt. */
export class OneGroup implements CacheBackend {
  private shape: CacheShape;
  private change?: { to: CacheShape; doneAt: number };
  readonly started: Partial<CacheShape>[] = [];
  constructor(
    private readonly clock: Clock,
    initial: CacheShape,
    private readonly clusterMode: boolean,
    private readonly provisioningSeconds: number,
  ) {
    this.shape = { ...initial };
  }
  now(): number {
    return this.clock.seconds;
  }
  group(): CacheGroupState {
    this.settle();
    return { ...this.shape, clusterMode: this.clusterMode, change: this.change };
  }
  startChange(to: Partial<CacheShape>): void {
    this.settle();
    if (this.change) throw new Error('a change is in progress');
    this.started.push(to);
    this.change = { to: { ...this.shape, ...to }, doneAt: this.clock.seconds + this.provisioningSeconds };
  }
  private settle(): void {
    if (this.change && this.clock.seconds >= this.change.doneAt) {
      this.shape = this.change.to;
      this.change = undefined;
    }
  }
}

export const SOURCE = {
  id: 'orders-primary',
  instanceClass: 'db.r6g.large',
  engine: 'postgres' as const,
  engineVersion: '16.4',
  backupRetentionPeriod: 7,
  allocatedGiB: 200,
};

/** The fakes over the backends, with a call log on the clock. */
export function dataCloud(opts: { provisioningSeconds?: number; backupRetentionPeriod?: number; cache?: CacheShape; clusterMode?: boolean } = {}) {
  const clock = new Clock();
  const log = new CallLog(() => clock.epochMs());
  const replicas = new ListReplicas(clock, opts.provisioningSeconds ?? 600);
  const group = new OneGroup(
    clock,
    opts.cache ?? { nodeType: 'cache.r7g.large', shards: 1, replicasPerShard: 1 },
    opts.clusterMode ?? false,
    opts.provisioningSeconds ?? 600,
  );
  const rds = new FakeRds({
    source: { ...SOURCE, backupRetentionPeriod: opts.backupRetentionPeriod ?? SOURCE.backupRetentionPeriod },
    backend: replicas,
    log,
    start: START,
  });
  const elastiCache = new FakeElastiCache({ replicationGroupId: 'shop-cache', backend: group, log, start: START });
  const ssm = new FakeSsm({ log, now: () => clock.epochMs() });
  return { clock, log, replicas, group, rds, elastiCache, ssm };
}

/** A runbook context whose RDS, ElastiCache and SSM adapters talk to the fakes (Route 53 is not simulated). */
export function runbookContext(config: AutoscalerConfig, cloud: ReturnType<typeof dataCloud>): RunbookContext {
  return {
    config,
    rds: new RdsAdapter(cloud.rds),
    elastiCache: new ElastiCacheAdapter(cloud.elastiCache),
    ssm: new SsmAdapter(cloud.ssm),
    route53: new Route53Adapter({
      send: async (command: unknown) => {
        throw new Error(`Route 53 is not simulated (${(command as object).constructor.name})`);
      },
    }),
    cloudWatch: new CloudWatchAdapter(new FakeCloudWatch(new MetricStore(), cloud.log, () => cloud.clock.epochMs())),
    store: new MemoryStateStore(),
    now: () => cloud.clock.epochMs(),
  };
}
