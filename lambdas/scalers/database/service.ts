/**
 * The database family's work (rds-replicas, rds-storage, rds-instance, redis): take a validated event,
 * find the targets it concerns, and for each one, through the decision loop, observe and decide (the
 * kind's planner, kinds.ts), guard (lease, pause, dry-run) and act by starting the target's runbook
 * under a deterministic name, then record. The runbook does the long work.
 */

import { CloudWatchAdapter } from '../../adapters/cloudwatch';
import { ElastiCacheAdapter } from '../../adapters/elasticache';
import { LateAwareCloudWatch } from '../../adapters/late-metrics';
import { RdsAdapter } from '../../adapters/rds';
import type { Notifier } from '../../adapters/sns';
import { StepFunctionsAdapter } from '../../adapters/stepfunctions';
import type { SendClient } from '../../adapters/types';
import { checkMetrics, describeMetrics, type FreshnessPolicy, type MetricsCheck } from '../../engine/staleness';
import { executionName } from '../../runbooks/names';
import { parseAlarmName } from '../../shared/alarm-spec';
import type { AutoscalerConfig, DataTarget } from '../../shared/config';
import { eachTarget } from '../../shared/each-target';
import { TerminalError } from '../../shared/errors';
import { type AlarmStateChangeEvent, type CapacityEvent, isAlarmEvent, type ReevaluateEvent } from '../../shared/events';
import { familyOf } from '../../shared/kinds/facts';
import { logger } from '../../shared/powertools';
import type { StateStore } from '../../state/store';
import { admitAlarm, type FamilyTargets, otherFamily } from '../admit';
import { type Acted, DecisionLoop, type FamilyResult, overridesChanged, recordsOnce, type TargetResult, type TickStore } from '../decision-loop';
import { dataKind } from './kinds';
import type { Plan, PlanDeps } from './plan';

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

export type DatabaseTargetResult = TargetResult;
export type DatabaseResult = FamilyResult;

/** Minutes of CPU the freshness probe of the alarm-driven targets reads. */
const PROBE_MINUTES = 15;

export class DatabaseService {
  private readonly targets: Map<string, DataTarget>;
  private readonly cloudWatch: LateAwareCloudWatch;
  /** Plain reads of a window as it is, for the freshness probe of the alarm-driven targets. */
  private readonly probe: CloudWatchAdapter;
  private readonly stepFunctions: StepFunctionsAdapter;
  private readonly planDeps: PlanDeps;
  private readonly family: FamilyTargets<DataTarget>;
  private readonly loop: DecisionLoop<DataTarget>;

  constructor(private readonly deps: DatabaseServiceDeps) {
    this.targets = new Map(deps.config.targets.filter((t): t is DataTarget => familyOf(t) === 'database').map((t) => [t.id, t]));
    // Late datapoints are read where they are: the newest window there is, not an empty one.
    this.cloudWatch = new LateAwareCloudWatch(deps.cloudWatch);
    this.probe = new CloudWatchAdapter(deps.cloudWatch);
    this.stepFunctions = new StepFunctionsAdapter(deps.stepFunctions);
    this.planDeps = {
      prefix: deps.config.prefix,
      store: deps.store,
      rds: new RdsAdapter(deps.rds),
      elastiCache: new ElastiCacheAdapter(deps.elastiCache),
      cloudWatch: this.cloudWatch,
    };
    this.family = { family: 'database', targets: this.targets, config: deps.config, now: deps.now };
    // No decision notification: the runbook tells what it does.
    this.loop = new DecisionLoop(deps, { meanwhile });
  }

  async handle(event: CapacityEvent, eventKey: string): Promise<DatabaseResult> {
    return isAlarmEvent(event) ? this.onAlarm(event, eventKey) : this.onSchedule(event, eventKey);
  }

  private async onAlarm(event: AlarmStateChangeEvent, eventKey: string): Promise<DatabaseResult> {
    const admitted = await admitAlarm(event, this.family, (name) => this.cloudWatch.alarmState(name));
    if ('result' in admitted) return admitted.result;
    return { status: 'evaluated', detail: admitted.detail, targets: [await this.evaluate(admitted.target, eventKey)] };
  }

  /**
   * Targets with an alarm still in ALARM, and every target its kind polls (storage, Redis, RDS
   * replicas: their signals are not alarms; kinds.ts).
   */
  private async onSchedule(event: ReevaluateEvent, eventKey: string): Promise<DatabaseResult> {
    const rejected = otherFamily(event.family, 'database');
    if (rejected) return rejected;
    const ids = new Set([...this.targets.values()].filter((t) => dataKind(t).polled(t)).map((t) => t.id));
    for (const a of await this.cloudWatch.alarms(`${this.deps.config.prefix}/`, 'ALARM')) {
      const parts = a.AlarmName ? parseAlarmName(this.deps.config.prefix, a.AlarmName) : undefined;
      if (parts && this.targets.has(parts.targetId)) ids.add(parts.targetId);
    }
    // Each target's record is read once this tick, whichever checks below look at it.
    const records = recordsOnce(this.deps.store);
    for (const id of await this.lateOrSilent(records, ids)) ids.add(id);
    // An override set, cleared or run out is applied within a minute.
    for (const id of await overridesChanged(records, new Set(this.targets.keys()), this.deps.now())) ids.add(id);
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
  private async lateOrSilent(records: TickStore, selected: ReadonlySet<string>): Promise<Set<string>> {
    const { now } = this.deps;
    const ids = new Set<string>();
    const probed = [...this.targets.values()].flatMap((t) => {
      const probe = dataKind(t).probe;
      return !selected.has(t.id) && probe ? [{ target: t, cpu: probe(t) }] : [];
    });
    if (probed.length) {
      const at = now();
      const s = await this.probe.series(
        probed.map((p, i) => ({ id: `p${i}`, metric: p.cpu })),
        at - PROBE_MINUTES * 60_000,
        at,
        60,
      );
      probed.forEach(({ target: t }, i) => {
        const last = s[`p${i}`]?.at(-1);
        if (!last || (at - last.at) / 1000 - 60 > t.missingData.lateAfterSeconds) ids.add(t.id);
      });
    }
    for (const id of this.targets.keys()) {
      if (selected.has(id) || ids.has(id)) continue;
      if ((await records.getTarget(id))?.metrics?.lateSince !== undefined) ids.add(id);
    }
    return ids;
  }

  /** One target, through the decision loop: observe and decide (its kind's planner) here; guard, act and record there. */
  private evaluate(target: DataTarget, eventKey: string): Promise<TargetResult> {
    const { store, config } = this.deps;
    const kind = dataKind(target);
    return this.loop.run(target, eventKey, async ({ target, record, start }) => {
      let plan: Plan;
      this.cloudWatch.begin(target.missingData.lateAfterSeconds);
      try {
        const input = { target, now: start, lastActionAt: record?.lastActionAt, memory: record?.memory, firstSeen: record?.firstSeen?.values };
        plan = await kind.plan(input, this.planDeps);
      } catch (err) {
        // A target that cannot be observed (gone, renamed, access denied) is reported; the others go on.
        if (!(err instanceof TerminalError)) throw err;
        const reason = `not evaluated: ${err.message}`;
        await store.appendAudit({ targetId: target.id, at: start, outcome: 'failed', reason, eventId: eventKey }, config.auditRetentionDays);
        logger.error('target not evaluated', { target: target.id, code: err.code, error: err.message });
        return { targetId: target.id, outcome: 'failed', reason };
      }
      // How fresh the datapoints the plan read were; nothing to judge when it read none (it stopped before its metrics).
      const newestEnd = this.cloudWatch.newestEnd();
      const check = newestEnd === null ? undefined : checkMetrics(newestEnd, start, freshnessPolicy(target), record?.metrics);
      const sinceAction = record?.lastActionAt === undefined ? Infinity : (start - record.lastActionAt) / 1000;
      const final = check ? withMissingData(target, plan, check, sinceAction) : plan;
      return {
        change: final.change,
        reason: final.reason,
        figures: final.figures,
        metrics: check,
        act: () => this.startRunbook(target, final, start),
        remember: () => final.memory ?? record?.memory,
      };
    });
  }

  /** Starts the target's runbook under a deterministic name: a second start in the same window finds the first. */
  private async startRunbook(target: DataTarget, plan: Plan, start: number): Promise<Acted> {
    if (!plan.change) throw new Error(`target "${target.id}": a plan that changes nothing starts no runbook`);
    const arn = this.deps.runbooks[target.kind];
    const name = executionName(target.id, plan.action, plan.goal, start, plan.windowSeconds);
    if (!arn) throw new TerminalError(`no ${target.kind} runbook is deployed`, 'NoRunbook');
    const res = await this.stepFunctions.start(arn, name, { ...plan.input, reason: plan.reason });
    return { note: res.status === 'duplicate' ? `; runbook ${name} already started` : `; runbook ${name} started`, execution: { name, status: res.status } };
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
 * has since grown) and a move up stands (a late datapoint of overload is still overload); once missing,
 * the kind's fallback applies (rds-replicas: `fixed`, at least `count` of its own replicas).
 */
function withMissingData(target: DataTarget, plan: Plan, check: MetricsCheck, sinceActionSeconds: number): Plan {
  if (check.freshness === 'fresh') return plan;
  const figures = { ...plan.figures, ...(check.ageSeconds !== undefined ? { metricsAgeSeconds: Math.round(check.ageSeconds) } : {}) };
  let out: Plan = { ...plan, reason: `${plan.reason}; ${describeMetrics(check, freshnessPolicy(target))}`, figures };
  if (check.freshness === 'late') return out;
  if (plan.change && MOVES_DOWN.has(plan.action)) {
    out = { change: false, reason: `${out.reason}: no move down while none new arrives`, figures, memory: plan.memory };
  }
  const whenMissing = dataKind(target).whenMissing;
  return check.freshness === 'missing' && whenMissing ? whenMissing(target, out, sinceActionSeconds) : out;
}

/** What a data target does while its metrics are late or missing, in a few words. */
function meanwhile(target: DataTarget): string {
  return dataKind(target).meanwhile?.(target) ?? 'decisions on the newest data, no move down while none new arrives';
}
