/**
 * `checkOverride` validates an operator's override before it is written (the CLI and any other entry
 * point call it): the target exists, the fields are ones its kind can override, the values lie within
 * the deployed bounds and pass the kind's own schema and checks, the expiry is in the future and at
 * most `MAX_OVERRIDE_SECONDS` away. Not part of any function bundle: it reads the kinds' config
 * schemas (zod), as synth does; what the functions do with an override in force is
 * lambdas/shared/overrides.ts.
 */
import { z } from 'zod';
import type { AutoscalerConfig } from '../shared/config';
import { ConfigError, describeIssues } from '../shared/config/issues';
import type { OverridableFields } from '../shared/kinds/kind';
import { kindSchemaOf } from '../shared/kinds/schemas';
import { numberAt, type Override, overridableOf } from '../shared/overrides';

/**
 * The longest an override may last: a week. An override is a stopgap for an incident or an event; a
 * bound wanted for longer belongs in the config, where review and deploy see it.
 */
export const MAX_OVERRIDE_SECONDS = 7 * 24 * 3600;

/** What an operator asks for; every field optional but at least one besides the expiry. */
export const overrideInputSchema = z.strictObject({
  /** The floor while the override is in force (the kind's floor field: minCapacity, minReplicas). */
  min: z.number().int().min(0).optional(),
  /** The ceiling while the override is in force (maxCapacity, maxReplicas). */
  max: z.number().int().min(0).optional(),
  /** The tracking target while the override is in force (targetCpu; a queue's maxWaitSeconds). */
  target: z.number().positive().optional(),
  /** Pause the target: decisions are recorded, nothing is changed. */
  paused: z.boolean().optional(),
  /** Dry-run: decisions are recorded as what would have been done. */
  dryRun: z.boolean().optional(),
  /** Epoch ms the override ends. */
  expiresAt: z.number().int().positive(),
  /** Why, for the audit trail. @default none */
  reason: z.string().max(500).optional(),
});

export type OverrideInput = z.input<typeof overrideInputSchema>;

/**
 * Validates an operator's override of `targetId` at `now`; returns the override to store, or throws a
 * ConfigError whose every line names the field and the value.
 */
export function checkOverride(config: AutoscalerConfig, targetId: string, input: unknown, now: number, setBy: string): Override {
  const parsed = overrideInputSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, input), `override of "${targetId}"`);
  const o = parsed.data;
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
      // The kind's own schema and checks judge the target as it would be: a tracking target out of
      // range, or one that breaks a rule across fields, is refused as the config would refuse it.
      const effective = { ...target, [fields.min]: min, [fields.max]: max, ...(o.target !== undefined && fields.target ? { [fields.target]: o.target } : {}) };
      const checked = kindSchemaOf(target).safeParse(effective);
      if (!checked.success) {
        problems.push(...describeIssues(checked.error.issues, effective).map((p) => p.replace(/^([^:]*)/, (path) => overrideName(path, fields))));
      }
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

/** A schema path of the effective target named as the override's field where it is one (`targetCpu` -> `target (targetCpu)`). */
function overrideName(path: string, fields: OverridableFields): string {
  for (const k of ['min', 'max', 'target'] as const) if (fields[k] === path) return `${k} (${path})`;
  return path;
}
