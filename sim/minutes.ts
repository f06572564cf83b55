/**
 * The per-minute bookkeeping every simulated world shares: which minutes a step overlaps, and which
 * minute's datapoint is visible (CloudWatch publishes minute m at the start of minute m + 2).
 */

const EPS = 1e-9;

/**
 * Walks the minutes overlapping the step [now, now + d), of the first `minutes`: `overlap(m, w)` for
 * each with the seconds `w` > 0 the step spends in it, then `complete(m)` for each the step ends.
 */
export function forEachMinute(now: number, d: number, minutes: number, overlap: (m: number, w: number) => void, complete: (m: number) => void): void {
  const end = now + d;
  for (let m = Math.floor(now / 60); m < minutes && 60 * m < end; m++) {
    const w = Math.min(end, 60 * m + 60) - Math.max(now, 60 * m);
    if (w > 0) overlap(m, w);
    if (60 * m + 60 <= end + EPS) complete(m);
  }
}

/** The newest minute whose datapoint is visible at `now` (-1: none): minute m is seen from 60(m + 2) s. */
export function newestVisibleMinute(now: number, completeMinutes: number): number {
  return Math.max(-1, Math.min(completeMinutes - 1, Math.floor(now / 60) - 2));
}
