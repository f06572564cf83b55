/**
 * The database family's work (rds-replicas, rds-storage, redis): take a validated event, find the
 * target, observe, decide (pure engines), guard (lease, pause, dry-run) and act by starting the
 * target's runbook under a deterministic name, then record. The runbook does the long work.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudWatchAdapter } from '../../adapters/cloudwatch';
import { ElastiCacheAdapter } from '../../adapters/elasticache';
import { LateAwareCloudWatch } from '../../adapters/late-metrics';
import { type DbInstanceInfo, RdsAdapter } from '../../adapters/rds';
import { type Notifier, noopNotifier } from '../../adapters/sns';
import { StepFunctionsAdapter } from '../../adapters/stepfunctions';
import type { SendClient } from '../../adapters/types';
import { decideInstanceClass } from '../../engine/instance-class';
import { decideRedisReplicas, decideRedisShape, redisFloors } from '../../engine/redis';
import { decideReplicas } from '../../engine/replicas';
import { checkMetrics, describeMetrics, type FreshnessPolicy, type MetricsCheck } from '../../engine/staleness';
import { decideStorage, STORAGE_MODIFICATION_INTERVAL_SECONDS } from '../../engine/storage';
import { executionName } from '../../runbooks/names';
import { isManaged } from '../../runbooks/replicas';
import { familyOf, parseAlarmName } from '../../shared/alarms';
import type { AutoscalerConfig, DataTarget, RdsInstanceTarget, RdsReplicasTarget, RdsStorageTarget, RedisTarget } from '../../shared/config';
import { eachTarget } from '../../shared/each-target';
import { TerminalError } from '../../shared/errors';
import { type AlarmStateChangeEvent, type CapacityEvent, isAlarmEvent, type ReevaluateEvent } from '../../shared/events';
import { rdsInstanceMetrics } from '../../shared/kinds/rds-instance';
import { replicaSourceMetrics } from '../../shared/kinds/rds-replicas';
import { rdsStorageMetrics } from '../../shared/kinds/rds-storage';
import { metricsNotification } from '../../shared/notifications';
import { logger, metrics } from '../../shared/powertools';
import { BUSY, LEASE_SECONDS, withTargetLease } from '../../state/lease';
import type { Outcome, StateStore } from '../../state/store';
import { figuresOf, LOOKBACK_MINUTES, min, observeInstance, observeRedis, observeReplicas } from './observe';

/** The ARNs of the runbooks, by target kind (environment of the deployed function). */
export type RunbookArns = Readonly<Partial<Record<DataTarget['kind'], string>>>;

export interface DatabaseServiceDeps {
  readonly config: AutoscalerConfig;
  readonly store: StateStore;
  readonly rds: SendClient;
  readonly elastiCache: SendClient;
  readonly cloudWatch: SendClient;
  readonly stepFunctions: SendClient;
  readonly runbooks: RunbookArns;
  readonly now: () => number;
  /**
   * Told when a target's metrics become late or missing, and when they are back.
   * @default no one (the simulator supplies none)
   */
  readonly notifier?: Notifier;
}

export interface DatabaseTargetResult {
  readonly targetId: string;
  readonly outcome: Outcome | 'busy' | 'skipped';
  readonly reason: string;
  /** The execution started (or found already started) for the action. */
  readonly execution?: { readonly name: string; readonly status: 'started' | 'duplicate' };
}

export interface DatabaseResult {
  readonly status: 'evaluated' | 'ignored' | 'rejected';
  readonly detail: string;
  readonly targets: DatabaseTargetResult[];
}

/** Minutes of CPU the freshness probe of the alarm-driven targets reads. */
const PROBE_MINUTES = 15;
const STRANDED = new Set(['failed', 'incompatible-parameters', 'incompatible-restore', 'incompatible-network', 'storage-full']);

interface Plan {
  readonly change: boolean;
  readonly reason: string;
  readonly action?: string;
  readonly goal?: string | number;
  readonly input?: Record<string, unknown>;
  readonly windowSeconds?: number;
  readonly figures: Record<string, number>;
  /** What to remember for the target's next decision; unset: what it had. */
  readonly memory?: Readonly<Record<string, unknown>>;
}

export class DatabaseService {
  private readonly targets: Map<string, DataTarget>;
  private readonly cloudWatch: LateAwareCloudWatch;
  /** Plain reads of a window as it is, for the freshness probe of the alarm-driven targets. */
  private readonly probe: CloudWatchAdapter;
  private readonly rds: RdsAdapter;
  private readonly elastiCache: ElastiCacheAdapter;
  private readonly stepFunctions: StepFunctionsAdapter;

  constructor(private readonly deps: DatabaseServiceDeps) {
    this.targets = new Map(deps.config.targets.filter((t): t is DataTarget => familyOf(t) === 'database').map((t) => [t.id, t]));
    // Late datapoints are read where they are: the newest window there is, not an empty one.
    this.cloudWatch = new LateAwareCloudWatch(deps.cloudWatch);
    this.probe = new CloudWatchAdapter(deps.cloudWatch);
    this.rds = new RdsAdapter(deps.rds);
    this.elastiCache = new ElastiCacheAdapter(deps.elastiCache);
    this.stepFunctions = new StepFunctionsAdapter(deps.stepFunctions);
  }

  async handle(event: CapacityEvent, eventKey: string): Promise<DatabaseResult> {
    return isAlarmEvent(event) ? this.onAlarm(event, eventKey) : this.onSchedule(event, eventKey);
  }

  private async onAlarm(event: AlarmStateChangeEvent, eventKey: string): Promise<DatabaseResult> {
    const { config, now } = this.deps;
    const name = event.detail.alarmName;
    const parts = parseAlarmName(config.prefix, name);
    const target = parts && this.targets.get(parts.targetId);
    if (!parts || !target) return { status: 'rejected', detail: `alarm "${name}" names no configured database target`, targets: [] };
    const ageSeconds = (now() - Date.parse(event.time)) / 1000;
    if (ageSeconds > config.maxEventAgeSeconds) {
      return { status: 'ignored', detail: `event is ${Math.round(ageSeconds)} s old, older than ${config.maxEventAgeSeconds} s`, targets: [] };
    }
    if (event.detail.state.value !== 'ALARM')
      return { status: 'ignored', detail: `alarm "${name}" went to ${event.detail.state.value}; nothing to do`, targets: [] };
    const state = await this.cloudWatch.alarmState(name);
    if (state !== 'ALARM') return { status: 'ignored', detail: `alarm "${name}" is ${state ?? 'gone'} now`, targets: [] };
    return { status: 'evaluated', detail: `alarm "${name}"`, targets: [await this.evaluate(target, eventKey)] };
  }

  /**
   * Targets with an alarm still in ALARM, and every storage, Redis and RDS replicas target: the used
   * share of storage, the per-node Redis metrics and the CPU of each RDS replica are not alarms (the
   * replicas change; with the reads on them the source's CPU alarm may never fire). Aurora targets have
   * their readers' alarm.
   */
  private async onSchedule(event: ReevaluateEvent, eventKey: string): Promise<DatabaseResult> {
    if (event.family !== 'database') return { status: 'rejected', detail: `schedule is for family "${event.family}", not database`, targets: [] };
    const unalarmed = (t: DataTarget) => t.kind === 'rds-storage' || t.kind === 'redis' || (t.kind === 'rds-replicas' && !t.clusterIdentifier);
    const ids = new Set([...this.targets.values()].filter(unalarmed).map((t) => t.id));
    for (const a of await this.cloudWatch.alarms(`${this.deps.config.prefix}/`, 'ALARM')) {
      const parts = a.AlarmName ? parseAlarmName(this.deps.config.prefix, a.AlarmName) : undefined;
      if (parts && this.targets.has(parts.targetId)) ids.add(parts.targetId);
    }
    for (const id of await this.lateOrSilent(ids)) ids.add(id);
    // One target's failure (a query too big, a throttled API) does not stop the others; the invocation fails at the end if any failed.
    // They run one after the other: the late-aware reader tracks one decision's reads at a time.
    const results = await eachTarget([...ids], (id) => this.evaluate(this.targets.get(id)!, eventKey), { family: 'database', idOf: (id) => id });
    return { status: ids.size ? 'evaluated' : 'ignored', detail: `${ids.size} database target(s) to look at`, targets: results };
  }

  /**
   * Alarm-driven targets (beyond `selected`) whose metrics are late or missing, so that they are
   * decided on without an alarm: with CloudWatch minutes late an alarm of M out of M datapoints cannot
   * reach ALARM (the datapoints of the last minutes are missing; with treatMissingData `missing` it
   * stays in OK, or in INSUFFICIENT_DATA when the whole evaluation range is empty: CloudWatch User
   * Guide, "Configuring how CloudWatch alarms treat missing data"). One GetMetricData of each one's CPU
   * over the last 15 minutes tells; a record that says the metrics were late brings the target back
   * too, so that their return is seen.
   */
  private async lateOrSilent(selected: ReadonlySet<string>): Promise<Set<string>> {
    const { store, now } = this.deps;
    const ids = new Set<string>();
    const probed = [...this.targets.values()].filter((t) => !selected.has(t.id) && (t.kind === 'rds-instance' || t.kind === 'rds-replicas'));
    if (probed.length) {
      const at = now();
      const cpu = (t: DataTarget) => (t.kind === 'rds-instance' ? rdsInstanceMetrics(t).cpu : replicaSourceMetrics(t as RdsReplicasTarget).cpu);
      const s = await this.probe.series(
        probed.map((t, i) => ({ id: `p${i}`, metric: cpu(t) })),
        at - PROBE_MINUTES * 60_000,
        at,
        60,
      );
      probed.forEach((t, i) => {
        const last = s[`p${i}`]?.at(-1);
        if (!last || (at - last.at) / 1000 - 60 > t.missingData.lateAfterSeconds) ids.add(t.id);
      });
    }
    for (const id of this.targets.keys()) {
      if (selected.has(id) || ids.has(id)) continue;
      if ((await store.getTarget(id))?.metrics?.lateSince !== undefined) ids.add(id);
    }
    return ids;
  }

  private async evaluate(target: DataTarget, eventKey: string): Promise<DatabaseTargetResult> {
    const { store, config, now } = this.deps;
    const start = now();
    const result = await withTargetLease(store, target.id, eventKey, start, LEASE_SECONDS, async (owner): Promise<DatabaseTargetResult> => {
      const record = await store.getTarget(target.id);
      let plan: Plan;
      this.cloudWatch.begin(target.missingData.lateAfterSeconds);
      try {
        plan = await this.plan(target, start, record?.lastActionAt, record?.memory, record?.firstSeen?.values);
      } catch (err) {
        // A target that cannot be observed (gone, renamed, access denied) is reported; the others go on.
        if (!(err instanceof TerminalError)) throw err;
        const reason = `not evaluated: ${err.message}`;
        await store.appendAudit({ targetId: target.id, at: start, outcome: 'failed', reason, eventId: eventKey }, config.auditRetentionDays);
        logger.error('target not evaluated', { target: target.id, code: err.code, error: err.message });
        return { targetId: target.id, outcome: 'failed', reason };
      }
      // How fresh the datapoints the plan read were; nothing to judge when it read none (it stopped before its metrics).
      const wasLate = record?.metrics?.lateSince !== undefined;
      const newestEnd = this.cloudWatch.newestEnd();
      const check = newestEnd === null ? undefined : checkMetrics(newestEnd, start, freshnessPolicy(target), record?.metrics);
      if (check) plan = withMissingData(target, plan, check, record?.lastActionAt === undefined ? Infinity : (start - record.lastActionAt) / 1000);
      const late = check ? check.freshness !== 'fresh' : wasLate;
      let outcome: Outcome = 'held';
      let reason = plan.reason;
      let execution: DatabaseTargetResult['execution'];
      if (plan.change) {
        const switches = await store.getSwitches(target.id);
        if (switches.paused) outcome = 'paused';
        else if (switches.dryRun || config.dryRun || target.dryRun) outcome = 'dry-run';
        else {
          const arn = this.deps.runbooks[target.kind];
          const name = executionName(target.id, plan.action!, plan.goal!, start, plan.windowSeconds!);
          try {
            if (!arn) throw new TerminalError(`no ${target.kind} runbook is deployed`, 'NoRunbook');
            const res = await this.stepFunctions.start(arn, name, { ...plan.input, reason: plan.reason });
            execution = { name, status: res.status };
            outcome = 'applied';
            reason += res.status === 'duplicate' ? `; runbook ${name} already started` : `; runbook ${name} started`;
          } catch (err) {
            if (!(err instanceof TerminalError)) throw err;
            outcome = 'failed';
            reason += `; failed: ${err.message}`;
          }
        }
      }
      const applied = outcome === 'applied';
      await store.saveTarget(
        {
          targetId: target.id,
          memory: plan.memory ?? record?.memory,
          lastDecision: { at: start, previous: 0, desired: 0, direction: plan.change ? 'out' : 'none', reason, figures: plan.figures, outcome },
          lastActionAt: applied ? start : record?.lastActionAt,
          metrics: check ? check.memory : record?.metrics,
          // The run this decision started is exempt from the cooldown its start set (and only that run).
          lastExecution: applied ? execution?.name : record?.lastExecution,
        },
        owner,
      );
      await store.appendAudit({ targetId: target.id, at: start, outcome, reason, eventId: eventKey, figures: plan.figures }, config.auditRetentionDays);
      if (check && late !== wasLate) {
        await this.tellMetrics(target, {
          change: check.freshness === 'fresh' ? 'back' : check.freshness,
          ageSeconds: check.ageSeconds,
          since: record?.metrics?.lateSince ?? start,
          at: start,
          reason,
        });
      }
      const m = metrics.singleMetric();
      m.addDimensions({ target: target.id, kind: target.kind });
      m.addMetric('Decisions', MetricUnit.Count, 1);
      if (applied) m.addMetric('Actions', MetricUnit.Count, 1);
      if (outcome === 'failed') m.addMetric('Failures', MetricUnit.Count, 1);
      logger.info('decision', { target: target.id, outcome, reason });
      return { targetId: target.id, outcome, reason, execution };
    });
    if (result === BUSY) {
      return { targetId: target.id, outcome: 'busy', reason: 'another invocation is deciding for this target' };
    }
    return result;
  }

  /** One notification when a target's metrics become late, one when they are back; a failed publish is logged and counted. */
  private async tellMetrics(
    target: DataTarget,
    m: { change: 'late' | 'stalled' | 'missing' | 'back'; ageSeconds?: number; since: number; at: number; reason: string },
  ): Promise<void> {
    logger.warn(m.change === 'back' ? 'metrics back on time' : 'metrics late', { target: target.id, freshness: m.change, ageSeconds: m.ageSeconds });
    try {
      await (this.deps.notifier ?? noopNotifier).notify(
        metricsNotification({ prefix: this.deps.config.prefix, targetId: target.id, kind: target.kind, ...m, meanwhile: meanwhile(target) }),
      );
    } catch (err) {
      logger.warn('notification not sent', { target: target.id, error: (err as Error).message });
      const n = metrics.singleMetric();
      n.addDimensions({ target: target.id, kind: target.kind });
      n.addMetric('NotificationFailures', MetricUnit.Count, 1);
    }
  }

  private plan(
    target: DataTarget,
    now: number,
    lastActionAt: number | undefined,
    memory: Readonly<Record<string, unknown>> | undefined,
    firstSeen: Readonly<Record<string, number>> | undefined,
  ): Promise<Plan> {
    switch (target.kind) {
      case 'rds-replicas':
        return this.planReplicas(target, now, lastActionAt);
      case 'redis':
        return this.planRedis(target, now, lastActionAt, memory, firstSeen);
      case 'rds-storage':
        return this.planStorage(target, now, lastActionAt);
      case 'rds-instance':
        return this.planInstance(target, now, lastActionAt);
    }
  }

  private async planReplicas(target: RdsReplicasTarget, now: number, lastActionAt: number | undefined): Promise<Plan> {
    let replicas: DbInstanceInfo[];
    if (target.clusterIdentifier) {
      const cluster = await this.rds.cluster(target.clusterIdentifier);
      if (!cluster) throw new TerminalError(`Aurora cluster "${target.clusterIdentifier}" not found`, 'DBClusterNotFound');
      replicas = await this.rds.instances(cluster.members.filter((m) => !m.writer).map((m) => m.id));
    } else {
      const source = await this.rds.instance(target.sourceInstanceIdentifier!);
      if (!source) throw new TerminalError(`source instance "${target.sourceInstanceIdentifier}" not found`, 'DBInstanceNotFound');
      replicas = await this.rds.instances(source.replicaIds);
    }
    const live = replicas.filter((r) => !STRANDED.has(r.status));
    const managed = live.filter((r) => isManaged(this.deps.config.prefix, target.id, r));
    const fleet = {
      managed: managed.length,
      unmanaged: live.length - managed.length,
      changing: live.filter((r) => r.status === 'creating' || r.status === 'deleting').length,
    };
    const observation = await observeReplicas(this.cloudWatch, target, live, now);
    const d = decideReplicas({ policy: target, fleet, observation, now, lastActionAt });
    const figures: Record<string, number> = { managed: fleet.managed, unmanaged: fleet.unmanaged, desired: d.desired, ...figuresOf(observation) };
    if (d.direction === 'none') return { change: false, reason: d.reason, figures };
    return {
      change: true,
      reason: d.reason,
      action: d.direction === 'out' ? 'add' : 'remove',
      goal: d.desired,
      input: { targetId: target.id, desiredReplicas: d.desired },
      windowSeconds: d.direction === 'out' ? target.cooldownSeconds : target.scaleInCooldownSeconds,
      figures,
    };
  }

  /**
   * @param remembered `changingSeenAt`: the last time the group was seen changing (not `available`). Its
   *   datapoints up to then, and up to the last action, describe the shape it had before: a decision
   *   reads only the newer ones, or a resize would be followed by another on the old type's figures.
   */
  private async planRedis(
    target: RedisTarget,
    now: number,
    lastActionAt: number | undefined,
    remembered: Readonly<Record<string, unknown>> | undefined,
    firstSeen: Readonly<Record<string, number>> | undefined,
  ): Promise<Plan> {
    const group = await this.elastiCache.replicationGroup(target.replicationGroupId);
    if (!group?.nodeType) throw new TerminalError(`replication group "${target.replicationGroupId}" not found`, 'ReplicationGroupNotFound');
    // The shape the group had when first seen is its floor, unless the config sets one (recorded once).
    if (!firstSeen && group.status === 'available') {
      firstSeen = (await this.deps.store.recordFirstSeen(target.id, { shards: group.shards, replicasPerShard: group.replicasPerShard }, now)).values;
    }
    const policy = { ...target, ...redisFloors(target, firstSeen) };
    if (group.status !== 'available' || group.snapshotting) {
      return {
        change: false,
        reason: `${group.id} is ${group.snapshotting ? 'snapshotting' : group.status}; decided again once available`,
        figures: {},
        // A snapshot changes nothing; any other state may be a change of shape.
        ...(group.snapshotting && group.status === 'available' ? {} : { memory: { ...remembered, changingSeenAt: now } }),
      };
    }
    const changingSeenAt = typeof remembered?.changingSeenAt === 'number' ? remembered.changingSeenAt : -Infinity;
    const freshAfter = Math.max(changingSeenAt, lastActionAt ?? -Infinity);
    const allowed = await this.elastiCache.allowedNodeTypes(group.id);
    const observation = await observeRedis(this.cloudWatch, target, group.memberClusters, now, freshAfter);
    const d = decideRedisShape({
      policy,
      currentNodeType: group.nodeType,
      clusterMode: group.clusterMode,
      shards: group.shards,
      allowedUp: allowed.up,
      allowedDown: allowed.down,
      observation,
      now,
      lastActionAt,
    });
    const figures = figuresOf(observation);
    if (d.direction === 'none') {
      // Node type and shards hold; the replica count may still change (reads spread over more nodes).
      const r = decideRedisReplicas({
        policy,
        shards: group.shards,
        replicasPerShard: group.replicasPerShard,
        connectionsPerNode: observation.connectionsPerNode,
        now,
        lastActionAt,
      });
      if (r.direction === 'none') return { change: false, reason: `${d.reason}; ${r.reason}`, figures };
      return {
        change: true,
        reason: r.reason,
        action: r.direction === 'out' ? 'replicas-up' : 'replicas-down',
        goal: r.replicasPerShard,
        input: { targetId: target.id, replicasPerShard: r.replicasPerShard },
        windowSeconds: r.direction === 'out' ? 1800 : target.scaleDownCooldownSeconds,
        figures,
      };
    }
    if (d.direction === 'out' || d.direction === 'in') {
      return {
        change: true,
        reason: d.reason,
        action: `shards-${d.direction}`,
        goal: d.shards,
        input: { targetId: target.id, shards: d.shards },
        windowSeconds: d.direction === 'out' ? 3600 : target.scaleDownCooldownSeconds,
        figures,
      };
    }
    return {
      change: true,
      reason: d.reason,
      action: d.direction,
      goal: d.nodeType,
      input: { targetId: target.id, nodeType: d.nodeType },
      windowSeconds: d.direction === 'up' ? 3600 : target.scaleDownCooldownSeconds,
      figures,
    };
  }

  private async planStorage(target: RdsStorageTarget, now: number, lastActionAt: number | undefined): Promise<Plan> {
    const i = await this.rds.instance(target.instanceIdentifier);
    if (!i || i.allocatedGiB === undefined) throw new TerminalError(`instance "${target.instanceIdentifier}" not found`, 'DBInstanceNotFound');
    const s = await this.cloudWatch.series([{ id: 'free', metric: rdsStorageMetrics(target).freeStorage }], now - LOOKBACK_MINUTES * 60_000, now, 60);
    const freeBytes = min(s.free);
    if (freeBytes === undefined) return { change: false, reason: `no FreeStorageSpace datapoints for ${i.id} in ${LOOKBACK_MINUTES} minutes`, figures: {} };
    if (i.status !== 'available') return { change: false, reason: `${i.id} is ${i.status}; decided again once available`, figures: { freeBytes } };
    const d = decideStorage({ policy: target, allocatedGiB: i.pendingStorageGiB ?? i.allocatedGiB, freeBytes, now, lastModifiedAt: lastActionAt });
    const figures = { allocatedGiB: i.allocatedGiB, freeGiB: Math.round((freeBytes / 1024 ** 3) * 100) / 100, desiredGiB: d.allocatedGiB };
    if (d.direction === 'none') return { change: false, reason: d.reason, figures };
    return {
      change: true,
      reason: d.reason,
      action: 'grow',
      goal: d.allocatedGiB,
      input: { targetId: target.id, allocatedGiB: d.allocatedGiB },
      windowSeconds: STORAGE_MODIFICATION_INTERVAL_SECONDS,
      figures,
    };
  }

  private async planInstance(target: RdsInstanceTarget, now: number, lastActionAt: number | undefined): Promise<Plan> {
    const i = await this.rds.instance(target.instanceIdentifier);
    if (!i?.instanceClass) throw new TerminalError(`instance "${target.instanceIdentifier}" not found`, 'DBInstanceNotFound');
    if (i.status !== 'available') return { change: false, reason: `${i.id} is ${i.status}; decided again once available`, figures: {} };
    const observation = await observeInstance(this.cloudWatch, target, now);
    const d = decideInstanceClass({ policy: target, currentClass: i.instanceClass, pendingClass: i.pendingInstanceClass, ...observation, now, lastActionAt });
    const figures: Record<string, number> = {};
    if (observation.cpuHighWindow !== undefined) figures.cpuHighWindow = Math.round(observation.cpuHighWindow * 100) / 100;
    if (observation.freeableMemoryMiB !== undefined) figures.freeableMiB = Math.round(observation.freeableMemoryMiB);
    if (d.direction === 'none') return { change: false, reason: d.reason, figures };
    return {
      change: true,
      reason: `${d.reason}${target.applyImmediately ? ' now' : ' in the maintenance window'}`,
      action: d.direction,
      goal: d.instanceClass,
      input: { targetId: target.id, instanceClass: d.instanceClass },
      windowSeconds: target.cooldownSeconds,
      figures,
    };
  }
}

/** Plan actions that take capacity away: never on late or missing metrics. */
const MOVES_DOWN: ReadonlySet<string> = new Set(['remove', 'replicas-down', 'shards-in', 'down']);

function freshnessPolicy(target: DataTarget): FreshnessPolicy {
  const m = target.missingData;
  return 'fallbackAfterSeconds' in m
    ? { lateAfterSeconds: m.lateAfterSeconds, fallbackAfterSeconds: m.fallbackAfterSeconds }
    : { lateAfterSeconds: m.lateAfterSeconds };
}

/**
 * The plan under late metrics (lambdas/engine/staleness.ts): while datapoints still arrive, late, it
 * stands; while none new arrives (stalled, missing), a move down is held (the data may hide a load that
 * has since grown) and a move up stands (a late datapoint of overload is still overload); an
 * `rds-replicas` target with fallback `fixed` gets at least `count` of its own replicas once missing,
 * no sooner than `cooldownSeconds` after its last change (as any addition).
 */
function withMissingData(target: DataTarget, plan: Plan, check: MetricsCheck, sinceActionSeconds: number): Plan {
  if (check.freshness === 'fresh') return plan;
  const figures = { ...plan.figures, ...(check.ageSeconds !== undefined ? { metricsAgeSeconds: Math.round(check.ageSeconds) } : {}) };
  let out: Plan = { ...plan, reason: `${plan.reason}; ${describeMetrics(check, freshnessPolicy(target))}`, figures };
  if (check.freshness === 'late') return out;
  if (plan.change && plan.action && MOVES_DOWN.has(plan.action)) {
    out = { change: false, reason: `${out.reason}: no move down while none new arrives`, figures, memory: plan.memory };
  }
  if (target.kind !== 'rds-replicas' || check.freshness !== 'missing' || target.missingData.fallback !== 'fixed' || target.missingData.count === undefined)
    return out;
  if (sinceActionSeconds < target.cooldownSeconds) return out;
  const count = target.missingData.count;
  const managed = plan.figures.managed;
  const goal = out.change && typeof out.goal === 'number' ? out.goal : managed;
  if (managed === undefined || goal === undefined || goal >= count) return out;
  return {
    change: true,
    reason: `${out.reason}; fallback "fixed", at least ${count} replicas: ${managed} -> ${count}`,
    action: 'add',
    goal: count,
    input: { targetId: target.id, desiredReplicas: count },
    windowSeconds: target.cooldownSeconds,
    figures: { ...figures, desired: count },
    memory: plan.memory,
  };
}

/** What a data target does while its metrics are late or missing, in a few words. */
function meanwhile(target: DataTarget): string {
  if (target.kind !== 'rds-replicas') return 'decisions on the newest data, no move down while none new arrives';
  const m = target.missingData;
  return `decisions on the newest data, no replica removed while none new arrives; ${m.fallback === 'fixed' ? `at least ${m.count} once missing ${m.fallbackAfterSeconds} s` : 'fallback hold'}`;
}
