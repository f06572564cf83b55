/**
 * Runtime overrides: an operator narrows a target's floor and ceiling, moves its tracking target, or
 * pauses it or puts it in dry-run, for a while, without a redeploy. An override lives in the state
 * table, expires on its own, and never takes a target beyond what the deployed config allows:
 * - `checkOverride` validates one (the CLI and any other entry point call it before writing): the
 *   target exists, the fields are ones its kind can override, the values lie within the deployed
 *   bounds and pass the kind's own schema and checks, the expiry is in the future and at most
 *   `MAX_OVERRIDE_SECONDS` away;
 * - `applyOverride` gives the target as the deciding functions and runbooks see it while the override
 *   is in force (pure; the values are clamped to the deployed bounds again, so a hand-edited item
 *   cannot take a target further).
 */
import { z } from 'zod';
import type { Override, StateStore, Switches } from '../state/store';
import type { AutoscalerConfig } from './config';
import { ConfigError, describeIssues } from './config/issues';
import { kindOf, type TargetConfig } from './kinds';
import type { OverridableFields } from './kinds/kind';

export type { Override };

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

/** The deployed fields an override's min, max and target replace, for a kind that has them. */
export function overridableOf(target: { readonly kind: string }): OverridableFields | undefined {
  return kindOf(target as TargetConfig).overridable as OverridableFields | undefined;
}

/** Whether an override is in force at `now` (epoch ms). */
export function inForce(o: Override | undefined, now: number): o is Override {
  return o !== undefined && o.expiresAt > now;
}

const numberAt = (target: object, field: string): number => (target as Record<string, number>)[field];

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
      const checked = kindOf(target).schema.safeParse(effective);
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

/** What an override in force did to a target, for the decision's reason and the status. */
export interface AppliedOverride {
  readonly override: Override;
  /** `min 4, max 8 until 2026-11-30T18:00:00.000Z by arn:...` */
  readonly description: string;
}

/** A target as decisions see it while an override is in force: its kind's fields replaced, within the deployed bounds. */
export type WithOverride<T> = T & { readonly override?: AppliedOverride };

/**
 * The target with the override's floor, ceiling and tracking target in place of the deployed ones,
 * each clamped to the deployed bounds; the target itself when no override is in force.
 */
export function applyOverride<T extends { readonly id: string; readonly kind: string }>(target: T, o: Override | undefined, now: number): WithOverride<T> {
  if (!inForce(o, now) || o.targetId !== target.id) return target;
  const fields = overridableOf(target);
  const out: Record<string, unknown> = { ...target };
  const parts: string[] = [];
  if (fields) {
    const floor = numberAt(target, fields.min);
    const ceiling = numberAt(target, fields.max);
    const within = (v: number) => Math.min(ceiling, Math.max(floor, v));
    const max = o.max !== undefined ? within(o.max) : ceiling;
    const min = Math.min(o.min !== undefined ? within(o.min) : floor, max);
    if (o.min !== undefined) parts.push(`${fields.min} ${min}`);
    if (o.max !== undefined) parts.push(`${fields.max} ${max}`);
    out[fields.min] = min;
    out[fields.max] = max;
    if (o.target !== undefined && fields.target) {
      out[fields.target] = o.target;
      parts.push(`${fields.target} ${o.target}`);
    }
  }
  if (o.paused) parts.push('paused');
  if (o.dryRun) parts.push('dry-run');
  const description = `override ${parts.join(', ') || '(nothing)'} until ${new Date(o.expiresAt).toISOString()} by ${o.setBy}`;
  return { ...(out as T), override: { override: o, description } };
}

/** The switches in force for a target: the stored ones (the target's and every target's), or'ed with its override in force. */
export interface SwitchesInForce extends Switches {
  /** The override in force that turns a switch on, when no stored switch does. */
  readonly override?: Override;
}

/**
 * What holds a write to a target now: the pause and dry-run switches, and an override in force that
 * pauses it or puts it in dry-run. Every deciding function and every runbook task reads this right
 * before each AWS write.
 */
export async function switchesInForce(store: Pick<StateStore, 'getSwitches' | 'getOverride'>, targetId: string, now: number): Promise<SwitchesInForce> {
  const [switches, stored] = await Promise.all([store.getSwitches(targetId), store.getOverride(targetId)]);
  return withOverrideSwitches(switches, stored, targetId, now);
}

/** The stored switches of `targetId` or'ed with its override, when that is in force at `now` (pure). */
export function withOverrideSwitches(switches: Switches, stored: Override | undefined, targetId: string, now: number): SwitchesInForce {
  const o = inForce(stored, now) && stored.targetId === targetId ? stored : undefined;
  const paused = switches.paused || o?.paused === true;
  const dryRun = switches.dryRun || o?.dryRun === true;
  const byOverride = (!switches.paused && o?.paused) || (!switches.dryRun && o?.dryRun);
  return { paused, dryRun, ...(byOverride ? { override: o } : {}) };
}

/** Who holds a switch on by an override: `an override until <iso> (<who set it>)`. */
export function overrideHolder(o: Override): string {
  return `an override until ${new Date(o.expiresAt).toISOString()} (${o.setBy})`;
}

/** ` by an override until <iso> (<who>)` when the override turned the switch on, else nothing. */
export function byOverride(s: SwitchesInForce): string {
  return s.override ? ` by ${overrideHolder(s.override)}` : '';
}
