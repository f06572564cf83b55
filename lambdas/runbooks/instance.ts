/**
 * Tasks of the `rds-instance` runbook: move an instance to a class of its ladder, now (the instance
 * restarts; a Multi-AZ one fails over) or in its next maintenance window, as the target says. A change
 * already pending for the window, or already made, is found and not asked for twice. One rung per run,
 * after the cooldown, a move down only if current metrics allow it (unless forced).
 */

import * as v from 'valibot';
import { classDownFit } from '../engine/instance-class';
import { observeInstance } from '../scalers/database/observe';
import type { RdsInstanceTarget } from '../shared/config';
import { TerminalError } from '../shared/errors';
import { ResourceBusyError } from '../shared/runbook-errors';
import { nonEmpty, parseInput } from '../shared/validate';
import { backoffSeconds, MAX_POLLS, type RunbookContext, targetOf } from './context';
import { type Breach, cooldownBreach, enforce, ladderStep } from './rules';
import { beforeWrite } from './switches';

export const InstanceInputSchema = v.object({
  targetId: nonEmpty(),
  /** The class wanted, one of the target's ladder. */
  instanceClass: nonEmpty(),
  /**
   * Now, or in the maintenance window: the target's `applyImmediately` decides; an input that says
   * otherwise is refused (a restart is the target's owner's choice, made in the config).
   */
  applyImmediately: v.optional(v.boolean()),
  /** Pass over the step, cooldown and fit rules (never the ladder, never the target's settings); audited and notified. */
  force: v.optional(v.boolean()),
  reason: v.optional(v.string()),
});

export interface InstanceState extends v.InferOutput<typeof InstanceInputSchema> {
  step?: 'modify' | 'wait' | 'done';
  previousClass?: string;
  polls?: number;
  waitSeconds?: number;
  actions?: string[];
  summary?: string;
  /** The rules a forced run passed over. */
  forced?: string[];
}

/** The class is on the ladder and the input does not override the target's applyImmediately: never passed over. */
function validate(target: RdsInstanceTarget, input: v.InferOutput<typeof InstanceInputSchema>): void {
  if (!target.instanceClassLadder.includes(input.instanceClass)) {
    throw new TerminalError(
      `${input.instanceClass} is not on the ladder of "${target.id}" (${target.instanceClassLadder.join(', ')})`,
      'InstanceClassNotOnLadder',
    );
  }
  if (input.applyImmediately !== undefined && input.applyImmediately !== target.applyImmediately) {
    throw new TerminalError(
      `applyImmediately ${input.applyImmediately} is not the setting of "${target.id}" (applyImmediately ${target.applyImmediately}): a class change is applied as the target says; change it in the config`,
      'TargetSetting',
    );
  }
}

function inputOf(state: InstanceState) {
  return parseInput(InstanceInputSchema, {
    targetId: state?.targetId,
    instanceClass: state?.instanceClass,
    applyImmediately: state?.applyImmediately,
    force: state?.force,
    reason: state?.reason,
  });
}

export async function check(ctx: RunbookContext, raw: unknown, execution: string): Promise<InstanceState> {
  const state = raw as InstanceState;
  const input = inputOf(state);
  const target = targetOf(ctx.config, input.targetId, 'rds-instance');
  validate(target, input);
  const now = target.applyImmediately;
  const i = await ctx.rds.requiredInstance(target.instanceIdentifier);
  const previousClass = state.previousClass ?? i.instanceClass;
  const base = { ...state, previousClass, polls: 0 };
  if (i.instanceClass === input.instanceClass && i.status === 'available') return { ...base, step: 'done', summary: `${i.id} is ${i.instanceClass}` };
  if (!now && i.pendingInstanceClass === input.instanceClass) {
    return { ...base, step: 'done', summary: `${i.id}: ${i.instanceClass} -> ${input.instanceClass} already waits for the maintenance window` };
  }
  if (i.status !== 'available') throw new ResourceBusyError(`${i.id} is ${i.status}, not available`);
  // The step is refused here, before anything is asked of RDS (and again at the write).
  const forced = await enforce(
    ctx,
    state,
    execution,
    [ladderStep(target.instanceClassLadder, previousClass, input.instanceClass)],
    `${i.id}: ${i.instanceClass} -> ${input.instanceClass}`,
  );
  return { ...base, forced, step: 'modify', summary: `${i.id}: ${i.instanceClass} -> ${input.instanceClass} ${now ? 'now' : 'in the maintenance window'}` };
}

/**
 * Checks again, on the instance and the metrics as they are now: the ladder and the target's
 * settings (always), the step, the cooldown and, for a move down, the fit (unless forced); then the
 * switches; then moves the class, now or in the window as the target says.
 */
export async function modify(ctx: RunbookContext, state: InstanceState, execution: string): Promise<InstanceState> {
  const target = targetOf(ctx.config, state.targetId, 'rds-instance');
  const input = inputOf(state);
  validate(target, input);
  const now = target.applyImmediately;
  const i = await ctx.rds.requiredInstance(target.instanceIdentifier);
  const ladder = target.instanceClassLadder;
  const down = i.instanceClass !== undefined && ladder.indexOf(input.instanceClass) < ladder.indexOf(i.instanceClass);
  const [cooldown, label] = down ? [target.scaleInCooldownSeconds, 'scaleInCooldownSeconds'] : [target.scaleOutCooldownSeconds, 'scaleOutCooldownSeconds'];
  const breaches: (Breach | undefined)[] = [
    ladderStep(ladder, state.previousClass ?? i.instanceClass, input.instanceClass),
    cooldownBreach(await ctx.store.getTarget(target.id), execution, ctx.now(), cooldown, label),
  ];
  if (down) {
    const fit = classDownFit(target, await observeInstance(ctx.cloudWatch, target, ctx.now()), input.instanceClass);
    if (!fit.fits) breaches.push({ rule: 'fit', why: `on current metrics: ${fit.why}` });
  }
  const action = `ModifyDBInstance ${target.instanceIdentifier} DBInstanceClass ${input.instanceClass}, ApplyImmediately ${now}`;
  const forced = await enforce(ctx, state, execution, breaches, action);
  await beforeWrite(ctx, target, action);
  await ctx.rds.setInstanceClass(target.instanceIdentifier, input.instanceClass, now);
  const actions = [...(state.actions ?? []), action];
  // In the maintenance window: nothing to wait for now; the change is pending.
  if (!now)
    return {
      ...state,
      forced,
      actions,
      step: 'done',
      summary: `${target.instanceIdentifier}: ${state.previousClass ?? '?'} -> ${input.instanceClass} in the maintenance window`,
    };
  return { ...state, forced, actions, step: 'wait', polls: 1, waitSeconds: backoffSeconds(1) };
}

export async function poll(ctx: RunbookContext, state: InstanceState): Promise<InstanceState> {
  const target = targetOf(ctx.config, state.targetId, 'rds-instance');
  const i = await ctx.rds.requiredInstance(target.instanceIdentifier);
  const polls = state.polls ?? 0;
  if (i.status === 'available' && i.instanceClass === state.instanceClass) {
    return { ...state, step: 'done', summary: `${i.id}: ${state.previousClass ?? '?'} -> ${i.instanceClass}, available` };
  }
  if (polls >= MAX_POLLS) throw new TerminalError(`gave up after ${polls} polls: ${i.id} is ${i.status} on ${i.instanceClass}`, 'WaitTimeout');
  return { ...state, step: 'wait', polls: polls + 1, waitSeconds: backoffSeconds(polls + 1), summary: `${i.id} is ${i.status} on ${i.instanceClass}` };
}
