/**
 * Tasks of the `redis` runbook: converge a replication group to a node type of its ladder, a number of
 * shards (cluster mode) and a number of replicas per shard, one change at a time, each only when the
 * group is `available` (not modifying, not snapshotting), a node type only if ListAllowedNodeTypeModifications
 * allows it. A run that died mid-change is finished by the next: it waits for the group to be available
 * and finds what is already in place.
 */
import { z } from 'zod';
import type { ReplicationGroupInfo } from '../adapters/elasticache';
import type { RedisTarget } from '../shared/config';
import { TerminalError } from '../shared/errors';
import { backoffSeconds, MAX_POLLS, type RunbookContext, targetOf } from './context';
import { ResourceBusyError } from './errors';

export const RedisInputSchema = z
  .object({
    targetId: z.string().min(1),
    /** The node type wanted (absolute), one of the target's ladder. */
    nodeType: z.string().min(1).optional(),
    /** Shards wanted (cluster mode). */
    shards: z.number().int().min(1).max(500).optional(),
    /** Replicas per shard wanted. */
    replicasPerShard: z.number().int().min(0).max(5).optional(),
    reason: z.string().optional(),
  })
  .refine((i) => i.nodeType !== undefined || i.shards !== undefined || i.replicasPerShard !== undefined, 'needs nodeType, shards or replicasPerShard');

export type RedisChange = 'nodeType' | 'shards' | 'replicasPerShard';

export interface RedisState extends z.infer<typeof RedisInputSchema> {
  step?: 'modify' | 'wait' | 'check' | 'done';
  change?: RedisChange;
  /** What the group was when the run first looked. */
  before?: { nodeType?: string; shards: number; replicasPerShard: number };
  polls?: number;
  waitSeconds?: number;
  actions?: string[];
  summary?: string;
}

async function group(ctx: RunbookContext, replicationGroupId: string): Promise<ReplicationGroupInfo> {
  const g = await ctx.elastiCache.replicationGroup(replicationGroupId);
  if (!g) throw new TerminalError(`replication group "${replicationGroupId}" not found`, 'ReplicationGroupNotFound');
  return g;
}

function describe(g: { nodeType?: string; shards: number; replicasPerShard: number }): string {
  return `${g.nodeType ?? '?'}, ${g.shards} shard(s) of 1+${g.replicasPerShard}`;
}

/** The goal is within what the config allows, before AWS is asked anything. */
function validateGoal(target: RedisTarget, input: z.infer<typeof RedisInputSchema>): void {
  if (input.nodeType !== undefined && !target.nodeTypeLadder.includes(input.nodeType)) {
    throw new TerminalError(`${input.nodeType} is not on the ladder of "${target.id}" (${target.nodeTypeLadder.join(', ')})`, 'NodeTypeNotOnLadder');
  }
  const maxReplicas = target.maxReplicasPerShard ?? 5;
  if (input.replicasPerShard !== undefined && (input.replicasPerShard < target.minReplicasPerShard || input.replicasPerShard > maxReplicas)) {
    throw new TerminalError(`replicasPerShard ${input.replicasPerShard} is outside ${target.minReplicasPerShard}-${maxReplicas} of "${target.id}"`, 'OutOfBounds');
  }
  if (input.shards !== undefined && (input.shards < target.minShards || input.shards > target.maxShards)) {
    throw new TerminalError(`shards ${input.shards} is outside ${target.minShards}-${target.maxShards} of "${target.id}"`, 'OutOfBounds');
  }
}

/** Preconditions and the next change: the group is available, the move is allowed; node type first, then shards, then replicas. */
export async function check(ctx: RunbookContext, raw: unknown): Promise<RedisState> {
  const state = raw as RedisState;
  const input = RedisInputSchema.parse({
    targetId: state?.targetId,
    nodeType: state?.nodeType,
    shards: state?.shards,
    replicasPerShard: state?.replicasPerShard,
    reason: state?.reason,
  });
  const target = targetOf(ctx.config, input.targetId, 'redis');
  validateGoal(target, input);
  const g = await group(ctx, target.replicationGroupId);
  if (g.status !== 'available' || g.snapshotting) {
    throw new ResourceBusyError(`replication group ${g.id} is ${g.snapshotting ? 'snapshotting' : g.status}, not available`);
  }
  const before = state.before ?? { nodeType: g.nodeType, shards: g.shards, replicasPerShard: g.replicasPerShard };
  const base = { ...state, actions: [...(state.actions ?? [])], before, polls: 0 };
  if (input.nodeType !== undefined && g.nodeType !== input.nodeType) {
    const allowed = await ctx.elastiCache.allowedNodeTypes(g.id);
    if (!allowed.up.includes(input.nodeType) && !allowed.down.includes(input.nodeType)) {
      throw new TerminalError(
        `${g.id} cannot move from ${g.nodeType} to ${input.nodeType}: not in ListAllowedNodeTypeModifications (up: ${allowed.up.join(', ') || 'none'}; down: ${allowed.down.join(', ') || 'none'})`,
        'NodeTypeNotAllowed',
      );
    }
    return { ...base, step: 'modify', change: 'nodeType', summary: `${g.id}: node type ${g.nodeType} -> ${input.nodeType}` };
  }
  if (input.shards !== undefined && g.shards !== input.shards) {
    if (!g.clusterMode) throw new TerminalError(`${g.id} is not in cluster mode: its shards cannot change`, 'NotClusterMode');
    return { ...base, step: 'modify', change: 'shards', summary: `${g.id}: shards ${g.shards} -> ${input.shards}` };
  }
  if (input.replicasPerShard !== undefined && g.replicasPerShard !== input.replicasPerShard) {
    return { ...base, step: 'modify', change: 'replicasPerShard', summary: `${g.id}: replicas per shard ${g.replicasPerShard} -> ${input.replicasPerShard}` };
  }
  return { ...base, step: 'done', change: undefined, summary: `${g.id}: ${describe(before)} -> ${describe(g)}, available` };
}

/** Makes the one change `check` chose, ApplyImmediately. */
export async function modify(ctx: RunbookContext, state: RedisState): Promise<RedisState> {
  const target = targetOf(ctx.config, state.targetId, 'redis');
  const id = target.replicationGroupId;
  let action: string;
  switch (state.change) {
    case 'nodeType':
      await ctx.elastiCache.setNodeType(id, state.nodeType!);
      action = `ModifyReplicationGroup ${id} to ${state.nodeType}`;
      break;
    case 'shards': {
      const g = await group(ctx, id);
      await ctx.elastiCache.setShardCount(id, g.nodeGroupIds, state.shards!);
      action = `ModifyReplicationGroupShardConfiguration ${id} to ${state.shards} shards`;
      break;
    }
    case 'replicasPerShard': {
      const g = await group(ctx, id);
      await ctx.elastiCache.setReplicaCount(id, g.replicasPerShard, state.replicasPerShard!);
      action = `${state.replicasPerShard! > g.replicasPerShard ? 'Increase' : 'Decrease'}ReplicaCount ${id} to ${state.replicasPerShard}`;
      break;
    }
    default:
      throw new TerminalError(`no change chosen for ${id}`, 'BadState');
  }
  return { ...state, step: 'wait', polls: 1, waitSeconds: backoffSeconds(1), actions: [...(state.actions ?? []), action] };
}

/** Waits until the group is available again; then `check` looks for the next change. */
export async function poll(ctx: RunbookContext, state: RedisState): Promise<RedisState> {
  const target = targetOf(ctx.config, state.targetId, 'redis');
  const g = await group(ctx, target.replicationGroupId);
  const polls = state.polls ?? 0;
  if (g.status === 'available' && !g.snapshotting) return { ...state, step: 'check', summary: `${g.id} is available: ${describe(g)}` };
  if (polls >= MAX_POLLS) throw new TerminalError(`gave up after ${polls} polls: ${g.id} is ${g.status} on ${g.nodeType}`, 'WaitTimeout');
  return { ...state, step: 'wait', polls: polls + 1, waitSeconds: backoffSeconds(polls + 1), summary: `${g.id} is ${g.status}: ${describe(g)}` };
}
