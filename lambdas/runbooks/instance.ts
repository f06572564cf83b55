/**
 * Tasks of the `rds-instance` runbook: move an instance to a class of its ladder, now (the instance
 * restarts; a Multi-AZ one fails over) or in its next maintenance window, as the input or the target
 * says. A change already pending for the window, or already made, is found and not asked for twice.
 */
import { z } from 'zod';
import { TerminalError } from '../shared/errors';
import { backoffSeconds, MAX_POLLS, type RunbookContext, targetOf } from './context';
import { ResourceBusyError } from './errors';

export const InstanceInputSchema = z.object({
  targetId: z.string().min(1),
  /** The class wanted, one of the target's ladder. */
  instanceClass: z.string().min(1),
  /** Now, or in the maintenance window. @default the target's `applyImmediately` */
  applyImmediately: z.boolean().optional(),
  reason: z.string().optional(),
});

export interface InstanceState extends z.infer<typeof InstanceInputSchema> {
  step?: 'modify' | 'wait' | 'done';
  previousClass?: string;
  polls?: number;
  waitSeconds?: number;
  actions?: string[];
  summary?: string;
}

export async function check(ctx: RunbookContext, raw: unknown): Promise<InstanceState> {
  const state = raw as InstanceState;
  const input = InstanceInputSchema.parse({ targetId: state?.targetId, instanceClass: state?.instanceClass, applyImmediately: state?.applyImmediately, reason: state?.reason });
  const target = targetOf(ctx.config, input.targetId, 'rds-instance');
  if (!target.instanceClassLadder.includes(input.instanceClass)) {
    throw new TerminalError(`${input.instanceClass} is not on the ladder of "${target.id}" (${target.instanceClassLadder.join(', ')})`, 'InstanceClassNotOnLadder');
  }
  const now = input.applyImmediately ?? target.applyImmediately;
  const i = await ctx.rds.requiredInstance(target.instanceIdentifier);
  const base = { ...state, applyImmediately: now, previousClass: state.previousClass ?? i.instanceClass, polls: 0 };
  if (i.instanceClass === input.instanceClass && i.status === 'available') return { ...base, step: 'done', summary: `${i.id} is ${i.instanceClass}` };
  if (!now && i.pendingInstanceClass === input.instanceClass) {
    return { ...base, step: 'done', summary: `${i.id}: ${i.instanceClass} -> ${input.instanceClass} already waits for the maintenance window` };
  }
  if (i.status !== 'available') throw new ResourceBusyError(`${i.id} is ${i.status}, not available`);
  return { ...base, step: 'modify', summary: `${i.id}: ${i.instanceClass} -> ${input.instanceClass} ${now ? 'now' : 'in the maintenance window'}` };
}

export async function modify(ctx: RunbookContext, state: InstanceState): Promise<InstanceState> {
  const target = targetOf(ctx.config, state.targetId, 'rds-instance');
  const now = state.applyImmediately ?? target.applyImmediately;
  await ctx.rds.setInstanceClass(target.instanceIdentifier, state.instanceClass, now);
  const actions = [...(state.actions ?? []), `ModifyDBInstance ${target.instanceIdentifier} DBInstanceClass ${state.instanceClass}, ApplyImmediately ${now}`];
  // In the maintenance window: nothing to wait for now; the change is pending.
  if (!now) return { ...state, actions, step: 'done', summary: `${target.instanceIdentifier}: ${state.previousClass ?? '?'} -> ${state.instanceClass} in the maintenance window` };
  return { ...state, actions, step: 'wait', polls: 1, waitSeconds: backoffSeconds(1) };
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
