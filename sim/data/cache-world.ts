/**
 * The simulated cache (an extension of the scenario contract, sim/data/README.md): an ElastiCache
 * Redis replication group whose memory fills with the keys the trace writes. Each step's arrivals are
 * keys of `itemBytes` written at its start, living `ttlSeconds`. The group holds
 * maxmemory = node memory x (1 - 25% reserved memory) per shard; keys beyond it are evicted, oldest
 * first (what an LRU policy approximates for keys written once), and every key evicted before its TTL
 * is a violation. A change of shape (node type, shards, replicas) takes `provisioningSeconds`: the
 * group is `modifying` meanwhile, serves with the old shape, and is billed for the larger of the two.
 * Units in the scores are GiB of node memory holding one copy of the data (node memory x shards).
 */
import { NODE_MEMORY_GIB } from '../../lambdas/engine/redis';
import { forEachMinute, newestVisibleMinute } from '../minutes';
import type { CacheWorkload, Scenario } from '../scenario';
import type { Trace } from '../trace';
import type { Action } from '../world';
import type { CacheBackend, CacheGroupState, CacheShape } from './backends';

/**
 * ElastiCache's default `reserved-memory-percent` of 25 (Redis OSS parameter groups since 3.2.4):
 * the share of a node's memory kept out of maxmemory.
 */
export const RESERVED_MEMORY_SHARE = 0.25;
const GIB = 1024 ** 3;
const EPS = 1e-9;

/** GiB of node memory of one copy of the data: the node type's memory x shards. */
export function shapeGiB(shape: Pick<CacheShape, 'nodeType' | 'shards'>): number {
  const gib = Object.hasOwn(NODE_MEMORY_GIB, shape.nodeType) ? NODE_MEMORY_GIB[shape.nodeType] : undefined;
  if (gib === undefined) throw new Error(`no memory size known for ${shape.nodeType}`);
  return gib * shape.shards;
}

/** Bytes of data the shape holds before it evicts. */
export function maxmemoryBytes(shape: Pick<CacheShape, 'nodeType' | 'shards'>): number {
  return shapeGiB(shape) * GIB * (1 - RESERVED_MEMORY_SHARE);
}

export class CacheWorld implements CacheBackend {
  readonly kind = 'cache' as const;
  readonly steps: number;
  readonly stepSeconds: number;
  readonly start: number;
  readonly arrivals: Float64Array;
  /** GiB serving (the shape in effect) and billed per step. */
  readonly ready: Float64Array;
  readonly billed: Float64Array;
  /** The score's ideal per step: GiB of the smallest shape holding the working set at the target utilization. */
  readonly ideal: Float64Array;
  /** GiB of node memory the working set (every key within its TTL) needs at 100%. */
  readonly demand: Float64Array;
  readonly actions: Action[] = [];
  /** Keys evicted before their TTL. */
  violated = 0;
  readonly minutes: number;
  /** DatabaseMemoryUsagePercentage of every node (data spreads evenly over the shards) per minute. */
  readonly memoryPct: Float64Array;
  /** EngineCPUUtilization of the primaries per minute. */
  readonly engineCpu: Float64Array;
  /** Evictions of each primary per minute. */
  readonly evictions: Float64Array;
  /** The shape in effect at the end of each minute (its nodes publish that minute). */
  readonly shapes: CacheShape[];
  completeMinutes = 0;

  readonly workload: CacheWorkload;
  private readonly unitCapacity: number;
  private shape: CacheShape;
  private change?: { to: CacheShape; doneAt: number };
  private step = 0;
  /** Keys of each step's batch still in memory; `head` is the oldest batch left. */
  private readonly alive: Float64Array;
  private head = 0;
  private keys = 0;
  /** Keys written within their TTL, evicted or not (the working set), over a sliding window. */
  private working = 0;
  private workingHead = 0;
  /** The GiB sizes the score's ideal chooses from, ascending. */
  private readonly sizes: number[];
  private readonly targetShare: number;
  private readonly provisioningSeconds: number;
  private readonly wSum: Float64Array;
  private readonly memW: Float64Array;
  private readonly cpuW: Float64Array;

  constructor(scenario: Scenario, trace: Trace) {
    const cache = scenario.workload.cache;
    if (scenario.workload.kind !== 'cache' || !cache) throw new Error(`a CacheWorld needs a cache scenario, not ${scenario.workload.kind}`);
    this.workload = cache;
    this.steps = trace.arrivals.length;
    this.stepSeconds = scenario.trace.stepSeconds;
    this.start = trace.start;
    this.arrivals = trace.arrivals;
    this.unitCapacity = scenario.workload.unitCapacity;
    this.provisioningSeconds = scenario.workload.provisioningSeconds;
    this.shape = { nodeType: cache.nodeType, shards: Math.max(1, scenario.workload.initialUnits), replicasPerShard: 1 };
    this.sizes = shapeSizes(cache, scenario.target.minUnits, scenario.target.maxUnits);
    this.targetShare = scenario.target.targetUtilization / 100;
    this.ready = new Float64Array(this.steps);
    this.billed = new Float64Array(this.steps);
    this.ideal = new Float64Array(this.steps);
    this.demand = new Float64Array(this.steps);
    this.alive = new Float64Array(this.steps);
    this.minutes = Math.ceil((this.steps * this.stepSeconds) / 60);
    const m = () => new Float64Array(this.minutes).fill(NaN);
    this.memoryPct = m();
    this.engineCpu = m();
    this.evictions = m();
    this.shapes = new Array(this.minutes);
    this.wSum = new Float64Array(this.minutes);
    this.memW = new Float64Array(this.minutes);
    this.cpuW = new Float64Array(this.minutes);
  }

  now(): number {
    return this.step * this.stepSeconds;
  }

  get currentStep(): number {
    return this.step;
  }

  group(): CacheGroupState {
    this.settle();
    return { ...this.shape, clusterMode: this.workload.clusterMode, ...(this.change ? { change: this.change } : {}) };
  }

  startChange(to: Partial<CacheShape>): void {
    this.settle();
    if (this.change) throw new Error(`a change to ${describe(this.change.to)} is in progress until ${this.change.doneAt} s`);
    const next = { ...this.shape, ...to };
    if (next.shards < 1 || !Number.isInteger(next.shards)) throw new Error(`shards must be a whole number >= 1, got ${next.shards}`);
    if (next.shards !== this.shape.shards && !this.workload.clusterMode) throw new Error('shards change only in cluster mode');
    shapeGiB(next); // a known node type
    const now = this.now();
    this.change = { to: next, doneAt: now + this.provisioningSeconds };
    this.actions.push({ step: this.step, at: now, from: shapeGiB(this.shape), to: shapeGiB(next) });
  }

  /** Applies the change in progress once its time has come. */
  private settle(): void {
    if (this.change && this.change.doneAt <= this.now() + EPS) {
      this.shape = this.change.to;
      this.change = undefined;
    }
  }

  /** The newest minute whose datapoint is visible now (-1: none). */
  newestVisibleMinute(): number {
    return newestVisibleMinute(this.now(), this.completeMinutes);
  }

  /** Ends the current step after its decisions: writes its keys, expires and evicts, publishes its minutes. */
  endStep(): void {
    const t = this.step;
    if (t >= this.steps) throw new Error('the trace has ended');
    this.settle();
    const now = this.now();
    const d = this.stepSeconds;
    const { itemBytes, ttlSeconds } = this.workload;
    // expire, then write this step's keys
    while (this.head < t && this.head * d + ttlSeconds <= now + EPS) {
      this.keys -= this.alive[this.head];
      this.alive[this.head++] = 0;
    }
    while (this.workingHead < t && this.workingHead * d + ttlSeconds <= now + EPS) this.working -= this.arrivals[this.workingHead++];
    const a = this.arrivals[t];
    this.alive[t] = a;
    this.keys += a;
    this.working += a;
    // evict the oldest beyond maxmemory
    const capacityKeys = maxmemoryBytes(this.shape) / itemBytes;
    let evicted = 0;
    while (this.keys > capacityKeys + EPS && this.head <= t) {
      const take = Math.min(this.alive[this.head], this.keys - capacityKeys);
      this.alive[this.head] -= take;
      this.keys -= take;
      evicted += take;
      if (this.alive[this.head] <= EPS) this.head++;
    }
    this.violated += evicted;

    const inEffect = shapeGiB(this.shape);
    this.ready[t] = inEffect;
    this.billed[t] = this.change ? Math.max(inEffect, shapeGiB(this.change.to)) : inEffect;
    this.demand[t] = (this.working * itemBytes) / (1 - RESERVED_MEMORY_SHARE) / GIB;
    this.ideal[t] = this.idealGiB(this.working * itemBytes);

    const memPct = Math.min(100, (100 * this.keys * itemBytes) / maxmemoryBytes(this.shape));
    const cpu = Math.min(100, (100 * (a / d)) / (this.shape.shards * this.unitCapacity));
    forEachMinute(
      now,
      d,
      this.minutes,
      (m, w) => {
        this.wSum[m] += w;
        this.memW[m] += memPct * w;
        this.cpuW[m] += cpu * w;
        this.evictions[m] = (Number.isNaN(this.evictions[m]) ? 0 : this.evictions[m]) + (evicted * w) / d / this.shape.shards;
      },
      (m) => {
        this.memoryPct[m] = this.memW[m] / this.wSum[m];
        this.engineCpu[m] = this.cpuW[m] / this.wSum[m];
        this.shapes[m] = this.shape;
        this.completeMinutes = m + 1;
      },
    );
    this.step = t + 1;
  }

  /** GiB of the smallest shape (ladder type x shards within the bounds) holding `bytes` at the target utilization. */
  private idealGiB(bytes: number): number {
    // maxmemory is proportional to GiB: the first size at or above the need, by binary search.
    const sizes = this.sizes;
    const need = bytes / this.targetShare / (GIB * (1 - RESERVED_MEMORY_SHARE));
    let lo = 0,
      hi = sizes.length - 1;
    if (sizes[hi] < need - EPS) return sizes[hi];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sizes[mid] >= need - EPS) hi = mid;
      else lo = mid + 1;
    }
    return sizes[lo];
  }
}

/** Every GiB size the ladder and the shard bounds allow, ascending. */
function shapeSizes(workload: CacheWorkload, minShards: number, maxShards: number): number[] {
  const [lo, hi] = workload.clusterMode ? [minShards, maxShards] : [1, 1];
  const out = new Set<number>();
  for (const nodeType of workload.nodeTypeLadder) for (let shards = lo; shards <= hi; shards++) out.add(shapeGiB({ nodeType, shards }));
  return [...out].sort((a, b) => a - b);
}

function describe(s: CacheShape): string {
  return `${s.nodeType} x ${s.shards} shard(s) of 1+${s.replicasPerShard}`;
}
