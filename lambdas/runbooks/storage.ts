/**
 * Tasks of the `rds-storage` runbook: grow an instance's allocated storage to an absolute size, never
 * above the target's maximum, never shrinking, only when the instance accepts a storage change.
 */
import { z } from 'zod';
import { TerminalError } from '../shared/errors';
import { backoffSeconds, MAX_POLLS, type RunbookContext, targetOf } from './context';
import { ResourceBusyError } from './errors';

export const StorageInputSchema = z.object({
  targetId: z.string().min(1),
  /** Allocated storage wanted, GiB (absolute). */
  allocatedGiB: z.number().int().positive(),
  reason: z.string().optional(),
});

export interface StorageState extends z.infer<typeof StorageInputSchema> {
  step?: 'modify' | 'wait' | 'done';
  previousGiB?: number;
  polls?: number;
  waitSeconds?: number;
  actions?: string[];
  summary?: string;
}

export async function check(ctx: RunbookContext, raw: unknown): Promise<StorageState> {
  const state = raw as StorageState;
  const input = StorageInputSchema.parse({ targetId: state?.targetId, allocatedGiB: state?.allocatedGiB, reason: state?.reason });
  const target = targetOf(ctx.config, input.targetId, 'rds-storage');
  if (input.allocatedGiB > target.maxAllocatedGiB) {
    throw new TerminalError(`${input.allocatedGiB} GiB is above maxAllocatedGiB ${target.maxAllocatedGiB} of "${target.id}"`, 'OutOfBounds');
  }
  const i = await ctx.rds.requiredInstance(target.instanceIdentifier);
  const current = i.pendingStorageGiB ?? i.allocatedGiB ?? 0;
  if (current >= input.allocatedGiB) {
    return { ...state, step: 'done', previousGiB: state.previousGiB ?? i.allocatedGiB, summary: `${i.id} already has ${current} GiB (${input.allocatedGiB} wanted)` };
  }
  if (i.status === 'storage-optimization') {
    throw new TerminalError(`${i.id} is still optimizing its last storage change; RDS accepts the next one 6 hours after it`, 'StorageOptimizing');
  }
  if (i.status !== 'available') throw new ResourceBusyError(`${i.id} is ${i.status}, not available`);
  return { ...state, step: 'modify', previousGiB: i.allocatedGiB, polls: 0, summary: `${i.id}: ${i.allocatedGiB} -> ${input.allocatedGiB} GiB` };
}

export async function modify(ctx: RunbookContext, state: StorageState): Promise<StorageState> {
  const target = targetOf(ctx.config, state.targetId, 'rds-storage');
  await ctx.rds.setAllocatedStorage(target.instanceIdentifier, state.allocatedGiB);
  return { ...state, step: 'wait', polls: 1, waitSeconds: backoffSeconds(1), actions: [...(state.actions ?? []), `ModifyDBInstance ${target.instanceIdentifier} AllocatedStorage ${state.allocatedGiB}`] };
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
