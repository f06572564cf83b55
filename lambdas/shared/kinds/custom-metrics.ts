/**
 * Custom metrics of the capacity kinds (`asg`, `ecs-service`): any CloudWatch metric, or a metric math
 * expression over such metrics, that the fleet is sized on (`targetPerUnit`) or that only crosses a
 * threshold (`threshold`), or that step rules and alerts read by its name (neither). What the alarms
 * and the capacity service read from them (`customSignals`), and their entries in the target's signal
 * table (`customSignalTable`); their schema and checks are lambdas/shared/kinds/schemas/custom-metrics.ts.
 */
import { type AlarmSpec, alarmName, customSignalName, type MetricRef } from '../alarm-spec';
import { type CustomMetricPreset, PRESET_AGGREGATION } from './formats';
import type { CustomMetricConfig, CustomMetricStat } from './schemas/custom-metrics';
import type { SignalTable, TargetSignal } from './signal';

export { CUSTOM_METRIC_PERIODS, CUSTOM_METRIC_PRESETS, type CustomMetricPreset } from './formats';

export type { CustomMetricConfig, CustomMetricStat } from './schemas/custom-metrics';

/** What a preset stands for, once the target's resource is known. */
interface PresetDefinition {
  readonly aggregation: 'perUnit';
  /** The metric, from the target's own fields; undefined for a kind the preset does not fit. */
  metric(target: object): CustomMetricStat | undefined;
}

export const PRESETS: Readonly<Record<CustomMetricPreset, PresetDefinition>> = {
  // The CloudWatch agent publishes mem_used_percent in the CWAgent namespace; with
  // "append_dimensions": {"AutoScalingGroupName": "${aws:AutoScalingGroupName}", ...} and
  // "aggregation_dimensions": [["AutoScalingGroupName"]] it also publishes the series whose only
  // dimension is AutoScalingGroupName, aggregated over the group's instances (CloudWatch User Guide,
  // "Manually create or edit the CloudWatch agent configuration file").
  'asg-memory': {
    aggregation: PRESET_AGGREGATION['asg-memory'],
    metric: (t) =>
      'autoScalingGroupName' in t && typeof t.autoScalingGroupName === 'string'
        ? { namespace: 'CWAgent', metricName: 'mem_used_percent', dimensions: { AutoScalingGroupName: t.autoScalingGroupName }, stat: 'Average', period: 60 }
        : undefined,
  },
};

/** One query of a custom signal, as the service sends it to GetMetricData and an alarm watches it. */
export interface CustomQuery {
  readonly id: string;
  readonly metric?: MetricRef;
  readonly expression?: string;
  readonly returnData: boolean;
}

/** A custom metric of a target, resolved: what to read and what the engine and the alarm do with it. */
export interface CustomSignal {
  readonly name: string;
  /** Its queries; exactly one returns data (its value). */
  readonly queries: readonly CustomQuery[];
  readonly periodSeconds: number;
  readonly targetPerUnit?: number;
  readonly aggregation?: 'total' | 'perUnit';
  readonly threshold?: number;
  /** It reads a SEARCH: CloudWatch cannot alarm on it ("You can't create an alarm based on the SEARCH expression", CloudWatch User Guide). */
  readonly search: boolean;
}

const ref = (m: CustomMetricStat): MetricRef => ({ namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.stat });

/** The custom metrics of a parsed target, resolved against its own fields (presets). */
export function customSignals(target: { readonly customMetrics?: readonly CustomMetricConfig[] }): CustomSignal[] {
  return (target.customMetrics ?? []).map((m) => {
    const goal = { targetPerUnit: m.targetPerUnit, threshold: m.threshold };
    if (m.queries) {
      const period = m.queries.find((q) => q.metric)?.metric?.period ?? 60;
      return {
        name: m.name,
        queries: m.queries.map((q) => ({ id: q.id, metric: q.metric && ref(q.metric), expression: q.expression, returnData: q.returnData })),
        periodSeconds: period,
        ...goal,
        aggregation: m.aggregation,
        search: m.queries.some((q) => q.expression !== undefined && /\bSEARCH\s*\(/.test(q.expression)),
      };
    }
    const stat = m.metric ?? (m.preset ? PRESETS[m.preset].metric(target) : undefined);
    if (!stat) throw new Error(`custom metric "${m.name}": preset ${m.preset} does not fit this target`);
    return {
      name: m.name,
      queries: [{ id: 'm', metric: ref(stat), returnData: true }],
      periodSeconds: stat.period,
      ...goal,
      aggregation: m.aggregation ?? (m.preset ? PRESETS[m.preset].aggregation : undefined),
      search: false,
    };
  });
}

/**
 * The custom metrics of a target as entries of its signal table, by name: period, metric (a metric math
 * one's first metric and its queries), unit their own. One read with SEARCH is unavailable (CloudWatch
 * cannot alarm on it, and step rules and alerts are alarms). Never throws: called while the config is
 * checked, a preset that does not fit (already reported) is unavailable.
 */
export function customSignalTable(target: { readonly customMetrics?: readonly CustomMetricConfig[] }): SignalTable {
  const out: Record<string, TargetSignal> = {};
  for (const m of target.customMetrics ?? []) {
    const stat = m.metric ?? (m.preset ? PRESETS[m.preset].metric(target) : undefined);
    if (stat) {
      out[m.name] = { unit: '', periodSeconds: stat.period, metric: ref(stat) };
      continue;
    }
    const first = m.queries?.find((q) => q.metric)?.metric;
    const search = m.queries?.some((q) => q.expression !== undefined && /\bSEARCH\s*\(/.test(q.expression));
    out[m.name] =
      m.queries && first && !search
        ? {
            unit: '',
            periodSeconds: first.period,
            metric: ref(first),
            math: m.queries.map((q) => ({ id: q.id, metric: q.metric && ref(q.metric), expression: q.expression, returnData: q.returnData })),
          }
        : {
            unit: '',
            periodSeconds: first?.period ?? 60,
            unavailable: search ? 'it reads a SEARCH, which CloudWatch cannot alarm on' : `its preset does not fit this kind`,
          };
  }
  return out;
}

/** Consecutive datapoints above the threshold that raise a custom metric's alarm: a minute's worth at 60 s, 30 s at high resolution. */
const ALARM_DATAPOINTS: Readonly<Record<number, number>> = { 10: 3, 30: 2, 60: 1 };

/**
 * One alarm per custom metric, the scale-out fast path: above the target per unit (`perUnit`), above
 * what the floor's units carry (`total`: while in ALARM the 1-minute re-evaluation decides on it again),
 * or above the threshold. None for a metric read with SEARCH, which CloudWatch cannot alarm on, nor for
 * one with neither (a signal of step rules and alerts, which have their own alarms).
 */
export function customAlarms(prefix: string, target: { readonly id: string; readonly minCapacity: number }, signals: readonly CustomSignal[]): AlarmSpec[] {
  return signals.flatMap((c): AlarmSpec[] => {
    if (c.search || (c.targetPerUnit === undefined && c.threshold === undefined)) return [];
    const floor = Math.max(1, target.minCapacity);
    const threshold = c.targetPerUnit === undefined ? (c.threshold as number) : c.aggregation === 'total' ? c.targetPerUnit * floor : c.targetPerUnit;
    const what =
      c.targetPerUnit === undefined
        ? `above ${threshold}`
        : c.aggregation === 'total'
          ? `above ${threshold} in all (${c.targetPerUnit} per unit on ${floor})`
          : `above ${threshold} per unit`;
    const n = ALARM_DATAPOINTS[c.periodSeconds] ?? 1;
    const plain = c.queries.length === 1 && c.queries[0].metric !== undefined;
    const first = c.queries.find((q) => q.metric)?.metric as MetricRef;
    return [
      {
        name: alarmName(prefix, target.id, customSignalName(c.name), 'high'),
        targetId: target.id,
        signal: customSignalName(c.name),
        direction: 'high',
        metric: first,
        periodSeconds: c.periodSeconds,
        evaluationPeriods: n,
        datapointsToAlarm: n,
        threshold,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'missing',
        description: `${target.id}: ${c.name} ${what} for ${n * c.periodSeconds} s`,
        ...(plain ? {} : { math: c.queries }),
      },
    ];
  });
}
