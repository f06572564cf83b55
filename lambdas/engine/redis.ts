/**
 * Where a Redis replication group should sit on its node-type ladder and, in cluster mode, how many
 * shards it should have. Pure: the handler passes in the group's current type and shards, what AWS
 * allows it to move to, and what it observed.
 */

/** Memory (GiB) of the node types ElastiCache publishes; types not listed cannot be scaled down to. */
export const NODE_MEMORY_GIB: Readonly<Record<string, number>> = {
  'cache.t3.micro': 0.5,
  'cache.t3.small': 1.37,
  'cache.t3.medium': 3.09,
  'cache.t4g.micro': 0.5,
  'cache.t4g.small': 1.37,
  'cache.t4g.medium': 3.09,
  'cache.m6g.large': 6.38,
  'cache.m6g.xlarge': 12.93,
  'cache.m6g.2xlarge': 26.04,
  'cache.m6g.4xlarge': 52.26,
  'cache.m7g.large': 6.38,
  'cache.m7g.xlarge': 12.93,
  'cache.m7g.2xlarge': 26.04,
  'cache.m7g.4xlarge': 52.26,
  'cache.r6g.large': 13.07,
  'cache.r6g.xlarge': 26.32,
  'cache.r6g.2xlarge': 52.82,
  'cache.r6g.4xlarge': 105.81,
  'cache.r7g.large': 13.07,
  'cache.r7g.xlarge': 26.32,
  'cache.r7g.2xlarge': 52.82,
  'cache.r7g.4xlarge': 105.81,
};

export interface RedisPolicy {
  readonly nodeTypeLadder: readonly string[];
  readonly memoryHighPercent: number;
  readonly cpuHighPercent: number;
  readonly evictionsHigh?: number;
  readonly memoryLowPercent: number;
  /** Minutes memory must have stayed low (the peak window) before a move down. @default no check */
  readonly memoryLowMinutes?: number;
  readonly scaleDownHeadroom: number;
  readonly scaleInCooldownSeconds: number;
  /**
   * DatabaseMemoryUsagePercentage from which eviction is near. Set, a memory-hot cluster-mode group at
   * `maxShards` moves up the ladder only once its memory trend reaches this mark within `resizeMinutes`
   * (see {@link climbForMemory}). Unset, or at or below `memoryHighPercent`: it moves up on the high mark.
   */
  readonly memoryCriticalPercent?: number;
  /** Minutes a move up the ladder takes, for that projection. @default 60 */
  readonly resizeMinutes?: number;
}

export interface RedisObservation {
  /**
   * DatabaseMemoryUsagePercentage of the fullest node, sustained: the lowest of its last minutes, so a
   * single spike does not resize the group.
   */
  readonly memoryPercent?: number;
  /**
   * The highest memory of any node over the whole scale-down window (`memoryLowMinutes`): a move down
   * needs it below `memoryLowPercent`, and the data it stands for must fit the smaller type.
   * @default memoryPercent
   */
  readonly memoryPeakPercent?: number;
  /** Minutes of the peak window that have datapoints; a move down needs at least 80% of `memoryLowMinutes`. */
  readonly memoryWindowMinutes?: number;
  /** EngineCPUUtilization of the busiest node, sustained (lowest of its last minutes). */
  readonly cpuPercent?: number;
  /** Evictions per minute across the nodes, sustained. */
  readonly evictionsPerMinute?: number;
  /** The fullest node's memory in the newest minute with a datapoint ({@link memoryTrend}). */
  readonly memoryLatestPercent?: number;
  /** Least-squares slope of the fullest node's memory, in points per minute ({@link memoryTrend}). */
  readonly memoryTrendPerMinute?: number;
  /** Minutes with a datapoint the slope was measured over. */
  readonly memoryTrendMinutes?: number;
}

/**
 * Minutes between memory reaching a mark and a move up starting, added to `resizeMinutes` in the
 * projection: a datapoint is visible about 2 minutes after its minute (CloudWatch's delay), memory must
 * stay hot for the 5 minutes the decision sustains it over, the schedule runs each minute, and the
 * runbook starts within a minute or two: 2 + 5 + 1 + 2.
 */
export const TREND_LAG_MINUTES = 10;

/**
 * Fewest one-minute datapoints a slope is measured over before a climb waits for it: a quarter of an
 * hour, three times the 5-minute sustained window, so one noisy minute moves the slope by a fraction of
 * its value. With fewer (just after a change of shape, whose older datapoints do not count) the group
 * moves up on the high mark, as without a critical mark: the safe side.
 */
export const TREND_MIN_MINUTES = 15;

/** `resizeMinutes` when a policy has none: the config's default (lambdas/shared/kinds/schemas/redis.ts). */
const DEFAULT_RESIZE_MINUTES = 60;

/**
 * The trend of the fullest node's memory (one datapoint a minute, oldest first): the least-squares
 * slope in points per minute (from 2 datapoints), how many minutes it covers and the newest value.
 * Plain least squares, with no test of significance: it decides when to stop waiting, so noise that
 * tilts it upward errs toward a move up.
 */
export function memoryTrend(
  points: readonly { readonly at: number; readonly value: number }[],
): Pick<RedisObservation, 'memoryLatestPercent' | 'memoryTrendPerMinute' | 'memoryTrendMinutes'> {
  const n = points.length;
  if (n === 0) return { memoryTrendMinutes: 0 };
  const latest = points[n - 1].value;
  if (n < 2) return { memoryTrendMinutes: n, memoryLatestPercent: latest };
  const t0 = points[0].at;
  const x = points.map((p) => (p.at - t0) / 60_000);
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = points.reduce((a, p) => a + p.value, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (points[i].value - my);
  }
  return { memoryTrendPerMinute: sxx === 0 ? 0 : sxy / sxx, memoryTrendMinutes: n, memoryLatestPercent: latest };
}

export interface RedisInput {
  readonly policy: RedisPolicy;
  readonly currentNodeType: string;
  /** Scale-up targets AWS allows now (ListAllowedNodeTypeModifications). */
  readonly allowedUp: readonly string[];
  /** Scale-down targets AWS allows now. */
  readonly allowedDown: readonly string[];
  readonly observation: RedisObservation;
  readonly now: number;
  /** Epoch ms of the last resize. */
  readonly lastActionAt?: number;
}

export interface RedisDecision {
  readonly nodeType: string;
  readonly direction: 'up' | 'down' | 'none';
  readonly reason: string;
}

const pct = (x: number) => `${Math.round(x * 10) / 10}%`;

/**
 * Whether the data held now on `from` fits on `to` with `headroom` to spare, and stays under the high
 * mark: used GiB = memory% x memory of `from`; it must be at most (1 - headroom) x memory of `to`.
 */
export function fitsOn(
  from: string,
  to: string,
  memoryPercent: number,
  headroom: number,
  highPercent: number,
): { fits: boolean; usedGiB?: number; projectedPercent?: number } {
  const fromGiB = NODE_MEMORY_GIB[from];
  const toGiB = NODE_MEMORY_GIB[to];
  if (fromGiB === undefined || toGiB === undefined) return { fits: false };
  const usedGiB = (memoryPercent / 100) * fromGiB;
  const projectedPercent = (usedGiB / toGiB) * 100;
  return { fits: usedGiB <= (1 - headroom) * toGiB && projectedPercent < highPercent, usedGiB, projectedPercent };
}

/** The hot signals that hold now (memory, engine CPU, evictions), each with its figure and mark. */
function hotSignals(policy: RedisPolicy, o: RedisObservation): string[] {
  const hot: string[] = [];
  if (o.memoryPercent !== undefined && o.memoryPercent > policy.memoryHighPercent) hot.push(`memory ${pct(o.memoryPercent)} > ${policy.memoryHighPercent}%`);
  if (o.cpuPercent !== undefined && o.cpuPercent > policy.cpuHighPercent) hot.push(`engine CPU ${pct(o.cpuPercent)} > ${policy.cpuHighPercent}%`);
  if (policy.evictionsHigh !== undefined && o.evictionsPerMinute !== undefined && o.evictionsPerMinute > policy.evictionsHigh) {
    hot.push(`${Math.round(o.evictionsPerMinute)} evictions/min > ${policy.evictionsHigh}`);
  }
  return hot;
}

/**
 * Whether memory has been low long enough for a move down: the peak of the window below
 * `memoryLowPercent`, the window mostly covered, engine CPU under half its high mark. The peak, or why not.
 */
function lowWindow(policy: RedisPolicy, o: RedisObservation): { peak: number } | { why: string } {
  const peak = o.memoryPeakPercent ?? o.memoryPercent;
  if (peak === undefined || peak >= policy.memoryLowPercent) {
    return { why: `memory ${peak === undefined ? 'n/a' : pct(peak)} is not below ${policy.memoryLowPercent}%` };
  }
  if (policy.memoryLowMinutes !== undefined && (o.memoryWindowMinutes ?? 0) < 0.8 * policy.memoryLowMinutes) {
    return { why: `memory low, but only ${o.memoryWindowMinutes ?? 0} of the ${policy.memoryLowMinutes} minutes it must stay low have data` };
  }
  if (o.cpuPercent !== undefined && o.cpuPercent >= policy.cpuHighPercent / 2) {
    return { why: `memory is low but engine CPU ${pct(o.cpuPercent)} is at least half of ${policy.cpuHighPercent}%` };
  }
  return { peak };
}

/**
 * Whether a move down may be made on what is observed now, as the engine decides it (cooldowns and
 * what AWS allows aside): `reason` when it may, `why` not. The database function decides with these
 * and the `redis` runbook checks them again on current metrics right before it writes.
 */
export type DownFit = { readonly fits: true; readonly reason: string } | { readonly fits: false; readonly why: string };

/** One rung down, `from` -> `to`: nothing hot, memory low over the window, the data fits `to` with the headroom. */
export function nodeTypeDownFit(policy: RedisPolicy, o: RedisObservation, from: string, to: string): DownFit {
  const hot = hotSignals(policy, o);
  if (hot.length > 0) return { fits: false, why: hot.join(', ') };
  const low = lowWindow(policy, o);
  if ('why' in low) return { fits: false, why: low.why };
  const fit = fitsOn(from, to, low.peak, policy.scaleDownHeadroom, policy.memoryHighPercent);
  if (!fit.fits) {
    return {
      fits: false,
      why:
        fit.usedGiB === undefined
          ? `memory of ${from} or ${to} unknown: no scale-down without a headroom check`
          : `${fit.usedGiB.toFixed(2)} GiB used would be ${pct(fit.projectedPercent!)} of ${to}, leaving less than ${pct(policy.scaleDownHeadroom * 100)} headroom`,
    };
  }
  return {
    fits: true,
    reason: `memory ${pct(low.peak)} < ${policy.memoryLowPercent}%; ${fit.usedGiB!.toFixed(2)} GiB used is ${pct(fit.projectedPercent!)} of ${to}`,
  };
}

/** Seconds since the last action (Infinity without one). */
const secondsSince = (now: number, lastActionAt: number | undefined) => (lastActionAt === undefined ? Infinity : (now - lastActionAt) / 1000);

/** The next larger type of the ladder that AWS allows now, if any. */
const nextAllowedUp = (ladder: readonly string[], at: number, allowedUp: readonly string[]) => ladder.slice(at + 1).find((t) => allowedUp.includes(t));

/** One rung at a time, up on any hot signal, down only with hysteresis and room to spare. */
export function decideRedis(input: RedisInput): RedisDecision {
  const { policy, currentNodeType: cur, observation: o } = input;
  const ladder = policy.nodeTypeLadder;
  const at = ladder.indexOf(cur);
  const hold = (reason: string): RedisDecision => ({ nodeType: cur, direction: 'none', reason: `${reason}; ${cur} kept` });
  if (at < 0) return hold(`${cur} is not on the ladder (${ladder.join(', ')})`);

  const hot = hotSignals(policy, o);
  if (hot.length > 0) {
    const why = hot.join(', ');
    const next = nextAllowedUp(ladder, at, input.allowedUp);
    if (!next) return hold(`${why}, but no larger type on the ladder is allowed (allowed: ${input.allowedUp.join(', ') || 'none'})`);
    return { nodeType: next, direction: 'up', reason: `${why}; ${cur} -> ${next}` };
  }

  const low = lowWindow(policy, o);
  if ('why' in low) return hold(low.why);
  if (at === 0) return hold(`already on the smallest type of the ladder`);
  const since = secondsSince(input.now, input.lastActionAt);
  if (since < policy.scaleInCooldownSeconds)
    return hold(`memory is low, but the last resize was ${Math.round(since)} s ago (cooldown ${policy.scaleInCooldownSeconds} s)`);
  const lower = ladder[at - 1];
  if (!input.allowedDown.includes(lower)) return hold(`${lower} is not an allowed scale-down of ${cur} (allowed: ${input.allowedDown.join(', ') || 'none'})`);
  const fit = nodeTypeDownFit(policy, o, cur, lower);
  if (!fit.fits) return hold(fit.why);
  return { nodeType: lower, direction: 'down', reason: `${fit.reason}; ${cur} -> ${lower}` };
}

export interface RedisShapePolicy extends RedisPolicy {
  /** Fewest shards (cluster mode). */
  readonly minShards: number;
  /** Most shards (cluster mode). */
  readonly maxShards: number;
}

export interface RedisShapeInput extends RedisInput {
  readonly policy: RedisShapePolicy;
  /** Cluster mode enabled: only then do shards change. */
  readonly clusterMode: boolean;
  /** Shards (node groups) of the group now. */
  readonly shards: number;
}

export interface RedisShapeDecision {
  readonly nodeType: string;
  readonly shards: number;
  /** `up`/`down`: node type; `out`/`in`: shards; never both in one decision. */
  readonly direction: 'up' | 'down' | 'out' | 'in' | 'none';
  readonly reason: string;
}

/**
 * Memory per shard that a scale-out aims for: midway between `memoryLowPercent` and `memoryHighPercent`.
 * Below the high mark with room for growth (the new shards do not go hot again at once), above the low
 * mark (the new shards are not removed again at once): the same hysteresis band the node type keeps.
 */
export const shardTargetPercent = (policy: Pick<RedisPolicy, 'memoryLowPercent' | 'memoryHighPercent'>) =>
  (policy.memoryLowPercent + policy.memoryHighPercent) / 2;

/**
 * Whether the data of the fullest node, spread over one shard fewer, fits with `headroom` to spare and
 * stays under the high mark: used GiB = memory% x memory of `nodeType` x `shards`; per shard after =
 * used / (shards - 1), at most (1 - headroom) x memory of `nodeType`.
 */
export function fitsOnFewerShards(
  nodeType: string,
  shards: number,
  memoryPercent: number,
  headroom: number,
  highPercent: number,
): { fits: boolean; usedGiB?: number; projectedPercent?: number } {
  const nodeGiB = NODE_MEMORY_GIB[nodeType];
  if (nodeGiB === undefined || shards < 2) return { fits: false };
  const usedGiB = (memoryPercent / 100) * nodeGiB * shards;
  const perShardGiB = usedGiB / (shards - 1);
  const projectedPercent = (perShardGiB / nodeGiB) * 100;
  return { fits: perShardGiB <= (1 - headroom) * nodeGiB && projectedPercent < highPercent, usedGiB, projectedPercent };
}

/**
 * Whether a group hot on memory alone, whose only way to grow is the node type, moves up now. A move up
 * the ladder doubles what the group costs and takes a while, and eviction starts only when memory
 * reaches 100% of maxmemory (DatabaseMemoryUsagePercentage is measured against maxmemory, which already
 * leaves out `reserved-memory-percent`: AWS re:Post, "Why am I seeing high or increasing memory usage in
 * my ElastiCache cluster?"). So above the high mark it moves up only when memory projected along its
 * trend for `resizeMinutes` + {@link TREND_LAG_MINUTES} reaches `memoryCriticalPercent`, the point
 * where eviction risk begins; at that mark already, or without a trend measured over
 * {@link TREND_MIN_MINUTES}, it moves up at once. The projection starts from the higher of the
 * sustained and the newest memory, and a falling trend counts as flat.
 */
export function climbForMemory(policy: RedisPolicy, o: RedisObservation): { readonly climb: boolean; readonly why: string } {
  const critical = policy.memoryCriticalPercent;
  if (critical === undefined || critical <= policy.memoryHighPercent) return { climb: true, why: 'no critical mark above the high mark' };
  const now = Math.max(o.memoryPercent ?? 0, o.memoryLatestPercent ?? 0);
  if (now >= critical) return { climb: true, why: `memory ${pct(now)} is at or above the critical ${critical}%` };
  const minutes = o.memoryTrendMinutes ?? 0;
  if (o.memoryTrendPerMinute === undefined || minutes < TREND_MIN_MINUTES)
    return { climb: true, why: `no memory trend yet (${minutes} of ${TREND_MIN_MINUTES} minutes)` };
  const lead = (policy.resizeMinutes ?? DEFAULT_RESIZE_MINUTES) + TREND_LAG_MINUTES;
  const slope = Math.max(0, o.memoryTrendPerMinute);
  const projected = now + slope * lead;
  const how = `at ${Math.round(slope * 1000) / 1000}%/min memory would be ${pct(projected)} in ${lead} minutes (a resize, ${TREND_LAG_MINUTES} to notice it)`;
  return projected >= critical
    ? { climb: true, why: `${how}, at or above the critical ${critical}%` }
    : { climb: false, why: `${how}, under the critical ${critical}%` };
}

/**
 * Node type and shards together. Groups without cluster mode: exactly {@link decideRedis}. In cluster
 * mode, out is node type first, shards after: on a hot signal with no larger type allowed (top of the
 * ladder, or AWS allows none), shards are added up to `maxShards`, enough to bring memory per shard to
 * {@link shardTargetPercent} (one for engine CPU or evictions alone). At `maxShards` only the node type
 * grows, and on memory alone only when {@link climbForMemory} says so. In is the reverse: with memory low
 * (the window, CPU and cooldown conditions of a move down), one shard fewer while above `minShards` and
 * the data fits the shards left with `scaleDownHeadroom`; only at `minShards` does the node type move
 * down. Below `minShards` (a raised bound), shards are added up to it first.
 */
export function decideRedisShape(input: RedisShapeInput): RedisShapeDecision {
  const { policy, currentNodeType: cur, observation: o, shards } = input;
  const nodeOnly = (): RedisShapeDecision => ({ ...decideRedis(input), shards });
  if (!input.clusterMode) return nodeOnly();
  const ladder = policy.nodeTypeLadder;
  const at = ladder.indexOf(cur);
  if (at < 0) return nodeOnly();
  const hold = (reason: string): RedisShapeDecision => ({ nodeType: cur, shards, direction: 'none', reason: `${reason}; ${cur} x ${shards} shard(s) kept` });
  const to = (n: number, why: string): RedisShapeDecision => ({
    nodeType: cur,
    shards: n,
    direction: n > shards ? 'out' : 'in',
    reason: `${why}; shards ${shards} -> ${n}`,
  });

  if (shards < policy.minShards) return to(policy.minShards, `${shards} shard(s) below minShards ${policy.minShards}`);

  const hot = hotSignals(policy, o);
  if (hot.length > 0) {
    const up = nextAllowedUp(ladder, at, input.allowedUp);
    const memoryHot = o.memoryPercent !== undefined && o.memoryPercent > policy.memoryHighPercent;
    const target = shardTargetPercent(policy);
    const sized = memoryHot ? Math.max(shards + 1, Math.ceil((shards * o.memoryPercent!) / target)) : shards + 1;
    const n = Math.min(policy.maxShards, sized);
    if (up) {
      if (shards >= policy.maxShards) {
        // Only the node type can grow. Hot on memory alone, it waits for the trend to near eviction.
        const climb = hot.length === 1 && memoryHot ? climbForMemory(policy, o) : undefined;
        if (climb && !climb.climb) return hold(`${hot.join(', ')}, and already at maxShards ${policy.maxShards}, but ${climb.why}`);
        const d = nodeOnly();
        return climb && d.direction === 'up' ? { ...d, reason: `${hot.join(', ')}; ${climb.why}; ${cur} -> ${d.nodeType}` } : d;
      }
      // Both moves would do: the one that ends with less node memory (what the group costs), the
      // larger node type on a tie (fewer nodes).
      const upGiB = NODE_MEMORY_GIB[up] * shards;
      const outGiB = NODE_MEMORY_GIB[cur] * n;
      if (!(outGiB < upGiB)) return nodeOnly();
      return to(
        n,
        `${hot.join(', ')}; ${n} shard(s) of ${cur} (${outGiB.toFixed(2)} GiB) hold it in less memory than ${up} x ${shards} (${upGiB.toFixed(2)} GiB)`,
      );
    }
    const why = `${hot.join(', ')}, and no larger type on the ladder is allowed (allowed: ${input.allowedUp.join(', ') || 'none'})`;
    if (shards >= policy.maxShards) return hold(`${why}, and already at maxShards ${policy.maxShards}`);
    if (!memoryHot) return to(shards + 1, why);
    return to(
      n,
      `${why}; ${pct(o.memoryPercent!)} over ${shards} shard(s) is ${pct((shards * o.memoryPercent!) / n)} per shard on ${n} (aim ${pct(target)}${n < sized ? `, capped at maxShards ${policy.maxShards}` : ''})`,
    );
  }

  if (shards <= policy.minShards) return nodeOnly();
  const low = lowWindow(policy, o);
  if ('why' in low) return hold(low.why);
  const since = secondsSince(input.now, input.lastActionAt);
  if (since < policy.scaleInCooldownSeconds)
    return hold(`memory is low, but the last change was ${Math.round(since)} s ago (cooldown ${policy.scaleInCooldownSeconds} s)`);
  const fit = shardInFit(policy, o, cur, shards);
  if (!fit.fits) return hold(fit.why);
  return to(shards - 1, fit.reason);
}

/** One shard fewer of `shards` on `nodeType`: nothing hot, memory low over the window, the data fits the shards left with the headroom. */
export function shardInFit(policy: RedisPolicy, o: RedisObservation, nodeType: string, shards: number): DownFit {
  const hot = hotSignals(policy, o);
  if (hot.length > 0) return { fits: false, why: hot.join(', ') };
  const low = lowWindow(policy, o);
  if ('why' in low) return { fits: false, why: low.why };
  const fit = fitsOnFewerShards(nodeType, shards, low.peak, policy.scaleDownHeadroom, policy.memoryHighPercent);
  if (!fit.fits) {
    return {
      fits: false,
      why:
        fit.usedGiB === undefined
          ? `memory of ${nodeType} unknown: no shard removed without a headroom check`
          : `${fit.usedGiB.toFixed(2)} GiB used would be ${pct(fit.projectedPercent!)} of ${nodeType} per shard on ${shards - 1}, leaving less than ${pct(policy.scaleDownHeadroom * 100)} headroom`,
    };
  }
  return {
    fits: true,
    reason: `memory ${pct(low.peak)} < ${policy.memoryLowPercent}%; ${fit.usedGiB!.toFixed(2)} GiB used is ${pct(fit.projectedPercent!)} of ${nodeType} per shard on ${shards - 1}`,
  };
}

export interface RedisReplicaPolicy {
  readonly minReplicasPerShard: number;
  /** Unset: the replica count is not managed. */
  readonly maxReplicasPerShard?: number;
  readonly connectionsPerNodeHigh: number;
  readonly scaleInCooldownSeconds: number;
}

export interface RedisReplicaInput {
  readonly policy: RedisReplicaPolicy;
  readonly shards: number;
  readonly replicasPerShard: number;
  /** CurrConnections per node (mean over the nodes), sustained over the last minutes. */
  readonly connectionsPerNode?: number;
  readonly now: number;
  readonly lastActionAt?: number;
}

export interface RedisReplicaDecision {
  readonly replicasPerShard: number;
  readonly direction: 'out' | 'in' | 'none';
  readonly reason: string;
}

/**
 * Replicas per shard: one more when the nodes carry more connections than `connectionsPerNodeHigh`,
 * one fewer only when the nodes left would carry less than half of it (hysteresis), after the cooldown.
 */
export function decideRedisReplicas(input: RedisReplicaInput): RedisReplicaDecision {
  const { policy, shards, replicasPerShard: r, connectionsPerNode: cpn } = input;
  const hold = (reason: string): RedisReplicaDecision => ({ replicasPerShard: r, direction: 'none', reason: `${reason}; ${r} replica(s) per shard kept` });
  const max = policy.maxReplicasPerShard;
  if (max === undefined) return hold('replica count not managed (no maxReplicasPerShard)');
  if (r < policy.minReplicasPerShard)
    return {
      replicasPerShard: policy.minReplicasPerShard,
      direction: 'out',
      reason: `${r} replica(s) per shard below minReplicasPerShard ${policy.minReplicasPerShard}; ${r} -> ${policy.minReplicasPerShard}`,
    };
  if (r > max) return { replicasPerShard: max, direction: 'in', reason: `${r} replica(s) per shard above maxReplicasPerShard ${max}; ${r} -> ${max}` };
  if (cpn === undefined) return hold('no CurrConnections datapoints');
  const high = policy.connectionsPerNodeHigh;
  if (cpn > high) {
    if (r >= max) return hold(`${Math.round(cpn)} connections per node > ${high}, but already at maxReplicasPerShard ${max}`);
    return { replicasPerShard: r + 1, direction: 'out', reason: `${Math.round(cpn)} connections per node > ${high}; ${r} -> ${r + 1} replica(s) per shard` };
  }
  if (r <= policy.minReplicasPerShard) return hold(`${Math.round(cpn)} connections per node; at minReplicasPerShard ${policy.minReplicasPerShard}`);
  const fit = replicaInFit(policy, shards, r, cpn);
  if (!fit.fits) return hold(fit.why);
  const since = input.lastActionAt === undefined ? Infinity : (input.now - input.lastActionAt) / 1000;
  if (since < policy.scaleInCooldownSeconds)
    return hold(`connections are low, but the last change was ${Math.round(since)} s ago (cooldown ${policy.scaleInCooldownSeconds} s)`);
  return { replicasPerShard: r - 1, direction: 'in', reason: `${fit.reason}; ${r} -> ${r - 1} replica(s) per shard` };
}

/** One replica per shard fewer than `replicasPerShard`: the nodes left would carry less than half of `connectionsPerNodeHigh`. */
export function replicaInFit(
  policy: Pick<RedisReplicaPolicy, 'connectionsPerNodeHigh'>,
  shards: number,
  replicasPerShard: number,
  connectionsPerNode: number | undefined,
): DownFit {
  const high = policy.connectionsPerNodeHigh;
  const cpn = connectionsPerNode;
  if (cpn === undefined) return { fits: false, why: 'no CurrConnections datapoints' };
  if (replicasPerShard < 1) return { fits: false, why: 'no replica to remove' };
  const after = (cpn * shards * (1 + replicasPerShard)) / (shards * replicasPerShard);
  if (after >= high / 2)
    return { fits: false, why: `${Math.round(cpn)} connections per node would be ${Math.round(after)} on one replica fewer, not below half of ${high}` };
  return { fits: true, reason: `${Math.round(cpn)} connections per node, ${Math.round(after)} on one replica fewer (< ${high / 2})` };
}

/**
 * The floors of a group's shape: the config's `minShards` and `minReplicasPerShard` where it sets them,
 * else what the group had when the autoscaler first saw it (never above the configured maximum), else
 * 1 shard and 0 replicas. Replicas and shards someone made are kept unless the config says otherwise.
 */
export function redisFloors(
  config: { readonly minShards?: number; readonly maxShards: number; readonly minReplicasPerShard?: number; readonly maxReplicasPerShard?: number },
  firstSeen: Readonly<Record<string, number>> | undefined,
): { minShards: number; minReplicasPerShard: number } {
  const seenShards = firstSeen?.shards;
  const seenReplicas = firstSeen?.replicasPerShard;
  return {
    minShards: config.minShards ?? (seenShards === undefined ? 1 : Math.max(1, Math.min(config.maxShards, seenShards))),
    minReplicasPerShard: config.minReplicasPerShard ?? (seenReplicas === undefined ? 0 : Math.max(0, Math.min(config.maxReplicasPerShard ?? 5, seenReplicas))),
  };
}
