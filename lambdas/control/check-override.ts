/**
 * `checkOverride` validates an operator's override before it is written (the CLI and the operator API
 * both call it, through ./overrides.ts): the target exists, the fields are ones its kind can override,
 * the values lie within the deployed bounds and within what the kind's config schema allows for the
 * field, the expiry is in the future and at most `MAX_OVERRIDE_SECONDS` away. It loads no zod, so that
 * the operator API's bundle stays small: the input is checked with valibot, and the fields with the
 * rules the kind declares (`overridable.rules`), which the config schema is built from too. What the
 * functions do with an override in force is lambdas/shared/overrides.ts.
 */
import * as v from 'valibot';
import type { AutoscalerConfig } from '../shared/config';
import { ConfigError } from '../shared/config/error';
import type { OverridableFields } from '../shared/kinds/kind';
import { numberAt, type Override, overridableOf } from '../shared/overrides';
import { problemsOf, ruleSchema } from '../shared/validate';

/**
 * The longest an override may last: a week. An override is a stopgap for an incident or an event; a
 * bound wanted for longer belongs in the config, where review and deploy see it.
 */
export const MAX_OVERRIDE_SECONDS = 7 * 24 * 3600;

/** A whole number from 0. */
const count = () => v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)));

/** What an operator asks for; every field optional but at least one besides the expiry. */
export const overrideInputSchema = v.strictObject({
  /** The floor while the override is in force (the kind's floor field: minCapacity, minReplicas). */
  min: count(),
  /** The ceiling while the override is in force (maxCapacity, maxReplicas). */
  max: count(),
  /** The tracking target while the override is in force (targetCpu; a queue's maxWaitSeconds). */
  target: v.optional(v.pipe(v.number(), v.gtValue(0))),
  /** Pause the target: decisions are recorded, nothing is changed. */
  paused: v.optional(v.boolean()),
  /** Dry-run: decisions are recorded as what would have been done. */
  dryRun: v.optional(v.boolean()),
  /** Epoch ms the override ends. */
  expiresAt: v.pipe(v.number(), v.integer(), v.gtValue(0)),
  /** Why, for the audit trail. @default none */
  reason: v.optional(v.pipe(v.string(), v.maxLength(500))),
});

export type OverrideInput = v.InferInput<typeof overrideInputSchema>;

/**
 * Validates an operator's override of `targetId` at `now`; returns the override to store, or throws a
 * ConfigError whose every line names the field and the value.
 */
export function checkOverride(config: AutoscalerConfig, targetId: string, input: unknown, now: number, setBy: string): Override {
  const parsed = problemsOf(overrideInputSchema, input);
  if (parsed.problems) throw new ConfigError(parsed.problems, `override of "${targetId}"`);
  const o = parsed.output;
  const target = config.targets.find((t) => t.id === targetId);
  const problems: string[] = [];
  if (!target) {
    throw new ConfigError([`no target "${targetId}" in this deployment (${config.targets.map((t) => t.id).join(', ')})`], 'override');
  }
  const fields = overridableOf(target);
  if (o.expiresAt <= now) problems.push(`expiresAt: ${new Date(o.expiresAt).toISOString()} is not in the future`);
  else if (o.expiresAt - now > MAX_OVERRIDE_SECONDS * 1000) {
    problems.push(`expiresAt: ${new Date(o.expiresAt).toISOString()} is more than 7 days away; a lasting change belongs in the config`);
  }
  const asked = (['min', 'max', 'target'] as const).filter((k) => o[k] !== undefined);
  if (asked.length === 0 && o.paused === undefined && o.dryRun === undefined) problems.push('nothing to override: give min, max, target, paused or dryRun');
  for (const k of asked) {
    const field = fields?.[k];
    if (!field) problems.push(`${k}: a ${target.kind} target has no ${k} to override (it can be paused or put in dry-run)`);
  }
  if (fields && problems.length === 0) {
    const floor = numberAt(target, fields.min);
    const ceiling = numberAt(target, fields.max);
    for (const k of ['min', 'max'] as const) {
      const v = o[k];
      if (v !== undefined && (v < floor || v > ceiling)) {
        problems.push(`${k}: ${v} is outside the deployed ${fields.min}-${fields.max} ${floor}-${ceiling} of "${target.id}"`);
      }
    }
    const min = o.min ?? floor;
    const max = o.max ?? ceiling;
    if (problems.length === 0 && min > max) problems.push(`min: ${min} is above max ${max}`);
    if (problems.length === 0) {
      // The fields as they would be, judged by the rules the kind's config schema is built from: a
      // tracking target out of range, or a ceiling of 0 where the config wants at least 1, is refused
      // as the config would refuse it, in its words.
      problems.push(...fieldProblems(fields, { min, max, ...(o.target !== undefined ? { target: o.target } : {}) }));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, `override of "${targetId}"`);
  return {
    targetId,
    ...(o.min !== undefined ? { min: o.min } : {}),
    ...(o.max !== undefined ? { max: o.max } : {}),
    ...(o.target !== undefined ? { target: o.target } : {}),
    ...(o.paused !== undefined ? { paused: o.paused } : {}),
    ...(o.dryRun !== undefined ? { dryRun: o.dryRun } : {}),
    expiresAt: o.expiresAt,
    setAt: now,
    setBy,
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
  };
}

/**
 * The problems of an override's values under the kind's rules, each named as the override's field and
 * the config's (`target (targetCpu): 150 is above the maximum 100`).
 */
export function fieldProblems(fields: OverridableFields, values: { readonly min: number; readonly max: number; readonly target?: number }): string[] {
  const problems: string[] = [];
  for (const k of ['min', 'max', 'target'] as const) {
    const rule = fields.rules[k];
    const value = values[k];
    if (value === undefined || fields[k] === undefined) continue;
    // A kind with a tracking target declares its rule (test/lambdas/shared/kinds/overridable.test.ts).
    if (!rule) throw new Error(`the kind's overridable ${k} has no rule`);
    const checked = problemsOf(ruleSchema(rule), value);
    if (checked.problems) problems.push(...checked.problems.map((p) => p.replace(/^\(root\)/, `${k} (${fields[k]})`)));
  }
  return problems;
}
