/**
 * Runtime overrides: an operator narrows a target's floor and ceiling, moves its tracking target, or
 * pauses it or puts it in dry-run, for a while, without a redeploy. An override lives in the state
 * table, expires on its own, and never takes a target beyond what the deployed config allows:
 * - `checkOverride` (lambdas/control/check-override.ts) validates one before it is written;
 * - `applyOverride` gives the target as the deciding functions and runbooks see it while the override
 *   is in force (pure; the values are clamped to the deployed bounds again, so a hand-edited item
 *   cannot take a target further).
 */
import type { Override, StateStore, Switches } from '../state/store';
import { factsOf } from './kinds/facts';
import type { OverridableFields } from './kinds/kind';

export type { Override };

/** The deployed fields an override's min, max and target replace, for a kind that has them. */
export function overridableOf(target: { readonly kind: string }): OverridableFields | undefined {
  return factsOf(target)?.overridable as OverridableFields | undefined;
}

/** A target's number field by name (an overridable field: minCapacity, maxReplicas). */
export const numberAt = (target: object, field: string): number => (target as Record<string, number>)[field];

/** Whether an override is in force at `now` (epoch ms). */
export function inForce(o: Override | undefined, now: number): o is Override {
  return o !== undefined && o.expiresAt > now;
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
