/**
 * Tasks of the `rds-storage` runbook: grow an instance's allocated storage to an absolute size, never
 * above the target's maximum, never shrinking, only when the instance accepts a storage change; by one
 * growth step of the engine per run, and not within 6 hours of the last change (unless forced).
 */

import * as v from 'valibot';
import { STORAGE_MODIFICATION_INTERVAL_SECONDS } from '../engine/storage';
import type { RdsStorageTarget } from '../shared/config';
import { TerminalError } from '../shared/errors';
import { ResourceBusyError } from '../shared/runbook-errors';
import { nonEmpty, parseInput } from '../shared/validate';
import { backoffSeconds, MAX_POLLS, type RunbookContext, targetOf } from './context';
import { type Breach, cooldownBreach, enforce } from './rules';
import { beforeWrite } from './switches';

export const StorageInputSchema = v.object({
  targetId: nonEmpty(),
  /** Allocated storage wanted, GiB (absolute). */
  allocatedGiB: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** Pass over the growth step and the 6-hour interval (never maxAllocatedGiB); audited and notified. */
  force: v.optional(v.boolean()),
  reason: v.optional(v.string()),
});

export interface StorageState extends v.InferOutput<typeof StorageInputSchema> {
  step?: 'modify' | 'wait' | 'done';
  previousGiB?: number;
  polls?: number;
  waitSeconds?: number;
  actions?: string[];
  summary?: string;
  /** The rules a forced run passed over. */
  forced?: string[];
}

/** The engine's growth step from `fromGiB`: max(growRatio, 10%), rounded up, within maxAllocatedGiB. */
export function growthStep(target: RdsStorageTarget, fromGiB: number): number {
  return Math.min(target.maxAllocatedGiB, Math.max(Math.ceil(fromGiB * (1 + target.growRatio)), Math.ceil(fromGiB * 1.1)));
}

/** maxAllocatedGiB: never passed over. */
function checkBounds(target: RdsStorageTarget, allocatedGiB: number): void {
  if (allocatedGiB > target.maxAllocatedGiB) {
    throw new TerminalError(`${allocatedGiB} GiB is above maxAllocatedGiB ${target.maxAllocatedGiB} of "${target.id}"`, 'OutOfBounds');
  }
}

/** One growth step per run from where it started, and the 6 hours RDS needs between storage changes (from the target's last action). */
async function breaches(
  ctx: RunbookContext,
  target: RdsStorageTarget,
  state: StorageState,
  fromGiB: number,
  execution: string,
): Promise<(Breach | undefined)[]> {
  const step = growthStep(target, fromGiB);
  const stepBreach: Breach | undefined =
    state.allocatedGiB > step
      ? {
          rule: 'step',
          why: `${state.allocatedGiB} GiB is more than one growth step above ${fromGiB} GiB (at most ${step} GiB: growRatio ${target.growRatio}, at least 10%)`,
        }
      : undefined;
  const interval = cooldownBreach(
    await ctx.store.getTarget(target.id),
    execution,
    ctx.now(),
    STORAGE_MODIFICATION_INTERVAL_SECONDS,
    'RDS needs 6 hours between storage changes',
  );
  return [stepBreach, interval];
}

export async function check(ctx: RunbookContext, raw: unknown, execution: string): Promise<StorageState> {
  const state = raw as StorageState;
  const input = parseInput(StorageInputSchema, { targetId: state?.targetId, allocatedGiB: state?.allocatedGiB, force: state?.force, reason: state?.reason });
  const target = targetOf(ctx.config, input.targetId, 'rds-storage');
  checkBounds(target, input.allocatedGiB);
  const i = await ctx.rds.requiredInstance(target.instanceIdentifier);
  const current = i.pendingStorageGiB ?? i.allocatedGiB ?? 0;
  if (current >= input.allocatedGiB) {
    return {
      ...state,
      step: 'done',
      previousGiB: state.previousGiB ?? i.allocatedGiB,
      summary: `${i.id} already has ${current} GiB (${input.allocatedGiB} wanted)`,
    };
  }
  if (i.status === 'storage-optimization') {
    throw new TerminalError(`${i.id} is still optimizing its last storage change; RDS accepts the next one 6 hours after it`, 'StorageOptimizing');
  }
  if (i.status !== 'available') throw new ResourceBusyError(`${i.id} is ${i.status}, not available`);
  const previousGiB = state.previousGiB ?? i.allocatedGiB ?? 0;
  const action = `ModifyDBInstance ${i.id} AllocatedStorage ${input.allocatedGiB}`;
  const forced = await enforce(ctx, state, execution, await breaches(ctx, target, state, previousGiB, execution), action);
  return { ...state, forced, step: 'modify', previousGiB, polls: 0, summary: `${i.id}: ${i.allocatedGiB} -> ${input.allocatedGiB} GiB` };
}

/** Checks the bounds, the step and the 6-hour interval again, then the switches, then grows the storage. */
export async function modify(ctx: RunbookContext, state: StorageState, execution: string): Promise<StorageState> {
  const target = targetOf(ctx.config, state.targetId, 'rds-storage');
  checkBounds(target, state.allocatedGiB);
  const action = `ModifyDBInstance ${target.instanceIdentifier} AllocatedStorage ${state.allocatedGiB}`;
  const from = state.previousGiB ?? (await ctx.rds.requiredInstance(target.instanceIdentifier)).allocatedGiB ?? 0;
  const forced = await enforce(ctx, state, execution, await breaches(ctx, target, state, from, execution), action);
  await beforeWrite(ctx, target, action);
  await ctx.rds.setAllocatedStorage(target.instanceIdentifier, state.allocatedGiB);
  return { ...state, forced, step: 'wait', polls: 1, waitSeconds: backoffSeconds(1), actions: [...(state.actions ?? []), action] };
}

/** Done once the new size is allocated (the optimization that follows runs on its own). */
export async function poll(ctx: RunbookContext, state: StorageState): Promise<StorageState> {
  const target = targetOf(ctx.config, state.targetId, 'rds-storage');
  const i = await ctx.rds.requiredInstance(target.instanceIdentifier);
  const polls = state.polls ?? 0;
  if ((i.allocatedGiB ?? 0) >= state.allocatedGiB && (i.status === 'available' || i.status === 'storage-optimization')) {
    return { ...state, step: 'done', summary: `${i.id}: ${state.previousGiB ?? '?'} -> ${i.allocatedGiB} GiB` };
  }
  if (polls >= MAX_POLLS) throw new TerminalError(`gave up after ${polls} polls: ${i.id} is ${i.status} with ${i.allocatedGiB} GiB`, 'WaitTimeout');
  return { ...state, step: 'wait', polls: polls + 1, waitSeconds: backoffSeconds(polls + 1), summary: `${i.id} is ${i.status} with ${i.allocatedGiB} GiB` };
}
