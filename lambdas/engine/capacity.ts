/**
 * The capacity decision engine for web tiers (ASG and ECS services): pure, no I/O, no clock.
 *
 * decideCapacity(input) -> { decision, memory }: from the target's recent datapoints, its current
 * desired and ready counts and what earlier decisions remembered, the desired count now, with a
 * reason that carries its numbers. The handlers, the simulator and the property tests all call this.
 */
import { type Forecast, forecastAt, forecastPeak } from './forecast';
import { pick } from './pick';
import { describeMetrics, type MetricsCheck } from './staleness';

export interface Datapoint {
  /** Start of the datapoint's period, epoch milliseconds. */
  readonly at: number;
  readonly value: number;
}

export interface CapacityObservation {
  /** Length of one datapoint's period, seconds. */
  readonly periodSeconds: number;
  /** Average CPU percent, oldest first. */
  readonly cpu: readonly Datapoint[];
  /** Average memory percent (ECS), oldest first. */
  readonly memory?: readonly Datapoint[];
  /** ALB RequestCount, Sum per period, oldest first. */
  readonly requestCount?: readonly Datapoint[];
  /** ALB RequestCountPerTarget, Sum per period, oldest first. */
  readonly requestCountPerTarget?: readonly Datapoint[];
  /** ALB TargetResponseTime p95, seconds, oldest first. */
  readonly responseTimeP95?: readonly Datapoint[];
  /** The custom metrics' values by name, each at its own period, oldest first. @default none */
  readonly custom?: Readonly<Record<string, { readonly periodSeconds: number; readonly points: readonly Datapoint[] }>>;
}

/**
 * A custom metric the fleet is sized on: its value per unit stays at `targetPerUnit`. `total`: the
 * fleet's value (a Sum); `perUnit`: already per unit (an Average per instance).
 */
export interface CustomTarget {
  readonly name: string;
  readonly targetPerUnit: number;
  readonly aggregation: 'total' | 'perUnit';
}

export interface CurrentCapacity {
  /** The desired count the service has now. */
  readonly desired: number;
  /** Units in service now (not pending, not draining). */
  readonly ready: number;
}

export interface CapacityPolicy {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetCpu: number;
  /**
   * CPU a noisy minute may reach: the level holds enough headroom for a minute PEAK_SIGMAS noise
   * deviations above the mean to stay at or below it. Off when not above targetCpu. @default off
   */
  readonly peakCpu?: number;
  readonly targetMemory?: number;
  readonly tolerance: number;
  readonly maxStepUpRatio: number;
  readonly maxStepUp?: number;
  readonly maxStepDownRatio: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInStabilizationSeconds: number;
  readonly warmupSeconds: number;
  readonly requestsPerTarget?: number;
  readonly responseTimeP95Seconds?: number;
  /** Late or missing metrics. @default DEFAULT_MISSING_DATA */
  readonly missingData?: MissingDataPolicy;
  /** Custom metrics sized on, each one more proposal beside CPU, requests, memory and latency. @default none */
  readonly customTargets?: readonly CustomTarget[];
}

/**
 * What the engine does while the CPU datapoints are late (lambdas/engine/staleness.ts). Late but still
 * arriving: decisions as usual, on the newest data. Stalled: no scale-in, scale-out on what can be
 * read. Missing: the same, and with `fixed`, at least `count` (KEDA's fallback with behavior
 * `currentReplicasIfHigher`: the fallback count never lowers the current one).
 */
export interface MissingDataPolicy {
  readonly lateAfterSeconds: number;
  readonly fallback: 'hold' | 'fixed';
  readonly count?: number;
  readonly fallbackAfterSeconds: number;
}

export const DEFAULT_MISSING_DATA: MissingDataPolicy = { lateAfterSeconds: 240, fallback: 'hold', fallbackAfterSeconds: 600 };

/** What the engine keeps between decisions of one target (stored with the target's state). */
export interface EngineMemory {
  /** Raw recommendations of the stabilization window, oldest first. */
  readonly recommendations: readonly { readonly at: number; readonly desired: number }[];
  /** Requests/s one unit serves at 100% CPU, learned from unsaturated datapoints. */
  readonly unitRate?: number;
  /** Ready counts seen at earlier decisions, to pair old CPU datapoints with the fleet that produced them. */
  readonly readySeen?: readonly { readonly at: number; readonly ready: number }[];
  readonly lastScaleOutAt?: number;
  readonly lastScaleInAt?: number;
  /**
   * The seasonal forecast of the request rate (lambdas/engine/forecast.ts), kept until the next history
   * read; `forecastReadAt` is when the history was last read, with or without a forecast from it.
   */
  readonly forecast?: Forecast;
  readonly forecastReadAt?: number;
}

export const EMPTY_MEMORY: EngineMemory = { recommendations: [] };

export type Direction = 'out' | 'in' | 'none';

export interface CapacityDecision {
  readonly previous: number;
  readonly desired: number;
  readonly direction: Direction;
  /** What held a change back, when one was wanted. */
  readonly heldBy?: 'cooldown' | 'tolerance' | 'stabilization' | 'no-data' | 'late-metrics';
  /** One sentence with the numbers behind the decision. */
  readonly reason: string;
  /** The raw figures, for the audit log and `explain`. */
  readonly figures: Readonly<Record<string, number>>;
}

export interface CapacityInput {
  readonly policy: CapacityPolicy;
  readonly current: CurrentCapacity;
  readonly observation: CapacityObservation;
  readonly memory: EngineMemory;
  /** Epoch milliseconds. */
  readonly now: number;
  /** How fresh the datapoints are (checkMetrics on the newest CPU datapoint). @default fresh */
  readonly metrics?: Pick<MetricsCheck, 'freshness' | 'ageSeconds' | 'stalledSeconds'>;
  /**
   * The seasonal forecast of the request rate, when there is one: it can only raise the count, ahead of
   * a rise it expects within the warm-up. @default none
   */
  readonly forecast?: Forecast;
}

/** CPU at or above this is treated as saturated: the true load may be far higher than it shows. */
export const SATURATED_CPU = 95;
/** Unit rates are learned only from datapoints between these CPU percentages. */
const LEARN_CPU_MIN = 10;
const LEARN_CPU_MAX = 85;
/**
 * Datapoints used for the trend: ten minutes. Over five, minute noise with the lag-1 autocorrelation
 * of web traffic (0.5 on the NASA-HTTP log) passes the t-test below often enough to scale out on noise.
 */
const TREND_POINTS = 10;
/** Datapoints over which the noise of a signal is measured. */
const LEVEL_POINTS = 10;
/** Standard deviations of noise above the mean that the level covers. */
const NOISE_SIGMAS = 0.25;
/**
 * Standard deviations of noise above the mean that must fit under peakCpu: 2.576, the one-sided normal
 * quantile that 0.5% of minutes exceed, 0.5% being the web SLO's allowance (scenarios/README.md,
 * "Comparing policies": a violation this low is within the SLO). On calm load the target alone decides;
 * on noisy load, where a tier sized for the mean at its target would pass the peak several times an
 * hour, this holds the headroom that the noise measured over the datapoints read calls for.
 */
const PEAK_SIGMAS = 2.576;
/**
 * The median of the last three points this many noise deviations above the mean of the points before
 * them is a shift of the load, not noise: two minutes of three that far out. A flash crowd or a step
 * clears it within two or three minutes; at 2, the minute noise of the generated web traces cleared it
 * often enough to cost 3% more unit-hours for 10% fewer violations, and at 4 a tripled load took five
 * minutes longer to follow (test/lambdas/engine/capacity-calm.test.ts).
 */
const SHIFT_SIGMAS = 3;
/**
 * A trend counts when its slope is this many standard errors above zero: 3 rather than the usual 2,
 * because the minutes' noise is autocorrelated and the standard error computed as if it were not is
 * too small.
 */
const TREND_T = 3;
/**
 * The trend may raise the level by at most a quarter over the look-ahead. A diurnal ramp grows a few
 * percent over a warm-up; growth faster than a quarter in minutes is a shift, which the level follows.
 */
const MAX_TREND_GROWTH = 0.25;
const READY_SEEN_KEPT = 30;

function last<T>(xs: readonly T[] | undefined): T | undefined {
  return xs?.length ? xs[xs.length - 1] : undefined;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Least-squares slope of value against time, per second, counted only when it stands out of the
 * noise (t-statistic above TREND_T): a noisy flat series has no trend.
 */
function trendPerSecond(points: readonly Datapoint[]): number {
  const n = points.length;
  if (n < 3) return 0;
  const t0 = points[0].at;
  let sx = 0,
    sy = 0;
  for (const p of points) {
    sx += (p.at - t0) / 1000;
    sy += p.value;
  }
  const mx = sx / n,
    my = sy / n;
  let sxx = 0,
    sxy = 0;
  for (const p of points) {
    const dx = (p.at - t0) / 1000 - mx;
    sxx += dx * dx;
    sxy += dx * (p.value - my);
  }
  if (sxx === 0) return 0;
  const slope = sxy / sxx;
  let sse = 0;
  for (const p of points) {
    const r = p.value - (my + slope * ((p.at - t0) / 1000 - mx));
    sse += r * r;
  }
  const se = Math.sqrt(sse / (n - 2) / sxx);
  return se === 0 || slope / se >= TREND_T ? slope : 0;
}

/**
 * Spread of a window's noise: the median absolute first difference, scaled to a standard deviation
 * (1.4826 takes a median absolute deviation to a normal standard deviation; the difference of two
 * independent points spreads sqrt(2) times wider than each). A step inside the window is one large
 * difference among many, so it does not inflate the noise the way a standard deviation would.
 */
function noiseSd(win: readonly number[]): number {
  if (win.length < 3) return 0;
  const diffs: number[] = [];
  for (let i = 1; i < win.length; i++) diffs.push(Math.abs(win[i] - win[i - 1]));
  return (median(diffs) * 1.4826) / Math.SQRT2;
}

/**
 * The level of a noisy demand series at index k. Calm: the mean of its last LEVEL_POINTS plus
 * NOISE_SIGMAS of their noise, so minute-to-minute noise does not move it; with a peak share
 * (peakShareOf), at least the mean plus PEAK_SIGMAS of the noise `peakSd` times that share, so that a
 * noisy minute that far out stays under peakCpu. A shift: when the median of the last three points
 * (two points of three) stands SHIFT_SIGMAS of noise above the mean of the window's points before them,
 * the load has moved, and the level follows it at once (`shift`).
 */
function levelAt(values: readonly number[], k: number, peakShare: number, peakSd: number): { level: number; shift: boolean } {
  const last3 = values.slice(Math.max(0, k - 2), k + 1).sort((a, b) => a - b);
  const med = last3[last3.length >> 1];
  const win = values.slice(Math.max(0, k - LEVEL_POINTS + 1), k + 1);
  const mean = win.reduce((a, b) => a + b, 0) / win.length;
  const sd = noiseSd(win);
  const calm = Math.max(mean + NOISE_SIGMAS * sd, (mean + PEAK_SIGMAS * peakSd) * peakShare);
  // The shift is judged against the points before the last three, which it has not moved yet.
  const before = win.length >= 6 ? win.slice(0, -3) : win;
  const beforeMean = before.reduce((a, b) => a + b, 0) / before.length;
  const shift = med > beforeMean + SHIFT_SIGMAS * noiseSd(before);
  return { level: shift ? Math.max(calm, med) : calm, shift };
}

/**
 * The share of the level a noise peak may use, targetCpu / peakCpu: a level L at the target leaves
 * L x peakCpu / targetCpu of capacity below the peak. 0 (off) without a peakCpu above the target.
 */
function peakShareOf(policy: CapacityPolicy): number {
  return policy.peakCpu !== undefined && policy.peakCpu > policy.targetCpu ? policy.targetCpu / policy.peakCpu : 0;
}

interface Assessment {
  /** The newest datapoint's value. */
  readonly newest: number;
  /** Its level (see levelAt). */
  readonly level: number;
  /** The level projected along a clear upward trend to the time new units would serve. */
  readonly projected: number;
  readonly horizon: number;
  /** The highest level of the scale-in stabilization window. */
  readonly windowLevel: number;
  /** The load is on the rise: its level follows a shift, or it is projected above the level. */
  readonly rising: boolean;
}

/**
 * Seconds from the start of the newest datapoint's period to a decision when CloudWatch is on time:
 * a minute's datapoint is published about a minute after it ends.
 */
const USUAL_LAG_SECONDS = 120;

/**
 * Level, projection and stabilization-window level of one demand series (oldest first). With `late`
 * datapoints the trend is projected over the usual lag only: a slope measured on five noisy minutes
 * and carried over ten more is mostly noise, and the next datapoints will show a real ramp anyway.
 */
function assess(series: readonly Datapoint[], periodSeconds: number, now: number, policy: CapacityPolicy, late = false, peakShare = 0): Assessment {
  const values = series.map((d) => d.value);
  const k = values.length - 1;
  const newest = series[k];
  // The noise a peak must clear: one figure over every datapoint read, the same for each level of the
  // window, so that the window's levels differ by their means alone.
  const peakSd = peakShare > 0 ? noiseSd(values) : 0;
  const { level, shift } = levelAt(values, k, peakShare, peakSd);
  // A ramp rises over the whole window and over its last three minutes alike; a step that has
  // already happened does not keep rising, so the lower of the two slopes is projected.
  let slope = Math.max(0, trendPerSecond(series.slice(-TREND_POINTS)));
  if (k >= 2) slope = Math.min(slope, Math.max(0, (newest.value - series[k - 2].value) / ((newest.at - series[k - 2].at) / 1000)));
  // The newest datapoint describes the middle of its period; project from there to now + warm-up.
  const lag = late ? Math.min(USUAL_LAG_SECONDS, (now - newest.at) / 1000) : (now - newest.at) / 1000;
  const horizon = Math.max(0, lag - periodSeconds / 2 + policy.warmupSeconds);
  const projected = Math.min(level + slope * horizon, level * (1 + MAX_TREND_GROWTH));
  const from = newest.at - Math.max(0, policy.scaleInStabilizationSeconds - periodSeconds) * 1000;
  let windowLevel = level;
  for (let i = k - 1; i >= 0 && series[i].at >= from; i--) windowLevel = Math.max(windowLevel, levelAt(values, i, peakShare, peakSd).level);
  return { newest: newest.value, level, projected, horizon, windowLevel, rising: shift || projected > level };
}

function readyAt(memory: EngineMemory, at: number, fallback: number): number {
  let found: number | undefined;
  for (const r of memory.readySeen ?? []) if (r.at <= at) found = r.ready;
  return found ?? fallback;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

interface Need {
  /** Units needed by this signal (fractional), projected over the warm-up. */
  units: number;
  /** The most units the scale-in stabilization window's levels needed (no projection). */
  windowUnits: number;
  text: string;
  /** The signal's load is on the rise (Assessment.rising): no scale-in while it is. */
  rising?: boolean;
}

/**
 * Units each signal asks for, with the words that explain it. With `late` datapoints, a signal read
 * per unit (memory, saturation, p95) is counted against the units in service when it was measured,
 * not against today's count: a datapoint older than the last scale-out must not ask for it again.
 */
function needs(input: CapacityInput, unitRate: number | undefined, late: boolean): { list: Need[]; figures: Record<string, number> } {
  const { policy, current, observation: obs, memory, now } = input;
  const figures: Record<string, number> = {};
  const list: Need[] = [];
  const period = obs.periodSeconds;
  const unitsAt = (d: Datapoint, otherwise: number) => (late ? readyAt(memory, d.at + period * 1000, otherwise) : otherwise);

  // Requests: total demand does not depend on how many units served it, so it is not fooled by
  // saturated CPU nor counted twice after a scale-out.
  const rc = obs.requestCount;
  const perUnitTarget =
    policy.requestsPerTarget !== undefined ? policy.requestsPerTarget / 60 : unitRate !== undefined ? (unitRate * policy.targetCpu) / 100 : undefined;
  if (rc?.length && perUnitTarget !== undefined && perUnitTarget > 0) {
    const rates = rc.map((d) => ({ at: d.at, value: d.value / period }));
    const p = assess(rates, period, now, policy, late, peakShareOf(policy));
    const units = p.projected / perUnitTarget;
    const windowUnits = p.windowLevel / perUnitTarget;
    figures.requestRate = p.newest;
    figures.requestRateProjected = p.projected;
    figures.perUnitTarget = perUnitTarget;
    list.push({
      units,
      windowUnits,
      rising: p.rising,
      text: `requests ${fmt(p.newest)}/s (level ${fmt(p.level)}/s${p.projected > p.level ? `, ${fmt(p.projected)}/s projected ${fmt(p.horizon)} s ahead` : ''}) at ${fmt(perUnitTarget)}/s per unit need ${fmt(units)}`,
    });
  }

  // The seasonal forecast: the highest request rate it expects before units ordered now would serve
  // (the warm-up, and one period more, since the next decision comes a period later). It is scaled
  // down, never up, by how today's datapoints since the forecast was made compare with what it
  // expected for them (the last LEVEL_POINTS of them, like for like): a forecast that today's traffic
  // has fallen short of asks for less; one that traffic has outgrown is the reactive level's to
  // follow. Its units stand in the stabilization window like any signal's, so a pre-scale is not
  // undone before the window has passed; and a scale-in goes no lower than what it expects over the
  // next stabilization window too, so that a unit is not removed to be ordered back minutes later
  // (the stabilization window looks as far back for the same reason).
  const fc = input.forecast;
  if (fc && rc?.length && perUnitTarget !== undefined && perUnitTarget > 0) {
    let seen = 0,
      expected = 0;
    for (const d of rc.slice(-LEVEL_POINTS)) {
      const f = forecastAt(fc, d.at);
      if (f === undefined) continue;
      seen += d.value / period;
      expected += f;
    }
    const ratio = expected > 0 ? Math.min(1, seen / expected) : 1;
    const lead = (policy.warmupSeconds + period) * 1000;
    const peak = forecastPeak(fc, now, now + lead);
    if (peak !== undefined) {
      const scaled = peak * ratio;
      const units = scaled / perUnitTarget;
      const held = ((forecastPeak(fc, now, now + lead + policy.scaleInStabilizationSeconds * 1000) ?? peak) * ratio) / perUnitTarget;
      figures.forecastPeak = scaled;
      figures.forecastConfidence = fc.confidence;
      figures.forecastUnits = units;
      list.push({
        units,
        windowUnits: Math.max(units, held),
        text: `forecast ${fmt(scaled)}/s within ${fmt(policy.warmupSeconds + period)} s (${fc.days} earlier days, confidence ${fmt(fc.confidence)}${ratio < 1 ? `, x${fmt(ratio)} as today runs below it` : ''}) needs ${fmt(units)}`,
      });
    }
  }

  // CPU: busy unit-equivalents of the fleet that produced each datapoint.
  if (obs.cpu.length) {
    const rcpt = obs.requestCountPerTarget;
    const busy = obs.cpu.map((d) => {
      const count = rc?.find((r) => r.at === d.at)?.value;
      const per = rcpt?.find((r) => r.at === d.at)?.value;
      const units = count !== undefined && per !== undefined && per > 0 ? count / per : readyAt(memory, d.at + period * 1000, current.ready);
      return { at: d.at, value: (units * d.value) / 100 };
    });
    const p = assess(busy, period, now, policy, late, peakShareOf(policy));
    const cpuNow = last(obs.cpu)!.value;
    let units = p.projected / (policy.targetCpu / 100);
    const windowUnits = p.windowLevel / (policy.targetCpu / 100);
    const saturated = cpuNow >= SATURATED_CPU;
    figures.cpu = cpuNow;
    figures.busyUnits = p.newest;
    list.push({
      units,
      windowUnits,
      rising: p.rising,
      text: `CPU ${fmt(cpuNow)}%${saturated ? ' (saturated)' : ''} is ${fmt(p.newest)} busy units (level ${fmt(p.level)}${p.projected > p.level ? `, ${fmt(p.projected)} projected` : ''}), needing ${fmt(units)} at ${policy.targetCpu}%`,
    });
    if (saturated && list.length === 1) {
      // Saturated and nothing else tells the true load: it is at least this, so ask for a full step more.
      // A step from the units that were in service while it was measured (the fewer, when some joined
      // during its period), not from the desired count: units still booting already answer it.
      const at = last(obs.cpu)!.at;
      const serving = Math.min(readyAt(memory, at, current.ready), readyAt(memory, at + period * 1000, current.ready));
      units = Math.max(units, serving * (1 + policy.maxStepUpRatio));
      list[0] = { units, windowUnits: Math.max(windowUnits, units), text: `${list[0].text}; saturated with no request signal, so one full step up` };
    }
  }

  const mem = last(obs.memory);
  if (mem && obs.memory && policy.targetMemory !== undefined) {
    const units = (unitsAt(mem, current.ready) * mem.value) / policy.targetMemory;
    const windowUnits = (unitsAt(mem, current.ready) * assess(obs.memory, period, now, policy).windowLevel) / policy.targetMemory;
    figures.memory = mem.value;
    list.push({ units, windowUnits, text: `memory ${fmt(mem.value)}% needs ${fmt(units)} at ${policy.targetMemory}%` });
  }

  const lat = last(obs.responseTimeP95);
  if (lat && policy.responseTimeP95Seconds !== undefined && lat.value > policy.responseTimeP95Seconds) {
    const units = unitsAt(lat, current.desired) + 1;
    figures.responseTimeP95 = lat.value;
    list.push({ units, windowUnits: units, text: `p95 response time ${fmt(lat.value)} s above ${policy.responseTimeP95Seconds} s asks for one more` });
  }
  for (const c of policy.customTargets ?? []) {
    const need = customNeed(input, c, late);
    if (!need) continue;
    figures[`custom.${c.name}`] = need.value;
    list.push(need);
  }
  return { list, figures };
}

/**
 * Units one custom metric asks for, as target tracking sizes on a customized metric: the fleet's value
 * over the target per unit. A per-unit value is first made the fleet's (times the units in service when
 * it was measured), so that, as for CPU, a datapoint older than a scale-out does not ask for it again.
 * A metric with no datapoint newer than `lateAfterSeconds` makes no proposal: a count that publishes
 * nothing at zero (an ALB's 5XX count) reads as no load, and a publisher that stopped pins nothing.
 */
function customNeed(input: CapacityInput, c: CustomTarget, late: boolean): (Need & { value: number }) | undefined {
  const { policy, current, observation, memory, now } = input;
  const series = observation.custom?.[c.name];
  const newest = last(series?.points);
  if (!series || !newest) return undefined;
  const period = series.periodSeconds;
  const lateAfter = (policy.missingData ?? DEFAULT_MISSING_DATA).lateAfterSeconds;
  if ((now - newest.at) / 1000 - period > lateAfter) return undefined;
  const fleet =
    c.aggregation === 'total' ? series.points : series.points.map((d) => ({ at: d.at, value: d.value * readyAt(memory, d.at + period * 1000, current.ready) }));
  const p = assess(fleet, period, now, policy, late);
  const units = p.projected / c.targetPerUnit;
  const windowUnits = p.windowLevel / c.targetPerUnit;
  const what = c.aggregation === 'total' ? `${fmt(newest.value)} in all` : `${fmt(newest.value)} per unit, ${fmt(p.newest)} in all`;
  return {
    value: newest.value,
    units,
    windowUnits,
    text: `${c.name} ${what} (level ${fmt(p.level)}${p.projected > p.level ? `, ${fmt(p.projected)} projected` : ''}) at ${fmt(c.targetPerUnit)} per unit needs ${fmt(units)}`,
  };
}

/** Requests/s per unit at 100% CPU from the unsaturated datapoints of this observation. */
function learnUnitRate(obs: CapacityObservation, previous: number | undefined): number | undefined {
  const rc = obs.requestCount,
    rcpt = obs.requestCountPerTarget;
  if (!rc || !rcpt) return previous;
  const rates: number[] = [];
  for (const d of obs.cpu) {
    if (d.value < LEARN_CPU_MIN || d.value > LEARN_CPU_MAX) continue;
    const per = rcpt.find((r) => r.at === d.at)?.value;
    if (per === undefined || per <= 0) continue;
    rates.push(per / obs.periodSeconds / (d.value / 100));
  }
  return rates.length ? median(rates) : previous;
}

export function decideCapacity(input: CapacityInput): { decision: CapacityDecision; memory: EngineMemory } {
  const { policy, current, observation, now } = input;
  const memory = input.memory ?? EMPTY_MEMORY;
  const previous = current.desired;
  const missingData = policy.missingData ?? DEFAULT_MISSING_DATA;
  const metrics = input.metrics ?? { freshness: 'fresh' };
  const freshness = metrics.freshness;
  const late = freshness !== 'fresh';
  // Stalled or missing: nothing says what the load is now.
  const blind = freshness === 'stalled' || freshness === 'missing';
  const metricsText = describeMetrics(metrics, missingData);
  const unitRate = learnUnitRate(observation, memory.unitRate);
  const readySeen = [...(memory.readySeen ?? []), { at: now, ready: current.ready }].slice(-READY_SEEN_KEPT);
  const { list, figures } = needs(input, unitRate, late);
  if (unitRate !== undefined) figures.unitRate = unitRate;
  figures.previous = previous;
  figures.ready = current.ready;
  if (late && metrics.ageSeconds !== undefined) figures.metricsAgeSeconds = Math.round(metrics.ageSeconds);

  const bounded = (d: number) => clamp(d, policy.minCapacity, policy.maxCapacity);
  const base: EngineMemory = { ...memory, unitRate, readySeen };
  const result = (desired: number, reason: string, heldBy?: CapacityDecision['heldBy'], mem: EngineMemory = base) => {
    const direction: Direction = desired > previous ? 'out' : desired < previous ? 'in' : 'none';
    const next: EngineMemory = {
      ...mem,
      lastScaleOutAt: direction === 'out' ? now : mem.lastScaleOutAt,
      lastScaleInAt: direction === 'in' ? now : mem.lastScaleInAt,
    };
    return { decision: { previous, desired, direction, heldBy, reason, figures: { ...figures, desired } }, memory: next };
  };

  // Outside the bounds (bounds changed, or someone set the count by hand): come back inside first.
  if (previous < policy.minCapacity || previous > policy.maxCapacity) {
    const d = bounded(previous);
    return result(d, `desired ${previous} is outside ${policy.minCapacity}-${policy.maxCapacity}; set to ${d}`);
  }
  // Metrics missing for long enough: the fallback count is a floor (it never lowers the count).
  const floor = freshness === 'missing' && missingData.fallback === 'fixed' && missingData.count !== undefined ? bounded(missingData.count) : undefined;
  const withFallback = (out: ReturnType<typeof result>, why: string, mem?: EngineMemory) =>
    floor !== undefined && floor > out.decision.desired
      ? result(floor, `${why}; ${metricsText}: fallback "fixed", at least ${floor}; ${previous} -> ${floor}`, undefined, mem)
      : out;
  if (!list.length) {
    const why = blind ? metricsText : 'no datapoints to decide on';
    return withFallback(result(previous, `${why}; desired unchanged`, 'no-data'), why);
  }

  const top = list.reduce((a, b) => (b.units > a.units ? b : a));
  const raw = bounded(Math.ceil(top.units - 1e-9));
  figures.need = top.units;
  figures.recommended = raw;
  const windowStart = now - policy.scaleInStabilizationSeconds * 1000;
  const recommendations = [...memory.recommendations.filter((r) => r.at > windowStart), { at: now, desired: raw }];
  const withRecs: EngineMemory = { ...base, recommendations };
  const why = list.map((n) => n.text).join('; ') + (late ? `; ${metricsText}` : '');
  const onData = decideOnData(input, { previous, raw, top, list, recommendations, why, figures }, (d, reason, heldBy) => result(d, reason, heldBy, withRecs));
  // Stalled or missing metrics may hide a load that has since grown: they never remove capacity.
  if (blind && onData.decision.desired < previous) {
    return withFallback(
      result(previous, `${why}; no scale-in while metrics are stalled or missing, ${previous} kept`, 'late-metrics', withRecs),
      why,
      withRecs,
    );
  }
  return withFallback(onData, why, withRecs);
}

/** The decision the datapoints ask for, from the recommendation `raw` and the signal `top` that set it. */
function decideOnData<R>(
  input: CapacityInput,
  d: {
    previous: number;
    raw: number;
    top: Need;
    list: Need[];
    recommendations: readonly { at: number; desired: number }[];
    why: string;
    figures: Record<string, number>;
  },
  result: (desired: number, reason: string, heldBy?: CapacityDecision['heldBy']) => R,
): R {
  const { policy, now } = input;
  const memory = input.memory ?? EMPTY_MEMORY;
  const { previous, raw, top, list, recommendations, why, figures } = d;
  const bounded = (x: number) => clamp(x, policy.minCapacity, policy.maxCapacity);
  const sinceOut = memory.lastScaleOutAt === undefined ? Infinity : (now - memory.lastScaleOutAt) / 1000;
  const sinceIn = memory.lastScaleInAt === undefined ? Infinity : (now - memory.lastScaleInAt) / 1000;

  const ratio = previous > 0 ? top.units / previous : Infinity;
  if (raw > previous) {
    if (ratio <= 1 + policy.tolerance && previous > 0) {
      return result(previous, `${why}; within ${policy.tolerance * 100}% of ${previous}, unchanged`, 'tolerance');
    }
    if (sinceOut < policy.scaleOutCooldownSeconds) {
      return result(previous, `${why}; scale-out cooldown, ${fmt(policy.scaleOutCooldownSeconds - sinceOut)} s left`, 'cooldown');
    }
    let step = Math.max(1, Math.ceil(previous * policy.maxStepUpRatio));
    if (policy.maxStepUp !== undefined) step = Math.min(step, policy.maxStepUp);
    const desired = Math.min(raw, previous + step);
    return result(desired, `${why}; ${previous} -> ${desired}${desired < raw ? ` (step limit ${step}, ${raw} wanted)` : ''}`);
  }
  if (raw < previous) {
    // Scale-in goes no lower than what the window asked for: at earlier decisions, and at every
    // datapoint of the window, so a dip between two noisy minutes does not remove capacity.
    const fromData = bounded(Math.ceil(Math.max(...list.map((n) => n.windowUnits)) - 1e-9));
    const stabilized = Math.max(fromData, ...recommendations.map((r) => r.desired));
    figures.stabilized = stabilized;
    if (ratio >= 1 - policy.tolerance) {
      return result(previous, `${why}; within ${policy.tolerance * 100}% of ${previous}, unchanged`, 'tolerance');
    }
    if (stabilized >= previous) {
      return result(previous, `${why}; the last ${policy.scaleInStabilizationSeconds} s asked for up to ${stabilized}, unchanged`, 'stabilization');
    }
    const sinceAny = Math.min(sinceOut, sinceIn);
    if (sinceAny < policy.scaleInCooldownSeconds) {
      return result(previous, `${why}; scale-in cooldown, ${fmt(policy.scaleInCooldownSeconds - sinceAny)} s left`, 'cooldown');
    }
    // A load on the rise is not scaled in on: a level that has just followed a shift, or a trend that
    // projects it higher, would order the units back within minutes.
    if (list.some((n) => n.rising)) {
      return result(previous, `${why}; no scale-in while the load rises, unchanged`, 'stabilization');
    }
    const step = Math.max(1, Math.floor(previous * policy.maxStepDownRatio));
    const desired = Math.max(stabilized, previous - step);
    return result(desired, `${why}; ${previous} -> ${desired}${desired > stabilized ? ` (step limit ${step})` : ''}`);
  }
  return result(previous, `${why}; ${previous} is right`);
}

/** The policy fields a web target carries under the same names (the rest come from targetGroup and customMetrics). */
const TARGET_FIELDS = [
  'minCapacity',
  'maxCapacity',
  'targetCpu',
  'peakCpu',
  'targetMemory',
  'tolerance',
  'maxStepUpRatio',
  'maxStepUp',
  'maxStepDownRatio',
  'scaleInCooldownSeconds',
  'scaleOutCooldownSeconds',
  'scaleInStabilizationSeconds',
  'warmupSeconds',
  'missingData',
] as const;

/** The engine policy of a configured capacity target. */
export function capacityPolicyOf(
  target: Pick<CapacityPolicy, (typeof TARGET_FIELDS)[number]> & {
    targetGroup?: { requestsPerTarget?: number; responseTimeP95Seconds: number };
    customMetrics?: readonly { name: string; targetPerUnit?: number; aggregation?: 'total' | 'perUnit'; preset?: string }[];
  },
): CapacityPolicy {
  const customTargets = (target.customMetrics ?? []).flatMap((m) =>
    m.targetPerUnit !== undefined ? [{ name: m.name, targetPerUnit: m.targetPerUnit, aggregation: m.aggregation ?? ('perUnit' as const) }] : [],
  );
  return {
    ...pick(target, TARGET_FIELDS),
    requestsPerTarget: target.targetGroup?.requestsPerTarget,
    responseTimeP95Seconds: target.targetGroup?.responseTimeP95Seconds,
    ...(customTargets.length ? { customTargets } : {}),
  };
}
