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
import type { CapacityBackend, CapacitySnapshot } from '../../adapters/capacity';
import { EcsAdapter } from '../../adapters/ecs';
import { type Notifier, noopNotifier } from '../../adapters/sns';
import { SqsAdapter } from '../../adapters/sqs';
import type { SendClient, Sleep } from '../../adapters/types';
import { decideQueue, EMPTY_QUEUE_MEMORY, type QueueMemory, queuePolicyOf } from '../../engine/queue';
import { activeWindow, boundsIn } from '../../engine/windows';
import { familyOf, parseAlarmName } from '../../shared/alarms';
import type { AutoscalerConfig, QueueWorkersTarget } from '../../shared/config';
import { eachTarget } from '../../shared/each-target';
import { TerminalError } from '../../shared/errors';
import type { AlarmStateChangeEvent, ReevaluateEvent, WindowEvent } from '../../shared/events';
import { decisionNotification } from '../../shared/notifications';
import { logger, metrics } from '../../shared/powertools';
import { BUSY, LEASE_SECONDS, withTargetLease } from '../../state/lease';
import type { DecisionSummary, Outcome, StateStore } from '../../state/store';

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
}

export interface QueueTargetResult {
  readonly targetId: string;
  readonly outcome: Outcome | 'busy' | 'skipped';
  readonly previous?: number;
  readonly desired?: number;
  readonly reason: string;
}

export interface QueueResult {
  readonly status: 'evaluated' | 'ignored' | 'rejected';
  readonly detail: string;
  readonly targets: QueueTargetResult[];
}

/** What the state store keeps for a queue target: the engine's memory and the dead-letter depth last reported. */
interface StoredMemory extends QueueMemory {
  readonly deadLetterDepth?: number;
}

export { LEASE_SECONDS };

/** An alarm or window event within this many seconds of the target's last decision adds nothing. */
const RECENTLY_SECONDS = 20;
export const DEFAULT_CONCURRENCY = 5;

export class QueueService {
  private readonly targets: Map<string, QueueWorkersTarget>;
  private readonly sqs: SqsAdapter;

  constructor(private readonly deps: QueueServiceDeps) {
    this.targets = new Map(deps.config.targets.filter((t): t is QueueWorkersTarget => familyOf(t) === 'queue').map((t) => [t.id, t]));
    this.sqs = new SqsAdapter(deps.sqs);
  }

  async handle(event: QueueEvent, eventKey: string): Promise<QueueResult> {
    if ('detail-type' in event) return this.onAlarm(event, eventKey);
    if (event.family !== 'queue') {
      logger.warn('schedule for another family; rejected', { family: event.family });
      return { status: 'rejected', detail: `schedule is for family "${event.family}", not queue`, targets: [] };
    }
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
    const { config, now } = this.deps;
    const name = event.detail.alarmName;
    const parts = parseAlarmName(config.prefix, name);
    const target = parts && this.targets.get(parts.targetId);
    if (!parts || !target) {
      logger.warn('alarm names no configured queue target; rejected', { alarmName: name });
      return { status: 'rejected', detail: `alarm "${name}" names no configured queue target`, targets: [] };
    }
    const ageSeconds = (now() - Date.parse(event.time)) / 1000;
    if (ageSeconds > config.maxEventAgeSeconds) {
      return { status: 'ignored', detail: `event is ${Math.round(ageSeconds)} s old, older than ${config.maxEventAgeSeconds} s`, targets: [] };
    }
    if (event.detail.state.value !== 'ALARM') {
      return { status: 'ignored', detail: `alarm "${name}" went to ${event.detail.state.value}; nothing to do`, targets: [] };
    }
    const age = alarmAge(event);
    const result = await this.evaluate(target, eventKey, { ageOfOldestSeconds: age, skipIfRecent: true });
    return { status: 'evaluated', detail: `alarm "${name}"${age !== undefined ? ` (oldest message ${age} s)` : ''}`, targets: [result] };
  }

  private async onWindow(event: WindowEvent, eventKey: string): Promise<QueueResult> {
    const window = this.deps.config.windows.find((w) => w.name === event.window);
    const target = window && this.targets.get(window.target);
    if (!window || !target) {
      logger.warn('window names no configured queue target; rejected', { window: event.window });
      return { status: 'rejected', detail: `window "${event.window}" is not a window of a queue target`, targets: [] };
    }
    const result = await this.evaluate(target, eventKey, {});
    return { status: 'evaluated', detail: `window "${window.name}" ${event.edge}`, targets: [result] };
  }

  private backend(target: QueueWorkersTarget): CapacityBackend {
    const { autoScaling, ecs, sleep } = this.deps;
    const w = target.workers;
    return w.kind === 'asg' ? new AutoScalingAdapter(autoScaling, w.autoScalingGroupName, sleep) : new EcsAdapter(ecs, w.cluster, w.service);
  }

  /** One target, under its lease: observe, decide, guard, act, record. */
  private async evaluate(
    target: QueueWorkersTarget,
    eventKey: string,
    options: { ageOfOldestSeconds?: number; skipIfRecent?: boolean; poll?: boolean },
  ): Promise<QueueTargetResult> {
    const { store, config, now } = this.deps;
    const start = now();
    const result = await withTargetLease(store, target.id, eventKey, start, LEASE_SECONDS, async (owner): Promise<QueueTargetResult> => {
      const record = await store.getTarget(target.id);
      const last = record?.lastDecision?.at;
      if (options.skipIfRecent && last !== undefined && start - last < RECENTLY_SECONDS * 1000) {
        return { targetId: target.id, outcome: 'skipped', reason: `evaluated ${Math.round((start - last) / 1000)} s ago` };
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
      let desired = decision.desired;
      let reason = decision.reason + (bounds.window ? `; window "${bounds.window}"` : '');
      desired = this.groupBounds(snapshot, desired, (why) => (reason += why));

      let outcome: Outcome = 'held';
      if (desired !== snapshot.desired) {
        // Read right before the write: a pause or dry-run set while this decision was made holds it.
        const switches = await store.getSwitches(target.id);
        if (switches.paused) outcome = 'paused';
        else if (switches.dryRun || config.dryRun || target.dryRun) outcome = 'dry-run';
        else {
          try {
            await backend.setDesired(desired);
            outcome = 'applied';
          } catch (err) {
            if (!(err instanceof TerminalError)) throw err;
            outcome = 'failed';
            reason += `; failed: ${err.message}`;
            logger.error('terminal error; recorded, not retried', { target: target.id, code: err.code, error: err.message });
          }
        }
      }
      const applied = outcome === 'applied';
      const deadLetterDepth = await this.deadLetters(target, stored.deadLetterDepth, eventKey);
      const kept: StoredMemory = {
        ...memory,
        // A change not made is not a change: the cooldown runs from the last applied one.
        lastChangeAt: applied ? start : stored.lastChangeAt,
        deadLetterDepth,
      };
      const direction = desired > snapshot.desired ? 'out' : desired < snapshot.desired ? 'in' : 'none';
      const figures = { ...decision.figures, ...(window ? { windowMin: bounds.minCapacity, windowMax: bounds.maxCapacity } : {}) };
      const summary = { at: start, previous: snapshot.desired, desired, direction, reason, figures, outcome } as const;
      await store.saveTarget(
        {
          targetId: target.id,
          memory: kept as unknown as Record<string, unknown>,
          lastDecision: summary,
          lastActionAt: applied ? start : record?.lastActionAt,
        },
        owner,
      );
      if (!options.poll || outcome !== 'held' || record?.lastDecision?.outcome !== 'held' || record.lastDecision.desired !== desired) {
        // A poll that changes nothing, after one that changed nothing, is not worth an audit entry a minute.
        await store.appendAudit({ targetId: target.id, ...summary, eventId: eventKey }, config.auditRetentionDays);
      }
      this.emit(target, outcome, depth.visible + depth.notVisible);
      await this.notify(target, summary, eventKey);
      if (outcome !== 'held') logger.info('decision', { target: target.id, outcome, previous: snapshot.desired, desired, reason });
      return { targetId: target.id, outcome, previous: snapshot.desired, desired, reason };
    });
    if (result === BUSY) {
      return { targetId: target.id, outcome: 'busy', reason: 'another invocation is deciding for this target' };
    }
    return result;
  }

  /** An Auto Scaling group's own MinSize/MaxSize win: AWS rejects a desired count outside them. */
  private groupBounds(snapshot: CapacitySnapshot, desired: number, note: (why: string) => void): number {
    if (snapshot.maxSize !== undefined && desired > snapshot.maxSize && desired > snapshot.desired) {
      note(`; held to the group's MaxSize ${snapshot.maxSize}`);
      return Math.max(snapshot.desired, snapshot.maxSize);
    }
    if (snapshot.minSize !== undefined && desired < snapshot.minSize && desired < snapshot.desired) {
      note(`; held to the group's MinSize ${snapshot.minSize}`);
      return Math.min(snapshot.desired, snapshot.minSize);
    }
    return desired;
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

  private async notify(target: QueueWorkersTarget, decision: DecisionSummary, eventId: string): Promise<void> {
    const notification = decisionNotification({ prefix: this.deps.config.prefix, targetId: target.id, kind: target.kind, decision, eventId });
    if (!notification) return;
    try {
      await (this.deps.notifier ?? noopNotifier).notify(notification);
    } catch (err) {
      logger.warn('notification not sent', { target: target.id, error: (err as Error).message });
      const m = metrics.singleMetric();
      m.addDimensions({ target: target.id, kind: target.kind });
      m.addMetric('NotificationFailures', MetricUnit.Count, 1);
    }
  }

  private emit(target: QueueWorkersTarget, outcome: Outcome, backlog: number): void {
    const m = metrics.singleMetric();
    m.addDimensions({ target: target.id, kind: target.kind });
    m.addMetric('Decisions', MetricUnit.Count, 1);
    m.addMetric('QueueBacklog', MetricUnit.Count, backlog);
    if (outcome === 'applied') m.addMetric('Actions', MetricUnit.Count, 1);
    if (outcome === 'failed') m.addMetric('Failures', MetricUnit.Count, 1);
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
