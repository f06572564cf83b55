/**
 * One decision on one target, the same for every family that scales (capacity, queue, database):
 * observe -> decide -> guard -> act -> record. The family says how to observe and decide (it returns a
 * Decision), how to act (the decision's `act`) and what to remember; the loop holds what must be the
 * same everywhere:
 * - the target's lease around the whole decision: one decision per target at a time, and a target
 *   whose lease another invocation holds is left to it (it decides on the same signals);
 * - the operator's override of the target (lambdas/shared/overrides.ts), read under the lease: the
 *   family decides on the target with the override's floor, ceiling and tracking target in place of the
 *   deployed ones, and an override's pause or dry-run holds the write as the switches do;
 * - the switches read right before the write, not when the invocation starts: a pause or dry-run set
 *   while the decision was made holds it, and the decision is recorded as paused or dry-run;
 * - for the families that keep one, the hold after a terminal failure: no change is attempted again
 *   for a while, so the failure is reported once, not every minute;
 * - a terminal failure of the write is recorded and reported, never retried in a loop; any other error
 *   is thrown, so the invocation is retried;
 * - the record: the target's state, its audit entry (a routine poll that repeats a held decision gets
 *   none), EMF metrics per target, and the operator's notifications (the decision; metrics late or back).
 */

import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CapacitySnapshot } from '../adapters/capacity';
import { type Notification, type Notifier, noopNotifier } from '../adapters/sns';
import type { MetricsCheck } from '../engine/staleness';
import type { AutoscalerConfig } from '../shared/config';
import { TerminalError } from '../shared/errors';
import { decisionNotification, metricsNotification } from '../shared/notifications';
import { applyOverride, switchesInForce, type WithOverride } from '../shared/overrides';
import { logger, metrics } from '../shared/powertools';
import { BUSY, LEASE_SECONDS, withTargetLease } from '../state/lease';
import type { DecisionSummary, Outcome, StateStore, TargetRecord } from '../state/store';

/** What a family function reports of one target. */
export interface TargetResult {
  readonly targetId: string;
  /** What happened: a decision's outcome, or why none was made. */
  readonly outcome: Outcome | 'busy' | 'skipped';
  /** The count before the decision and the one decided, for the families that scale a count. */
  readonly previous?: number;
  readonly desired?: number;
  readonly reason: string;
  /** The runbook execution started (or found already started) for the action. */
  readonly execution?: Execution;
}

export interface Execution {
  readonly name: string;
  readonly status: 'started' | 'duplicate';
}

/** What a family function returns for one event. */
export interface FamilyResult {
  /** evaluated: targets were looked at; ignored: nothing to do (stale, back to OK); rejected: not ours. */
  readonly status: 'evaluated' | 'ignored' | 'rejected';
  readonly detail: string;
  readonly targets: TargetResult[];
}

/** What the loop needs of a target. */
export interface LoopTarget {
  readonly id: string;
  readonly kind: string;
  readonly dryRun?: boolean;
}

export interface LoopDeps {
  readonly config: AutoscalerConfig;
  readonly store: StateStore;
  /** Epoch milliseconds now. */
  readonly now: () => number;
  /** @default no one */
  readonly notifier?: Notifier;
}

/** What differs between families once a decision is made. */
export interface LoopOptions<T extends LoopTarget> {
  /**
   * After a change fails with a terminal error, no change is attempted on the target for this long
   * (the failure is recorded with the count it wanted, and cleared by the next applied change).
   * @default no hold
   */
  readonly failureHoldSeconds?: number;
  /**
   * Decisions worth telling (applied, dry-run, paused, failed) are published.
   * @default false (the family's runbooks tell what they do)
   */
  readonly tellDecisions?: boolean;
  /** What the target does while its metrics are late or missing, in a few words (for the notification). */
  readonly meanwhile?: (target: T) => string;
}

/** What the family's step in the loop is given. */
export interface DecideContext<T> {
  /** The target to decide on: the deployed one, or the override in force applied to it. */
  readonly target: WithOverride<T>;
  /** The target's record, read under the lease. */
  readonly record: TargetRecord | undefined;
  /** Epoch ms the decision is made at: its `at` in the record and the audit trail. */
  readonly start: number;
}

/** What an action did, beyond succeeding. */
export interface Acted {
  /** Appended to the decision's reason. */
  readonly note?: string;
  /** The runbook execution the action started. */
  readonly execution?: Execution;
}

/** A family's decision on one target, ready for the guard. */
export interface Decision {
  /** The decision asks for a write in AWS (a new desired count, a runbook to start). */
  readonly change: boolean;
  /** Why, with its numbers. */
  readonly reason: string;
  /**
   * The target's count before the decision and the count decided, for the families that scale a count;
   * unset for a decision that starts a runbook (recorded as 0 -> 0, direction `out` when it changes).
   */
  readonly count?: { readonly previous: number; readonly desired: number };
  /** The numbers behind the decision, for the record and the audit entry. */
  readonly figures: Readonly<Record<string, number>>;
  /**
   * The target's metrics as this decision judged them (lambdas/engine/staleness.ts): saved, and the
   * operator told once when they become late or missing and once when they are back. Unset: not
   * judged; the record keeps what it had.
   */
  readonly metrics?: MetricsCheck;
  /** A routine poll: a held decision is not logged, and one that repeats the last held count gets no audit entry. */
  readonly quiet?: boolean;
  /**
   * Makes the change, with absolute values, and tells what it did beyond succeeding (`{}`: nothing). A
   * TerminalError is recorded as `failed`; any other error is thrown.
   */
  act(): Promise<Acted>;
  /**
   * What the engine keeps for the next decision, once the outcome is known (`applied`: the change was
   * made). Unset: what the record had.
   */
  remember?(applied: boolean): object | undefined | Promise<object | undefined>;
  /** Adds this family's figures to the decision's EMF metric (beyond Decisions, Actions, Failures). */
  measure?(metric: Metrics, outcome: Outcome): void;
}

/** The decision loop of one family; see the module's comment. */
export class DecisionLoop<T extends LoopTarget> {
  constructor(
    private readonly deps: LoopDeps,
    private readonly options: LoopOptions<T> = {},
  ) {}

  /**
   * One target, under its lease: `decide` observes and decides (or returns the target's result when
   * there is nothing to decide: evaluated too recently, not observable); the loop guards, acts and records.
   */
  async run<U extends T>(target: U, eventKey: string, decide: (context: DecideContext<U>) => Promise<Decision | TargetResult>): Promise<TargetResult> {
    const start = this.deps.now();
    const result = await withTargetLease(this.deps.store, target.id, eventKey, start, LEASE_SECONDS, async (owner) => {
      const record = await this.deps.store.getTarget(target.id);
      const effective = applyOverride(target, await this.deps.store.getOverride(target.id), start);
      const decision = await decide({ target: effective, record, start });
      if ('outcome' in decision) return decision;
      return this.guardActRecord(effective, eventKey, owner, record, start, decision);
    });
    if (result === BUSY) {
      logger.info('another invocation holds the target; it decides on the same signals', { target: target.id });
      return { targetId: target.id, outcome: 'busy', reason: 'another invocation is deciding for this target' };
    }
    return result;
  }

  private async guardActRecord(
    target: WithOverride<T>,
    eventKey: string,
    owner: string,
    record: TargetRecord | undefined,
    start: number,
    decision: Decision,
  ): Promise<TargetResult> {
    const { config, store } = this.deps;
    const hold = this.options.failureHoldSeconds;
    const failure = record?.lastFailure;
    let lastFailure = hold !== undefined && failure && start - failure.at < hold * 1000 ? failure : undefined;
    let outcome: Outcome = 'held';
    const override = target.override;
    let reason = decision.reason + (override ? `; ${override.description}` : '');
    let acted: Acted | undefined;
    if (decision.change) {
      // Read right before the write: a pause or dry-run set while this decision was made holds it.
      const switches = await switchesInForce(store, target.id, this.deps.now());
      if (switches.paused) outcome = 'paused';
      else if (switches.dryRun || config.dryRun || target.dryRun) outcome = 'dry-run';
      else if (lastFailure) {
        reason += `; held: a change failed terminally (${lastFailure.code}) ${Math.round((start - lastFailure.at) / 1000)} s ago, not attempted again for ${hold} s`;
      } else {
        try {
          acted = await decision.act();
          outcome = 'applied';
          reason += acted.note ?? '';
        } catch (err) {
          if (!(err instanceof TerminalError)) throw err;
          outcome = 'failed';
          if (hold !== undefined) lastFailure = { at: start, code: err.code, desired: decision.count?.desired ?? 0 };
          reason += `; failed: ${err.message}`;
          logger.error('terminal error; recorded, not retried', { target: target.id, code: err.code, error: err.message });
        }
      }
    }
    const applied = outcome === 'applied';
    const { count, figures } = decision;
    const direction = count ? (count.desired > count.previous ? 'out' : count.desired < count.previous ? 'in' : 'none') : decision.change ? 'out' : 'none';
    const summary: DecisionSummary = { at: start, previous: count?.previous ?? 0, desired: count?.desired ?? 0, direction, reason, figures, outcome };
    await store.saveTarget(
      {
        targetId: target.id,
        memory: (decision.remember ? await decision.remember(applied) : record?.memory) as TargetRecord['memory'],
        lastDecision: summary,
        lastActionAt: applied ? start : record?.lastActionAt,
        lastFailure: applied ? undefined : lastFailure,
        metrics: decision.metrics ? decision.metrics.memory : record?.metrics,
        // The run this decision started is exempt from the cooldown its start set (and only that run).
        lastExecution: applied ? acted?.execution?.name : record?.lastExecution,
      },
      owner,
    );
    const last = record?.lastDecision;
    // A poll that changes nothing, after one that changed nothing, is not worth an audit entry a minute.
    if (!decision.quiet || outcome !== 'held' || last?.outcome !== 'held' || last.desired !== summary.desired) {
      const entry = count
        ? { targetId: target.id, ...summary, eventId: eventKey }
        : { targetId: target.id, at: start, outcome, reason, eventId: eventKey, figures };
      await store.appendAudit(entry, config.auditRetentionDays);
    }
    this.emit(target, outcome, decision);
    if (this.options.tellDecisions) {
      const told = decisionNotification({ prefix: config.prefix, targetId: target.id, kind: target.kind, decision: summary, eventId: eventKey });
      if (told) await this.publish(target, told);
    }
    const check = decision.metrics;
    const wasLate = record?.metrics?.lateSince !== undefined;
    if (check && (check.freshness !== 'fresh') !== wasLate) {
      const change = check.freshness === 'fresh' ? 'back' : check.freshness;
      logger.warn(change === 'back' ? 'metrics back on time' : 'metrics late', { target: target.id, freshness: check.freshness, ageSeconds: check.ageSeconds });
      await this.publish(
        target,
        metricsNotification({
          prefix: config.prefix,
          targetId: target.id,
          kind: target.kind,
          change,
          ageSeconds: check.ageSeconds,
          since: record?.metrics?.lateSince ?? start,
          at: start,
          meanwhile: this.options.meanwhile?.(target) ?? '',
          reason,
        }),
      );
    }
    if (!decision.quiet || outcome !== 'held') logger.info('decision', { target: target.id, outcome, ...count, reason });
    return {
      targetId: target.id,
      outcome,
      ...(count ? { previous: count.previous, desired: count.desired } : {}),
      reason,
      ...(acted?.execution ? { execution: acted.execution } : {}),
    };
  }

  /** A failed publish is logged and counted, never thrown: the decision it reports stands. */
  private async publish(target: T, notification: Notification): Promise<void> {
    try {
      await (this.deps.notifier ?? noopNotifier).notify(notification);
    } catch (err) {
      logger.warn('notification not sent', { target: target.id, error: (err as Error).message });
      const m = metrics.singleMetric();
      m.addDimensions({ target: target.id, kind: target.kind });
      m.addMetric('NotificationFailures', MetricUnit.Count, 1);
    }
  }

  private emit(target: T, outcome: Outcome, decision: Decision): void {
    const m = metrics.singleMetric();
    m.addDimensions({ target: target.id, kind: target.kind });
    m.addMetric('Decisions', MetricUnit.Count, 1);
    if (outcome === 'applied') m.addMetric('Actions', MetricUnit.Count, 1);
    if (outcome === 'failed') m.addMetric('Failures', MetricUnit.Count, 1);
    decision.measure?.(m, outcome);
  }
}

/** What a schedule tick reads of the state table before it decides which targets are due. */
export type TickStore = Pick<StateStore, 'getTarget' | 'listOverrides'>;

/**
 * The state table for one schedule tick: each target's record, and the overrides, read at most once,
 * however many of the tick's checks (late metrics, a window's bounds, an override) look at them.
 */
export function recordsOnce(store: TickStore): TickStore {
  const read = new Map<string, Promise<TargetRecord | undefined>>();
  let overrides: ReturnType<TickStore['listOverrides']> | undefined;
  return {
    getTarget: (id) => {
      let record = read.get(id);
      if (!record) {
        record = store.getTarget(id);
        read.set(id, record);
      }
      return record;
    },
    listOverrides: () => {
      overrides ??= store.listOverrides();
      return overrides;
    },
  };
}

/**
 * Targets of `ids` whose override was set, cleared or ran out since their last decision: decided on now,
 * so an override takes effect within a minute and the deployed bounds return within a minute of its
 * end. One query of the overrides, one read per overridden target.
 */
export async function overridesChanged(store: TickStore, ids: ReadonlySet<string>, now: number): Promise<Set<string>> {
  const changed = new Set<string>();
  for (const o of await store.listOverrides()) {
    if (!ids.has(o.targetId)) continue;
    const last = (await store.getTarget(o.targetId))?.lastDecision?.at ?? Number.NEGATIVE_INFINITY;
    if (o.setAt > last || (o.expiresAt <= now && o.expiresAt > last)) changed.add(o.targetId);
  }
  return changed;
}

/** The result of a target looked at and left alone (evaluated too recently, in cooldown). */
export function skipped(target: LoopTarget, reason: string): TargetResult {
  return { targetId: target.id, outcome: 'skipped', reason };
}

/**
 * A desired count within the group's own MinSize/MaxSize (an Auto Scaling group's): AWS rejects a
 * desired count outside them. A count already outside them is not pushed further out.
 */
export function withinGroupBounds(snapshot: CapacitySnapshot, desired: number): { readonly desired: number; readonly note: string } {
  if (snapshot.maxSize !== undefined && desired > snapshot.maxSize && desired > snapshot.desired) {
    return { desired: Math.max(snapshot.desired, snapshot.maxSize), note: `; held to the group's MaxSize ${snapshot.maxSize}` };
  }
  if (snapshot.minSize !== undefined && desired < snapshot.minSize && desired < snapshot.desired) {
    return { desired: Math.min(snapshot.desired, snapshot.minSize), note: `; held to the group's MinSize ${snapshot.minSize}` };
  }
  return { desired, note: '' };
}
