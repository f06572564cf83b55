/**
 * The capacity family's work, free of Lambda plumbing: take a validated event, find the targets it
 * concerns, and for each one observe, decide (pure engine), guard (lease, pause, dry-run, bounds),
 * act (absolute desired count) and record.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { AutoScalingAdapter } from '../../adapters/autoscaling';
import type { CapacityBackend } from '../../adapters/capacity';
import { CloudWatchAdapter, type SeriesQuery } from '../../adapters/cloudwatch';
import { EcsAdapter } from '../../adapters/ecs';
import { LateAwareCloudWatch } from '../../adapters/late-metrics';
import type { Notifier } from '../../adapters/sns';
import type { SendClient, Sleep } from '../../adapters/types';
import { type CapacityObservation, capacityPolicyOf, type Datapoint, decideCapacity, EMPTY_MEMORY, type EngineMemory } from '../../engine/capacity';
import { type Forecast, forecastDemand, isForecast, MAX_DAYS } from '../../engine/forecast';
import { checkMetrics, type MetricsCheck } from '../../engine/staleness';
import { decideStep, type RuleReading, type StepMemory, type StepRule, sustained } from '../../engine/step';
import { activeWindow, boundsIn } from '../../engine/windows';
import { isStepSignal, parseAlarmName } from '../../shared/alarm-spec';
import type { AutoscalerConfig, CapacityTarget } from '../../shared/config';
import { eachTarget } from '../../shared/each-target';
import { type AlarmStateChangeEvent, type CapacityEvent, isAlarmEvent, type ReevaluateEvent, type WindowEvent } from '../../shared/events';
import { familyOf } from '../../shared/kinds/facts';
import { capacityKindOf, capacityMetrics } from '../../shared/kinds/family/capacity';
import { DEFAULT_EVALUATION_INTERVAL_SECONDS, stepRulesOf, usesStepPolicy } from '../../shared/kinds/step-policy';
import { renameIds } from '../../shared/metric-math';
import { applyOverride } from '../../shared/overrides';
import { logger } from '../../shared/powertools';
import { LEASE_SECONDS } from '../../state/lease';
import type { StateStore } from '../../state/store';
import { admitAlarm, admitWindow, type FamilyTargets, otherFamily } from '../admit';
import {
  DecisionLoop,
  type FamilyResult,
  overridesChanged,
  recordsOnce,
  skipped,
  type TargetResult,
  type TickStore,
  withinGroupBounds,
} from '../decision-loop';

export interface CapacityServiceDeps {
  readonly config: AutoscalerConfig;
  readonly store: StateStore;
  readonly autoScaling: SendClient;
  readonly ecs: SendClient;
  readonly cloudWatch: SendClient;
  /** Epoch milliseconds now. */
  readonly now: () => number;
  readonly sleep: Sleep;
  /**
   * Told of every action, refusal (paused, dry-run) and failure.
   * @default no one (the simulator supplies none)
   */
  readonly notifier?: Notifier;
}

export type { TargetResult };
export type CapacityResult = FamilyResult;

/** The target lease's length, shared by every family (lambdas/state/lease.ts). */
export { LEASE_SECONDS };

/** Datapoints fetched for a decision: enough for the trend and for learning what a unit serves. */
const LOOKBACK_MINUTES = 15;
const PERIOD_SECONDS = 60;
/** A target evaluated this recently is not evaluated again by the schedule. */
const RECENTLY_SECONDS = 45;
/**
 * After a change fails with a terminal error (validation, access, missing service), no change is
 * attempted on the target for this long: the failure is reported once, not every minute. One more
 * attempt follows, in case an operator fixed the cause.
 */
export const FAILED_HOLD_SECONDS = 900;

/**
 * The demand history behind the seasonal forecast (lambdas/engine/forecast.ts) is read at most this
 * often per target: a day's shape changes over hours, not minutes, and a read of two weeks is 20,000
 * datapoints.
 */
export const FORECAST_READ_SECONDS = 3600;
/**
 * The history read: MAX_DAYS days and the hours before them (today's level hour and the three hours
 * the forecast is checked on), at 1-minute periods, in one GetMetricData request of one metric. CloudWatch
 * keeps 1-minute datapoints for 15 days, and one request returns up to 100,800 datapoints (CloudWatch
 * API Reference, GetMetricData): 14 days and 4 hours are 20,400.
 */
const FORECAST_HISTORY_MINUTES = MAX_DAYS * 1440 + 4 * 60;
/** The forecast runs past the next read by the warm-up, a period, and the minutes CloudWatch lags by. */
const FORECAST_MARGIN_SECONDS = 300;

/** A custom metric's query ids in an evaluation's request: `c<k>_<id>`, unique in the request. */
const customQueryId = (k: number, q: string) => `c${k}_${q}`;

/**
 * What one evaluation of a (non-step) capacity target reads from GetMetricData: its built-in signals
 * in one request; the custom metrics it is sized on, each with its own ids and period, an expression
 * and the queries it references in one request. GetMetricData is billed per metric requested.
 */
export function observationQueries(target: CapacityTarget) {
  const m = capacityMetrics(target);
  const builtIn: SeriesQuery[] = [{ id: 'cpu', metric: m.cpu }];
  if (m.memory) builtIn.push({ id: 'memory', metric: m.memory });
  if (m.requestCount) builtIn.push({ id: 'requests', metric: m.requestCount });
  if (m.requestCountPerTarget) builtIn.push({ id: 'perTarget', metric: m.requestCountPerTarget });
  if (m.responseTimeP95) builtIn.push({ id: 'p95', metric: m.responseTimeP95 });
  const sizedOn = (m.custom ?? []).filter((c) => c.targetPerUnit !== undefined);
  const custom: SeriesQuery[] = sizedOn.flatMap((c, k) =>
    c.queries.map((q) => ({
      id: customQueryId(k, q.id),
      metric: q.metric,
      expression: q.expression === undefined ? undefined : renameIds(q.expression, (ref) => customQueryId(k, ref)),
      returnData: q.returnData,
      periodSeconds: c.periodSeconds,
      group: c.name,
    })),
  );
  return { builtIn, custom, sizedOn };
}

export class CapacityService {
  private readonly targets: Map<string, CapacityTarget>;
  private readonly cloudWatch: LateAwareCloudWatch;
  /** Reads of the custom metrics: apart from the CPU reads, so that their freshness stays CPU's alone. */
  private readonly customReads: CloudWatchAdapter;
  private readonly family: FamilyTargets<CapacityTarget>;
  private readonly loop: DecisionLoop<CapacityTarget>;

  constructor(private readonly deps: CapacityServiceDeps) {
    this.targets = new Map(deps.config.targets.filter((t): t is CapacityTarget => familyOf(t) === 'capacity').map((t) => [t.id, t]));
    // Late datapoints are read where they are (the newest window there is, not an empty one);
    // throttled reads are the SDK's to retry (lambdas/shared/clients.ts).
    this.cloudWatch = new LateAwareCloudWatch(deps.cloudWatch);
    this.customReads = new CloudWatchAdapter(deps.cloudWatch);
    this.family = { family: 'capacity', targets: this.targets, config: deps.config, now: deps.now };
    this.loop = new DecisionLoop(deps, { failureHoldSeconds: FAILED_HOLD_SECONDS, tellDecisions: true, meanwhile });
  }

  async handle(event: CapacityEvent | WindowEvent, eventKey: string): Promise<CapacityResult> {
    if ('action' in event && event.action === 'window') return this.onWindow(event, eventKey);
    return isAlarmEvent(event as CapacityEvent) ? this.onAlarm(event as AlarmStateChangeEvent, eventKey) : this.onSchedule(event as ReevaluateEvent, eventKey);
  }

  /** A capacity window opens or closes: its target is evaluated now, under the bounds in force. */
  private async onWindow(event: WindowEvent, eventKey: string): Promise<CapacityResult> {
    const admitted = admitWindow(event, this.family);
    if ('result' in admitted) return admitted.result;
    return { status: 'evaluated', detail: admitted.detail, targets: [await this.evaluate(admitted.target, eventKey)] };
  }

  /**
   * Targets whose window bounds now differ from those of their last decision (a window opened or closed
   * since). The bounds are compared as the decision set them: with an override in force applied.
   */
  private async windowChanged(records: TickStore, now: number): Promise<Set<string>> {
    const changed = new Set<string>();
    const windowed = new Set(this.deps.config.windows.map((w) => w.target));
    const overrides = windowed.size ? await records.listOverrides() : [];
    for (const id of windowed) {
      const target = this.targets.get(id);
      if (!target) continue;
      const own = applyOverride(
        target,
        overrides.find((o) => o.targetId === id),
        now,
      );
      const bounds = boundsIn(own, activeWindow(this.deps.config.windows, id, now));
      const figures = (await records.getTarget(id))?.lastDecision?.figures;
      const before = { min: figures?.boundMin ?? target.minCapacity, max: figures?.boundMax ?? target.maxCapacity };
      if (before.min !== bounds.minCapacity || before.max !== bounds.maxCapacity) changed.add(id);
    }
    return changed;
  }

  private async onAlarm(event: AlarmStateChangeEvent, eventKey: string): Promise<CapacityResult> {
    // Events can arrive late or out of order: act on the alarm's state now, not on the event's.
    const admitted = await admitAlarm(event, this.family, (name) => this.cloudWatch.alarmState(name));
    if ('result' in admitted) return admitted.result;
    const result = await this.evaluate(admitted.target, eventKey, Date.parse(event.time));
    return { status: 'evaluated', detail: admitted.detail, targets: [result] };
  }

  private async onSchedule(event: ReevaluateEvent, eventKey: string): Promise<CapacityResult> {
    const { config } = this.deps;
    const rejected = otherFamily(event.family, 'capacity');
    if (rejected) return rejected;
    const inAlarm = await this.cloudWatch.alarms(`${config.prefix}/`, 'ALARM');
    const ids = new Set<string>();
    for (const a of inAlarm) {
      const parts = a.AlarmName ? parseAlarmName(config.prefix, a.AlarmName) : undefined;
      if (parts && this.targets.has(parts.targetId)) ids.add(parts.targetId);
    }
    // Each target's record is read once this tick, whichever checks below look at it.
    const records = recordsOnce(this.deps.store);
    for (const id of await this.lateOrSilent(records, ids)) ids.add(id);
    // A window that opened or closed without its own schedule (durationMinutes) is applied within a
    // minute, and so is an override set, cleared or run out.
    const now = this.deps.now();
    const windowed = await this.windowChanged(records, now);
    for (const id of await overridesChanged(records, new Set(this.targets.keys()), now)) windowed.add(id);
    const due = [
      ...[...windowed].map((id) => ({ id, scheduled: false })),
      ...[...ids].filter((id) => !windowed.has(id)).map((id) => ({ id, scheduled: true })),
    ];
    // One target's failure does not stop the others; the invocation fails at the end if any failed.
    const results = await eachTarget(due, (d) => this.evaluate(this.targets.get(d.id)!, eventKey, undefined, d.scheduled), {
      family: 'capacity',
      idOf: (d) => d.id,
    });
    return { status: due.length ? 'evaluated' : 'ignored', detail: `${due.length} target(s) with an alarm in ALARM or metrics late`, targets: results };
  }

  /**
   * Targets (beyond `selected`) whose metrics are late or missing: their CPU alarm is in
   * INSUFFICIENT_DATA, or their record says the metrics were late at the last decision. With CloudWatch
   * minutes late no alarm reaches ALARM: with treatMissingData `missing`, an alarm whose evaluation
   * range holds no datapoint goes to INSUFFICIENT_DATA (CloudWatch User Guide, "Configuring how
   * CloudWatch alarms treat missing data"), and the scale-in alarms (`notBreaching`) stay OK. Without
   * this the target would not be decided on again until its metrics came back.
   */
  private async lateOrSilent(records: TickStore, selected: ReadonlySet<string>): Promise<Set<string>> {
    const { config } = this.deps;
    const ids = new Set<string>();
    for (const a of await this.cloudWatch.alarms(`${config.prefix}/`, 'INSUFFICIENT_DATA')) {
      const parts = a.AlarmName ? parseAlarmName(config.prefix, a.AlarmName) : undefined;
      // A step policy's up rules leave missing datapoints missing, as the CPU alarm does.
      const watched = parts?.signal === 'cpu' || (parts !== undefined && isStepSignal(parts.signal));
      if (watched && this.targets.has(parts.targetId) && !selected.has(parts.targetId)) ids.add(parts.targetId);
    }
    for (const id of this.targets.keys()) {
      if (selected.has(id) || ids.has(id)) continue;
      if ((await records.getTarget(id))?.metrics?.lateSince !== undefined) ids.add(id);
    }
    return ids;
  }

  private backend(target: CapacityTarget): CapacityBackend {
    const { autoScaling, ecs, sleep } = this.deps;
    return target.kind === 'asg'
      ? new AutoScalingAdapter(autoScaling, target.autoScalingGroupName, sleep)
      : new EcsAdapter(ecs, target.cluster, target.service);
  }

  private async observe(target: CapacityTarget, now: number): Promise<CapacityObservation> {
    const reads = observationQueries(target);
    const s = await this.cloudWatch.series(reads.builtIn, now - LOOKBACK_MINUTES * 60_000, now, PERIOD_SECONDS);
    const observation: CapacityObservation = {
      periodSeconds: PERIOD_SECONDS,
      cpu: s.cpu,
      memory: s.memory,
      requestCount: s.requests,
      requestCountPerTarget: s.perTarget,
      responseTimeP95: s.p95,
    };
    if (!reads.custom.length) return observation;
    const cs = await this.customReads.series(reads.custom, now - LOOKBACK_MINUTES * 60_000, now, PERIOD_SECONDS);
    return {
      ...observation,
      custom: Object.fromEntries(
        reads.sizedOn.map((c, k) => [
          c.name,
          { periodSeconds: c.periodSeconds, points: cs[customQueryId(k, c.queries.find((q) => q.returnData)?.id ?? '')] ?? [] },
        ]),
      ),
    };
  }

  /**
   * The memory with the target's seasonal forecast: the one kept, or, once FORECAST_READ_SECONDS have
   * passed since the last read, a new one from the request history. A target without a request signal
   * or with `forecast: false` has none. A failed or empty read leaves none until the next read: the
   * reactive engine decides alone, as it does without the forecast.
   */
  private async withForecast(target: CapacityTarget, memory: EngineMemory, now: number): Promise<EngineMemory> {
    const requests = capacityMetrics(target).requestCount;
    if (!target.forecast || !requests) {
      // Turned off since: the kept forecast goes too.
      const { forecast: _forecast, forecastReadAt: _readAt, ...rest } = memory;
      return rest;
    }
    if (memory.forecastReadAt !== undefined && now - memory.forecastReadAt < FORECAST_READ_SECONDS * 1000) return memory;
    let forecast: Forecast | undefined;
    try {
      const read = await this.customReads.series([{ id: 'history', metric: requests }], now - FORECAST_HISTORY_MINUTES * 60_000, now, PERIOD_SECONDS);
      const history = (read.history ?? []).map((d) => ({ at: d.at, value: d.value / PERIOD_SECONDS }));
      const aheadSeconds = FORECAST_READ_SECONDS + target.warmupSeconds + PERIOD_SECONDS + FORECAST_MARGIN_SECONDS;
      const f = forecastDemand({ history, periodSeconds: PERIOD_SECONDS, now, aheadSeconds });
      if (isForecast(f)) forecast = { ...f, values: f.values.map((v) => Number(v.toPrecision(4))) };
      else logger.info('no seasonal forecast', { target: target.id, why: f.none, datapoints: history.length });
    } catch (err) {
      logger.warn('request history not read; deciding without a forecast', { target: target.id, error: (err as Error).message });
    }
    return { ...memory, forecast, forecastReadAt: now };
  }

  /** One target, through the decision loop: observe and decide here; guard, act and record there. */
  private evaluate(target: CapacityTarget, eventKey: string, eventTime?: number, scheduled = false): Promise<TargetResult> {
    if (usesStepPolicy(target)) return this.evaluateStep(target, eventKey, eventTime, scheduled);
    const { config, now } = this.deps;
    return this.loop.run(target, eventKey, async ({ target, record, start }) => {
      if (scheduled) {
        const last = record?.lastDecision?.at;
        if (last !== undefined && start - last < RECENTLY_SECONDS * 1000) return skipped(target, `evaluated ${Math.round((start - last) / 1000)} s ago`);
        const acted = record?.lastActionAt;
        if (acted !== undefined && start - acted < target.scaleOutCooldownSeconds * 1000) {
          return skipped(target, `in cooldown after the action ${Math.round((start - acted) / 1000)} s ago`);
        }
      }
      const backend = this.backend(target);
      const snapshot = await backend.describe();
      this.cloudWatch.begin(target.missingData.lateAfterSeconds);
      const observation = await this.observe(target, start);
      const wasLate = record?.metrics?.lateSince !== undefined;
      const newest = observation.cpu[observation.cpu.length - 1];
      // A fleet with no unit in service publishes no CPU: its silence says nothing about CloudWatch, and
      // the metrics stay as they were judged last.
      const check: MetricsCheck =
        snapshot.ready > 0
          ? checkMetrics(newest && newest.at + PERIOD_SECONDS * 1000, start, target.missingData, record?.metrics)
          : { freshness: wasLate ? 'late' : 'fresh', memory: { ...record?.metrics, checkedAt: start } };
      const memory = await this.withForecast(target, (record?.memory as EngineMemory | undefined) ?? EMPTY_MEMORY, start);
      // A capacity window in force replaces the target's floor and ceiling.
      const bounds = boundsIn(target, activeWindow(config.windows, target.id, start));
      const { decision, memory: nextMemory } = decideCapacity({
        forecast: memory.forecast,
        policy: { ...capacityPolicyOf(target), minCapacity: bounds.minCapacity, maxCapacity: bounds.maxCapacity },
        current: { desired: snapshot.desired, ready: snapshot.ready },
        observation,
        memory,
        now: start,
        metrics: check,
      });
      // The group's own bounds win: AWS rejects a desired count outside them.
      const { desired, note } = withinGroupBounds(snapshot, decision.desired);
      return {
        change: desired !== snapshot.desired,
        reason: decision.reason + (bounds.window ? `; window "${bounds.window}" (${bounds.minCapacity}-${bounds.maxCapacity})` : '') + note,
        count: { previous: snapshot.desired, desired },
        figures: bounds.window ? { ...decision.figures, boundMin: bounds.minCapacity, boundMax: bounds.maxCapacity } : decision.figures,
        metrics: check,
        act: async () => {
          await backend.setDesired(desired);
          return {};
        },
        // A change not made is not a change: the engine's cooldowns run from the last applied one.
        remember: (applied): EngineMemory =>
          applied ? nextMemory : { ...nextMemory, lastScaleOutAt: memory.lastScaleOutAt, lastScaleInAt: memory.lastScaleInAt },
        measure: (m, outcome) => {
          if (outcome === 'applied' && eventTime !== undefined) m.addMetric('AlarmToActionLatency', MetricUnit.Milliseconds, now() - eventTime);
        },
      };
    });
  }

  /**
   * A target with `policy: step`, through the same decision loop: its rules read on their datapoints
   * (lambdas/engine/step.ts decides), the same freshness check, bounds, group bounds, switches and record.
   * The schedule re-evaluates it at most once per `evaluationIntervalSeconds` while a rule's alarm
   * stays in ALARM; its held re-evaluations are quiet.
   */
  private evaluateStep(target: CapacityTarget, eventKey: string, eventTime: number | undefined, scheduled: boolean): Promise<TargetResult> {
    const { config, now } = this.deps;
    const interval = target.evaluationIntervalSeconds ?? DEFAULT_EVALUATION_INTERVAL_SECONDS;
    return this.loop.run(target, eventKey, async ({ target, record, start }) => {
      const last = record?.lastDecision?.at;
      // The schedule's runs come about a minute apart: a little early is on time.
      const recently = Math.max(RECENTLY_SECONDS, interval - (PERIOD_SECONDS - RECENTLY_SECONDS));
      if (scheduled && last !== undefined && start - last < recently * 1000) return skipped(target, `evaluated ${Math.round((start - last) / 1000)} s ago`);
      const backend = this.backend(target);
      const snapshot = await backend.describe();
      this.cloudWatch.begin(target.missingData.lateAfterSeconds);
      const rules = stepRulesOf(target);
      const readings = await readStepRules(this.cloudWatch, target, rules, start);
      const newest = this.cloudWatch.newestEnd();
      const wasLate = record?.metrics?.lateSince !== undefined;
      const check: MetricsCheck =
        snapshot.ready > 0
          ? checkMetrics(newest ?? undefined, start, target.missingData, record?.metrics)
          : { freshness: wasLate ? 'late' : 'fresh', memory: { ...record?.metrics, checkedAt: start } };
      const stored = (record?.memory as (EngineMemory & StepMemory) | undefined) ?? EMPTY_MEMORY;
      const bounds = boundsIn(target, activeWindow(config.windows, target.id, start));
      const { decision } = decideStep({
        policy: { minCapacity: bounds.minCapacity, maxCapacity: bounds.maxCapacity, rules },
        desired: snapshot.desired,
        readings,
        memory: stored,
        now: start,
        blind: check.freshness === 'stalled' || check.freshness === 'missing',
      });
      let wanted = decision.desired;
      let reason = decision.reason;
      // Metrics missing for long enough: the fallback count is a floor, as for the default policy.
      const m = target.missingData;
      if (check.freshness === 'missing' && m.fallback === 'fixed' && m.count !== undefined) {
        const floor = Math.min(bounds.maxCapacity, Math.max(bounds.minCapacity, m.count));
        if (floor > wanted) {
          wanted = floor;
          reason += `; metrics missing: fallback "fixed", at least ${floor}`;
        }
      }
      const { desired, note } = withinGroupBounds(snapshot, wanted);
      const figures = { ...decision.figures, desired, ...(bounds.window ? { boundMin: bounds.minCapacity, boundMax: bounds.maxCapacity } : {}) };
      return {
        change: desired !== snapshot.desired,
        reason: `step policy: ${reason}${bounds.window ? `; window "${bounds.window}" (${bounds.minCapacity}-${bounds.maxCapacity})` : ''}${note}`,
        count: { previous: snapshot.desired, desired },
        figures,
        metrics: check,
        quiet: scheduled,
        act: async () => {
          await backend.setDesired(desired);
          return {};
        },
        // A change not made is not a change: the cooldowns run from the last applied one. The default
        // engine's memory is kept alongside, so the target can go back to it.
        remember: (applied): EngineMemory => {
          const direction = desired > snapshot.desired ? 'out' : desired < snapshot.desired ? 'in' : 'none';
          if (!applied || direction === 'none') return stored;
          return { ...stored, ...(direction === 'out' ? { lastScaleOutAt: start } : { lastScaleInAt: start }) };
        },
        measure: (metric, outcome) => {
          if (outcome === 'applied' && eventTime !== undefined) metric.addMetric('AlarmToActionLatency', MetricUnit.Milliseconds, now() - eventTime);
        },
      };
    });
  }
}

/**
 * Each step rule read on its signal's datapoints: one GetMetricData read per period the rules use,
 * over the longest window among them (late datapoints are looked for further back by the adapter).
 */
async function readStepRules(cloudWatch: LateAwareCloudWatch, target: CapacityTarget, rules: readonly StepRule[], now: number): Promise<RuleReading[]> {
  const signals = capacityKindOf(target).signals?.(target) ?? {};
  const readings: RuleReading[] = [];
  const byPeriod = new Map<number, StepRule[]>();
  for (const r of rules) byPeriod.set(r.periodSeconds, [...(byPeriod.get(r.periodSeconds) ?? []), r]);
  const series = new Map<string, Datapoint[]>();
  for (const [period, of] of byPeriod) {
    const names = [...new Set(of.map((r) => r.signal))];
    // A metric math signal (a custom metric's queries): its queries as one group, with ids unique in the request.
    const queries: SeriesQuery[] = names.flatMap((name, i): SeriesQuery[] => {
      const signal = signals[name];
      if (!signal?.metric) return [];
      if (!signal.math) return [{ id: `s${i}`, metric: signal.metric }];
      const id = (ref: string) => `s${i}_${ref}`;
      return signal.math.map((q) => ({
        id: id(q.id),
        metric: q.metric,
        expression: q.expression === undefined ? undefined : renameIds(q.expression, id),
        returnData: q.returnData,
        group: name,
      }));
    });
    const windowSeconds = Math.max(...of.map((r) => r.evaluationPeriods)) * period + LOOKBACK_MINUTES * 60;
    const read = await cloudWatch.series(queries, now - windowSeconds * 1000, now, period);
    for (const [i, name] of names.entries()) {
      const math = signals[name]?.math;
      const returned = math ? `s${i}_${math.find((q) => q.returnData)?.id}` : `s${i}`;
      series.set(`${period}/${name}`, read[returned] ?? []);
    }
  }
  for (const r of rules) readings.push(sustained(series.get(`${r.periodSeconds}/${r.signal}`) ?? [], r));
  return readings;
}

/** What a capacity target does while its metrics are late or missing, in a few words. */
function meanwhile(target: CapacityTarget): string {
  const m = target.missingData;
  const fallback = m.fallback === 'fixed' ? `at least ${m.count} once missing ${m.fallbackAfterSeconds} s` : 'fallback hold';
  return `decisions on the newest data, no scale-in while none new arrives; ${fallback}`;
}
