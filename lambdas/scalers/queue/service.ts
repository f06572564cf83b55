/**
 * The queue family's work (queue-workers, rabbitmq-workers and redis-workers targets), free of Lambda plumbing. One
 * function, three events:
 * - the 1-minute poll: every queue target at once, a few at a time (GetQueueAttributes has no
 *   CloudWatch lag, so an SQS queue waking from idle is seen at the next poll; a RabbitMQ queue is
 *   seen once its minute's datapoint is in CloudWatch);
 * - the kind's alarm (age of the oldest message, ready backlog): its target now;
 * - a capacity window's start or end: its target now, under the bounds in force.
 * Per target, under its lease: observe (the queue as its kind reads it: lambdas/scalers/queue/kinds.ts;
 * the fleet), decide (pure engine), guard (pause, dry-run, bounds, busy workers), act (absolute
 * desired count) and record. Dead-letter queue depth is reported, never scaled on.
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
import type { AutoscalerConfig, QueueWorkersTarget } from '../../shared/config';
import { eachTarget } from '../../shared/each-target';
import type { AlarmStateChangeEvent, ReevaluateEvent, WindowEvent } from '../../shared/events';
import { familyOf } from '../../shared/kinds/facts';
import { queueParts, queueSignals, readsQueueMetrics, VISIBLE_SIGNAL } from '../../shared/kinds/queue-workers';
import { DEFAULT_EVALUATION_INTERVAL_SECONDS, stepRulesOf, usesStepPolicy } from '../../shared/kinds/step-policy';
import { logger, metrics } from '../../shared/powertools';
import { LEASE_SECONDS } from '../../state/lease';
import type { StateStore } from '../../state/store';
import { admitAlarm, admitWindow, type FamilyTargets, otherFamily } from '../admit';
import { type Decision, DecisionLoop, type FamilyResult, skipped, type TargetResult, withinGroupBounds } from '../decision-loop';
import { type QueueTarget, queueKind } from './kinds';

export type QueueEvent = AlarmStateChangeEvent | ReevaluateEvent | WindowEvent;

export interface QueueServiceDeps {
  readonly config: AutoscalerConfig;
  readonly store: StateStore;
  readonly sqs: SendClient;
  /** CloudWatch, for the kinds whose queue is read there (rabbitmq-workers, redis-workers). */
  readonly cloudWatch: SendClient;
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

/**
 * What the state store keeps for a queue target: the engine's memory, the dead-letter depth last
 * reported, the start of the CloudWatch datapoint last decided on (rabbitmq-workers), and the step
 * policy's samples.
 */
interface StoredMemory extends QueueMemory, StepMemory {
  readonly deadLetterDepth?: number;
  readonly observedAt?: number;
  /** Workers ready at each recent decision, oldest first (kinds whose observation lags). */
  readonly readyHistory?: readonly { readonly at: number; readonly ready: number }[];
  /** Step policy: the freshness of the age of the oldest message at the last read. */
  readonly ageMetrics?: MetricsCheck['memory'];
  /** Step policy: the visible messages read at each poll, oldest first (its rules' datapoints). */
  readonly visibleSamples?: readonly Datapoint[];
  /** Step policy: when its rules were last evaluated (epoch ms). */
  readonly stepEvaluatedAt?: number;
}

/** How far back the ready counts of past decisions are kept: beyond it, metrics are too late to pair with them. */
const READY_HISTORY_MS = 15 * 60_000;

/**
 * The engine's memory for an observation that lags (a CloudWatch datapoint whose period started at
 * `observedAt`): the engine credits the workers ready at this decision with the work done until the
 * next observation, but that observation's period starts a minute after this one's, when the workers
 * ready were those of an earlier decision. The ready count in force then replaces it.
 */
function lagged(memory: QueueMemory, stored: StoredMemory, observedAt: number, start: number, ready: number): Partial<StoredMemory> {
  const history = [...(stored.readyHistory ?? []).filter((h) => h.at >= start - READY_HISTORY_MS && h.at < start), { at: start, ready }];
  const next = observedAt + 60_000;
  const inForce = [...history].reverse().find((h) => h.at <= next) ?? history[0];
  return { readyHistory: history, ...(memory.lastPoll ? { lastPoll: { ...memory.lastPoll, ready: inForce.ready } } : {}) };
}

export { alarmAge } from './kinds';
export { LEASE_SECONDS };

/** Beyond a rule's window, how far back the age of the oldest message is read (CloudWatch publishes it about two minutes late). */
const AGE_LOOKBACK_SECONDS = 600;
/** The age's newest datapoint older than this: late (as a capacity target's default `missingData.lateAfterSeconds`). */
const AGE_LATE_AFTER_SECONDS = 240;

/** An alarm or window event within this many seconds of the target's last decision adds nothing. */
const RECENTLY_SECONDS = 20;
export const DEFAULT_CONCURRENCY = 5;

export class QueueService {
  private readonly targets: Map<string, QueueTarget>;
  private readonly sqs: SqsAdapter;
  private readonly family: FamilyTargets<QueueTarget>;
  private readonly loop: DecisionLoop<QueueTarget>;

  constructor(private readonly deps: QueueServiceDeps) {
    this.targets = new Map(deps.config.targets.filter((t): t is QueueTarget => familyOf(t) === 'queue').map((t) => [t.id, t]));
    this.sqs = new SqsAdapter(deps.sqs);
    this.family = { family: 'queue', targets: this.targets, config: deps.config, now: deps.now };
    this.loop = new DecisionLoop(deps, { tellDecisions: true });
    const reading = [...this.targets.values()].find((t) => t.kind === 'queue-workers' && readsQueueMetrics(t));
    if (reading && !deps.cloudWatchIn) {
      throw new Error(`target "${reading.id}" has a step rule on ${cloudWatchSignals(stepRulesOf(reading))}, which needs CloudWatch; none was given`);
    }
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
    const result = await this.evaluate(admitted.target, eventKey, { alarm: event, skipIfRecent: true });
    const note = queueKind(admitted.target).alarmNote?.(event) ?? '';
    return { status: 'evaluated', detail: `${admitted.detail}${note}`, targets: [result] };
  }

  private async onWindow(event: WindowEvent, eventKey: string): Promise<QueueResult> {
    const admitted = admitWindow(event, this.family);
    if ('result' in admitted) return admitted.result;
    return { status: 'evaluated', detail: admitted.detail, targets: [await this.evaluate(admitted.target, eventKey, {})] };
  }

  private backend(target: QueueTarget): CapacityBackend {
    const { autoScaling, ecs, sleep } = this.deps;
    const w = target.workers;
    return w.kind === 'asg' ? new AutoScalingAdapter(autoScaling, w.autoScalingGroupName, sleep) : new EcsAdapter(ecs, w.cluster, w.service);
  }

  /** One target, through the decision loop: observe and decide here; guard, act and record there. */
  private evaluate(
    target: QueueTarget,
    eventKey: string,
    options: { alarm?: AlarmStateChangeEvent; skipIfRecent?: boolean; poll?: boolean },
  ): Promise<QueueTargetResult> {
    if (target.kind === 'queue-workers' && usesStepPolicy(target)) return this.evaluateStep(target, eventKey, options);
    const { config } = this.deps;
    return this.loop.run(target, eventKey, async ({ target, record, start }) => {
      const last = record?.lastDecision?.at;
      if (options.skipIfRecent && last !== undefined && start - last < RECENTLY_SECONDS * 1000) {
        return skipped(target, `evaluated ${Math.round((start - last) / 1000)} s ago`);
      }
      const backend = this.backend(target);
      const stored: StoredMemory = (record?.memory as StoredMemory | undefined) ?? EMPTY_QUEUE_MEMORY;
      const [depth, snapshot] = await Promise.all([
        queueKind(target).observe(
          target,
          { sqs: this.sqs, cloudWatch: this.deps.cloudWatch },
          { prefix: config.prefix, start, observedAt: stored.observedAt, metrics: record?.metrics, alarm: options.alarm },
        ),
        backend.describe(),
      ]);
      if ('hold' in depth) {
        // Nothing new to decide on: the count stays; the metrics' freshness is recorded (and told).
        const held: Decision = {
          change: false,
          reason: `held: ${depth.hold}; ${snapshot.desired} -> ${snapshot.desired}`,
          count: { previous: snapshot.desired, desired: snapshot.desired },
          figures: { desired: snapshot.desired, ready: snapshot.ready },
          metrics: depth.metrics,
          quiet: options.poll,
          act: async () => ({}),
        };
        return held;
      }
      const window = activeWindow(config.windows, target.id, start);
      const bounds = boundsIn(target, window);
      const policy = queuePolicyOf(target, bounds);
      // Messages counted by an observation `ageSeconds` old have waited that long already (never below a minute left).
      const lost = depth.ageSeconds ?? 0;
      const { decision, memory } = decideQueue({
        policy: lost > 0 ? { ...policy, maxWaitSeconds: Math.max(60, policy.maxWaitSeconds - lost) } : policy,
        fleet: { desired: snapshot.desired, ready: snapshot.ready, busy: snapshot.protected ?? 0 },
        observation: { visible: depth.visible, notVisible: depth.notVisible, ageOfOldestSeconds: depth.ageOfOldestSeconds },
        memory: stored,
        now: start,
      });
      const { desired, note } = withinGroupBounds(snapshot, decision.desired);
      return {
        change: desired !== snapshot.desired,
        reason:
          decision.reason +
          (lost > 0 ? `; observed ${Math.round(lost)} s ago` : '') +
          (depth.note ? `; ${depth.note}` : '') +
          (bounds.window ? `; window "${bounds.window}"` : '') +
          note,
        count: { previous: snapshot.desired, desired },
        figures: {
          ...decision.figures,
          ...(depth.ageSeconds !== undefined ? { metricsAgeSeconds: Math.round(depth.ageSeconds) } : {}),
          ...(window ? { windowMin: bounds.minCapacity, windowMax: bounds.maxCapacity } : {}),
        },
        metrics: depth.metrics,
        quiet: options.poll,
        act: async () => {
          await backend.setDesired(desired);
          return {};
        },
        remember: async (applied): Promise<StoredMemory> => ({
          ...memory,
          ...(depth.observedAt !== undefined ? lagged(memory, stored, depth.observedAt, start, snapshot.ready) : {}),
          // A change not made is not a change: the cooldown runs from the last applied one.
          lastChangeAt: applied ? start : stored.lastChangeAt,
          ...(target.kind === 'queue-workers' ? { deadLetterDepth: await this.deadLetters(target, stored.deadLetterDepth, eventKey) } : {}),
          ...(depth.observedAt !== undefined ? { observedAt: depth.observedAt } : {}),
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
    return this.loop.run(target, eventKey, async ({ target, record, start }) => {
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
      // Every signal but the visible messages is CloudWatch's: read when a rule needs it, and judged for freshness.
      const age = due ? await this.readCloudWatchRules(target, rules, start, stored.ageMetrics) : undefined;
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
          ? `; ${cloudWatchSignals(rules)}: ${describeMetrics(age.check, { lateAfterSeconds: AGE_LATE_AFTER_SECONDS })}${age.check.freshness === 'late' ? '' : ', its down rules held'}`
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
   * The rules on signals other than the visible messages (the age of the oldest message, the messages in
   * flight) read on CloudWatch's datapoints (GetMetricData in the queue's region, at each rule's period,
   * late datapoints looked for further back), by rule index, with the freshness of the newest; undefined
   * when no rule reads CloudWatch. While those datapoints are stalled or missing (CloudWatch late, or an
   * idle queue that no longer publishes), their down rules do not hold: no scale-in on silence; their up
   * rules act on what can be read. The rules on the visible messages, read from the queue itself, are
   * not affected.
   */
  private async readCloudWatchRules(
    target: QueueWorkersTarget,
    rules: readonly StepRule[],
    now: number,
    previous: StoredMemory['ageMetrics'],
  ): Promise<{ readings: Record<number, RuleReading>; check: MetricsCheck } | undefined> {
    const fromCloudWatch = (r: StepRule) => r.signal !== VISIBLE_SIGNAL;
    if (!rules.some(fromCloudWatch) || !this.deps.cloudWatchIn) return undefined;
    const cloudWatch = new LateAwareCloudWatch(this.deps.cloudWatchIn(queueParts(target.queueUrl).region));
    cloudWatch.begin(AGE_LATE_AFTER_SECONDS);
    const signals = queueSignals(target);
    const readings: Record<number, RuleReading> = {};
    for (const [i, r] of rules.entries()) {
      const metric = signals[r.signal]?.metric;
      if (!fromCloudWatch(r) || !metric) continue;
      const from = now - (r.evaluationPeriods * r.periodSeconds + AGE_LOOKBACK_SECONDS) * 1000;
      const series = await cloudWatch.series([{ id: 's', metric }], from, now, r.periodSeconds);
      readings[i] = sustained(series.s ?? [], r);
    }
    const newest = cloudWatch.newestEnd();
    const check = checkMetrics(newest ?? undefined, now, { lateAfterSeconds: AGE_LATE_AFTER_SECONDS }, previous);
    if (check.freshness === 'stalled' || check.freshness === 'missing') {
      for (const [i, r] of rules.entries()) if (fromCloudWatch(r) && r.direction === 'down') readings[i] = { ...readings[i], breaching: false };
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

/** The signals of `rules` read from CloudWatch (every one but the visible messages), for a reason or an error. */
function cloudWatchSignals(rules: readonly StepRule[]): string {
  return [...new Set(rules.map((r) => r.signal).filter((s) => s !== VISIBLE_SIGNAL))].join(', ');
}
