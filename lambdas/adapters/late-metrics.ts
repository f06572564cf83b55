/**
 * CloudWatch reads that keep to the newest data there is. CloudWatch may publish datapoints minutes
 * late; a fixed window ending now would then hold few of them, or none, and a decision would have
 * nothing to read. When the newest datapoint of a window ended more than `lateAfterSeconds` before
 * the window's end (or there is none), the same queries are read again over up to an hour more, and
 * the window of the same length that ends at the newest datapoint is returned.
 *
 * It also remembers the newest datapoint read since `begin()`, for the caller's freshness check
 * (lambdas/engine/staleness.ts). One reader serves one decision at a time.
 */
import type { Datapoint } from '../engine/capacity';
import { CloudWatchAdapter, type SeriesQuery } from './cloudwatch';

/** How much further back the reads go when the window's datapoints are late. */
export const MAX_LATE_MINUTES = 60;
const DEFAULT_LATE_AFTER_SECONDS = 240;

/** End (epoch ms) of the newest datapoint's period across `series`, or undefined when there is none. */
function newestEndOf(series: Record<string, Datapoint[]>, periodSeconds: number): number | undefined {
  let newest: number | undefined;
  for (const points of Object.values(series)) {
    const last = points[points.length - 1];
    if (last && (newest === undefined || last.at > newest)) newest = last.at;
  }
  return newest === undefined ? undefined : newest + periodSeconds * 1000;
}

export class LateAwareCloudWatch extends CloudWatchAdapter {
  private lateAfterSeconds = DEFAULT_LATE_AFTER_SECONDS;
  private read = false;
  private newest: number | undefined;

  /** Starts a decision's reads: datapoints ending more than `lateAfterSeconds` before a window's end are late. */
  begin(lateAfterSeconds: number): void {
    this.lateAfterSeconds = lateAfterSeconds;
    this.read = false;
    this.newest = undefined;
  }

  override async series(queries: readonly SeriesQuery[], start: number, end: number, periodSeconds: number): Promise<Record<string, Datapoint[]>> {
    let out = await super.series(queries, start, end, periodSeconds);
    if (!queries.length) return out;
    let newest = newestEndOf(out, periodSeconds);
    if (newest === undefined || (end - newest) / 1000 > this.lateAfterSeconds) {
      const wide = await super.series(queries, start - MAX_LATE_MINUTES * 60_000, end, periodSeconds);
      const wideNewest = newestEndOf(wide, periodSeconds);
      if (wideNewest !== undefined) {
        const from = wideNewest - (end - start);
        out = Object.fromEntries(Object.entries(wide).map(([id, points]) => [id, points.filter((p) => p.at >= from)]));
        newest = wideNewest;
      }
    }
    this.read = true;
    if (newest !== undefined && (this.newest === undefined || newest > this.newest)) this.newest = newest;
    return out;
  }

  /**
   * End (epoch ms) of the period of the newest datapoint read since `begin()`: undefined when the
   * reads found none, null when nothing was read (the decision did not get as far as its metrics).
   */
  newestEnd(): number | undefined | null {
    return this.read ? this.newest : null;
  }
}
