/**
 * `policy: step`: threshold rules with sustained windows and steps, beside the default target-tracking
 * engine, for the kinds that size a fleet (`asg`, `ecs-service`, `queue-workers`). The checks across the
 * fields every such kind spreads into its schema (lambdas/shared/kinds/schemas/step-policy.ts), the
 * alarms (one per rule, M of N) and the engine's rules (lambdas/engine/step.ts).
 *
 * A rule's `signal` names a signal of its target's table (`signals` in lambdas/shared/kinds/kind.ts): a
 * built-in signal of its kind, or one of the target's custom metrics by its name.
 */
import type { StepRule } from '../../engine/step';
import { type AlarmSpec, alarmName } from '../alarm-spec';
import { DAY } from '../config/bounds';
import type { ConfigPath, IssueSink } from '../config/checks';
import type { StepRuleConfig } from './schemas/step-policy';
import { lookUpSignal, retentionSeconds, type SignalTable, type TargetSignal } from './signal';

export type { StepRuleConfig } from './schemas/step-policy';

/**
 * Period x evaluation periods of a CloudWatch alarm: at most one day for a period under one hour, seven
 * days otherwise (PutMetricAlarm, `Period`: "For alarms with a period of less than one hour (3,600
 * seconds), the total evaluation period can't be longer than one day (86,400 seconds)"; 604,800 s in all).
 */
export const MAX_ALARM_RANGE_SECONDS = { underAnHour: DAY, otherwise: 7 * DAY } as const;

export interface StepPolicyFields {
  readonly kind: string;
  readonly id: string;
  readonly policy?: 'target-tracking' | 'step';
  readonly stepRules?: readonly StepRuleConfig[];
  readonly evaluationIntervalSeconds?: number;
}

export const DEFAULT_EVALUATION_INTERVAL_SECONDS = 60;

/** Whether the target decides with its step rules. */
export function usesStepPolicy(target: StepPolicyFields): target is StepPolicyFields & { readonly stepRules: readonly StepRuleConfig[] } {
  return target.policy === 'step' && target.stepRules !== undefined;
}

/** The engine's rules of a target (M filled in). */
export function stepRulesOf(target: StepPolicyFields): StepRule[] {
  return (target.stepRules ?? []).map((r) => ({
    signal: r.signal,
    direction: r.direction,
    comparison: r.comparison,
    threshold: r.threshold,
    datapointsToAlarm: r.datapointsToAlarm ?? r.evaluationPeriods,
    evaluationPeriods: r.evaluationPeriods,
    periodSeconds: r.periodSeconds,
    change: changeOf(r.change),
    cooldownSeconds: r.cooldownSeconds,
  }));
}

function changeOf(c: StepRuleConfig['change']): StepRule['change'] {
  if (c.set !== undefined) return { set: c.set };
  if (c.percent !== undefined) return { percent: c.percent, ...(c.minMagnitude !== undefined ? { minMagnitude: c.minMagnitude } : {}) };
  return { add: c.add ?? 0 };
}

const COMPARISON_OPERATOR = {
  '>': 'GreaterThanThreshold',
  '>=': 'GreaterThanOrEqualToThreshold',
  '<': 'LessThanThreshold',
  '<=': 'LessThanOrEqualToThreshold',
} as const;

/**
 * One alarm per rule, `<prefix>/<targetId>/step-<i>/<high|low>`, M of N datapoints at the rule's period.
 * Up rules leave missing datapoints missing (no data is INSUFFICIENT_DATA, which the schedule watches);
 * down rules count them as not breaching: a scale-in never fires on an absence of data.
 */
export function stepAlarms(prefix: string, target: StepPolicyFields, signals: SignalTable): AlarmSpec[] {
  return stepRulesOf(target).flatMap((rule, i) => {
    const source = lookUpSignal(signals, rule.signal, 'step', target.kind);
    if ('problem' in source || !source.metric) return [];
    const metric = source.metric;
    const direction = rule.direction === 'up' ? 'high' : 'low';
    const signal = `step-${i}` as const;
    return [
      {
        name: alarmName(prefix, target.id, signal, direction),
        targetId: target.id,
        signal,
        direction,
        metric,
        periodSeconds: rule.periodSeconds,
        evaluationPeriods: rule.evaluationPeriods,
        datapointsToAlarm: rule.datapointsToAlarm,
        threshold: rule.threshold,
        comparison: COMPARISON_OPERATOR[rule.comparison],
        treatMissingData: rule.direction === 'up' ? 'missing' : 'notBreaching',
        description: `${target.id}: stepRules[${i}]: ${rule.signal} ${rule.comparison} ${rule.threshold} for ${rule.datapointsToAlarm} of ${rule.evaluationPeriods} x ${rule.periodSeconds} s`,
        ...(source.math ? { math: source.math } : {}),
      },
    ];
  });
}

/**
 * The step policy's rules across fields: `policy: step` exactly when `stepRules` is set; each rule on a
 * signal of the target's table that it has (a custom metric's by name), at a period the metric is
 * stored at, with a comparison of its direction, a change that changes something in its direction, M
 * no more than N, a window CloudWatch can evaluate and still holds the datapoints of; and on one signal
 * every up threshold above every down threshold (a value both would act on has no right answer).
 */
export function checkStepPolicy(
  t: StepPolicyFields,
  signalsOf: () => SignalTable,
  [min, max]: readonly [number, number],
  at: ConfigPath,
  ctx: IssueSink,
): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: [...at, ...path], message });
  const step = t.policy === 'step';
  if (step && !t.stepRules) issue(['stepRules'], 'is required with policy "step" (at least one rule)');
  if (!step && t.stepRules) issue(['stepRules'], `is only read with policy "step" (policy is ${JSON.stringify(t.policy ?? 'target-tracking')})`);
  if (!step && t.evaluationIntervalSeconds !== undefined) {
    issue(['evaluationIntervalSeconds'], `${t.evaluationIntervalSeconds} is only read with policy "step"`);
  }
  const rules = t.stepRules ?? [];
  if (!rules.length) return;
  // Only now: the kind's metrics read fields whose own problems are reported already.
  const signals = signalsOf();
  rules.forEach((r, i) => {
    const here = (...path: string[]) => ['stepRules', i, ...path];
    const found = lookUpSignal(signals, r.signal, 'step', t.kind);
    if ('problem' in found) issue(here('signal'), found.problem);
    const source: TargetSignal | undefined = 'problem' in found ? undefined : found;
    if (![10, 20, 30].includes(r.periodSeconds) && r.periodSeconds % 60 !== 0) {
      issue(here('periodSeconds'), `${r.periodSeconds} is not a CloudWatch alarm period (10, 20, 30 or a multiple of 60)`);
    } else if (source && r.periodSeconds < source.periodSeconds) {
      issue(
        here('periodSeconds'),
        `${r.periodSeconds} is below the ${source.periodSeconds} s at which CloudWatch stores ${JSON.stringify(r.signal)}; 10, 20 and 30 s periods are for high-resolution metrics`,
      );
    }
    const up = r.direction === 'up';
    const a = up ? 'an up rule' : 'a down rule';
    if (up !== (r.comparison === '>' || r.comparison === '>=')) {
      issue(here('comparison'), `"${r.comparison}" does not fit ${a} (${up ? '">" or ">="' : '"<" or "<="'})`);
    }
    const m = r.datapointsToAlarm;
    if (m !== undefined && m > r.evaluationPeriods) {
      issue(here('datapointsToAlarm'), `${m} is more than evaluationPeriods ${r.evaluationPeriods}: M of N needs M <= N`);
    }
    const range = r.periodSeconds * r.evaluationPeriods;
    const limit = r.periodSeconds < 3600 ? MAX_ALARM_RANGE_SECONDS.underAnHour : MAX_ALARM_RANGE_SECONDS.otherwise;
    const kept = retentionSeconds(r.periodSeconds);
    if (range > kept) {
      issue(
        here('evaluationPeriods'),
        `${r.evaluationPeriods} x ${r.periodSeconds} s is ${range} s, longer than the ${kept} s CloudWatch keeps datapoints of a ${r.periodSeconds} s period`,
      );
    } else if (range > limit) {
      issue(
        here('evaluationPeriods'),
        `${r.evaluationPeriods} x ${r.periodSeconds} s is ${range} s, longer than the ${limit} s a CloudWatch alarm evaluates${r.periodSeconds < 3600 ? ' with a period under one hour' : ''}`,
      );
    }
    checkChange(r, a, [min, max], (path, message) => issue(here('change', ...path), message));
  });
  // On one signal, every up threshold lies above every down threshold.
  rules.forEach((u, i) => {
    if (u.direction !== 'up') return;
    rules.forEach((d, j) => {
      if (d.direction !== 'down' || d.signal !== u.signal || u.threshold > d.threshold) return;
      issue(
        ['stepRules', i, 'threshold'],
        `${u.threshold} is at or below the threshold ${d.threshold} of the down rule stepRules[${j}] on ${JSON.stringify(u.signal)}: up and down thresholds overlap`,
      );
    });
  });
}

function checkChange(r: StepRuleConfig, a: string, [min, max]: readonly [number, number], issue: (path: string[], message: string) => void): void {
  const c = r.change;
  const given = (['add', 'percent', 'set'] as const).filter((k) => c[k] !== undefined);
  if (given.length !== 1) {
    issue(given.length ? [given[1]] : [], `needs exactly one of add, percent or set (${given.length ? given.join(' and ') : 'none'} given)`);
    return;
  }
  const sign = r.direction === 'up' ? 1 : -1;
  if (c.minMagnitude !== undefined && c.percent === undefined) issue(['minMagnitude'], `${c.minMagnitude} is only read with percent`);
  for (const key of ['add', 'percent'] as const) {
    const v = c[key];
    if (v === undefined) continue;
    if (v === 0) issue([key], '0 changes nothing');
    else if (Math.sign(v) !== sign) issue([key], `${v} does not fit ${a} (${r.direction === 'up' ? 'positive' : 'negative'})`);
  }
  if (c.set !== undefined && (c.set < min || c.set > max)) issue(['set'], `${c.set} is outside minCapacity-maxCapacity (${min}-${max})`);
}
