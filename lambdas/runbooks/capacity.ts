/**
 * The `set-capacity` runbook's task: set a web tier (`asg`, `ecs-service`) or a worker pool
 * (`queue-workers`) to N by hand, with the safety rules of every other entry point. Under the target's
 * lease (the family function's, so the two never race): the bounds in force (min/max, or the capacity
 * window's) and the group's own MinSize/MaxSize clamp N, never passed over; busy workers are never
 * removed (protected instances, or without protection the workers the in-flight messages need); the
 * engine's step and cooldowns hold unless `force: true` (audited); the switches are read right before
 * the write. After the write the target's record says the autoscaler just acted, so the family function
 * waits its cooldowns before it moves the count again.
 */

import * as v from 'valibot';
import { AutoScalingAdapter } from '../adapters/autoscaling';
import type { CapacityBackend, CapacitySnapshot } from '../adapters/capacity';
import { EcsAdapter } from '../adapters/ecs';
import { EMPTY_MEMORY, type EngineMemory } from '../engine/capacity';
import { EMPTY_QUEUE_MEMORY, type QueueMemory } from '../engine/queue';
import { activeWindow, boundsIn } from '../engine/windows';
import { withinGroupBounds } from '../scalers/decision-loop';
import type { CapacityTarget, QueueWorkersTarget } from '../shared/config';
import { MAX_UNITS } from '../shared/config/bounds';
import { TerminalError } from '../shared/errors';
import { ResourceBusyError } from '../shared/runbook-errors';
import { SET_CAPACITY_KINDS } from '../shared/runbook-tasks';
import { nonEmpty, parseInput } from '../shared/validate';
import { BUSY, LEASE_SECONDS, withTargetLease } from '../state/lease';
import type { TargetRecord } from '../state/store';
import { type RunbookContext, type RunbookFleets, withOverrideOf } from './context';
import { type Breach, enforce } from './rules';
import { beforeWrite } from './switches';

export const SetCapacityInputSchema = v.object({
  targetId: nonEmpty(),
  /** The count wanted (absolute); clamped to the bounds in force. */
  desired: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_UNITS)),
  /** Why, in the operator's words: kept in the audit entry and the notification. */
  reason: v.pipe(v.string(), v.trim(), v.minLength(1, 'is required: say why the count is set by hand'), v.maxLength(500)),
  /** Pass over the engine's step and cooldowns (never the bounds, busy workers or the switches); audited and notified. */
  force: v.optional(v.boolean()),
});

export interface SetCapacityState extends v.InferOutput<typeof SetCapacityInputSchema> {
  /** The count before the run and the one it set (after the clamps). */
  previous?: number;
  applied?: number;
  actions?: string[];
  summary?: string;
  /** The rules a forced run passed over. */
  forced?: string[];
}

/** The kinds a count is set on: the capacity family's and the queue family's. */
type FleetTarget = CapacityTarget | QueueWorkersTarget;
const FLEET_KINDS: readonly FleetTarget['kind'][] = SET_CAPACITY_KINDS;

function fleetTargetOf(ctx: RunbookContext, targetId: string): FleetTarget {
  const target = ctx.config.targets.find((t) => t.id === targetId);
  if (!target) throw new TerminalError(`no target "${targetId}" in the config (targets: ${ctx.config.targets.map((t) => t.id).join(', ')})`, 'UnknownTarget');
  if (!(FLEET_KINDS as readonly string[]).includes(target.kind))
    throw new TerminalError(`target "${target.id}" is a ${target.kind} target: set-capacity sets ${FLEET_KINDS.join(', ')} targets`, 'WrongTargetKind');
  return target as FleetTarget;
}

function backendOf(fleets: RunbookFleets, target: FleetTarget): CapacityBackend {
  const fleet = target.kind === 'queue-workers' ? target.workers : target;
  return fleet.kind === 'asg'
    ? new AutoScalingAdapter(fleets.autoScaling, fleet.autoScalingGroupName, fleets.sleep)
    : new EcsAdapter(fleets.ecs, fleet.cluster, fleet.service);
}

/**
 * How long after a change the family function leaves the count alone (the cooldowns the run sets): a
 * web tier's scale-out cooldown before a scale-out and its `scaleInCooldownSeconds` before a scale-in; a worker
 * pool's `scaleInCooldownSeconds` before a scale-in (a scale-out is never held: the queue's SLO wins).
 */
export function cooldownsSet(target: FleetTarget): string {
  return target.kind === 'queue-workers'
    ? `no scale-in for ${target.scaleInCooldownSeconds} s (scaleInCooldownSeconds); a backlog the workers cannot serve still scales out at once`
    : `no scale-out for ${target.scaleOutCooldownSeconds} s (scaleOutCooldownSeconds), no scale-in for ${target.scaleInCooldownSeconds} s (scaleInCooldownSeconds)`;
}

/** The engine's step from `from` to `to`: what one decision of the family function may change. */
function stepBreach(target: FleetTarget, from: number, to: number): Breach | undefined {
  if (to > from && target.kind !== 'queue-workers') {
    let step = Math.max(1, Math.ceil(from * target.maxStepUpRatio));
    if (target.maxStepUp !== undefined) step = Math.min(step, target.maxStepUp);
    if (to - from > step) return { rule: 'step', why: `${from} -> ${to} adds ${to - from}: one scale-out adds at most ${step} (maxStepUpRatio, maxStepUp)` };
  }
  if (to < from) {
    const step = Math.max(1, Math.floor(from * target.maxStepDownRatio));
    if (from - to > step) return { rule: 'step', why: `${from} -> ${to} removes ${from - to}: one scale-in removes at most ${step} (maxStepDownRatio)` };
  }
  return undefined;
}

/** The engine's cooldowns, from the target's record, as the family function applies them. */
function cooldownBreach(target: FleetTarget, record: TargetRecord | undefined, from: number, to: number, now: number): Breach | undefined {
  const since = (at: number | undefined) => (at === undefined ? Infinity : (now - at) / 1000);
  const held = (seconds: number, elapsed: number, label: string): Breach | undefined =>
    elapsed < seconds ? { rule: 'cooldown', why: `the last change of "${target.id}" was ${Math.round(elapsed)} s ago: ${label} ${seconds} s` } : undefined;
  if (target.kind === 'queue-workers') {
    const m = (record?.memory as QueueMemory | undefined) ?? EMPTY_QUEUE_MEMORY;
    return to < from ? held(target.scaleInCooldownSeconds, since(m.lastChangeAt), 'scaleInCooldownSeconds') : undefined;
  }
  const m = (record?.memory as EngineMemory | undefined) ?? EMPTY_MEMORY;
  if (to > from) return held(target.scaleOutCooldownSeconds, since(m.lastScaleOutAt), 'scaleOutCooldownSeconds');
  return held(target.scaleInCooldownSeconds, Math.min(since(m.lastScaleOutAt), since(m.lastScaleInAt)), 'scaleInCooldownSeconds');
}

/**
 * What the family function keeps, with the cooldowns started now. For queue workers a raise by hand
 * is a scale-out like the engine's own: a scale-in within REVERSAL_WINDOW_SECONDS of it may be held.
 */
function memoryAfter(target: FleetTarget, record: TargetRecord | undefined, now: number, raised: boolean): Record<string, unknown> {
  if (target.kind === 'queue-workers') {
    const m = (record?.memory as QueueMemory | undefined) ?? EMPTY_QUEUE_MEMORY;
    return { ...m, lastChangeAt: now, lastScaleOutAt: raised ? now : m.lastScaleOutAt };
  }
  return { ...((record?.memory as EngineMemory | undefined) ?? EMPTY_MEMORY), lastScaleOutAt: now, lastScaleInAt: now };
}

/**
 * Busy workers stay: an Auto Scaling group's protected instances, and for queue workers without
 * scale-in protection ceil(in flight / messagesInFlightPerWorker), as the queue engine keeps them
 * (never above the count now or the ceiling in force).
 */
async function busyFloor(fleets: RunbookFleets, target: FleetTarget, snapshot: CapacitySnapshot, max: number): Promise<{ floor: number; why: string }> {
  let floor = snapshot.protected ?? 0;
  let why = `${floor} protected from scale-in`;
  if (target.kind === 'queue-workers' && !target.workers.scaleInProtection) {
    const depth = await fleets.sqs.depth(target.queueUrl);
    const holding = Math.ceil(depth.notVisible / target.workers.messagesInFlightPerWorker);
    if (holding > floor) {
      floor = holding;
      why = `${depth.notVisible} messages in flight need ${holding} workers`;
    }
  }
  return { floor: Math.min(floor, snapshot.desired, max), why };
}

/** The whole run's work: clamp, check, switches, write, record; under the target's lease. */
export async function set(ctx: RunbookContext, raw: unknown, execution: string): Promise<SetCapacityState> {
  const state = raw as SetCapacityState;
  const input = parseInput(SetCapacityInputSchema, { targetId: state?.targetId, desired: state?.desired, reason: state?.reason, force: state?.force });
  const target = await withOverrideOf(ctx, fleetTargetOf(ctx, input.targetId));
  if (!ctx.fleets) throw new Error('the runbook tasks were given no Auto Scaling, ECS or SQS client');
  const fleets = ctx.fleets;
  const backend = backendOf(fleets, target);
  const start = ctx.now();
  const result = await withTargetLease(ctx.store, target.id, `runbook:${execution}`, start, LEASE_SECONDS, async (owner) => {
    const record = await ctx.store.getTarget(target.id);
    const snapshot = await backend.describe();
    const from = snapshot.desired;
    // Never passed over: the bounds in force (a capacity window's replace the target's) and the group's own.
    const bounds = boundsIn(target, activeWindow(ctx.config.windows, target.id, start));
    const notes: string[] = [];
    let to = Math.min(bounds.maxCapacity, Math.max(bounds.minCapacity, input.desired));
    if (to !== input.desired)
      notes.push(
        `${input.desired} clamped to ${to} (${bounds.window ? `window "${bounds.window}"` : 'minCapacity-maxCapacity'} ${bounds.minCapacity}-${bounds.maxCapacity})`,
      );
    const group = withinGroupBounds(snapshot, to);
    if (group.desired !== to) notes.push(group.note.replace(/^; /, ''));
    to = group.desired;
    if (to < from) {
      const busy = await busyFloor(fleets, target, snapshot, bounds.maxCapacity);
      if (to < busy.floor) {
        notes.push(`held at ${busy.floor}: ${busy.why}`);
        to = busy.floor;
      }
    }
    const asked = `"${input.reason}" (${execution})`;
    if (to === from)
      return {
        ...state,
        previous: from,
        applied: from,
        summary: `${target.id} already at ${from}${notes.length ? `; ${notes.join('; ')}` : ''}; asked: ${asked}`,
      };

    const action = `${target.kind === 'asg' || (target.kind === 'queue-workers' && target.workers.kind === 'asg') ? 'SetDesiredCapacity' : 'UpdateService desiredCount'} ${from} -> ${to} on "${target.id}"`;
    const forced = await enforce(ctx, state, execution, [stepBreach(target, from, to), cooldownBreach(target, record, from, to, start)], action);
    await beforeWrite(ctx, target, action);
    await backend.setDesired(to);

    const reason = `set by hand ${from} -> ${to}: ${asked}${notes.length ? `; ${notes.join('; ')}` : ''}; ${cooldownsSet(target)}`;
    await ctx.store.saveTarget(
      {
        ...record,
        targetId: target.id,
        memory: memoryAfter(target, record, start, to > from),
        lastDecision: {
          at: start,
          previous: from,
          desired: to,
          direction: to > from ? 'out' : 'in',
          reason,
          figures: { requested: input.desired, boundMin: bounds.minCapacity, boundMax: bounds.maxCapacity },
          outcome: 'applied',
        },
        lastActionAt: start,
        lastExecution: execution,
        lastFailure: undefined,
      },
      owner,
    );
    return { ...state, forced, previous: from, applied: to, actions: [...(state.actions ?? []), action], summary: reason };
  });
  if (result === BUSY) throw new ResourceBusyError(`another invocation is deciding for "${target.id}" (it holds the target's lease)`);
  return result;
}
