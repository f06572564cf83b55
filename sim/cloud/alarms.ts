/**
 * CloudWatch alarm evaluation for the project's AlarmSpecs: every minute, on the datapoints visible
 * then, with M-of-N datapoints to alarm and the spec's missing-data treatment. Each state change (and
 * only a change) emits an EventBridge "CloudWatch Alarm State Change" event shaped like AWS's.
 */
import type { AlarmSpec } from '../../lambdas/shared/alarm-spec';
import type { AlarmSource } from './alarm-source';
import { type MetricStore, metricKey } from './cloudwatch';
import { evaluateExpression } from './metric-math';
import { cwTimestamp, isoSeconds, uuidLike } from './recorder';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * Periods CloudWatch looks at beyond the evaluation periods, so that the newest period (not yet
 * published at evaluation time) and one more missing datapoint do not count as missing data.
 */
export const EXTRA_EVALUATION_PERIODS = 2;

export interface AlarmStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'CloudWatch Alarm State Change';
  source: 'aws.cloudwatch';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    alarmName: string;
    state: StateDetail;
    previousState: StateDetail;
    configuration: {
      description: string;
      metrics: {
        id: string;
        metricStat?: { metric: { namespace: string; name: string; dimensions: Record<string, string> }; period: number; stat: string };
        expression?: string;
        label?: string;
        returnData: boolean;
      }[];
    };
  };
}

interface StateDetail {
  value: AlarmState;
  reason: string;
  reasonData?: string;
  timestamp: string;
}

interface Status {
  readonly spec: AlarmSpec;
  readonly key: string;
  readonly arn: string;
  state: StateDetail;
  updatedAt: number;
}

export interface AlarmOptions {
  readonly region?: string;
  readonly account?: string;
}

const FMT_DATE = (ms: number) => {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
};

/** Java's rendering of a double, as CloudWatch writes thresholds (70 -> "70.0"). */
const javaDouble = (x: number) => (Number.isInteger(x) ? x.toFixed(1) : String(x));

function breaches(spec: AlarmSpec, value: number): boolean {
  switch (spec.comparison as string) {
    case 'GreaterThanThreshold':
      return value > spec.threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= spec.threshold;
    case 'LessThanThreshold':
      return value < spec.threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= spec.threshold;
    default:
      throw new Error(`alarm ${spec.name}: unsupported comparison ${spec.comparison}`);
  }
}

const COMPARISON_WORDS: Record<string, string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export class AlarmEvaluator implements AlarmSource {
  private readonly statuses: Status[];
  private readonly region: string;
  private readonly account: string;
  private events = 0;

  constructor(
    specs: readonly AlarmSpec[],
    private readonly store: MetricStore,
    options: AlarmOptions = {},
    createdAt = 0,
  ) {
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
    this.statuses = specs.map((spec) => ({
      spec,
      key: metricKey(spec.metric.namespace, spec.metric.metricName, spec.metric.dimensions),
      arn: `arn:aws:cloudwatch:${this.region}:${this.account}:alarm:${spec.name}`,
      state: { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', timestamp: cwTimestamp(createdAt) },
      updatedAt: createdAt,
    }));
  }

  /** Evaluates every alarm at `now` (epoch ms); returns the events of the alarms whose state changed. */
  evaluate(now: number): AlarmStateChangeEvent[] {
    const events: AlarmStateChangeEvent[] = [];
    for (const st of this.statuses) {
      const next = this.evaluateOne(st, now);
      if (!next || next.value === st.state.value) continue;
      const previous = st.state;
      st.state = next;
      st.updatedAt = now;
      events.push(this.event(st, previous, now));
    }
    return events;
  }

  /** The alarm's value over the period starting at `at`: its metric's statistic, or its expression over its queries. */
  private valueAt(st: Status, at: number, now: number): { value: number; sampleCount: number } | undefined {
    const { spec } = st;
    if (!spec.math) return this.store.aggregate(st.key, at, spec.periodSeconds, spec.metric.stat, now);
    const queries = new Map(spec.math.map((q) => [q.id, q]));
    const value = (id: string): number | undefined => {
      const q = queries.get(id);
      if (!q) throw new Error(`alarm ${spec.name}: unknown id ${id}`);
      if (q.metric)
        return this.store.aggregate(metricKey(q.metric.namespace, q.metric.metricName, q.metric.dimensions), at, spec.periodSeconds, q.metric.stat, now)?.value;
      return evaluateExpression(q.expression as string, value);
    };
    const returned = spec.math.find((q) => q.returnData);
    const v = returned ? value(returned.id) : undefined;
    return v === undefined ? undefined : { value: v, sampleCount: 1 };
  }

  private evaluateOne(st: Status, now: number): StateDetail | undefined {
    const { spec } = st;
    const n = spec.evaluationPeriods;
    const m = spec.datapointsToAlarm;
    const p = spec.periodSeconds * 1000;
    // the newest period is the last one that has ended; it is usually not published yet
    const newestStart = Math.floor(now / p) * p - p;
    const real: { at: number; value: number; sampleCount: number }[] = [];
    for (let k = 0; k < n + EXTRA_EVALUATION_PERIODS && real.length < n; k++) {
      const at = newestStart - k * p;
      const agg = this.valueAt(st, at, now);
      if (agg) real.push({ at, value: agg.value, sampleCount: agg.sampleCount });
    }
    const realBreaching = real.filter((d) => breaches(spec, d.value)).length;
    const missing = n - real.length;
    let value: AlarmState;
    let breaching = realBreaching;
    if (missing === 0) value = realBreaching >= m ? 'ALARM' : 'OK';
    else
      switch (spec.treatMissingData) {
        case 'breaching':
          breaching = realBreaching + missing;
          value = breaching >= m ? 'ALARM' : 'OK';
          break;
        case 'notBreaching':
          value = realBreaching >= m ? 'ALARM' : 'OK';
          break;
        case 'ignore':
          if (real.length === 0) return undefined;
          value = realBreaching >= m ? 'ALARM' : 'OK';
          break;
        default:
          value = real.length === 0 ? 'INSUFFICIENT_DATA' : realBreaching >= m ? 'ALARM' : 'OK';
      }
    if (value === st.state.value) return st.state;
    const words = COMPARISON_WORDS[spec.comparison] ?? spec.comparison;
    const listed = real.map((d) => `${d.value} (${FMT_DATE(d.at)})`).join(', ');
    const reason =
      value === 'INSUFFICIENT_DATA'
        ? `Insufficient Data: ${n} datapoint${n === 1 ? ' was' : 's were'} unknown.`
        : `Threshold Crossed: ${value === 'ALARM' ? breaching : n - breaching} out of the last ${n} datapoint${n === 1 ? '' : 's'} [${listed}] ${
            n === 1 ? 'was' : 'were'
          } ${value === 'ALARM' ? '' : 'not '}${words} the threshold (${javaDouble(spec.threshold)}) (minimum ${m} datapoint${m === 1 ? '' : 's'} for ${
            st.state.value
          } -> ${value} transition).`;
    const extended = /^p\d/.test(spec.metric.stat);
    const reasonData = JSON.stringify({
      version: '1.0',
      queryDate: cwTimestamp(now),
      startDate: cwTimestamp(real.length ? real[real.length - 1].at : newestStart - (n - 1) * p),
      ...(extended ? { extendedStatistic: spec.metric.stat } : { statistic: spec.metric.stat }),
      period: spec.periodSeconds,
      recentDatapoints: real.map((d) => d.value).reverse(),
      threshold: spec.threshold,
      evaluatedDatapoints: real.map((d) => ({ timestamp: cwTimestamp(d.at), sampleCount: d.sampleCount, value: d.value })),
    });
    return { value, reason, reasonData, timestamp: cwTimestamp(now) };
  }

  private event(st: Status, previous: StateDetail, now: number): AlarmStateChangeEvent {
    const { spec } = st;
    return {
      version: '0',
      id: uuidLike(`alarm-event/${spec.name}/${now}/${++this.events}`),
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: this.account,
      time: isoSeconds(now),
      region: this.region,
      resources: [st.arn],
      detail: {
        alarmName: spec.name,
        state: st.state,
        previousState: previous,
        configuration: {
          description: spec.description,
          metrics: spec.math
            ? // A metric math alarm's event lists its queries: metrics with metricStat, expressions with expression.
              spec.math.map((q) =>
                q.metric
                  ? {
                      id: q.id,
                      metricStat: {
                        metric: { namespace: q.metric.namespace, name: q.metric.metricName, dimensions: { ...q.metric.dimensions } },
                        period: spec.periodSeconds,
                        stat: q.metric.stat,
                      },
                      returnData: q.returnData,
                    }
                  : { id: q.id, expression: q.expression as string, label: q.id, returnData: q.returnData },
              )
            : [
                {
                  id: uuidLike(`alarm-metric/${spec.name}`),
                  metricStat: {
                    metric: { namespace: spec.metric.namespace, name: spec.metric.metricName, dimensions: { ...spec.metric.dimensions } },
                    period: spec.periodSeconds,
                    stat: spec.metric.stat,
                  },
                  returnData: true,
                },
              ],
        },
      },
    };
  }

  /** The alarms as DescribeAlarms returns them. */
  describe() {
    return this.statuses.map((st) => {
      const { spec } = st;
      const extended = /^p\d/.test(spec.metric.stat);
      return {
        AlarmName: spec.name,
        AlarmArn: st.arn,
        AlarmDescription: spec.description,
        AlarmConfigurationUpdatedTimestamp: new Date(0),
        ActionsEnabled: true,
        OKActions: [] as string[],
        AlarmActions: [] as string[],
        InsufficientDataActions: [] as string[],
        StateValue: st.state.value,
        StateReason: st.state.reason,
        StateReasonData: st.state.reasonData,
        StateUpdatedTimestamp: new Date(st.updatedAt),
        StateTransitionedTimestamp: new Date(st.updatedAt),
        MetricName: spec.metric.metricName,
        Namespace: spec.metric.namespace,
        ...(extended ? { ExtendedStatistic: spec.metric.stat } : { Statistic: spec.metric.stat }),
        Dimensions: Object.entries(spec.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
        Period: spec.periodSeconds,
        EvaluationPeriods: spec.evaluationPeriods,
        DatapointsToAlarm: spec.datapointsToAlarm,
        Threshold: spec.threshold,
        ComparisonOperator: spec.comparison,
        TreatMissingData: spec.treatMissingData,
      };
    });
  }

  /** The state of one alarm now. */
  stateOf(name: string): AlarmState | undefined {
    return this.statuses.find((s) => s.spec.name === name)?.state.value;
  }
}
