/**
 * A target's signals: the metrics its step rules (`stepRules[].signal`, lambdas/shared/kinds/step-policy.ts)
 * and its alert-only rules (`alerts[].signal`, lambdas/shared/alerts.ts) name. Each kind declares one
 * table (`signals` in lambdas/shared/kinds/kind.ts): its built-in signals, and for a kind with
 * `customMetrics` each custom metric under its own name. Both kinds of rule read that one table, and
 * this module checks a name against it.
 *
 * Names are camelCase, as the config's keys are and as CloudWatch's metric names read
 * (`RequestCountPerTarget` -> `requestCountPerTarget`); a custom metric keeps its own name
 * (`connections`). The alert rules' former names are refused with the name that replaced them
 * (lambdas/shared/config/renamed.ts).
 */
import type { AlarmQuery, MetricRef } from '../alarm-spec';
import { renamedSignal } from '../config/renamed';

/** One signal of a target, as its kind declares it. */
export interface TargetSignal {
  /** What a threshold on it is in (`%`, `s`, `messages`, `requests`); a custom metric's: `""` (its own). */
  readonly unit: string;
  /**
   * Seconds per datapoint at which CloudWatch stores it: 60 for AWS's own metrics; 10, 30 or 60 for a
   * custom metric (high resolution below 60). A rule's period is never below it.
   */
  readonly periodSeconds: number;
  /** The metric; with `math`, the first metric the queries read. Unset: not available on this target. */
  readonly metric?: MetricRef;
  /** A metric math signal: its queries, exactly one returning the value. @default none: `metric` alone */
  readonly math?: readonly AlarmQuery[];
  /** Why it is not available on this target (`it needs targetGroup`). @default available */
  readonly unavailable?: string;
  /** Why step rules may not read it, though alerts may. @default step rules may */
  readonly notForSteps?: string;
}

/** A kind's signals of one target, by name. */
export type SignalTable = Readonly<Record<string, TargetSignal>>;

/** Who reads a signal: a step rule or an alert. */
export type SignalUse = 'step' | 'alert';

/**
 * The signal `name` of `table` for `use`, or the problem with it in words: not a signal of the kind
 * (listing the kind's), an old name (naming the new one), not available on this target, or not for
 * step rules.
 */
export function lookUpSignal(table: SignalTable, name: string, use: SignalUse, kind: string): TargetSignal | { problem: string } {
  const signal = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!signal) {
    const renamed = renamedSignal(name);
    if (renamed !== undefined && Object.hasOwn(table, renamed)) return { problem: `"${name}" was renamed: write ${renamed} instead (same metric)` };
    const names = Object.keys(table).filter((n) => use === 'alert' || table[n].notForSteps === undefined);
    return { problem: `"${name}" is not a signal of this ${kind} target (${names.length ? names.join(', ') : 'none'})` };
  }
  if (!signal.metric) return { problem: `"${name}" is not available on this target: ${signal.unavailable ?? 'it has no metric'}` };
  if (use === 'step' && signal.notForSteps !== undefined) return { problem: `"${name}" is not for step rules: ${signal.notForSteps}` };
  return signal;
}

/**
 * How long CloudWatch keeps datapoints of a period: under 60 s for 3 hours, 60 s for 15 days, 300 s for
 * 63 days, 3,600 s for 455 days (GetMetricData API reference: "Data points with a period of less than 60
 * seconds are available for 3 hours ... with a period of 60 seconds (1-minute) are available for 15 days
 * ... 300 seconds (5-minute) are available for 63 days ... 3600 seconds (1 hour) are available for 455
 * days"). A rule whose window is longer reads datapoints that no longer exist at its period.
 */
export function retentionSeconds(periodSeconds: number): number {
  const day = 86_400;
  if (periodSeconds < 60) return 3 * 3600;
  if (periodSeconds < 300) return 15 * day;
  if (periodSeconds < 3600) return 63 * day;
  return 455 * day;
}
