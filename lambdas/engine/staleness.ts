/**
 * How fresh a target's metrics are: pure, no clock (time is an argument). Shared by every family that
 * decides on CloudWatch datapoints. From the newest datapoint read now and what the last check saw:
 *
 * - fresh: the newest datapoint's period ended at most `lateAfterSeconds` ago;
 * - late: it ended longer ago than that, but datapoints still arrive (a new one since the last check,
 *   made within `lateAfterSeconds`): CloudWatch is behind by a steady lag, and decisions go on, on
 *   the newest data there is, in both directions;
 * - stalled: late, and no new datapoint has arrived (or it cannot be told, at the first late check):
 *   nothing says what the load is now, so nothing is taken away; a move up on what can be read stands
 *   (a late datapoint of overload is still overload);
 * - missing: no datapoint at all, or none new for `fallbackAfterSeconds`: stalled, and the target's
 *   fallback applies.
 */

export type MetricsFreshness = 'fresh' | 'late' | 'stalled' | 'missing';

export interface FreshnessPolicy {
  readonly lateAfterSeconds: number;
  /** Unset: only "no datapoint at all" is missing. */
  readonly fallbackAfterSeconds?: number;
}

/** What a check remembers for the next one (kept in the target's record). */
export interface MetricsMemory {
  /** End (epoch ms) of the newest datapoint's period seen so far. */
  readonly newestEnd?: number;
  /** When that datapoint was first seen. */
  readonly seenAt?: number;
  /** When the metrics were checked (epoch ms). */
  readonly checkedAt: number;
  /** Since when they have been late, stalled or missing; unset while they are fresh. */
  readonly lateSince?: number;
}

export interface MetricsCheck {
  readonly freshness: MetricsFreshness;
  /** Seconds from the end of the newest datapoint's period to now; unset: there is none. */
  readonly ageSeconds?: number;
  /** Seconds without a new datapoint (0 while they arrive); unset when fresh. */
  readonly stalledSeconds?: number;
  readonly memory: MetricsMemory;
}

/**
 * Metrics recorded as late are fresh again only this much under `lateAfterSeconds`: metrics that
 * hover at the threshold do not flap the state, nor the notifications.
 */
export const RECOVERY_MARGIN_SECONDS = 60;

/** The freshness of metrics whose newest datapoint's period ended at `newestEnd` (epoch ms; undefined: none read). */
export function checkMetrics(newestEnd: number | undefined, now: number, policy: FreshnessPolicy, previous?: MetricsMemory): MetricsCheck {
  const wasLate = previous?.lateSince !== undefined;
  const lateSince = previous?.lateSince ?? now;
  const advanced = newestEnd !== undefined && (previous?.newestEnd === undefined || newestEnd > previous.newestEnd);
  const newest = newestEnd ?? previous?.newestEnd;
  // First seen now, unless this is the first check: then it is taken to have arrived when its period
  // ended, as the first late check takes it (nothing tells when it came).
  const seenAt = !advanced ? previous?.seenAt : previous === undefined ? newestEnd : now;
  if (newestEnd === undefined) return { freshness: 'missing', memory: { newestEnd: newest, seenAt, checkedAt: now, lateSince } };
  const ageSeconds = Math.max(0, (now - newestEnd) / 1000);
  const threshold = wasLate ? policy.lateAfterSeconds - RECOVERY_MARGIN_SECONDS : policy.lateAfterSeconds;
  if (ageSeconds <= threshold) return { freshness: 'fresh', ageSeconds, memory: { newestEnd, seenAt, checkedAt: now } };
  // A new datapoint since a check made within lateAfterSeconds: they still arrive, late.
  const flowing = advanced && previous?.newestEnd !== undefined && (now - previous.checkedAt) / 1000 <= policy.lateAfterSeconds;
  // Otherwise the newest has not moved since it was first seen, or (first late check, or a check long
  // ago) it cannot be told: as if nothing had arrived since the newest datapoint's period ended.
  const stalledSeconds = flowing ? 0 : !advanced && previous?.seenAt !== undefined ? (now - previous.seenAt) / 1000 : ageSeconds;
  const freshness: MetricsFreshness = flowing
    ? 'late'
    : policy.fallbackAfterSeconds !== undefined && stalledSeconds >= policy.fallbackAfterSeconds
      ? 'missing'
      : 'stalled';
  return { freshness, ageSeconds, stalledSeconds, memory: { newestEnd, seenAt, checkedAt: now, lateSince } };
}

/** A few words on a check, for a decision's reason. */
export function describeMetrics(check: Pick<MetricsCheck, 'freshness' | 'ageSeconds' | 'stalledSeconds'>, policy: FreshnessPolicy): string {
  const age = check.ageSeconds === undefined ? 'no datapoint to read' : `newest datapoint ${Math.round(check.ageSeconds)} s old`;
  switch (check.freshness) {
    case 'fresh':
      return `metrics on time (${age})`;
    case 'late':
      return `metrics late (${age}, late after ${policy.lateAfterSeconds} s; still arriving)`;
    case 'stalled':
      return `metrics stalled (${age}, none new for ${Math.round(check.stalledSeconds ?? 0)} s)`;
    case 'missing':
      return `metrics missing (${age}${check.stalledSeconds !== undefined ? `, none new for ${Math.round(check.stalledSeconds)} s` : ''})`;
  }
}
