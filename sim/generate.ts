/**
 * Synthetic load traces in the simulator's trace format (sim/trace.ts), one row a minute, the same
 * trace for the same shape, seed and length on every machine (a seeded PRNG, no clock).
 *
 * The shapes follow published workload studies; every constant says why it has its value. None is
 * fitted to one trace: where a study gives a range, the seed draws within it, so that a suite of
 * seeds spans it.
 *
 * - Seasonality: a daily cycle (Arlitt and Williamson, "Web server workload characterization: the
 *   search for invariants", SIGMETRICS 1996: every server they studied follows the working day) and a
 *   weekly one (Gmach, Rolia, Cherkasova and Kemper, "Workload analysis and demand prediction of
 *   enterprise data center applications", IISWC 2007: strong daily and weekly patterns, weekends lower).
 *   Where a level is needed, the bundled NASA-HTTP week (traces/nasa-jul1995-week.csv, the public
 *   NASA Kennedy Space Center log of July 1995) is measured and named as the source.
 * - Minute noise: web traffic is bursty at every time scale, far beyond Poisson (Leland, Taqqu,
 *   Willinger and Wilson, "On the self-similar nature of Ethernet traffic", SIGCOMM 1993); modelled
 *   here as autocorrelated lognormal noise around the hourly level.
 * - Bursts: ON/OFF sources with heavy-tailed (Pareto) periods, whose superposition is self-similar
 *   traffic (Willinger, Taqqu, Sherman and Wilson, "Self-similarity through high-variability",
 *   IEEE/ACM ToN 1997; Crovella and Bestavros, "Self-similarity in World Wide Web traffic: evidence and
 *   possible causes", ToN 1997, tail indices between 1 and 2); burst sizes lognormal.
 * - Flash crowds: a fast rise and a slower decay (Jung, Krishnamurthy and Rabinovich, "Flash crowds
 *   and denial of service attacks", WWW 2002; Bodik, Fox, Franklin, Jordan and Patterson,
 *   "Characterizing, modeling, and generating workload spikes for stateful services", SoCC 2010, who
 *   model a spike by its magnitude, ramp-up, duration and decay).
 * - Batches: periodic jobs at fixed times (Celery beat, cron) with lognormal sizes, and ad-hoc ones
 *   whose sizes are heavy-tailed (Reiss, Tumanov, Ganger, Katz and Kozuch, "Heterogeneity and
 *   dynamicity of clouds at scale: Google trace analysis", SoCC 2012: most jobs small, a few huge).
 */
import { seededRandom } from './cloud/faults';
import type { Trace } from './trace';

export const SHAPES = ['diurnal', 'weekly', 'flash', 'bursty', 'step', 'batches'] as const;
export type Shape = (typeof SHAPES)[number];

/** Rows of one minute: CloudWatch's period and the bundled traces' step. */
export const STEP_SECONDS = 60;
const MINUTES_PER_DAY = 1440;
/**
 * The first row: Monday 2026-01-05 00:00 UTC, so that day d of a trace is weekday d mod 7 (days 5 and
 * 6 the weekend). The time of day is the users' local time; the simulator reads only offsets from it.
 */
export const GENERATED_START = Date.UTC(2026, 0, 5);
/** Most days one trace holds (a quarter of a year of minutes; CloudWatch keeps 1-minute data 15 days). */
export const MAX_DAYS = 92;

/** Something the shape put into the trace, for the reader and the tests. */
export interface TraceEvent {
  readonly kind: 'flash' | 'burst' | 'step' | 'batch';
  /** The row it starts at. */
  readonly step: number;
  /** Rows it lasts (flash: to its peak; step: to the end). */
  readonly steps: number;
  /** Flash, step: the factor on the level; burst, batch: the arrivals it adds. */
  readonly size: number;
}

export interface GeneratedTrace extends Trace {
  readonly shape: Shape;
  readonly seed: number;
  /** The workload kind the shape is for: every shape is web traffic except `batches`, a queue's. */
  readonly kind: 'web' | 'queue';
  readonly events: readonly TraceEvent[];
}

export interface GenerateOptions {
  readonly shape: Shape;
  readonly seed: number;
  readonly days: number;
}

/** The seeded draws one trace uses. */
class Draws {
  private readonly next: () => number;
  constructor(seed: number) {
    // distinct streams for neighbouring seeds: the seed goes through a multiplicative hash first
    this.next = seededRandom(Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x5bd1e995);
  }
  /** Uniform in [0, 1), never 0 itself (the inverse transforms below take its log). */
  uniform(): number {
    return Math.max(this.next(), 1e-12);
  }
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.uniform())) * Math.cos(2 * Math.PI * this.next());
  }
  /** Lognormal with this median and log-standard-deviation. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  /** Pareto with this minimum and tail index (P(X > x) = (min / x)^alpha). */
  pareto(min: number, alpha: number): number {
    return min / this.uniform() ** (1 / alpha);
  }
  /** Exponential with this mean. */
  exponential(mean: number): number {
    return -mean * Math.log(this.uniform());
  }
}

// ---- the web level and its seasonality --------------------------------------------------------

/**
 * Median daily mean demand of a web trace, requests/s: 400 is 14 units of the bundled scenarios (40
 * requests/s per unit at a 70% target), large enough that one unit is a small step, small enough that
 * the minimum count matters at night. Each seed scales it by a lognormal factor (WEB_LEVEL_SIGMA) so
 * a suite holds fleets from a few units to about fifty.
 */
const WEB_MEDIAN_RATE = 400;
const WEB_LEVEL_SIGMA = 0.5;
/**
 * Amplitude a of the daily cycle, level x (1 + a cos(...)): its peak over its trough (1 + a)/(1 - a)
 * runs from 2.6 to 7. The NASA-HTTP week's hourly peak over its hourly trough is 2.4 to 7.1 from day
 * to day (measured on the bundled trace).
 */
const DIURNAL_AMPLITUDE = [0.45, 0.75] as const;
/** Local hour of the daily peak: the NASA-HTTP week peaks between 12:00 and 17:00 local time on weekdays. */
const PEAK_HOUR = [12, 17] as const;
/** Day-to-day variation of the level, log-standard-deviation: the NASA-HTTP weekdays' means vary by about 12%. */
const DAY_SIGMA = 0.1;
/**
 * The weekend's level over the weekdays': 0.7, the NASA-HTTP week's (its Saturday and Sunday average
 * 0.73 of its weekday mean); Gmach et al. find weekends lower in every enterprise workload they studied.
 */
const WEEKEND_FACTOR = 0.7;
/**
 * Minute noise around the hourly level: lognormal, log-standard-deviation drawn from 0.1 (a large
 * site's smooth aggregate) to 0.4 (the NASA-HTTP week's: 0.39 around its hourly means, three times
 * Poisson's at its counts), with NASA-HTTP's lag-1 autocorrelation of 0.5 (measured on the bundled
 * trace), so that a noisy minute tends to have a noisy neighbour as in self-similar traffic.
 */
const NOISE_SIGMA = [0.1, 0.4] as const;
const NOISE_LAG1 = 0.5;

/** The seasonal level, requests/s, of every minute: a daily cycle, day-to-day variation, optionally a weekly one. */
function seasonal(draws: Draws, days: number, weekly: boolean): Float64Array {
  const level = draws.lognormal(WEB_MEDIAN_RATE, WEB_LEVEL_SIGMA);
  const amplitude = draws.between(...DIURNAL_AMPLITUDE);
  const peak = draws.between(...PEAK_HOUR);
  const rate = new Float64Array(days * MINUTES_PER_DAY);
  for (let d = 0; d < days; d++) {
    const weekend = weekly && d % 7 >= 5;
    const day = level * Math.exp(DAY_SIGMA * draws.normal()) * (weekend ? WEEKEND_FACTOR : 1);
    for (let m = 0; m < MINUTES_PER_DAY; m++) {
      const hour = m / 60;
      rate[d * MINUTES_PER_DAY + m] = day * (1 + amplitude * Math.cos((2 * Math.PI * (hour - peak)) / 24));
    }
  }
  return rate;
}

/** Arrivals per minute from a rate (requests/s) with the autocorrelated lognormal minute noise. */
function withNoise(draws: Draws, rate: Float64Array): Float64Array {
  const sigma = draws.between(...NOISE_SIGMA);
  const out = new Float64Array(rate.length);
  let e = 0;
  const innovation = Math.sqrt(1 - NOISE_LAG1 ** 2);
  for (let t = 0; t < rate.length; t++) {
    e = NOISE_LAG1 * e + innovation * draws.normal();
    // the -sigma^2/2 keeps the noise's mean at 1: the level stays the level
    out[t] = Math.round(rate[t] * STEP_SECONDS * Math.exp(sigma * e - (sigma * sigma) / 2));
  }
  return out;
}

// ---- flash crowds -------------------------------------------------------------------------------

/**
 * A flash crowd's peak over the level it hits: Pareto from 3 with tail index 1.5 (Crovella and
 * Bestavros's range), capped at 20: most crowds triple the load, a few are an order of magnitude (Bodik
 * et al.'s spikes range from a few times to tens of times the normal load on the hot objects).
 */
const FLASH_MAGNITUDE = { min: 3, alpha: 1.5, max: 20 } as const;
/** Minutes to the peak: 5 to 15, a fast rise (Jung et al.: the request rate climbs within minutes of the event). */
const FLASH_RISE_MINUTES = [5, 15] as const;
/** Decay time constant, minutes: 30 to 180, the slower decay Jung et al. and Bodik et al. describe (hours, not minutes). */
const FLASH_DECAY_MINUTES = [30, 180] as const;
/** Flash crowds a day on average (a Poisson process), at least one per trace: rare events, a few a week. */
const FLASH_PER_DAY = 0.5;

function addFlashCrowds(draws: Draws, rate: Float64Array, events: TraceEvent[]): void {
  const n = rate.length;
  const count = Math.max(1, Math.round((n / MINUTES_PER_DAY) * FLASH_PER_DAY * draws.between(0.5, 1.5)));
  for (let i = 0; i < count; i++) {
    // not in the first day: a forecast from the day before should have something to miss
    const start = Math.floor(draws.between(Math.min(MINUTES_PER_DAY, n / 2), n - 60));
    const magnitude = Math.min(FLASH_MAGNITUDE.max, draws.pareto(FLASH_MAGNITUDE.min, FLASH_MAGNITUDE.alpha));
    const rise = Math.round(draws.between(...FLASH_RISE_MINUTES));
    const decay = draws.between(...FLASH_DECAY_MINUTES);
    const base = rate[start];
    const extra = base * (magnitude - 1);
    for (let t = start; t < n; t++) {
      const since = t - start;
      const shape = since < rise ? since / rise : Math.exp(-(since - rise) / decay);
      if (since > rise && shape < 1e-3) break;
      rate[t] += extra * shape;
    }
    events.push({ kind: 'flash', step: start, steps: rise, size: magnitude });
  }
}

// ---- ON/OFF bursts ------------------------------------------------------------------------------

/**
 * ON and OFF periods, minutes: Pareto with tail index 1.5 (Willinger et al. 1997, Crovella and
 * Bestavros: between 1 and 2) from a 2-minute ON (a burst shorter than CloudWatch's 2-minute delay is
 * invisible to every policy alike) and a 20-minute OFF, capped at two hours and a day.
 */
const BURST_ON = { min: 2, alpha: 1.5, max: 120 } as const;
const BURST_OFF = { min: 20, alpha: 1.5, max: MINUTES_PER_DAY } as const;
/**
 * A burst's extra rate over the level, lognormal with median 1 (a doubling) and log-sd 0.8, capped at
 * 10x: sizes heavy enough that the largest of a week is several times the median.
 */
const BURST_EXTRA = { median: 1, sigma: 0.8, max: 10 } as const;

function addBursts(draws: Draws, rate: Float64Array, events: TraceEvent[]): void {
  const n = rate.length;
  let t = Math.round(Math.min(BURST_OFF.max, draws.pareto(BURST_OFF.min, BURST_OFF.alpha)));
  while (t < n) {
    const on = Math.round(Math.min(BURST_ON.max, draws.pareto(BURST_ON.min, BURST_ON.alpha)));
    const factor = Math.min(BURST_EXTRA.max, draws.lognormal(BURST_EXTRA.median, BURST_EXTRA.sigma));
    let added = 0;
    for (let s = t; s < Math.min(n, t + on); s++) {
      const extra = rate[t] * factor;
      rate[s] += extra;
      added += extra * STEP_SECONDS;
    }
    events.push({ kind: 'burst', step: t, steps: on, size: added });
    t += on + Math.round(Math.min(BURST_OFF.max, draws.pareto(BURST_OFF.min, BURST_OFF.alpha)));
  }
}

// ---- a step -------------------------------------------------------------------------------------

/**
 * A lasting change of level within a minute (a launch, a traffic migration, a new client): the level
 * doubles to quadruples (Bodik et al.'s spikes held at their peak, without the decay), somewhere in the
 * middle third of the trace so that both levels are long enough to judge.
 */
const STEP_FACTOR = [2, 4] as const;

function addStep(draws: Draws, rate: Float64Array, events: TraceEvent[]): void {
  const n = rate.length;
  const at = Math.floor(draws.between(n / 3, (2 * n) / 3));
  const factor = draws.between(...STEP_FACTOR);
  for (let t = at; t < n; t++) rate[t] *= factor;
  events.push({ kind: 'step', step: at, steps: n - at, size: factor });
}

// ---- batches (queue) ----------------------------------------------------------------------------

/** The trickle between batches, messages/s: the bundled celery-batches trace's 0.5 (30 a minute). */
const TRICKLE_RATE = 0.5;
/** The hourly batch at minute 0: lognormal, median 6,000 tasks (the celery-batches trace's), log-sd 0.5. */
const HOURLY_BATCH = { median: 6000, sigma: 0.5 } as const;
/** The nightly batch at 02:00: lognormal, median 200,000 tasks (the celery-batches trace's), log-sd 0.3. */
const NIGHTLY_BATCH = { median: 200_000, sigma: 0.3, hour: 2 } as const;
/** Ad-hoc batches, 6 a day on average at random times, Pareto sizes from 2,000 with tail index 1.2 (Reiss et al.: heavy-tailed job sizes), capped at 500,000. */
const ADHOC_BATCH = { perDay: 6, min: 2000, alpha: 1.2, max: 500_000 } as const;
/**
 * The producer's enqueue rate, messages/s: a batch arrives over size / rate seconds, not at once (the
 * celery-batches trace's nightly batch comes in at about 110 a second). Lognormal, median 100, log-sd 0.3.
 */
const PRODUCER_RATE = { median: 100, sigma: 0.3 } as const;

function addBatch(draws: Draws, arrivals: Float64Array, step: number, size: number, events: TraceEvent[]): void {
  const perMinute = draws.lognormal(PRODUCER_RATE.median, PRODUCER_RATE.sigma) * STEP_SECONDS;
  let left = size;
  let t = step;
  for (; left > 0 && t < arrivals.length; t++) {
    const now = Math.min(left, perMinute);
    arrivals[t] += Math.round(now);
    left -= now;
  }
  events.push({ kind: 'batch', step, steps: t - step, size: Math.round(size - Math.max(0, left)) });
}

function batches(draws: Draws, days: number, events: TraceEvent[]): Float64Array {
  const n = days * MINUTES_PER_DAY;
  const arrivals = new Float64Array(n);
  // the trickle: Poisson counts, by the normal approximation at 30 a minute
  const trickle = TRICKLE_RATE * STEP_SECONDS;
  for (let t = 0; t < n; t++) arrivals[t] = Math.max(0, Math.round(trickle + Math.sqrt(trickle) * draws.normal()));
  for (let hour = 0; hour < days * 24; hour++) {
    const nightly = hour % 24 === NIGHTLY_BATCH.hour;
    const size = nightly ? draws.lognormal(NIGHTLY_BATCH.median, NIGHTLY_BATCH.sigma) : draws.lognormal(HOURLY_BATCH.median, HOURLY_BATCH.sigma);
    addBatch(draws, arrivals, hour * 60, size, events);
  }
  let t = draws.exponential(MINUTES_PER_DAY / ADHOC_BATCH.perDay);
  while (t < n) {
    addBatch(draws, arrivals, Math.floor(t), Math.min(ADHOC_BATCH.max, draws.pareto(ADHOC_BATCH.min, ADHOC_BATCH.alpha)), events);
    t += draws.exponential(MINUTES_PER_DAY / ADHOC_BATCH.perDay);
  }
  events.sort((a, b) => a.step - b.step);
  return arrivals;
}

// ---- the generator ------------------------------------------------------------------------------

/** A trace of `days` days of the shape; the same options give the same trace. */
export function generateTrace({ shape, seed, days }: GenerateOptions): GeneratedTrace {
  if (!SHAPES.includes(shape)) throw new Error(`--shape: "${shape}" is not one of ${SHAPES.join(', ')}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`--seed: ${seed} is not an integer from 0 to ${0xffffffff}`);
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw new Error(`--days: ${days} is not a whole number of days from 1 to ${MAX_DAYS}`);
  if (shape === 'weekly' && days < 7) throw new Error(`--days: ${days}; a weekly trace needs at least 7 days to hold a weekend`);
  const draws = new Draws(seed);
  const events: TraceEvent[] = [];
  if (shape === 'batches') return { shape, seed, kind: 'queue', start: GENERATED_START, arrivals: batches(draws, days, events), events };
  const rate = seasonal(draws, days, shape === 'weekly');
  if (shape === 'flash') addFlashCrowds(draws, rate, events);
  if (shape === 'bursty') addBursts(draws, rate, events);
  if (shape === 'step') addStep(draws, rate, events);
  return { shape, seed, kind: 'web', start: GENERATED_START, arrivals: withNoise(draws, rate), events };
}

/** The trace as the simulator reads it (sim/trace.ts): a header row, then an ISO-8601 UTC time and the arrivals per row. */
export function traceCsv(trace: GeneratedTrace): string {
  const lines = [`time,${trace.kind === 'queue' ? 'messages' : 'requests'}`];
  for (let t = 0; t < trace.arrivals.length; t++) {
    lines.push(`${new Date(trace.start + t * STEP_SECONDS * 1000).toISOString().replace('.000Z', 'Z')},${trace.arrivals[t]}`);
  }
  return `${lines.join('\n')}\n`;
}
