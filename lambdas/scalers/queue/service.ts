/**
 * The queue family's work (queue-workers targets), free of Lambda plumbing. One function, three events:
 * - the 1-minute poll: every queue target at once, a few at a time (GetQueueAttributes has no
 *   CloudWatch lag, so a queue waking from idle is seen at the next poll);
 * - the age-of-oldest-message alarm (fast path): its target now, with the age the alarm saw;
 * - a capacity window's start or end: its target now, under the bounds in force.
 * Per target, under its lease: observe (queue depth, fleet), decide (pure engine), guard (pause,
 * dry-run, bounds, busy workers), act (absolute desired count) and record. Dead-letter queue depth
 * is reported, never scaled on.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { AutoScalingAdapter } from '../../adapters/autoscaling';
import type { CapacityBackend } from '../../adapters/capacity';
import { EcsAdapter } from '../../adapters/ecs';
import { LateAwareCloudWatch } from '../../adapters/late-metrics';
import { type Notifier, noopNotifier } from '../../adapters/sns';
import { SqsAdapter } from '../../adapters/sqs';
import type { SendClient, Sleep } from '../../adapters/types';
import type { Datapoint } from '../../engine/capacity';
import { decideQueue, EMPTY_QUEUE_MEMORY, type QueueMemory, queuePolicyOf } from '../../engine/queue';
import { checkMetrics, describeMetrics, type MetricsCheck } from '../../engine/staleness';
import { decideStep, perPeriod, type RuleReading, type StepMemory, type StepRule, sustained } from '../../engine/step';
import { activeWindow, boundsIn } from '../../engine/windows';
import { familyOf } from '../../shared/alarms';
import type { AutoscalerConfig, QueueWorkersTarget } from '../../shared/config';
import { eachTarget } from '../../shared/each-target';
import type { AlarmStateChangeEvent, ReevaluateEvent, WindowEvent } from '../../shared/events';
import { AGE_SIGNAL, queueMetrics, queueParts, readsQueueMetrics } from '../../shared/kinds/queue-workers';
import { DEFAULT_EVALUATION_INTERVAL_SECONDS, stepRulesOf, usesStepPolicy } from '../../shared/kinds/step-policy';
import { logger, metrics } from '../../shared/powertools';
import { LEASE_SECONDS } from '../../state/lease';
import type { StateStore } from '../../state/store';
import { admitAlarm, admitWindow, type FamilyTargets, otherFamily } from '../admit';
import { DecisionLoop, type FamilyResult, skipped, type TargetResult, withinGroupBounds } from '../decision-loop';

export type QueueEvent = AlarmStateChangeEvent | ReevaluateEvent | WindowEvent;

export interface QueueServiceDeps {
  readonly config: AutoscalerConfig;
  readonly store: StateStore;
  readonly sqs: SendClient;
  readonly autoScaling: SendClient;
  readonly ecs: SendClient;
  /** Epoch milliseconds now. */
  readonly now: () => number;
  readonly sleep: Sleep;
  /** Told of every action, refusal, failure and dead-letter backlog. @default no one */
  readonly notifier?: Notifier;
  /** Targets evaluated at the same time by one poll. @default 5 */
  readonly concurrency?: number;
  /**
   * CloudWatch in a queue's region (its metrics live there), for step rules on the age of the oldest
   * message. @default none: a config with such a rule is refused
   */
  readonly cloudWatchIn?: (region: string) => SendClient;
}

export type QueueTargetResult = TargetResult;
export type QueueResult = FamilyResult;

/** What the state store keeps for a queue target: the engine's memory and the dead-letter depth last reported. */
interface StoredMemory extends QueueMemory, StepMemory {
  /** Step policy: the freshness of the age of the oldest message at the last read. */
  readonly ageMetrics?: MetricsCheck['memory'];
  readonly deadLetterDepth?: number;
  /** Step policy: the visible messages read at each poll, oldest first (its rules' datapoints). */
  readonly visibleSamples?: readonly Datapoint[];
  /** Step policy: when its rules were last evaluated (epoch ms). */
  readonly stepEvaluatedAt?: number;
}

export { LEASE_SECONDS };

/** Beyond a rule's window, how far back the age of the oldest message is read (CloudWatch publishes it about two minutes late). */
const AGE_LOOKBACK_SECONDS = 600;
/** The age's newest datapoint older than this: late (as a capacity target's default `missingData.lateAfterSeconds`). */
const AGE_LATE_AFTER_SECONDS = 240;

/** An alarm or window event within this many seconds of the target's last decision adds nothing. */
const RECENTLY_SECONDS = 20;
export const DEFAULT_CONCURRENCY = 5;

export class QueueService {
  private readonly targets: Map<string, QueueWorkersTarget>;
  private readonly sqs: SqsAdapter;
  private readonly family: FamilyTargets<QueueWorkersTarget>;
  private readonly loop: DecisionLoop<QueueWorkersTarget>;

  constructor(private readonly deps: QueueServiceDeps) {
    this.targets = new Map(deps.config.targets.filter((t): t is QueueWorkersTarget => familyOf(t) === 'queue').map((t) => [t.id, t]));
    this.sqs = new SqsAdapter(deps.sqs);
    this.family = { family: 'queue', targets: this.targets, config: deps.config, now: deps.now };
    this.loop = new DecisionLoop(deps, { tellDecisions: true });
    const reading = [...this.targets.values()].find(readsQueueMetrics);
    if (reading && !deps.cloudWatchIn) throw new Error(`target "${reading.id}" has a step rule on ${AGE_SIGNAL}, which needs CloudWatch; none was given`);
  }

  async handle(event: QueueEvent, eventKey: string): Promise<QueueResult> {
    if ('detail-type' in event) return this.onAlarm(event, eventKey);
    const rejected = otherFamily(event.family, 'queue');
    if (rejected) return rejected;
    if (event.action === 'window') return this.onWindow(event, eventKey);
    return this.poll(eventKey);
  }

  /**
   * Every queue target, at most `concurrency` at a time (SQS and Auto Scaling rates stay low whatever
   * the count). One queue's trouble does not hold the others back; the invocation still fails at the
   * end, so it is retried and seen.
   */
  private async poll(eventKey: string): Promise<QueueResult> {
    const targets = [...this.targets.values()];
    const results = await eachTarget(targets, (target) => this.evaluate(target, eventKey, { poll: true }), {
      family: 'queue',
      idOf: (t) => t.id,
      concurrency: this.deps.concurrency ?? DEFAULT_CONCURRENCY,
    });
    return { status: 'evaluated', detail: `${targets.length} queue target(s) polled`, targets: results };
  }

  private async onAlarm(event: AlarmStateChangeEvent, eventKey: string): Promise<QueueResult> {
    const admitted = await admitAlarm(event, this.family);
    if ('result' in admitted) return admitted.result;
    const age = alarmAge(event);
    const result = await this.evaluate(admitted.target, eventKey, { ageOfOldestSeconds: age, skipIfRecent: true });
    return { status: 'evaluated', detail: `${admitted.detail}${age !== undefined ? ` (oldest message ${age} s)` : ''}`, targets: [result] };
  }

  private async onWindow(event: WindowEvent, eventKey: string): Promise<QueueResult> {
    const admitted = admitWindow(event, this.family);
    if ('result' in admitted) return admitted.result;
    return { status: 'evaluated', detail: admitted.detail, targets: [await this.evaluate(admitted.target, eventKey, {})] };
  }

  private backend(target: QueueWorkersTarget): CapacityBackend {
    const { autoScaling, ecs, sleep } = this.deps;
    const w = target.workers;
    return w.kind === 'asg' ? new AutoScalingAdapter(autoScaling, w.autoScalingGroupName, sleep) : new EcsAdapter(ecs, w.cluster, w.service);
  }

  /** One target, through the decision loop: observe and decide here; guard, act and record there. */
  private evaluate(
    target: QueueWorkersTarget,
    eventKey: string,
    options: { ageOfOldestSeconds?: number; skipIfRecent?: boolean; poll?: boolean },
  ): Promise<QueueTargetResult> {
    if (usesStepPolicy(target)) return this.evaluateStep(target, eventKey, options);
    const { config } = this.deps;
    return this.loop.run(target, eventKey, async ({ record, start }) => {
      const last = record?.lastDecision?.at;
      if (options.skipIfRecent && last !== undefined && start - last < RECENTLY_SECONDS * 1000) {
        return skipped(target, `evaluated ${Math.round((start - last) / 1000)} s ago`);
      }
      const backend = this.backend(target);
      const [depth, snapshot] = await Promise.all([this.sqs.depth(target.queueUrl), backend.describe()]);
      const stored: StoredMemory = (record?.memory as StoredMemory | undefined) ?? EMPTY_QUEUE_MEMORY;
      const window = activeWindow(config.windows, target.id, start);
      const bounds = boundsIn(target, window);
      const { decision, memory } = decideQueue({
        policy: queuePolicyOf(target, bounds),
        fleet: { desired: snapshot.desired, ready: snapshot.ready, busy: snapshot.protected ?? 0 },
        observation: { visible: depth.visible, notVisible: depth.notVisible, ageOfOldestSeconds: options.ageOfOldestSeconds },
        memory: stored,
        now: start,
      });
      const { desired, note } = withinGroupBounds(snapshot, decision.desired);
      return {
        change: desired !== snapshot.desired,
        reason: decision.reason + (bounds.window ? `; window "${bounds.window}"` : '') + note,
        count: { previous: snapshot.desired, desired },
        figures: { ...decision.figures, ...(window ? { windowMin: bounds.minCapacity, windowMax: bounds.maxCapacity } : {}) },
        quiet: options.poll,
        act: async () => {
          await backend.setDesired(desired);
          return {};
        },
        remember: async (applied): Promise<StoredMemory> => ({
          ...memory,
          // A change not made is not a change: the cooldown runs from the last applied one.
          lastChangeAt: applied ? start : stored.lastChangeAt,
          deadLetterDepth: await this.deadLetters(target, stored.deadLetterDepth, eventKey),
        }),
        measure: (m) => m.addMetric('QueueBacklog', MetricUnit.Count, depth.visible + depth.notVisible),
      };
    });
  }

  /**
   * A target with `policy: step`, through the same decision loop. Every poll reads the queue and keeps
   * the visible count as a sample (its rules' datapoints: the highest sample of each period, with no
   * CloudWatch lag); the rules are evaluated at most once per `evaluationIntervalSeconds` on the poll,
   * and at once on a rule's alarm or a window's edge. A scale-in goes no lower than the workers that
   * hold messages, as with the default policy; leases, switches, bounds and the record are the loop's.
   */
  private evaluateStep(
    target: QueueWorkersTarget,
    eventKey: string,
    options: { ageOfOldestSeconds?: number; skipIfRecent?: boolean; poll?: boolean },
  ): Promise<QueueTargetResult> {
    const { config } = this.deps;
    const rules = stepRulesOf(target);
    const interval = target.evaluationIntervalSeconds ?? DEFAULT_EVALUATION_INTERVAL_SECONDS;
    const keepMs = Math.max(...rules.map((r) => (r.evaluationPeriods + 1) * r.periodSeconds)) * 1000;
    return this.loop.run(target, eventKey, async ({ record, start }) => {
      const last = record?.lastDecision?.at;
      if (options.skipIfRecent && last !== undefined && start - last < RECENTLY_SECONDS * 1000) {
        return skipped(target, `evaluated ${Math.round((start - last) / 1000)} s ago`);
      }
      const backend = this.backend(target);
      const [depth, snapshot] = await Promise.all([this.sqs.depth(target.queueUrl), backend.describe()]);
      const stored: StoredMemory = (record?.memory as StoredMemory | undefined) ?? EMPTY_QUEUE_MEMORY;
      const samples = [...(stored.visibleSamples ?? []).filter((p) => p.at > start - keepMs), { at: start, value: depth.visible }];
      const bounds = boundsIn(target, activeWindow(config.windows, target.id, start));
      const previous = snapshot.desired;
      const since = stored.stepEvaluatedAt === undefined ? Infinity : (start - stored.stepEvaluatedAt) / 1000;
      // The poll comes about a minute apart: a little early is on time.
      const due = !options.poll || since >= interval - RECENTLY_SECONDS;
      const w = target.workers;
      const holding = w.scaleInProtection ? 0 : Math.ceil(depth.notVisible / w.messagesInFlightPerWorker - 1e-9);
      const busy = snapshot.protected ?? 0;
      const floorUnits = Math.max(busy, holding);
      // The age of the oldest message is CloudWatch's: read when a rule needs it, and judged for freshness.
      const age = due ? await this.readAge(target, rules, start, stored.ageMetrics) : undefined;
      const { decision } = due
        ? decideStep({
            policy: { minCapacity: bounds.minCapacity, maxCapacity: bounds.maxCapacity, rules },
            desired: previous,
            readings: rules.map((r, i) => age?.readings[i] ?? sustained(perPeriod(samples, r.periodSeconds), r)),
            memory: stored,
            now: start,
            floor: floorUnits > 0 ? { units: floorUnits, why: `${depth.notVisible} in flight, ${busy} busy` } : undefined,
          })
        : { decision: { desired: previous, reason: `next evaluation in ${Math.ceil(interval - since)} s (every ${interval} s)`, figures: { previous } } };
      const { desired, note } = withinGroupBounds(snapshot, decision.desired);
      const ageNote =
        age && age.check.freshness !== 'fresh'
          ? `; ${AGE_SIGNAL}: ${describeMetrics(age.check, { lateAfterSeconds: AGE_LATE_AFTER_SECONDS })}${age.check.freshness === 'late' ? '' : ', its down rules held'}`
          : '';
      return {
        change: desired !== previous,
        reason: `step policy: ${decision.reason}${ageNote}${bounds.window ? `; window "${bounds.window}"` : ''}${note}`,
        count: { previous, desired },
        figures: { ...decision.figures, visible: depth.visible, inFlight: depth.notVisible, desired },
        quiet: options.poll,
        act: async () => {
          await backend.setDesired(desired);
          return {};
        },
        // A change not made is not a change: the cooldowns run from the last applied one. The default
        // engine's memory is kept alongside, so the target can go back to it.
        remember: async (applied): Promise<StoredMemory> => {
          const moved = applied && desired !== previous;
          return {
            ...stored,
            visibleSamples: samples,
            stepEvaluatedAt: due ? start : stored.stepEvaluatedAt,
            ...(age ? { ageMetrics: age.check.memory } : {}),
            ...(moved ? { lastChangeAt: start, ...(desired > previous ? { lastScaleOutAt: start } : { lastScaleInAt: start }) } : {}),
            deadLetterDepth: await this.deadLetters(target, stored.deadLetterDepth, eventKey),
          };
        },
        measure: (m) => m.addMetric('QueueBacklog', MetricUnit.Count, depth.visible + depth.notVisible),
      };
    });
  }

  /**
   * The rules on the age of the oldest message read on CloudWatch's datapoints (GetMetricData in the
   * queue's region, at each rule's period, late datapoints looked for further back), by rule index,
   * with the freshness of the newest; undefined when no rule reads it. While the age is stalled or
   * missing (CloudWatch late, or an idle queue that no longer publishes), its down rules do not hold:
   * no scale-in on silence; its up rules act on what can be read. The rules on the visible messages,
   * read from the queue itself, are not affected.
   */
  private async readAge(
    target: QueueWorkersTarget,
    rules: readonly StepRule[],
    now: number,
    previous: StoredMemory['ageMetrics'],
  ): Promise<{ readings: Record<number, RuleReading>; check: MetricsCheck } | undefined> {
    if (!rules.some((r) => r.signal === AGE_SIGNAL) || !this.deps.cloudWatchIn) return undefined;
    const cloudWatch = new LateAwareCloudWatch(this.deps.cloudWatchIn(queueParts(target.queueUrl).region));
    cloudWatch.begin(AGE_LATE_AFTER_SECONDS);
    const metric = queueMetrics(target).ageOfOldest;
    const readings: Record<number, RuleReading> = {};
    for (const [i, r] of rules.entries()) {
      if (r.signal !== AGE_SIGNAL) continue;
      const from = now - (r.evaluationPeriods * r.periodSeconds + AGE_LOOKBACK_SECONDS) * 1000;
      const series = await cloudWatch.series([{ id: 'age', metric }], from, now, r.periodSeconds);
      readings[i] = sustained(series.age ?? [], r);
    }
    const newest = cloudWatch.newestEnd();
    const check = checkMetrics(newest ?? undefined, now, { lateAfterSeconds: AGE_LATE_AFTER_SECONDS }, previous);
    if (check.freshness === 'stalled' || check.freshness === 'missing') {
      for (const [i, r] of rules.entries()) if (r.signal === AGE_SIGNAL && r.direction === 'down') readings[i] = { ...readings[i], breaching: false };
    }
    return { readings, check };
  }

  /**
   * Reads the dead-letter queue's depth and reports a rise (notification and metric); never scaled on.
   * A failed read is logged, not thrown: it must not hold back the workers' decision.
   */
  private async deadLetters(target: QueueWorkersTarget, reported: number | undefined, eventKey: string): Promise<number | undefined> {
    if (!target.deadLetterQueueUrl) return undefined;
    let depth: number;
    try {
      const d = await this.sqs.depth(target.deadLetterQueueUrl);
      depth = d.visible + d.notVisible + d.delayed;
    } catch (err) {
      logger.warn('dead-letter queue depth not read', { target: target.id, error: (err as Error).message });
      return reported;
    }
    const m = metrics.singleMetric();
    m.addDimensions({ target: target.id, kind: target.kind });
    m.addMetric('DeadLetterMessages', MetricUnit.Count, depth);
    if (depth > 0 && depth > (reported ?? 0)) {
      logger.warn('messages in the dead-letter queue', { target: target.id, depth, previously: reported ?? 0 });
      try {
        await (this.deps.notifier ?? noopNotifier).notify({
          subject: `[${this.deps.config.prefix}] ${target.id}: ${depth} message(s) in the dead-letter queue`,
          body: {
            prefix: this.deps.config.prefix,
            targetId: target.id,
            kind: target.kind,
            deadLetterQueueUrl: target.deadLetterQueueUrl,
            depth,
            previouslyReported: reported ?? 0,
            note: 'Messages that failed processing too often; the autoscaler reports them and does not scale on them.',
            eventId: eventKey,
          },
        });
      } catch (err) {
        logger.warn('notification not sent', { target: target.id, error: (err as Error).message });
        return reported;
      }
    }
    return depth;
  }
}

/** The newest age the alarm evaluated (its reasonData's recentDatapoints), seconds, when the event carries it. */
export function alarmAge(event: AlarmStateChangeEvent): number | undefined {
  const data = event.detail.state.reasonData;
  if (!data) return undefined;
  try {
    const parsed = JSON.parse(data) as { recentDatapoints?: unknown };
    const points = Array.isArray(parsed.recentDatapoints) ? parsed.recentDatapoints.filter((v): v is number => typeof v === 'number' && v >= 0) : [];
    return points.length ? Math.max(...points) : undefined;
  } catch {
    return undefined;
  }
}
