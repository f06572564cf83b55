/**
 * The seasonal forecast of a web tier's demand: pure, no I/O, no clock.
 *
 * forecastDemand(input) -> Forecast | NoForecast: from the target's own demand history (requests/s per
 * period, up to 14 days of it), the demand expected over the coming hour and a little more, by time of
 * day and day of week, or none when the history shows no seasonality that beats "the level stays".
 *
 * How: each earlier day's window at the same time of day (k = 1..MAX_DAYS days back; 7 and 14 are the
 * same weekday) is scaled to today's level (the ratio of the medians of today's last hour and that
 * day's same hour), smoothed over a quarter of an hour, and the days are combined per period by a weighted
 * median, recent days and the same weekday weighted more. Two tests back off:
 *  - skill: the same forecast made from earlier origins of today (an hour, two and three hours ago)
 *    must beat the naive forecast ("today's level stays") by MIN_SKILL on today's hours since, and
 *    in each of them; on white noise or a random walk it does not;
 *  - agreement: most of the days' weight must agree on the coming peak, so that one earlier day's
 *    flash crowd or outage at this hour is not forecast again.
 * The forecast then moves from what the days say of now by `confidence` (the skill) of the change
 * they show: a forecast that barely beat the naive one moves little.
 *
 * decideCapacity (lambdas/engine/capacity.ts) uses only its peak ahead, and only to raise the count.
 */
/** One datapoint: the shape of capacity.ts's Datapoint (not imported from there: capacity.ts imports this module). */
export interface Datapoint {
  /** Start of the datapoint's period, epoch milliseconds. */
  readonly at: number;
  readonly value: number;
}

/**
 * Days of history read. CloudWatch keeps 1-minute datapoints for 15 days (CloudWatch API Reference,
 * GetMetricData: "Data points with a period of 60 seconds (1-minute) are available for 15 days"): 14
 * days back plus the hours before the window stay inside that.
 */
export const MAX_DAYS = 14;
/**
 * Weight of the day k days back: halved every three days, so yesterday counts most, the last three
 * days carry about half the weight of a two-week history, and a trend over weeks (growth) is followed.
 */
const DAY_HALF_LIFE = 3;
/**
 * The offsets that are the same weekday as today: they weigh as much as yesterday (7 days back) and
 * half of it (14). With a weekly shape (weekends) they are the only days of the right kind; without
 * one they are days like the others.
 */
const WEEKLY_WEIGHT: Readonly<Record<number, number>> = { 7: 1, 14: 0.5 };
/** Today's level is compared with each day's over the hour before the window. */
const LEVEL_SECONDS = 3600;
/**
 * A day whose level at this hour was below half or above twice today's was another regime (an outage,
 * a holiday, a launch); its shape says little of today's, and it is left out. This also bounds the
 * forecast: never above twice the highest demand any used day saw in the window.
 */
export const MAX_LEVEL_RATIO = 2;
/**
 * At least two days must remain: one day alone cannot be told apart from that day's accidents, and
 * the agreement test needs two to compare.
 */
const MIN_DAYS = 2;
/**
 * Each day's window is smoothed over fifteen periods (centered) before the days are combined, and
 * today's demand is smoothed alike where the forecast is checked. A minute's peak is noise, not a
 * pattern another day repeats at the same minute; what a pre-scale anticipates is a ramp over tens of
 * minutes. Over five minutes, the minute noise of the generated web traces (log-sd up to 0.3) stayed
 * as large as an hour's diurnal change, and the check could not tell a daily shape from noise.
 */
const SMOOTH_PERIODS = 15;
/** The seasonal forecast is checked from three earlier origins today, each one hour ahead. */
const BACKTEST_HOURS = 3;
/**
 * The seasonal forecast must make at most three quarters of the naive forecast's error over today's
 * backtest hours, and no more than it in any one of them. The naive forecast is the very level the
 * seasonal one is scaled to (the median of today's last hour), so the check measures what the days'
 * shape adds to it: on white noise it adds only the days' own noise and loses; on a random walk the
 * days' walks say nothing of today's; a daily shape wins every hour it changes in. A quarter and every
 * hour: where the two forecasts stay close, which one wins is a coin's throw, and three throws all won
 * by a quarter are rare (test/lambdas/engine/forecast.test.ts counts them on noise and random walks).
 */
const MIN_SKILL = 0.25;
/** Days agree on the coming peak when they are within a quarter of the combined one. */
const AGREEMENT = 0.25;
/** ... and they must carry two thirds of the weight: with two days, both; with three equal days, two of them. */
const AGREE_SHARE = 2 / 3;

export interface ForecastInput {
  /** Demand per period (requests/s), oldest first, as far back as MAX_DAYS days and the hours before them. Gaps are allowed. */
  readonly history: readonly Datapoint[];
  readonly periodSeconds: number;
  /** Epoch ms; datapoints at or after it are ignored. */
  readonly now: number;
  /** How far past `now` the forecast runs, seconds (the next read's time plus the lead it needs). */
  readonly aheadSeconds: number;
}

export interface Forecast {
  /** Start (epoch ms) of the period of values[0]: the first period after the newest datapoint. */
  readonly at: number;
  readonly periodSeconds: number;
  /** Expected demand per period (requests/s), from `at`. */
  readonly values: readonly number[];
  /** What the days said of the newest period when the forecast was made, at today's level: the forecast moves from it by `confidence` of the days' change. */
  readonly level: number;
  /** 0..1: the seasonal forecast's skill over the naive one on today's backtest hours. */
  readonly confidence: number;
  /** Day windows combined. */
  readonly days: number;
}

/** Why there is no forecast, for the log and the audit. */
export type NoForecast = { readonly none: string };

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The weighted median: the smallest value at which the weights up to it reach half the total. */
export function weightedMedian(items: readonly { value: number; weight: number }[]): number {
  const s = [...items].sort((a, b) => a.value - b.value);
  const total = s.reduce((a, b) => a + b.weight, 0);
  let acc = 0;
  for (const it of s) {
    acc += it.weight;
    if (acc >= total / 2 - 1e-12) return it.value;
  }
  return s[s.length - 1].value;
}

/** The weight of the day `k` days back. */
export function dayWeight(k: number): number {
  return WEEKLY_WEIGHT[k] ?? 0.5 ** ((k - 1) / DAY_HALF_LIFE);
}

/** The history by period index (epoch ms / period). */
class Series {
  private readonly byIndex = new Map<number, number>();
  constructor(points: readonly Datapoint[], periodMs: number, before: number) {
    for (const p of points) if (p.at < before && Number.isFinite(p.value)) this.byIndex.set(Math.floor(p.at / periodMs), p.value);
  }
  get(i: number): number | undefined {
    return this.byIndex.get(i);
  }
  /** Values of the periods in [from, to], those there are. */
  range(from: number, to: number): number[] {
    const out: number[] = [];
    for (let i = from; i <= to; i++) {
      const v = this.byIndex.get(i);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  /** The mean of the periods around i (SMOOTH_PERIODS, centered) that exist. */
  smooth(i: number): number | undefined {
    const half = SMOOTH_PERIODS >> 1;
    let sum = 0,
      n = 0;
    for (let j = i - half; j <= i + half; j++) {
      const v = this.byIndex.get(j);
      if (v !== undefined) {
        sum += v;
        n++;
      }
    }
    return n ? sum / n : undefined;
  }
  get size(): number {
    return this.byIndex.size;
  }
  newest(): number | undefined {
    let m: number | undefined;
    for (const i of this.byIndex.keys()) if (m === undefined || i > m) m = i;
    return m;
  }
}

interface DayView {
  readonly k: number;
  readonly weight: number;
  /** Today's level over this day's at the origin. */
  readonly scale: number;
}

/**
 * The days usable from origin `e` (the index of the newest period known then): each with its scale,
 * those whose level is inside MAX_LEVEL_RATIO of today's.
 */
function daysAt(s: Series, e: number, perDay: number, levelPeriods: number): DayView[] {
  const today = s.range(e - levelPeriods + 1, e);
  if (today.length < levelPeriods / 2) return [];
  const todayLevel = median(today);
  const out: DayView[] = [];
  for (let k = 1; k <= MAX_DAYS; k++) {
    const back = s.range(e - k * perDay - levelPeriods + 1, e - k * perDay);
    if (back.length < levelPeriods / 2) continue;
    const level = median(back);
    if (level <= 0 && todayLevel <= 0) {
      out.push({ k, weight: dayWeight(k), scale: 1 });
      continue;
    }
    if (level <= 0) continue;
    const scale = todayLevel / level;
    if (scale > MAX_LEVEL_RATIO || scale < 1 / MAX_LEVEL_RATIO) continue;
    out.push({ k, weight: dayWeight(k), scale });
  }
  return out;
}

/** The seasonal value at period i from the days' views: the weighted median of their scaled, smoothed values. */
function seasonalAt(
  s: Series,
  i: number,
  perDay: number,
  days: readonly DayView[],
): { value: number; perDay: { value: number; weight: number }[] } | undefined {
  const items: { value: number; weight: number }[] = [];
  for (const d of days) {
    const v = s.smooth(i - d.k * perDay);
    if (v !== undefined) items.push({ value: v * d.scale, weight: d.weight });
  }
  return items.length >= MIN_DAYS ? { value: weightedMedian(items), perDay: items } : undefined;
}

/** The naive forecast from origin `e`: today's level, the median of its last hour, stays. */
function naiveAt(s: Series, e: number, levelPeriods: number): number | undefined {
  const xs = s.range(e - levelPeriods + 1, e);
  return xs.length >= levelPeriods / 2 ? median(xs) : undefined;
}

/**
 * The seasonal forecast's skill over the naive one from origins 1..BACKTEST_HOURS hours before `end`:
 * 1 - (its absolute error) / (the naive one's), each forecast one hour ahead against today's smoothed
 * demand. Undefined when no origin could be checked.
 */
function skill(s: Series, end: number, perDay: number, levelPeriods: number): number | undefined {
  let errSeasonal = 0,
    errNaive = 0,
    scale = 0,
    checked = 0,
    lost = false;
  for (let h = 1; h <= BACKTEST_HOURS; h++) {
    const origin = end - h * levelPeriods;
    const days = daysAt(s, origin, perDay, levelPeriods);
    const naive = naiveAt(s, origin, levelPeriods);
    if (days.length < MIN_DAYS || naive === undefined) continue;
    let hourSeasonal = 0,
      hourNaive = 0;
    // Only periods whose whole smoothing span is known by `end`: the days' values are smoothed whole too.
    for (let i = origin + 1; i <= Math.min(origin + levelPeriods, end - (SMOOTH_PERIODS >> 1)); i++) {
      const actual = s.smooth(i);
      const f = seasonalAt(s, i, perDay, days);
      if (actual === undefined || !f) continue;
      hourSeasonal += Math.abs(f.value - actual);
      hourNaive += Math.abs(naive - actual);
      scale += Math.abs(actual);
      checked++;
    }
    // One hour lost is enough to back off (MIN_SKILL).
    if (hourSeasonal > hourNaive) lost = true;
    errSeasonal += hourSeasonal;
    errNaive += hourNaive;
  }
  if (!checked) return undefined;
  // Both perfect (a flat or exactly repeating series): nothing to choose; the days say the same as today.
  const tiny = 1e-9 * Math.max(scale, 1e-9);
  if (errNaive <= tiny) return errSeasonal <= tiny ? 1 : 0;
  return lost ? Math.min(0, 1 - errSeasonal / errNaive) : 1 - errSeasonal / errNaive;
}

/** The forecast of the coming `aheadSeconds`, or why there is none. */
export function forecastDemand(input: ForecastInput): Forecast | NoForecast {
  const { periodSeconds, now } = input;
  const periodMs = periodSeconds * 1000;
  const perDay = Math.round(86_400 / periodSeconds);
  const levelPeriods = Math.round(LEVEL_SECONDS / periodSeconds);
  const s = new Series(input.history, periodMs, now);
  const end = s.newest();
  if (end === undefined) return { none: 'no history' };
  const days = daysAt(s, end, perDay, levelPeriods);
  if (days.length < MIN_DAYS)
    return { none: `${days.length} earlier day(s) at this hour with a level within ${MAX_LEVEL_RATIO}x of today's, ${MIN_DAYS} needed` };
  const sk = skill(s, end, perDay, levelPeriods);
  if (sk === undefined) return { none: "too little of today's history to check the forecast on" };
  if (sk < MIN_SKILL)
    return {
      none: `no seasonality: the day-offset forecast beat "the level stays" by ${Math.round(sk * 100)}% on today's last hours, ${MIN_SKILL * 100}% needed`,
    };
  // What the days say of the newest period, at today's level: the point the forecast moves from.
  const level = seasonalAt(s, end, perDay, days)?.value ?? naiveAt(s, end, levelPeriods)!;
  const count = Math.ceil((now + input.aheadSeconds * 1000) / periodMs) - end;
  const values: number[] = [];
  let peak = Number.NEGATIVE_INFINITY;
  const peaks: { value: number; weight: number }[] = days.map((d) => ({ value: Number.NEGATIVE_INFINITY, weight: d.weight }));
  for (let j = 1; j <= count; j++) {
    const f = seasonalAt(s, end + j, perDay, days);
    if (!f) return { none: `fewer than ${MIN_DAYS} earlier days hold the coming hour` };
    values.push(level + sk * (f.value - level));
    peak = Math.max(peak, f.value);
    for (const [n, d] of days.entries()) {
      const v = s.smooth(end + j - d.k * perDay);
      if (v !== undefined) peaks[n].value = Math.max(peaks[n].value, v * d.scale);
    }
  }
  // Agreement on the coming peak: the weight of the days within AGREEMENT of the combined peak.
  const known = peaks.filter((p) => Number.isFinite(p.value));
  const combined = weightedMedian(known);
  const total = known.reduce((a, b) => a + b.weight, 0);
  const agreeing = known.filter((p) => Math.abs(p.value - combined) <= AGREEMENT * Math.max(Math.abs(combined), 1e-9)).reduce((a, b) => a + b.weight, 0);
  if (agreeing < AGREE_SHARE * total) {
    return {
      none: `the earlier days disagree on the coming hour's peak: ${Math.round((100 * agreeing) / total)}% of their weight within ${AGREEMENT * 100}% of it`,
    };
  }
  return { at: (end + 1) * periodMs, periodSeconds, values, level, confidence: Math.min(1, sk), days: days.length };
}

/**
 * The highest expected demand of the periods that start in [from, to) (epoch ms), or undefined when
 * the forecast does not reach them.
 */
export function forecastPeak(f: Forecast, from: number, to: number): number | undefined {
  const periodMs = f.periodSeconds * 1000;
  let peak: number | undefined;
  for (let j = 0; j < f.values.length; j++) {
    const at = f.at + j * periodMs;
    if (at + periodMs <= from || at >= to) continue;
    peak = peak === undefined ? f.values[j] : Math.max(peak, f.values[j]);
  }
  return peak;
}

/** The forecast's value for the period that holds `at`, or undefined outside it. */
export function forecastAt(f: Forecast, at: number): number | undefined {
  const j = Math.floor((at - f.at) / (f.periodSeconds * 1000));
  return j >= 0 && j < f.values.length ? f.values[j] : undefined;
}

export function isForecast(f: Forecast | NoForecast): f is Forecast {
  return !('none' in f);
}
