/**
 * The config schema of `policy: step` and its rules (synth only); their checks, alarms and the
 * engine's rules are lambdas/shared/kinds/step-policy.ts.
 */
import { z } from 'zod';
import { DAY, MAX_UNITS } from '../../config/fields';

/** Most rules of one target (alarm names `step-0` ... `step-19`). */
export const MAX_STEP_RULES = 20;

/** A change of the desired count: exactly one of `add`, `percent` (with `minMagnitude`) or `set`. */
export const stepChangeSchema = z.strictObject({
  /** Units added (up rules: `1` or `+1`) or removed (down rules: `-1`). */
  add: z.number().int().min(-MAX_UNITS).max(MAX_UNITS).optional(),
  /** Share of the current count, percent, added (up) or removed (down); fractions round down, at least one unit. */
  // Common sense: a step of more than ten times the current count is a typo.
  percent: z.number().min(-100).max(1000).optional(),
  /** With `percent`: the least units the change makes. @default 1 */
  minMagnitude: z.number().int().min(1).max(MAX_UNITS).optional(),
  /** The desired count to set: an up rule only raises the count to it, a down rule only lowers it. */
  set: z.number().int().min(0).max(MAX_UNITS).optional(),
});

export const stepRuleSchema = z.strictObject({
  /** The signal: one of the target's signals (see the README's table), or one of its custom metrics by name. */
  signal: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'must be a signal name: a letter, then letters, digits, "_" or "-"'),
  /** `up` adds units, `down` removes them. */
  direction: z.enum(['up', 'down']),
  /** `>` or `>=` for an up rule, `<` or `<=` for a down rule. */
  comparison: z.enum(['>', '>=', '<', '<=']),
  /** In the signal's unit (percent, requests per target per period, seconds, messages). */
  threshold: z.number().min(-1e12).max(1e12),
  /**
   * N: the newest datapoints looked at. With `datapointsToAlarm` M, the rule holds when M of them breach.
   * @default 1
   */
  evaluationPeriods: z
    .number()
    .int()
    .min(1)
    .max(DAY / 10)
    .default(1),
  /** M: datapoints of the N that must breach. @default evaluationPeriods (all of them) */
  datapointsToAlarm: z
    .number()
    .int()
    .min(1)
    .max(DAY / 10)
    .optional(),
  /**
   * Seconds per datapoint: 60 (or a multiple) for AWS's built-in metrics, which CloudWatch stores at
   * one minute; 10, 20 and 30 only for high-resolution metrics. @default 60
   */
  periodSeconds: z.number().int().min(10).max(DAY).default(60),
  /** What the rule does to the desired count. */
  change: stepChangeSchema,
  /**
   * Seconds the rule waits after the last change of its direction (a down rule: of either direction)
   * before it acts again. @default 300
   */
  cooldownSeconds: z.number().int().min(0).max(DAY).default(300),
});

export type StepRuleConfig = z.output<typeof stepRuleSchema>;

/** The fields of a target that may use the step policy. */
export const stepPolicyFields = {
  /**
   * `target-tracking`: the project's engine (the target's other settings); `step`: the rules of `stepRules`.
   * @default "target-tracking"
   */
  policy: z.enum(['target-tracking', 'step']).optional(),
  /** With `policy: step`: the rules, each with its own alarm. */
  stepRules: z.array(stepRuleSchema).min(1).max(MAX_STEP_RULES).optional(),
  /**
   * With `policy: step`: seconds between two evaluations while a rule's alarm stays in ALARM (the
   * function's schedule runs every minute; an alarm's state change is evaluated at once). @default 60
   */
  evaluationIntervalSeconds: z.number().int().min(60).max(DAY).optional(),
};
