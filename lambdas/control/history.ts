/**
 * The audit log, newest first, a page at a time: one core for every entry point (the CLI's `history`
 * prints the first page; the API's GET /history serves each page with a cursor to the next).
 *
 * Entries live in one partition per target (and `*` for control actions on every target); a page
 * merges them by time. The cursor is the time of the page's last entry and how many entries of that
 * very millisecond have been served, so a page never repeats or skips an entry of an earlier one
 * (entries of one millisecond come in a fixed order: by target id, then as the partition lists them).
 */
import type { AutoscalerConfig } from '../shared/config';
import { ALL_TARGETS, type AuditEntry, type StateStore } from '../state/store';
import { targetOf } from './targets';

/** Where the next page starts: below `at`, or at `at` after the `skip` entries of that millisecond already served. */
export interface HistoryCursor {
  /** Epoch ms. */
  readonly at: number;
  readonly skip: number;
}

export interface HistoryQuery {
  /** One target's entries, or `*` for the control actions on every target; all of them when undefined. */
  readonly targetId?: string;
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, inclusive. */
  readonly to: number;
  /** Most entries on the page (at least 1). */
  readonly limit: number;
  /** The previous page's `next`. */
  readonly after?: HistoryCursor;
}

export interface HistoryPage {
  readonly entries: AuditEntry[];
  /** Where the next page starts; undefined on the last page. */
  readonly next?: HistoryCursor;
}

/** One page of the audit log, newest first. An unknown target is refused (UnknownTargetError). */
export async function historyPage(config: AutoscalerConfig, store: StateStore, q: HistoryQuery): Promise<HistoryPage> {
  if (q.targetId !== undefined && q.targetId !== ALL_TARGETS) targetOf(config, q.targetId);
  const ids = q.targetId !== undefined ? [q.targetId] : [ALL_TARGETS, ...config.targets.map((t) => t.id)];
  const to = q.after ? Math.min(q.after.at, q.to) : q.to;
  const skip = q.after && q.after.at === to ? q.after.skip : 0;
  // The top `skip + limit + 1` of the merged list come from at most that many of each partition; one
  // more than the page tells whether another page follows.
  const wanted = skip + q.limit + 1;
  const lists = await Promise.all(ids.map((id) => store.listAudit(id, q.from, to, wanted)));
  const merged = lists
    .flat()
    // Stable: entries of one millisecond keep each partition's order, partitions by target id.
    .sort((a, b) => b.at - a.at || (a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0))
    .slice(skip);
  const entries = merged.slice(0, q.limit);
  if (merged.length <= q.limit || entries.length === 0) return { entries };
  const last = entries[entries.length - 1].at;
  const sameMs = entries.filter((e) => e.at === last).length;
  return { entries, next: { at: last, skip: sameMs + (last === to ? skip : 0) } };
}
