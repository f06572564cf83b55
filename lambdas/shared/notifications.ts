/**
 * What the autoscaler tells its operators about a decision: an action taken, a change refused by
 * pause or dry-run, a failure. Pure formatting over plain data; the SNS adapter publishes it.
 */
import type { Notification } from '../adapters/sns';
import type { DecisionSummary, Outcome } from '../state/store';

/** Outcomes worth a notification; `held` (nothing to change) is not. */
export const NOTIFIED_OUTCOMES: ReadonlySet<Outcome> = new Set(['applied', 'dry-run', 'paused', 'failed']);

export interface DecisionNotificationInput {
  readonly prefix: string;
  readonly targetId: string;
  readonly kind: string;
  readonly decision: DecisionSummary;
  /** Id of the event (or schedule run) behind the decision. */
  readonly eventId?: string;
}

/** The notification of one decision, or undefined when its outcome is not worth one. */
export function decisionNotification(input: DecisionNotificationInput): Notification | undefined {
  const { prefix, targetId, kind, decision: d, eventId } = input;
  if (!NOTIFIED_OUTCOMES.has(d.outcome)) return undefined;
  const move = `${d.direction === 'in' ? 'scale in' : 'scale out'} ${d.previous} -> ${d.desired}`;
  const what: Record<Exclude<Outcome, 'held'>, string> = {
    applied: `${d.direction === 'in' ? 'scaled in' : 'scaled out'} ${d.previous} -> ${d.desired}`,
    'dry-run': `dry-run, would ${move}`,
    paused: `paused, wanted to ${move}`,
    failed: `FAILED to ${move}`,
  };
  return {
    subject: `[${prefix}] ${targetId}: ${what[d.outcome as Exclude<Outcome, 'held'>]}`,
    body: {
      prefix,
      targetId,
      kind,
      outcome: d.outcome,
      previous: d.previous,
      desired: d.desired,
      direction: d.direction,
      reason: d.reason,
      figures: d.figures,
      at: new Date(d.at).toISOString(),
      ...(eventId ? { eventId } : {}),
    },
  };
}

export interface MetricsNotificationInput {
  readonly prefix: string;
  readonly targetId: string;
  readonly kind: string;
  /** `late`, `stalled` or `missing`: the target's metrics have just become so; `back`: they are on time again. */
  readonly change: 'late' | 'stalled' | 'missing' | 'back';
  /** Seconds since the newest datapoint's period ended; unset: there was none. */
  readonly ageSeconds?: number;
  /** Epoch ms since when the metrics have been late (for `back`: how long it lasted). */
  readonly since: number;
  /** Epoch ms of the decision that saw the change. */
  readonly at: number;
  /** What the target does meanwhile, in a few words (`no scale-in; fallback hold`). */
  readonly meanwhile: string;
  /** The decision's reason. */
  readonly reason: string;
}

/**
 * The notification of a target's metrics becoming late or missing, or coming back: one when the
 * target enters that state and one when it leaves it, never one per minute (the caller remembers the
 * state in the target's record).
 */
export function metricsNotification(input: MetricsNotificationInput): Notification {
  const { prefix, targetId, kind, change, ageSeconds, since, at, meanwhile, reason } = input;
  const age = ageSeconds === undefined ? 'no datapoint' : `newest datapoint ${Math.round(ageSeconds)} s old`;
  const minutes = Math.max(1, Math.round((at - since) / 60_000));
  // Stalled or late, the operator's news is the same: the metrics are late (the body tells which).
  const word = change === 'missing' ? 'missing' : 'late';
  const subject =
    change === 'back'
      ? `[${prefix}] ${targetId}: metrics back on time after ${minutes} min`
      : `[${prefix}] ${targetId}: metrics ${word} (${age}); ${meanwhile}`;
  return {
    subject,
    body: {
      prefix,
      targetId,
      kind,
      metrics: change,
      ...(ageSeconds !== undefined ? { ageSeconds: Math.round(ageSeconds) } : {}),
      since: new Date(since).toISOString(),
      at: new Date(at).toISOString(),
      meanwhile,
      reason,
    },
  };
}
