/**
 * Alert-only rules: a target's `alerts` become CloudWatch alarms that tell the deployment's topic when
 * they fire and when they clear, and never scale anything. Their names start with `<prefix>.alert/`,
 * never `<prefix>/`: the families' rules take alarm state changes by the name prefix `<prefix>/`
 * (lambdas/shared/alarms.ts, alarmRulePattern), and since a prefix holds no `.`, no deployment's
 * family rule can take an alert for one of its targets' alarms.
 *
 * An alert reads its target's signal table (`signals` in lambdas/shared/kinds/kind.ts), the one its
 * step rules read too; this module holds the schema, the checks and the alarm specs, and imports no kind.
 */
import { z } from 'zod';
import type { AlarmQuery, MetricRef } from './alarm-spec';
import type { ConfigPath } from './config/checks';
import { lookUpSignal, type SignalTable } from './kinds/signal';

/** CloudWatch's comparison operators, by the sign a rule is written with (`CPU > 70%`). */
export const ALERT_COMPARISONS = {
  '>': 'GreaterThanThreshold',
  '>=': 'GreaterThanOrEqualToThreshold',
  '<': 'LessThanThreshold',
  '<=': 'LessThanOrEqualToThreshold',
} as const;
export type AlertComparison = keyof typeof ALERT_COMPARISONS;

/**
 * An alarm's evaluation range: PutMetricAlarm refuses Period x EvaluationPeriods above one day for a
 * period under an hour; an alert reads its signal at 60 s, so at most 1,440 datapoints.
 */
export const MAX_ALERT_RANGE_SECONDS = 86_400;
export const ALERT_PERIOD_SECONDS = 60;

/** Most alerts on one target (common sense: a handful of rules per target; each is a billed alarm). */
export const MAX_ALERTS_PER_TARGET = 10;

export const alertSchema = z.strictObject({
  /** Names the alarm (`<prefix>.alert/<targetId>/<name>`) and the notification; unique within the target. */
  name: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'must be 1-40 lowercase letters, digits or dashes, starting and ending with a letter or digit'),
  /** One of the target's signals (see the README's `alerts` table for each kind's). */
  signal: z.string().min(1).max(40),
  /** How a datapoint is compared with the threshold: `>`, `>=`, `<` or `<=`. */
  comparison: z.enum(Object.keys(ALERT_COMPARISONS) as [AlertComparison, ...AlertComparison[]]),
  /** In the signal's unit (percent, seconds, messages, requests: 0 or more; a custom metric's own). */
  // Common sense: beyond a trillion is a stray digit for every signal a kind offers.
  threshold: z.number().min(-1e12).max(1e12),
  /**
   * M: datapoints beyond the threshold, among the last `evaluationPeriods`, that raise the alert.
   * @default evaluationPeriods (all of them: M of M)
   */
  datapointsToAlarm: z.number().int().min(1).max(1440).optional(),
  /** N: the datapoints (each one period of the signal, 60 s) the alert looks at. */
  evaluationPeriods: z
    .number()
    .int()
    .min(1)
    .max(MAX_ALERT_RANGE_SECONDS / ALERT_PERIOD_SECONDS),
  /**
   * What a period without a datapoint counts as: `missing` (the alert keeps its state), `notBreaching`,
   * `breaching`, `ignore`.
   * @default missing
   */
  treatMissingData: z.enum(['missing', 'notBreaching', 'breaching', 'ignore']).default('missing'),
});

export type AlertConfig = z.output<typeof alertSchema>;

/** A target's `alerts`. @default [] */
export const alertsSchema = z.array(alertSchema).max(MAX_ALERTS_PER_TARGET).default([]);

/** The alert's alarm, as plain data (what lib/ synthesizes). */
export interface AlertSpec {
  /** `<prefix>.alert/<targetId>/<alert name>` */
  readonly name: string;
  readonly targetId: string;
  readonly alert: string;
  readonly signal: string;
  readonly metric: MetricRef;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: (typeof ALERT_COMPARISONS)[AlertComparison];
  readonly treatMissingData: AlertConfig['treatMissingData'];
  readonly description: string;
  /** A metric math signal's queries (each metric at `periodSeconds`); `metric` is then the first they read. @default none */
  readonly math?: readonly AlarmQuery[];
}

/** Where every alert alarm name of a deployment starts: `<prefix>.alert/`. */
export function alertNamePrefix(prefix: string): string {
  return `${prefix}.alert/`;
}

export function alertAlarmName(prefix: string, targetId: string, alert: string): string {
  return `${alertNamePrefix(prefix)}${targetId}/${alert}`;
}

/**
 * Signals of the target's table that it has, unique names, M not above N; one issue per problem below
 * `at` (`['targets', 3]`). The range (N periods of 60 s) is bounded to a day by the schema, well within
 * the 15 days CloudWatch keeps one-minute datapoints.
 */
export function checkAlerts(alerts: readonly AlertConfig[], signals: SignalTable, kind: string, at: ConfigPath, ctx: z.core.$RefinementCtx): void {
  const seen = new Map<string, number>();
  alerts.forEach((a, i) => {
    const path = [...at, 'alerts', i];
    const first = seen.get(a.name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: `"${a.name}" is already the name of alerts[${first}]` });
    else seen.set(a.name, i);
    const signal = lookUpSignal(signals, a.signal, 'alert', kind);
    if ('problem' in signal) ctx.addIssue({ code: 'custom', path: [...path, 'signal'], message: signal.problem });
    // Every built-in signal counts or measures something (percent, seconds, messages): never below 0. A custom metric may be.
    else if (signal.unit !== '' && a.threshold < 0) {
      ctx.addIssue({ code: 'custom', path: [...path, 'threshold'], message: `${a.threshold} is below 0, which "${a.signal}" never is` });
    }
    if (a.datapointsToAlarm !== undefined && a.datapointsToAlarm > a.evaluationPeriods) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'datapointsToAlarm'],
        message: `${a.datapointsToAlarm} is more than evaluationPeriods ${a.evaluationPeriods}: M of N datapoints needs M <= N`,
      });
    }
  });
}

/** The alarms of a target's alerts (a valid config: every signal is one of `signals`, available). */
export function alertSpecs(prefix: string, targetId: string, alerts: readonly AlertConfig[], signals: SignalTable): AlertSpec[] {
  return alerts.map((a) => {
    const signal = lookUpSignal(signals, a.signal, 'alert', 'this');
    if ('problem' in signal || !signal.metric) throw new Error(`alert "${a.name}" of "${targetId}": ${'problem' in signal ? signal.problem : 'no metric'}`);
    const m = a.datapointsToAlarm ?? a.evaluationPeriods;
    const minutes = (a.evaluationPeriods * ALERT_PERIOD_SECONDS) / 60;
    const unit = signal.unit === '%' ? '%' : signal.unit ? ` ${signal.unit}` : '';
    return {
      name: alertAlarmName(prefix, targetId, a.name),
      targetId,
      alert: a.name,
      signal: a.signal,
      metric: signal.metric,
      periodSeconds: ALERT_PERIOD_SECONDS,
      evaluationPeriods: a.evaluationPeriods,
      datapointsToAlarm: m,
      threshold: a.threshold,
      comparison: ALERT_COMPARISONS[a.comparison],
      treatMissingData: a.treatMissingData,
      description: `${targetId}: ${a.signal} ${a.comparison} ${a.threshold}${unit} in ${m} of the last ${a.evaluationPeriods} datapoints (${minutes} min); alert only, never scales`,
      ...(signal.math ? { math: signal.math } : {}),
    };
  });
}
