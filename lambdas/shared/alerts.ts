/**
 * Alert-only rules: a target's `alerts` become CloudWatch alarms that tell the deployment's topic when
 * they fire and when they clear, and never scale anything. Their names start with `<prefix>.alert/`,
 * never `<prefix>/`: the families' rules take alarm state changes by the name prefix `<prefix>/`
 * (lambdas/shared/alarms.ts, alarmRulePattern), and since a prefix holds no `.`, no deployment's
 * family rule can take an alert for one of its targets' alarms.
 *
 * An alert reads its target's signal table (`signals` in lambdas/shared/kinds/kind.ts), the one its
 * step rules read too; this module holds the checks and the alarm specs, and imports no kind (the schema:
 * lambdas/shared/kinds/schemas/alerts.ts).
 */
import type { AlarmQuery, MetricRef } from './alarm-spec';
import type { ConfigPath, IssueSink } from './config/checks';
import { ALERT_COMPARISONS, ALERT_PERIOD_SECONDS, type AlertComparison } from './kinds/formats';
import type { AlertConfig } from './kinds/schemas/alerts';
import { lookUpSignal, type SignalTable } from './kinds/signal';

export { ALERT_COMPARISONS, ALERT_PERIOD_SECONDS, type AlertComparison, MAX_ALERT_RANGE_SECONDS, MAX_ALERTS_PER_TARGET } from './kinds/formats';

export type { AlertConfig } from './kinds/schemas/alerts';

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
export function checkAlerts(alerts: readonly AlertConfig[], signals: SignalTable, kind: string, at: ConfigPath, ctx: IssueSink): void {
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
