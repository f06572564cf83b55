/**
 * Tasks of the `rds-replicas` runbook: converge the autoscaler's replicas of one source (or readers of
 * one Aurora cluster) to an absolute count. Each task reads what exists first, so a run that died
 * half-way is finished by the next: a replica it created is adopted (found by its deterministic
 * identifier and its tags), a failed one is deleted, nothing is created twice. One replica more or
 * fewer per run, after the cooldowns, a removal only if current metrics allow it (unless forced); a
 * replica is deleted only while it is still ours and still a replica of the configured source.
 */

import * as v from 'valibot';
import type { DbInstanceInfo } from '../adapters/rds';
import { chooseReplicaZone } from '../engine/replica-zones';
import { MAX_REPLICAS_PER_SOURCE, replicaRemovalFit } from '../engine/replicas';
import { observeReplicas } from '../scalers/database/observe';
import type { RdsReplicasTarget } from '../shared/config';
import { TerminalError } from '../shared/errors';
import { readerEndpointsParameter, replicaIdentifier, replicaSlots } from '../shared/kinds/rds-replicas';
import { ResourceBusyError } from '../shared/runbook-errors';
import { EXECUTION_TAG, MANAGED_BY_TAG, TARGET_TAG } from '../shared/tags';
import { nonEmpty, parseInput } from '../shared/validate';
import { backoffSeconds, MAX_POLLS, type RunbookContext, targetOf, withOverrideOf } from './context';
import { type Breach, cooldownBreach, countStep, enforce, intoBounds } from './rules';
import { beforeWrite } from './switches';

export const ReplicasInputSchema = v.object({
  targetId: nonEmpty(),
  /** The number of the autoscaler's replicas wanted (absolute). */
  desiredReplicas: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_REPLICAS_PER_SOURCE)),
  /** Pass over the step, cooldown and fit rules (never the bounds nor the removal checks); audited and notified. */
  force: v.optional(v.boolean()),
  reason: v.optional(v.string()),
});

export interface ReplicasState extends v.InferOutput<typeof ReplicasInputSchema> {
  step?: 'add' | 'remove' | 'wait' | 'done';
  replicaId?: string;
  /** The zone the replica being created was asked for (unset: RDS chose). */
  availabilityZone?: string;
  engine?: string;
  instanceClass?: string;
  polls?: number;
  waitSeconds?: number;
  /** Replicas this run asked RDS to create, failed ones included. */
  created?: number;
  actions?: string[];
  readers?: { id: string; host: string; port: number }[];
  summary?: string;
  /** The autoscaler's live replicas when the run first looked: its step is counted from there. */
  startReplicas?: number;
  /** The rules a forced run passed over. */
  forced?: string[];
}

/** Statuses from which a replica never becomes usable: the autoscaler deletes its own in these. */
const BROKEN = new Set([
  'failed',
  'incompatible-parameters',
  'incompatible-restore',
  'incompatible-network',
  'incompatible-option-group',
  'inaccessible-encryption-credentials',
  'storage-full',
]);
const TRANSITIONAL = new Set(['creating', 'deleting']);
/** A replica that serves or will: not broken, not on its way out. */
const counted = (r: DbInstanceInfo) => !BROKEN.has(r.status) && r.status !== 'deleting';

export { replicaIdentifier };

export function isManaged(prefix: string, targetId: string, i: DbInstanceInfo): boolean {
  return i.tags[MANAGED_BY_TAG] === prefix && i.tags[TARGET_TAG] === targetId;
}

interface Fleet {
  readonly sourceStatus: string;
  readonly backups: number;
  readonly engine?: string;
  readonly sourceClass?: string;
  /** Every replica (reader) of the source, whoever made it. */
  readonly replicas: DbInstanceInfo[];
  /** Every instance that holds one of the target's replica identifiers, a replica of the source or not. */
  readonly takenIds: ReadonlySet<string>;
  /** The zones a new replica may go to: its DB subnet group's (Aurora: those that also hold the cluster volume). */
  readonly zones: readonly string[];
  /** The zone of the source (Aurora: of the writer). */
  readonly sourceZone?: string;
}

async function fleetOf(ctx: RunbookContext, target: RdsReplicasTarget): Promise<Fleet> {
  const slots = replicaSlots(target);
  if (target.clusterIdentifier) {
    const cluster = await ctx.rds.cluster(target.clusterIdentifier);
    if (!cluster) throw new TerminalError(`Aurora cluster "${target.clusterIdentifier}" not found`, 'DBClusterNotFound');
    const writerId = cluster.members.find((m) => m.writer)?.id;
    const writer = writerId ? await ctx.rds.instance(writerId) : undefined;
    const ids = new Set([...cluster.members.filter((m) => !m.writer).map((m) => m.id), ...slots]);
    const found = await ctx.rds.instances([...ids]);
    const replicas = found.filter((i) => i.clusterId === target.clusterIdentifier && i.id !== writerId);
    // A new Aurora instance goes to one of the three zones of the cluster volume (CreateDBInstance,
    // AvailabilityZone), in a subnet of the cluster's DB subnet group, which its writer shares.
    const volume = new Set(cluster.availabilityZones);
    const subnetZones = writer?.subnetGroupZones ?? [];
    return {
      sourceStatus: cluster.status,
      backups: cluster.backupRetentionPeriod,
      engine: cluster.engine,
      sourceClass: writer?.instanceClass,
      replicas,
      takenIds: new Set(found.map((i) => i.id)),
      zones: volume.size > 0 ? subnetZones.filter((z) => volume.has(z)) : subnetZones,
      sourceZone: writer?.availabilityZone,
    };
  }
  const sourceId = target.sourceInstanceIdentifier!;
  const source = await ctx.rds.instance(sourceId);
  if (!source) throw new TerminalError(`source instance "${sourceId}" not found`, 'DBInstanceNotFound');
  // Slots are looked up by name too: a replica whose creation a dead run started is found even before
  // the source lists it.
  const ids = new Set([...source.replicaIds, ...slots]);
  const found = await ctx.rds.instances([...ids]);
  const replicas = found.filter((i) => i.sourceId === sourceId);
  return {
    sourceStatus: source.status,
    backups: source.backupRetentionPeriod,
    engine: source.engine,
    sourceClass: source.instanceClass,
    replicas,
    takenIds: new Set(found.map((i) => i.id)),
    // A replica in the source's region takes the source's DB subnet group.
    zones: source.subnetGroupZones,
    sourceZone: source.availabilityZone,
  };
}

function newestFirst(a: DbInstanceInfo, b: DbInstanceInfo): number {
  // Not yet created (no create time) counts as newest.
  return (b.createdAt ?? Infinity) - (a.createdAt ?? Infinity) || b.id.localeCompare(a.id, 'en', { numeric: true });
}

/** One replica more or fewer per run, counted from the autoscaler's replicas when the run first looked. */
function stepBreach(target: RdsReplicasTarget, state: ReplicasState, desired: number): Breach | undefined {
  if (state.startReplicas === undefined) return undefined;
  return countStep('replicas', state.startReplicas, desired, { min: target.minReplicas, max: target.maxReplicas }, 1, 1);
}

/** Compare what exists with what is wanted; clean up broken replicas of ours; choose the next step. */
export async function reconcile(ctx: RunbookContext, raw: unknown, execution: string): Promise<ReplicasState> {
  const input = parseInput(ReplicasInputSchema, stripRunFields(raw));
  const state = raw as ReplicasState;
  const target = await withOverrideOf(ctx, targetOf(ctx.config, input.targetId, 'rds-replicas'));
  const prefix = ctx.config.prefix;
  if (input.desiredReplicas < target.minReplicas || input.desiredReplicas > target.maxReplicas) {
    throw new TerminalError(
      `desiredReplicas ${input.desiredReplicas} is outside ${target.minReplicas}-${target.maxReplicas} (minReplicas-maxReplicas of "${target.id}"${target.override ? `, ${target.override.description}` : ''})`,
      'OutOfBounds',
    );
  }
  const actions = [...(state.actions ?? [])];
  const fleet = await fleetOf(ctx, target);
  const managed = fleet.replicas.filter((r) => isManaged(prefix, target.id, r));
  // The run's step counts from what it first found, and is refused before anything is changed.
  const startReplicas = state.startReplicas ?? managed.filter(counted).length;
  const forced = await enforce(
    ctx,
    state,
    execution,
    [stepBreach(target, { ...state, startReplicas }, input.desiredReplicas)],
    `replicas of "${target.id}": ${startReplicas} -> ${input.desiredReplicas}`,
  );
  for (const broken of managed.filter((r) => BROKEN.has(r.status))) {
    const result = await deleteOwnReplica(ctx, target, broken.id, 'broken');
    actions.push(result === 'deleting' ? `deleted ${broken.id} (left ${broken.status} by an earlier run)` : `${broken.id} not deleted: ${result}`);
  }
  const live = managed.filter(counted);
  const busy = managed.filter((r) => TRANSITIONAL.has(r.status));
  const polls = state.polls ?? 0;
  const base = {
    ...state,
    actions,
    forced,
    startReplicas,
    engine: fleet.engine,
    instanceClass: target.replicaInstanceClass ?? fleet.sourceClass,
    replicaId: undefined,
    availabilityZone: undefined,
  };

  const wait = (why: string): ReplicasState => {
    if (polls >= MAX_POLLS) throw new TerminalError(`gave up after ${polls} polls: ${why}`, 'WaitTimeout');
    return { ...base, step: 'wait', polls: polls + 1, waitSeconds: backoffSeconds(polls + 1), summary: why };
  };

  if (live.length < input.desiredReplicas) {
    if (busy.length > 0) return wait(`${busy.map((r) => `${r.id} ${r.status}`).join(', ')}; one change at a time`);
    if (fleet.sourceStatus !== 'available') {
      throw new ResourceBusyError(`source of "${target.id}" is ${fleet.sourceStatus}, not available`);
    }
    if (fleet.backups < 1) {
      throw new TerminalError(`source of "${target.id}" has no automated backups (BackupRetentionPeriod 0); read replicas need them`, 'NoAutomatedBackups');
    }
    if (fleet.replicas.filter((r) => !BROKEN.has(r.status)).length >= MAX_REPLICAS_PER_SOURCE) {
      throw new TerminalError(`source of "${target.id}" already has ${MAX_REPLICAS_PER_SOURCE} replicas, the most RDS allows`, 'ReplicaQuotaExceeded');
    }
    // The lowest identifier no instance holds (a promoted former replica keeps its name).
    const taken = new Set([...fleet.takenIds, ...fleet.replicas.map((r) => r.id)]);
    let slot = 1;
    while (taken.has(replicaIdentifier(target.id, slot))) slot++;
    return {
      ...base,
      step: 'add',
      replicaId: replicaIdentifier(target.id, slot),
      polls: 0,
      summary: `${live.length} of ${input.desiredReplicas} replica(s): add one`,
    };
  }
  if (live.length > input.desiredReplicas) {
    if (busy.length > 0) return wait(`${busy.map((r) => `${r.id} ${r.status}`).join(', ')}; one change at a time`);
    // Only an available replica is removed; one still changing (modifying, backing-up...) is waited for.
    const candidates = live.filter((r) => r.status === 'available');
    if (candidates.length === 0) return wait(`${live.map((r) => `${r.id} ${r.status}`).join(', ')}: none available to remove`);
    const victim = [...candidates].sort(newestFirst)[0];
    return {
      ...base,
      step: 'remove',
      replicaId: victim.id,
      polls: 0,
      summary: `${live.length} of ${input.desiredReplicas} replica(s): remove the newest, ${victim.id}`,
    };
  }
  const settling = managed.filter((r) => r.status !== 'available');
  if (settling.length > 0) return wait(`${settling.map((r) => `${r.id} ${r.status}`).join(', ')}`);
  return { ...base, step: 'done', polls: 0, summary: `${live.length} replica(s) of ${input.desiredReplicas} wanted, all available` };
}

/**
 * Creates the replica `reconcile` chose, tagged as the autoscaler's; an existing one of that name is
 * adopted. Its zone is chosen here, on the fleet as it is right before the write: of the zones its DB
 * subnet group covers, the one holding the fewest of the target's replicas and its source (writer).
 */
export async function create(ctx: RunbookContext, state: ReplicasState, execution: string): Promise<ReplicasState> {
  const target = targetOf(ctx.config, state.targetId, 'rds-replicas');
  const id = state.replicaId;
  if (!id?.startsWith(`${target.id}-ro-`)) throw new TerminalError(`no replica identifier of "${target.id}" to create (got ${String(id)})`, 'BadState');
  // Replicas that fail as soon as they are made would otherwise be replaced forever.
  const created = (state.created ?? 0) + 1;
  if (created > state.desiredReplicas + 2) {
    throw new TerminalError(
      `${created - 1} replica(s) created by this run for a goal of ${state.desiredReplicas}: they keep failing; stopped`,
      'ReplicasKeepFailing',
    );
  }
  const tags = { [MANAGED_BY_TAG]: ctx.config.prefix, [TARGET_TAG]: target.id, [EXECUTION_TAG]: execution.slice(0, 256) };
  const fleet = await fleetOf(ctx, target);
  const ours = fleet.replicas.filter((r) => isManaged(ctx.config.prefix, target.id, r) && counted(r));
  const availabilityZone = chooseReplicaZone(fleet.zones, [fleet.sourceZone, ...ours.map((r) => r.availabilityZone)]);
  const where = availabilityZone ? ` in ${availabilityZone}` : '';
  const action = target.clusterIdentifier
    ? `CreateDBInstance ${id} in cluster ${target.clusterIdentifier}${where}`
    : `CreateDBInstanceReadReplica ${id} of ${target.sourceInstanceIdentifier}${where}`;
  const forced = await enforce(
    ctx,
    state,
    execution,
    [
      stepBreach(target, state, state.desiredReplicas),
      cooldownBreach(await ctx.store.getTarget(target.id), execution, ctx.now(), target.scaleOutCooldownSeconds, 'scaleOutCooldownSeconds'),
    ],
    action,
  );
  let result: 'created' | 'exists';
  if (target.clusterIdentifier) {
    if (!state.engine || !state.instanceClass) throw new TerminalError(`engine or instance class of cluster "${target.clusterIdentifier}" unknown`, 'BadState');
    await beforeWrite(ctx, target, action);
    result = await ctx.rds.createClusterReader({
      id,
      clusterId: target.clusterIdentifier,
      engine: state.engine,
      instanceClass: state.instanceClass,
      availabilityZone,
      tags,
    });
  } else {
    await beforeWrite(ctx, target, action);
    result = await ctx.rds.createReadReplica({
      id,
      sourceId: target.sourceInstanceIdentifier!,
      instanceClass: target.replicaInstanceClass,
      availabilityZone,
      tags,
    });
  }
  const actions = [...(state.actions ?? []), result === 'created' ? `created ${id}${where}` : `adopted ${id} (already existed)`];
  return { ...state, forced, actions, created, availabilityZone, step: 'wait', polls: 1, waitSeconds: backoffSeconds(1) };
}

/**
 * Deletes the replica `reconcile` chose: one replica per run (the step), after the scale-in cooldown,
 * and only if current metrics allow one fewer (unless forced); then, checked on the instance as it is
 * right before the delete, only while it is still ours and still a replica (deleteOwnReplica).
 */
export async function remove(ctx: RunbookContext, state: ReplicasState, execution: string): Promise<ReplicasState> {
  const target = await withOverrideOf(ctx, targetOf(ctx.config, state.targetId, 'rds-replicas'));
  const id = state.replicaId;
  if (!id) throw new TerminalError(`no replica of "${target.id}" to remove`, 'BadState');
  const fleet = await fleetOf(ctx, target);
  const live = fleet.replicas.filter((r) => !BROKEN.has(r.status) && r.status !== 'deleting');
  const ours = live.filter((r) => isManaged(ctx.config.prefix, target.id, r)).length;
  const breaches: (Breach | undefined)[] = [
    stepBreach(target, state, state.desiredReplicas),
    cooldownBreach(await ctx.store.getTarget(target.id), execution, ctx.now(), target.scaleInCooldownSeconds, 'scaleInCooldownSeconds'),
  ];
  // Above maxReplicas the engine removes without looking at the load; otherwise the load must allow it.
  if (!intoBounds(ours, ours - 1, { min: target.minReplicas, max: target.maxReplicas })) {
    const fit = replicaRemovalFit(target, await observeReplicas(ctx.cloudWatch, target, live, ctx.now()), live.length);
    if (!fit.fits) breaches.push({ rule: 'fit', why: `on current metrics: ${fit.why}` });
  }
  const forced = await enforce(ctx, state, execution, breaches, `DeleteDBInstance ${id}`);
  const result = await deleteOwnReplica(ctx, target, id, 'available');
  const actions = [
    ...(state.actions ?? []),
    result === 'deleting' ? `deleting ${id}` : result === 'gone' ? `${id} already gone` : `${id} not deleted: ${result}`,
  ];
  return { ...state, forced, actions, step: 'wait', polls: 1, waitSeconds: backoffSeconds(1) };
}

/**
 * Deletes one of the target's replicas after describing it again, right before the delete: it must
 * still carry this deployment's and this target's tags, have one of the target's identifiers, still be
 * a read replica of the configured source (a promoted one has none; tags survive promotion) or, for
 * Aurora, a reader of the configured cluster (not its writer), and be `available` (`broken`: in a state
 * it never recovers from). Anything else that is ours is left alone with the reason returned; anything
 * not ours, or no longer a replica, fails the run. The switches are read last.
 */
export async function deleteOwnReplica(
  ctx: RunbookContext,
  target: RdsReplicasTarget,
  id: string,
  expect: 'available' | 'broken',
): Promise<'deleting' | 'gone' | string> {
  const i = await ctx.rds.instance(id);
  if (!i) return 'gone';
  if (!isManaged(ctx.config.prefix, target.id, i) || !new RegExp(`^${target.id}-ro-\\d+$`).test(id)) {
    throw new TerminalError(
      `${id} does not carry ${MANAGED_BY_TAG}=${ctx.config.prefix} and ${TARGET_TAG}=${target.id}: not the autoscaler's to delete`,
      'NotManaged',
    );
  }
  if (target.clusterIdentifier) {
    if (i.clusterId !== target.clusterIdentifier) {
      throw new TerminalError(
        `${id} is not an instance of Aurora cluster ${target.clusterIdentifier} (${i.clusterId ? `it is in ${i.clusterId}` : 'it is in no cluster'}): not deleted`,
        'NotAReplica',
      );
    }
    const cluster = await ctx.rds.cluster(target.clusterIdentifier);
    const member = cluster?.members.find((m) => m.id === id);
    if (!member) throw new TerminalError(`${id} is not a member of Aurora cluster ${target.clusterIdentifier}: not deleted`, 'NotAReplica');
    if (member.writer)
      throw new TerminalError(`${id} is the writer of Aurora cluster ${target.clusterIdentifier} (a failover made it so): not deleted`, 'NotAReplica');
  } else if (i.sourceId !== target.sourceInstanceIdentifier) {
    throw new TerminalError(
      `${id} is no longer a read replica of ${target.sourceInstanceIdentifier} (${i.sourceId ? `its source is ${i.sourceId}` : 'it was promoted to a standalone instance'}): not deleted`,
      'NotAReplica',
    );
  }
  const ok = expect === 'available' ? i.status === 'available' : BROKEN.has(i.status);
  if (!ok) return `it is ${i.status}, not ${expect === 'available' ? 'available' : 'in a broken state'}`;
  const action = `DeleteDBInstance ${id} (${i.status})`;
  await beforeWrite(ctx, target, action);
  return ctx.rds.deleteInstance(id, { aurora: target.clusterIdentifier !== undefined, deleteAutomatedBackups: target.deleteAutomatedBackups });
}

/**
 * Writes the available readers (whoever made them) to the SSM parameter a database router reads, and
 * to the weighted records of the target's Route 53 name when it has one.
 */
export async function publish(ctx: RunbookContext, state: ReplicasState): Promise<ReplicasState> {
  const target = targetOf(ctx.config, state.targetId, 'rds-replicas');
  const fleet = await fleetOf(ctx, target);
  const readers = fleet.replicas
    .filter((r) => r.status === 'available' && r.address)
    .map((r) => ({ id: r.id, host: r.address!, port: r.port ?? 5432 }))
    .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const name = readerEndpointsParameter(ctx.config.prefix, target);
  await beforeWrite(ctx, target, `PutParameter ${name} (${readers.length} reader(s))`);
  const written = await ctx.ssm.put(name, JSON.stringify({ targetId: target.id, readers }), `Reader endpoints of ${target.id} (autoscaler)`);
  const actions = [...(state.actions ?? []), `${name}: ${readers.length} reader(s), ${written}`];
  if (target.route53) {
    const { hostedZoneId, recordName, ttl } = target.route53;
    await beforeWrite(ctx, target, `ChangeResourceRecordSets ${recordName} (${readers.length} reader(s))`);
    const r = await ctx.route53.sync(hostedZoneId, recordName, ttl, readers);
    actions.push(`${recordName}: ${readers.length} weighted record(s), ${r.upserted} upserted, ${r.deleted} deleted`);
  }
  return { ...state, readers, actions };
}

/** The run fields the tasks add, left out when the input is validated again. */
function stripRunFields(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const { targetId, desiredReplicas, force, reason } = raw as Record<string, unknown>;
  return { targetId, desiredReplicas, force, reason };
}
