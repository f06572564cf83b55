/**
 * Baselines for the `cache` workload kind: an ElastiCache for Redis OSS replication group in cluster
 * mode. Their action is a shape, not a count: a node type on a ladder and a shard count.
 */
import { onFiveMinutes } from './types';

export interface CacheBaselineConfig {
  /** Node types from the smallest to the largest, e.g. cache.r7g.large, cache.r7g.xlarge. */
  readonly nodeTypeLadder: readonly string[];
  readonly minShards: number;
  readonly maxShards: number;
  /** Percent memory target tracking aims at. */
  readonly targetUtilization: number;
  readonly stepSeconds: number;
}

export interface CacheBaselineInput {
  /** Seconds from the trace start to the start of the current step. */
  readonly now: number;
  /** The replication group's node type now. */
  readonly nodeType: string;
  /** Its shard count now. */
  readonly shards: number;
  /** A modification (resize or resharding) is in progress. */
  readonly modifying: boolean;
  /** DatabaseMemoryUsagePercentage of the fullest node per minute, newest visible last, up to 30. */
  readonly memory: readonly number[];
}

export interface CacheBaseline<S> {
  readonly name: string;
  initial(): S;
  decide(config: CacheBaselineConfig, state: S, input: CacheBaselineInput): { nodeType: string; shards: number; state: S };
}

/** The shard count clamped to the config's min and max. */
export function clampShards(config: CacheBaselineConfig, n: number): number {
  return Math.min(config.maxShards, Math.max(config.minShards, n));
}

/** True when `memory` holds at least n datapoints and the newest n all pass `test`. */
function newestAll(memory: readonly number[], n: number, test: (x: number) => boolean): boolean {
  return memory.length >= n && memory.slice(-n).every(test);
}

/** Datapoints above CACHE_SCALE_UP_MEMORY that move one rung up the ladder. */
export const CACHE_SCALE_UP_POINTS = 5;
export const CACHE_SCALE_UP_MEMORY = 80;
/** Datapoints below CACHE_SCALE_DOWN_MEMORY that move one rung down. */
export const CACHE_SCALE_DOWN_POINTS = 30;
export const CACHE_SCALE_DOWN_MEMORY = 30;

/**
 * `seed-step`, cache: the seed guides' "Redis memory above 80-90% moves to a larger node". Every 300 s
 * (steps whose start is a multiple of 300 s), and only when no modification is in progress: the
 * newest 5 memory datapoints all above 80 move one rung up the ladder (none above the top), else the
 * newest 30 all below 30 move one rung down (none below the bottom). The shard count is left as it is.
 */
export const seedStepCache: CacheBaseline<null> = {
  name: 'seed-step',
  initial: () => null,
  decide(config, state, { now, nodeType, shards, modifying, memory }) {
    const ladder = config.nodeTypeLadder;
    const rung = ladder.indexOf(nodeType);
    if (rung < 0) throw new Error(`node type ${nodeType} is not on the ladder [${ladder.join(', ')}]`);
    if (modifying || !onFiveMinutes(now)) return { nodeType, shards, state };
    let next = rung;
    if (newestAll(memory, CACHE_SCALE_UP_POINTS, (x) => x > CACHE_SCALE_UP_MEMORY)) next = Math.min(rung + 1, ladder.length - 1);
    else if (newestAll(memory, CACHE_SCALE_DOWN_POINTS, (x) => x < CACHE_SCALE_DOWN_MEMORY)) next = Math.max(rung - 1, 0);
    return { nodeType: ladder[next], shards, state };
  },
};

export const CACHE_SCALE_OUT_POINTS = 3;
export const CACHE_SCALE_IN_POINTS = 15;
export const CACHE_SCALE_IN_RATIO = 0.9;
/**
 * ScaleOutCooldown and ScaleInCooldown when the policy sets none: "Application Auto Scaling provides a
 * default value of 600 for Amazon ElastiCache replication groups" (Application Auto Scaling API
 * Reference, TargetTrackingScalingPolicyConfiguration, both fields).
 */
export const CACHE_COOLDOWN_SECONDS = 600;

export interface TargetTrackingCacheState {
  /** The change last made, until a step sees it complete (no modification in progress). */
  readonly pending?: { readonly direction: 'out' | 'in'; readonly fromShards: number };
  /** Seconds from the trace start at which the last scale-in was seen complete. */
  readonly scaleInDoneAt?: number;
  /** The last scale-out seen complete: when, and the shard count before it. */
  readonly scaleOutDone?: { readonly at: number; readonly fromShards: number };
}

/**
 * `target-tracking`, cache: ElastiCache (Redis OSS) Auto Scaling, a target tracking policy on shards
 * (scalable dimension elasticache:replication-group:NodeGroups) with the predefined metric
 * ElastiCacheDatabaseMemoryUsageCountedForEvictPercentage at targetUtilization; the node type never
 * changes. Alarms as the web target-tracking baseline's: while the newest 3 datapoints are all above
 * target, shards = max(shards, ceil(shards x memory / target)); otherwise, while the newest 15 are all
 * below 0.9 x target, shards = max(minShards, ceil(shards x memory / target)) when that is lower.
 * Clamped to min/max shards. Nothing is changed while a modification is in progress (ElastiCache
 * refuses a change then).
 *
 * Cooldowns, both at the documented default of 600 s (CACHE_COOLDOWN_SECONDS) and counted from the
 * first step that sees the change complete, since they run "after a scale-in activity completes"
 * (TargetTrackingScalingPolicyConfiguration, ScaleInCooldown):
 * - scale-in: no scale-in until 600 s after the last one completed; a scale-out ends that cooldown
 *   ("Application Auto Scaling scales out the target immediately. In this case, the scale-in cooldown
 *   period stops and doesn't complete").
 * - scale-out: within 600 s after a scale-out completed, "the capacity added by the initiating
 *   scale-out activity is calculated as part of the desired capacity for the next scale-out
 *   activity": the wanted count is computed from the shard count before that scale-out, so only a
 *   larger scale-out goes ahead.
 * Scale-in is enabled, as DisableScaleIn defaults to false (same reference, DisableScaleIn).
 */
export const targetTrackingCache: CacheBaseline<TargetTrackingCacheState> = {
  name: 'target-tracking',
  initial: () => ({}),
  decide(config, state, { now, nodeType, shards, modifying, memory }) {
    const target = config.targetUtilization;
    if (!(target > 0)) throw new Error(`targetUtilization must be above 0, got ${target}`);
    if (modifying) return { nodeType, shards, state };
    let s = state;
    if (s.pending) {
      const { pending, ...rest } = s;
      s = pending.direction === 'in' ? { ...rest, scaleInDoneAt: now } : { ...rest, scaleOutDone: { at: now, fromShards: pending.fromShards } };
    }
    const current = clampShards(config, shards);
    const act = (next: number, after: TargetTrackingCacheState) =>
      next === shards
        ? { nodeType, shards, state: after }
        : { nodeType, shards: next, state: { ...after, pending: { direction: next > shards ? ('out' as const) : ('in' as const), fromShards: shards } } };
    const newest = memory.length ? memory[memory.length - 1] : undefined;
    if (newest === undefined) return act(current, s);
    const wantedFrom = (base: number) => Math.ceil((base * newest) / target - 1e-9);
    if (newestAll(memory, CACHE_SCALE_OUT_POINTS, (x) => x > target)) {
      const cooling = s.scaleOutDone !== undefined && now - s.scaleOutDone.at < CACHE_COOLDOWN_SECONDS;
      const base = cooling && s.scaleOutDone ? s.scaleOutDone.fromShards : current;
      const next = clampShards(config, Math.max(current, wantedFrom(base)));
      if (next > current) {
        const { scaleInDoneAt: _ended, ...rest } = s;
        return act(next, rest);
      }
      return act(current, s);
    }
    if (newestAll(memory, CACHE_SCALE_IN_POINTS, (x) => x < CACHE_SCALE_IN_RATIO * target)) {
      const lower = clampShards(config, wantedFrom(current));
      const allowed = s.scaleInDoneAt === undefined || now - s.scaleInDoneAt >= CACHE_COOLDOWN_SECONDS;
      if (lower < current && allowed) return act(lower, s);
    }
    return act(current, s);
  },
};

/** The cache baseline of that name. */
export function cacheBaselineFor(name: 'seed-step' | 'target-tracking'): CacheBaseline<unknown> {
  // biome-ignore lint/suspicious/noExplicitAny: baselines of different state types in one table; each runs with its own state
  const table: Record<string, CacheBaseline<any>> = { 'seed-step': seedStepCache, 'target-tracking': targetTrackingCache };
  const b = table[name];
  if (!b) throw new Error(`no cache baseline named ${name}`);
  return b;
}
