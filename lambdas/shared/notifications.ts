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
