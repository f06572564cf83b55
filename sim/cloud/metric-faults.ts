/**
 * The scenario's metric faults (`faults.metricDelayMinutes`, `faults.metricGaps`): when each minute's
 * datapoint becomes visible, or that it never does. Every policy sees the same: the autoscaler through
 * the in-memory CloudWatch (alarms and GetMetricData), the baselines through their visible datapoints.
 * Without those faults, minute m is visible from the start of minute m + 2 (scenarios/README.md).
 */
import type { ScenarioFaults } from '../scenario';

export interface MetricVisibility {
  /** Seconds from the trace start from which minute `m`'s datapoint is visible; undefined: never (a gap). */
  visibleAt(m: number): number | undefined;
  /**
   * The minutes among the first `complete` whose datapoints are visible at `now` (seconds from the
   * trace start), within the `n` minutes that end at the newest visible one; oldest first.
   */
  visibleMinutes(now: number, complete: number, n: number): number[];
}

export function metricVisibility(faults: Pick<ScenarioFaults, 'metricDelayMinutes' | 'metricGaps'> | undefined): MetricVisibility {
  const delay = faults?.metricDelayMinutes ?? 0;
  const gaps = faults?.metricGaps ?? [];
  const dropped = (m: number) => gaps.some((g) => m >= g.fromMinute && m < g.fromMinute + g.minutes);
  return {
    visibleAt: (m) => (dropped(m) ? undefined : 60 * (m + 2 + delay)),
    visibleMinutes(now, complete, n) {
      const newest = Math.min(complete - 1, Math.floor(now / 60) - 2 - delay);
      const out: number[] = [];
      for (let m = Math.max(0, newest - n + 1); m <= newest; m++) if (!dropped(m)) out.push(m);
      return out;
    },
  };
}

/**
 * Publishes each completed minute once, when the world has completed it, with the time its datapoint
 * becomes visible under `visibility`; a minute in a gap is never published. `put(m, at, visibleFrom)`
 * stores the world's datapoints of minute m (epoch ms `at`, visible from epoch ms `visibleFrom`).
 */
export function minutePublisher(
  traceStart: number,
  visibility: MetricVisibility,
  completeMinutes: () => number,
  put: (m: number, at: number, visibleFrom: number) => void,
): () => void {
  let published = 0;
  return () => {
    for (; published < completeMinutes(); published++) {
      const visibleAt = visibility.visibleAt(published);
      if (visibleAt !== undefined) put(published, traceStart + published * 60_000, traceStart + visibleAt * 1000);
    }
  };
}
