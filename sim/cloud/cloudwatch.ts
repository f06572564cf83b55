/**
 * In-memory CloudWatch: a metric store of per-minute datapoints, each with the time it becomes
 * visible, and a client answering GetMetricData and DescribeAlarms with only what is visible at the
 * current simulated time.
 */
import type { AlarmSource } from './alarm-source';
import { evaluateExpression } from './metric-math';
import { type CallLog, commandName, FakeServiceError, metadata, uuidLike } from './recorder';

export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** One published datapoint as a statistic set. */
interface Point {
  sum: number;
  count: number;
  min: number;
  max: number;
  /** Epoch ms from which GetMetricData and alarms see it. */
  visibleFrom: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/**
 * How long CloudWatch keeps datapoints of a period (CloudWatch API Reference, GetMetricData): 1-minute
 * ones for 15 days, 5-minute ones for 63 days, 1-hour ones for 455 days. Older periods answer nothing.
 */
export function retentionMs(periodSeconds: number): number {
  return periodSeconds < 300 ? 15 * DAY : periodSeconds < 3600 ? 63 * DAY : 455 * DAY;
}
/** MetricDataQueries one GetMetricData request may carry (CloudWatch API Reference, GetMetricData). */
export const MAX_METRIC_DATA_QUERIES = 500;

/** One metric's datapoints, by minute. */
export class Series {
  /** Minute index (epoch ms / 60000) of slot 0. */
  origin: number | undefined;
  points: (Point | undefined)[] = [];
  /** The sample count of the last period `statistic` found datapoints in. */
  lastSampleCount = 0;

  put(timestamp: number, p: Point): void {
    const m = Math.floor(timestamp / MINUTE);
    if (this.origin === undefined) this.origin = m;
    if (m < this.origin) {
      this.points = [...new Array<Point | undefined>(this.origin - m), ...this.points];
      this.origin = m;
    }
    this.points[m - this.origin] = p;
  }

  get(minute: number): Point | undefined {
    return this.origin === undefined ? undefined : this.points[minute - this.origin];
  }

  /**
   * The statistic over [start, start + periodSeconds) from the minutes visible at `visibleAt`, or
   * undefined when none is; its sample count is then in `lastSampleCount`. A number rather than an
   * object: GetMetricData asks for millions of them in a simulated week.
   */
  statistic(start: number, periodSeconds: number, stat: string, visibleAt: number): number | undefined {
    if (this.origin === undefined) return undefined;
    const points = this.points;
    const first = Math.floor(start / MINUTE) - this.origin;
    const minutes = Math.max(1, Math.round(periodSeconds / 60));
    if (minutes === 1 && !stat.startsWith('p')) {
      // One minute, one datapoint (most reads are of 1-minute periods): the loop below, unrolled, to
      // the same arithmetic (a NaN minimum stays Infinity there, so here).
      const p = first >= 0 ? points[first] : undefined;
      if (!p || p.visibleFrom > visibleAt) return undefined;
      const sum = 0 + p.sum;
      const count = 0 + p.count;
      this.lastSampleCount = count;
      switch (stat) {
        case 'Average':
          return sum / count;
        case 'Sum':
          return sum;
        case 'Minimum':
          return Number.isNaN(p.min) ? Infinity : p.min;
        case 'Maximum':
          return Number.isNaN(p.max) ? -Infinity : p.max;
        case 'SampleCount':
          return count;
      }
    }
    const percentile = stat.startsWith('p');
    let sum = 0,
      count = 0,
      min = Infinity,
      max = -Infinity,
      found = 0;
    // the values one by one, only for a percentile
    const values: number[] | undefined = percentile ? [] : undefined;
    for (let i = Math.max(0, first), last = Math.min(points.length, first + minutes); i < last; i++) {
      const p = points[i];
      if (!p || p.visibleFrom > visibleAt) continue;
      found++;
      sum += p.sum;
      count += p.count;
      if (p.min < min) min = p.min;
      if (p.max > max) max = p.max;
      values?.push(p.sum / p.count);
    }
    if (!found) return undefined;
    this.lastSampleCount = count;
    switch (stat) {
      case 'Average':
        return sum / count;
      case 'Sum':
        return sum;
      case 'Minimum':
        return min;
      case 'Maximum':
        return max;
      case 'SampleCount':
        return count;
      default: {
        const pm = /^p(\d+(?:\.\d+)?)$/.exec(stat);
        if (!pm || !values) throw new FakeServiceError('InvalidParameterValue', `The statistic ${stat} is not supported by the in-memory CloudWatch.`);
        values.sort((a, b) => a - b);
        return values[Math.min(values.length - 1, Math.max(0, Math.ceil((Number(pm[1]) / 100) * values.length) - 1))];
      }
    }
  }
}

export function metricKey(namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>): string {
  const dims = Object.keys(dimensions)
    .sort()
    .map((k) => `${k}=${dimensions[k]}`)
    .join(',');
  return `${namespace}|${metricName}|${dims}`;
}

/** A statistic of one period: `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or `pNN`. */
export interface Aggregate {
  readonly value: number;
  readonly sampleCount: number;
}

export class MetricStore {
  private readonly series = new Map<string, Series>();

  /** Publishes the datapoint of the minute starting at `timestamp` (epoch ms), visible from `visibleFrom`. */
  put(metric: MetricId, timestamp: number, value: number, visibleFrom: number, sampleCount = 1): void {
    const key = metricKey(metric.namespace, metric.metricName, metric.dimensions);
    let s = this.series.get(key);
    if (!s) {
      s = new Series();
      this.series.set(key, s);
    }
    s.put(timestamp, { sum: value * sampleCount, count: sampleCount, min: value, max: value, visibleFrom });
  }

  /** The datapoints of the metric of `key` (metricKey), if any was published. */
  seriesOf(key: string): Series | undefined {
    return this.series.get(key);
  }

  /**
   * The statistic over [start, start + periodSeconds) from the minutes visible at `visibleAt`, or
   * undefined when none is.
   */
  aggregate(key: string, start: number, periodSeconds: number, stat: string, visibleAt: number): Aggregate | undefined {
    const s = this.series.get(key);
    const value = s?.statistic(start, periodSeconds, stat, visibleAt);
    return value === undefined ? undefined : { value, sampleCount: s!.lastSampleCount };
  }
}

interface MetricDataQuery {
  Id: string;
  Label?: string;
  ReturnData?: boolean;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
  };
  Expression?: string;
  Period?: number;
}

const NO_IDS: readonly string[] = [];

function toMs(x: unknown, field: string): number {
  const ms = x instanceof Date ? x.getTime() : typeof x === 'number' ? x * (x < 1e11 ? 1000 : 1) : Date.parse(String(x));
  if (!Number.isFinite(ms)) throw new FakeServiceError('ValidationError', `${field} is not a valid time.`);
  return ms;
}

export function dimensionsRecord(dims: readonly { Name?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of dims ?? []) out[d.Name ?? ''] = d.Value ?? '';
  return out;
}

export class FakeCloudWatch {
  private requests = 0;
  constructor(
    readonly store: MetricStore,
    private readonly log: CallLog,
    private readonly now: () => number,
    private readonly alarms?: AlarmSource,
  ) {}

  async send(command: { input?: unknown }): Promise<any> {
    const name = commandName(command);
    this.log.record('cloudwatch', name, command.input);
    const meta = metadata(uuidLike(`cloudwatch/${++this.requests}`));
    switch (name) {
      case 'GetMetricDataCommand': {
        const out = { ...this.getMetricData(command.input as any), ...meta };
        this.log.answered(out);
        return out;
      }
      case 'DescribeAlarmsCommand':
        return { ...this.describeAlarms(command.input as any), ...meta };
      case 'PutMetricDataCommand':
        this.putMetricData(command.input as any);
        return meta;
      default:
        throw new Error(`in-memory CloudWatch does not implement ${name}`);
    }
  }

  getMetricData(input: { MetricDataQueries: MetricDataQuery[]; StartTime: unknown; EndTime: unknown; ScanBy?: string }) {
    const start = toMs(input.StartTime, 'StartTime');
    const end = toMs(input.EndTime, 'EndTime');
    const now = this.now();
    const ascending = input.ScanBy === 'TimestampAscending';
    // As CloudWatch does: at most 500 MetricDataQuery structures per request (GetMetricData, MetricDataQueries).
    const count = (input.MetricDataQueries ?? []).length;
    if (count > MAX_METRIC_DATA_QUERIES) {
      throw new FakeServiceError(
        'ValidationError',
        `1 validation error detected: Value at 'metricDataQueries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_METRIC_DATA_QUERIES} (got ${count})`,
      );
    }
    const queries = input.MetricDataQueries ?? [];
    const byId = new Map(queries.map((q) => [q.Id, q]));
    // each metric's series once per request, not once per period
    const series = new Map<MetricDataQuery, Series | undefined>();
    for (const q of queries) {
      const m = q.MetricStat?.Metric;
      if (q.MetricStat) series.set(q, this.store.seriesOf(metricKey(m!.Namespace, m!.MetricName, dimensionsRecord(m!.Dimensions))));
    }
    /** A query's value at the period starting at `t`: a metric's statistic, or an expression over the others. */
    const valueAt = (q: MetricDataQuery, t: number, seen: readonly string[]): number | undefined => {
      if (q.MetricStat) return series.get(q)?.statistic(t, q.MetricStat.Period, q.MetricStat.Stat, now);
      if (!q.Expression) throw new FakeServiceError('ValidationError', `Query ${q.Id}: needs MetricStat or Expression.`);
      return evaluateExpression(q.Expression, (id) => {
        const ref = byId.get(id);
        if (!ref || id === q.Id || seen.includes(id)) throw new FakeServiceError('ValidationError', `Query ${q.Id}: unknown or circular reference ${id}.`);
        return valueAt(ref, t, [...seen, q.Id]);
      });
    };
    const results = [];
    for (const q of queries) {
      if (q.ReturnData === false) continue;
      const Period = q.MetricStat?.Period ?? q.Period ?? queries.find((x) => x.MetricStat)?.MetricStat?.Period;
      if (!Period || Period % 60 !== 0) throw new FakeServiceError('ValidationError', `Query ${q.Id}: Period must be a multiple of 60.`);
      const p = Period * 1000;
      const timestamps: Date[] = [];
      const values: number[] = [];
      // CloudWatch rounds a recent StartTime down to the minute; periods run from there, and none older
      // than the period's retention answers.
      let from = Math.floor(start / MINUTE) * MINUTE;
      const kept = now - retentionMs(Period);
      if (from < kept) from += Math.ceil((kept - from) / p) * p;
      if (q.MetricStat) {
        // a metric's statistic, period by period (most queries: kept apart from valueAt for speed)
        const s = series.get(q);
        const { Stat } = q.MetricStat;
        if (s) {
          for (let t = from; t < end; t += p) {
            const value = s.statistic(t, Period, Stat, now);
            if (value !== undefined) {
              timestamps.push(new Date(t));
              values.push(value);
            }
          }
        }
      } else {
        for (let t = from; t < end; t += p) {
          const value = valueAt(q, t, NO_IDS);
          if (value !== undefined) {
            timestamps.push(new Date(t));
            values.push(value);
          }
        }
      }
      if (!ascending) {
        timestamps.reverse();
        values.reverse();
      }
      results.push({
        Id: q.Id,
        Label: q.Label ?? q.MetricStat?.Metric.MetricName ?? q.Id,
        Timestamps: timestamps,
        Values: values,
        StatusCode: 'Complete' as const,
      });
    }
    return { MetricDataResults: results, Messages: [] };
  }

  /**
   * A custom metric's datapoints (`Value` each), in the minute of their timestamp, readable at once (a
   * custom metric is not polled, unlike AWS's own). CloudWatch refuses the `AWS/` namespaces to
   * PutMetricData, and more than 1000 metrics in one request (CloudWatch API Reference, PutMetricData).
   */
  putMetricData(input: {
    Namespace: string;
    MetricData: { MetricName: string; Dimensions?: { Name: string; Value: string }[]; Value: number; Timestamp?: unknown }[];
  }) {
    if (input.Namespace.startsWith('AWS/')) throw new FakeServiceError('InvalidParameterValue', `The value AWS/ for parameter Namespace is invalid.`);
    if (input.MetricData.length > 1000)
      throw new FakeServiceError('InvalidParameterValue', 'The collection MetricData must not have a size greater than 1000.');
    const now = this.now();
    for (const d of input.MetricData) {
      const at = d.Timestamp === undefined ? now : toMs(d.Timestamp, 'Timestamp');
      this.store.put({ namespace: input.Namespace, metricName: d.MetricName, dimensions: dimensionsRecord(d.Dimensions) }, at, d.Value, now);
    }
  }

  describeAlarms(input: { AlarmNames?: string[]; AlarmNamePrefix?: string; StateValue?: string } = {}) {
    const all = this.alarms?.describe() ?? [];
    const MetricAlarms = all.filter(
      (a) =>
        (!input.AlarmNames || input.AlarmNames.includes(a.AlarmName)) &&
        (!input.AlarmNamePrefix || a.AlarmName.startsWith(input.AlarmNamePrefix)) &&
        (!input.StateValue || a.StateValue === input.StateValue),
    );
    return { MetricAlarms, CompositeAlarms: [] };
  }
}
