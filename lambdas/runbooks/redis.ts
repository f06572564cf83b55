/**
 * Tasks of the `redis` runbook: converge a replication group to a node type of its ladder, a number of
 * shards (cluster mode) and a number of replicas per shard, one change at a time, each only when the
 * group is `available` (not modifying, not snapshotting), a node type only if ListAllowedNodeTypeModifications
 * allows it. A run that died mid-change is finished by the next: it waits for the group to be available
 * and finds what is already in place. The write re-checks the engine's rules on the group and the
 * metrics as they are then (lambdas/runbooks/rules.ts), and the switches last.
 */

import * as v from 'valibot';
import type { ReplicationGroupInfo } from '../adapters/elasticache';
import { nodeTypeDownFit, redisFloors, replicaInFit, shardInFit } from '../engine/redis';
import { observeRedis } from '../scalers/database/observe';
import type { RedisTarget } from '../shared/config';
import { TerminalError } from '../shared/errors';
import { ResourceBusyError } from '../shared/runbook-errors';
import { nonEmpty, parseInput } from '../shared/validate';
import type { TargetRecord } from '../state/store';
import { backoffSeconds, MAX_POLLS, type RunbookContext, targetOf } from './context';
import { type Breach, cooldownBreach, countStep, enforce, intoBounds, ladderStep } from './rules';
import { beforeWrite } from './switches';

export const RedisInputSchema = v.pipe(
  v.object({
    targetId: nonEmpty(),
    /** The node type wanted (absolute), one of the target's ladder. */
    nodeType: v.optional(nonEmpty()),
    /** Shards wanted (cluster mode). */
    shards: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
    /** Replicas per shard wanted. */
    replicasPerShard: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(5))),
    /** Pass over the step, cooldown and fit rules (never the bounds, the ladder or what AWS allows); audited and notified. */
    force: v.optional(v.boolean()),
    reason: v.optional(v.string()),
  }),
  v.check((i) => i.nodeType !== undefined || i.shards !== undefined || i.replicasPerShard !== undefined, 'needs nodeType, shards or replicasPerShard'),
);

export type RedisChange = 'nodeType' | 'shards' | 'replicasPerShard';

export interface RedisState extends v.InferOutput<typeof RedisInputSchema> {
  step?: 'modify' | 'wait' | 'check' | 'done';
  change?: RedisChange;
  /** What the group was when the run first looked. */
  before?: { nodeType?: string; shards: number; replicasPerShard: number };
  polls?: number;
  waitSeconds?: number;
  actions?: string[];
  summary?: string;
  /** Epoch ms of this run's last write: metrics from before it describe the shape the group had then. */
  lastWriteAt?: number;
  /** The rules a forced run passed over. */
  forced?: string[];
}

async function group(ctx: RunbookContext, replicationGroupId: string): Promise<ReplicationGroupInfo> {
  const g = await ctx.elastiCache.replicationGroup(replicationGroupId);
  if (!g) throw new TerminalError(`replication group "${replicationGroupId}" not found`, 'ReplicationGroupNotFound');
  return g;
}

function describe(g: { nodeType?: string; shards: number; replicasPerShard: number }): string {
  return `${g.nodeType ?? '?'}, ${g.shards} shard(s) of 1+${g.replicasPerShard}`;
}

type Floors = { minShards: number; minReplicasPerShard: number };

/** The floors in force: the config's, else what the group had when first seen (recorded the first time a run sees it). */
async function floorsOf(ctx: RunbookContext, target: RedisTarget, record: TargetRecord | undefined, g: ReplicationGroupInfo): Promise<Floors> {
  let seen = record?.firstSeen?.values;
  if (!seen && g.status === 'available')
    seen = (await ctx.store.recordFirstSeen(target.id, { shards: g.shards, replicasPerShard: g.replicasPerShard }, ctx.now())).values;
  return redisFloors(target, seen);
}

/** The goal is within the bounds (never passed over, not even with `force`). */
function validateGoal(target: RedisTarget, floors: Floors, input: v.InferOutput<typeof RedisInputSchema>): void {
  if (input.nodeType !== undefined && !target.nodeTypeLadder.includes(input.nodeType)) {
    throw new TerminalError(`${input.nodeType} is not on the ladder of "${target.id}" (${target.nodeTypeLadder.join(', ')})`, 'NodeTypeNotOnLadder');
  }
  const maxReplicas = target.maxReplicasPerShard ?? 5;
  if (input.replicasPerShard !== undefined && (input.replicasPerShard < floors.minReplicasPerShard || input.replicasPerShard > maxReplicas)) {
    throw new TerminalError(
      `replicasPerShard ${input.replicasPerShard} is outside ${floors.minReplicasPerShard}-${maxReplicas} of "${target.id}"${target.minReplicasPerShard === undefined ? ' (the floor is the replicas per shard it had when first seen; set minReplicasPerShard to go lower)' : ''}`,
      'OutOfBounds',
    );
  }
  if (input.shards !== undefined && (input.shards < floors.minShards || input.shards > target.maxShards)) {
    throw new TerminalError(
      `shards ${input.shards} is outside ${floors.minShards}-${target.maxShards} of "${target.id}"${target.minShards === undefined ? ' (the floor is the shards it had when first seen; set minShards to go lower)' : ''}`,
      'OutOfBounds',
    );
  }
}

/** The step rules of the whole goal, from where the run started: one rung, shards in one at a time (out as far as maxShards), one replica per shard. */
function stepBreaches(target: RedisTarget, floors: Floors, before: NonNullable<RedisState['before']>, input: v.InferOutput<typeof RedisInputSchema>): Breach[] {
  const out: (Breach | undefined)[] = [];
  if (input.nodeType !== undefined && input.nodeType !== before.nodeType) out.push(ladderStep(target.nodeTypeLadder, before.nodeType, input.nodeType));
  if (input.shards !== undefined) out.push(countStep('shards', before.shards, input.shards, { min: floors.minShards, max: target.maxShards }, Infinity, 1));
  if (input.replicasPerShard !== undefined) {
    out.push(
      countStep(
        'replicas per shard',
        before.replicasPerShard,
        input.replicasPerShard,
        { min: floors.minReplicasPerShard, max: target.maxReplicasPerShard ?? 5 },
        1,
        1,
      ),
    );
  }
  return out.filter((b): b is Breach => b !== undefined);
}

function inputOf(state: RedisState) {
  return parseInput(RedisInputSchema, {
    targetId: state?.targetId,
    nodeType: state?.nodeType,
    shards: state?.shards,
    replicasPerShard: state?.replicasPerShard,
    force: state?.force,
    reason: state?.reason,
  });
}

/** Preconditions and the next change: the group is available, the move is allowed; node type first, then shards, then replicas. */
export async function check(ctx: RunbookContext, raw: unknown, execution: string): Promise<RedisState> {
  const state = raw as RedisState;
  const input = inputOf(state);
  const target = targetOf(ctx.config, input.targetId, 'redis');
  const g = await group(ctx, target.replicationGroupId);
  const floors = await floorsOf(ctx, target, await ctx.store.getTarget(target.id), g);
  validateGoal(target, floors, input);
  if (g.status !== 'available' || g.snapshotting) {
    throw new ResourceBusyError(`replication group ${g.id} is ${g.snapshotting ? 'snapshotting' : g.status}, not available`);
  }
  const before = state.before ?? { nodeType: g.nodeType, shards: g.shards, replicasPerShard: g.replicasPerShard };
  // The step of the whole goal is refused here, before any change is made (and again at each write).
  const forced = await enforce(
    ctx,
    state,
    execution,
    stepBreaches(target, floors, before, input),
    `${g.id}: ${describe(before)} -> ${describe({ nodeType: input.nodeType ?? before.nodeType, shards: input.shards ?? before.shards, replicasPerShard: input.replicasPerShard ?? before.replicasPerShard })}`,
  );
  const base = { ...state, actions: [...(state.actions ?? [])], before, forced, polls: 0 };
  if (input.nodeType !== undefined && g.nodeType !== input.nodeType) {
    const allowed = await ctx.elastiCache.allowedNodeTypes(g.id);
    if (!allowed.up.includes(input.nodeType) && !allowed.down.includes(input.nodeType)) throw notAllowed(g, input.nodeType, allowed);
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

function notAllowed(g: ReplicationGroupInfo, nodeType: string, allowed: { up: string[]; down: string[] }): TerminalError {
  return new TerminalError(
    `${g.id} cannot move from ${g.nodeType} to ${nodeType}: not in ListAllowedNodeTypeModifications (up: ${allowed.up.join(', ') || 'none'}; down: ${allowed.down.join(', ') || 'none'})`,
    'NodeTypeNotAllowed',
  );
}

/**
 * Makes the one change `check` chose, ApplyImmediately, after checking again on the group and the
 * metrics as they are now: the bounds, the ladder and what AWS allows (always), the step, the cooldown
 * of a move down and its fit on current metrics (unless forced), then the switches.
 */
export async function modify(ctx: RunbookContext, state: RedisState, execution: string): Promise<RedisState> {
  const target = targetOf(ctx.config, state.targetId, 'redis');
  const input = inputOf(state);
  const id = target.replicationGroupId;
  const g = await group(ctx, id);
  const record = await ctx.store.getTarget(target.id);
  const floors = await floorsOf(ctx, target, record, g);
  validateGoal(target, floors, input);
  const before = state.before ?? { nodeType: g.nodeType, shards: g.shards, replicasPerShard: g.replicasPerShard };
  const policy = { ...target, ...floors };
  const now = ctx.now();
  const cooldown = () => cooldownBreach(record, execution, now, target.scaleInCooldownSeconds, 'scaleInCooldownSeconds');
  // Metrics from before this run's last change, or the group's, describe another shape.
  const observe = () => {
    const changingSeenAt = typeof record?.memory?.changingSeenAt === 'number' ? record.memory.changingSeenAt : -Infinity;
    const lastAction = record?.lastExecution === execution ? -Infinity : (record?.lastActionAt ?? -Infinity);
    return observeRedis(ctx.cloudWatch, target, g.memberClusters, now, Math.max(changingSeenAt, lastAction, state.lastWriteAt ?? -Infinity));
  };
  const fitBreach = (f: { fits: true } | { fits: false; why: string }): Breach | undefined =>
    f.fits ? undefined : { rule: 'fit', why: `on current metrics: ${f.why}` };
  const breaches: (Breach | undefined)[] = stepBreaches(target, floors, before, input);
  let action: string;
  let write: () => Promise<void>;
  switch (state.change) {
    case 'nodeType': {
      const to = state.nodeType!;
      const allowed = await ctx.elastiCache.allowedNodeTypes(id);
      if (!allowed.up.includes(to) && !allowed.down.includes(to)) throw notAllowed(g, to, allowed);
      if (g.nodeType && target.nodeTypeLadder.indexOf(to) < target.nodeTypeLadder.indexOf(g.nodeType)) {
        breaches.push(cooldown(), fitBreach(nodeTypeDownFit(policy, await observe(), g.nodeType, to)));
      }
      action = `ModifyReplicationGroup ${id} to ${to}`;
      write = () => ctx.elastiCache.setNodeType(id, to);
      break;
    }
    case 'shards': {
      const to = state.shards!;
      if (to < g.shards && !intoBounds(g.shards, to, { min: floors.minShards, max: target.maxShards })) {
        breaches.push(cooldown(), fitBreach(shardInFit(policy, await observe(), g.nodeType ?? '?', g.shards)));
      }
      action = `ModifyReplicationGroupShardConfiguration ${id} to ${to} shards`;
      write = () => ctx.elastiCache.setShardCount(id, g.nodeGroupIds, to);
      break;
    }
    case 'replicasPerShard': {
      const to = state.replicasPerShard!;
      if (to < g.replicasPerShard && !intoBounds(g.replicasPerShard, to, { min: floors.minReplicasPerShard, max: target.maxReplicasPerShard ?? 5 })) {
        breaches.push(cooldown(), fitBreach(replicaInFit(policy, g.shards, g.replicasPerShard, (await observe()).connectionsPerNode)));
      }
      action = `${to > g.replicasPerShard ? 'Increase' : 'Decrease'}ReplicaCount ${id} to ${to}`;
      write = () => ctx.elastiCache.setReplicaCount(id, g.replicasPerShard, to);
      break;
    }
    default:
      throw new TerminalError(`no change chosen for ${id}`, 'BadState');
  }
  const forced = await enforce(ctx, state, execution, breaches, action);
  await beforeWrite(ctx, target, action);
  await write();
  return { ...state, forced, step: 'wait', polls: 1, waitSeconds: backoffSeconds(1), lastWriteAt: ctx.now(), actions: [...(state.actions ?? []), action] };
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
