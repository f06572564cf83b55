/**
 * The invalidation batch store of the cdn family: paths gathered per distribution target and
 * coalescing window, frozen into a plan before they are sent, and the record of what was sent.
 * One interface, two implementations: DynamoDB (deployed) and memory (tests, simulator).
 *
 * Life of a batch: open (paths added) -> planned (paths frozen, no more added; what a retry resends
 * with the same CallerReference) -> done (sent or failed for good; counts against the month).
 */

export interface OpenBatch {
  readonly targetId: string;
  /** Epoch seconds; the window is [windowStart, windowStart + coalesceSeconds). */
  readonly windowStart: number;
  /** Every path the window's events asked for. */
  readonly paths: string[];
  /** The frozen paths, once planned: every send of this batch uses exactly these. */
  readonly planned?: string[];
  /** Sends CloudFront turned away for now (TooManyInvalidationsInProgress). */
  readonly attempts: number;
  readonly lastError?: string;
}

export interface DoneBatch {
  readonly targetId: string;
  readonly windowStart: number;
  readonly outcome: 'sent' | 'dry-run' | 'failed';
  /** Paths invalidated (a wildcard counts one); 0 when nothing was sent. */
  readonly pathCount: number;
  readonly paths: string[];
  readonly invalidationId?: string;
  readonly reason: string;
  /** Epoch ms. */
  readonly at: number;
}

export interface InvalidationStore {
  /**
   * Adds paths to the window's open batch (creating it). Returns false, adding nothing, when the
   * batch was already planned or done: its window is closed to new paths.
   */
  addPaths(targetId: string, windowStart: number, paths: readonly string[]): Promise<boolean>;
  /** Open batches of a target whose window starts at or before `upTo` (epoch seconds), oldest first. */
  openBatches(targetId: string, upTo: number): Promise<OpenBatch[]>;
  /**
   * Freezes the batch's paths unless an earlier plan froze them already. Returns the frozen paths
   * (this plan's or the earlier one's), or undefined when the batch is gone (done).
   */
  plan(targetId: string, windowStart: number, paths: readonly string[]): Promise<string[] | undefined>;
  /** Counts a send turned away for now, with why; the batch stays open for a later tick. */
  noteRetry(targetId: string, windowStart: number, error: string): Promise<void>;
  /** Records the batch as done and closes it; repeating it for the same batch changes nothing more. */
  complete(done: DoneBatch, retentionDays: number): Promise<void>;
  /** Done batches of a target with window starts in [from, to] (epoch seconds), oldest first. */
  doneBatches(targetId: string, from: number, to: number): Promise<DoneBatch[]>;
}

/** Paths invalidated by a target's batches done between two window starts (a wildcard counts one). */
export async function pathsUsed(store: InvalidationStore, targetId: string, from: number, to: number): Promise<number> {
  const done = await store.doneBatches(targetId, from, to);
  return done.reduce((sum, d) => sum + (d.outcome === 'sent' ? d.pathCount : 0), 0);
}

/** The memory implementation: same semantics as DynamoDB, for tests and the simulator. */
export class MemoryInvalidationStore implements InvalidationStore {
  private readonly open = new Map<string, OpenBatch>();
  private readonly done = new Map<string, DoneBatch>();

  private key(targetId: string, windowStart: number): string {
    return `${targetId}#${windowStart}`;
  }

  async addPaths(targetId: string, windowStart: number, paths: readonly string[]): Promise<boolean> {
    const k = this.key(targetId, windowStart);
    if (this.done.has(k)) return false;
    const cur = this.open.get(k);
    if (cur?.planned) return false;
    const merged = [...new Set([...(cur?.paths ?? []), ...paths])];
    this.open.set(k, { targetId, windowStart, paths: merged, attempts: cur?.attempts ?? 0, lastError: cur?.lastError });
    return true;
  }

  async openBatches(targetId: string, upTo: number): Promise<OpenBatch[]> {
    return [...this.open.values()]
      .filter((b) => b.targetId === targetId && b.windowStart <= upTo)
      .sort((a, b) => a.windowStart - b.windowStart)
      .map((b) => structuredClone(b));
  }

  async plan(targetId: string, windowStart: number, paths: readonly string[]): Promise<string[] | undefined> {
    const k = this.key(targetId, windowStart);
    const cur = this.open.get(k);
    if (!cur) return undefined;
    if (cur.planned) return [...cur.planned];
    this.open.set(k, { ...cur, planned: [...paths] });
    return [...paths];
  }

  async noteRetry(targetId: string, windowStart: number, error: string): Promise<void> {
    const k = this.key(targetId, windowStart);
    const cur = this.open.get(k);
    if (cur) this.open.set(k, { ...cur, attempts: cur.attempts + 1, lastError: error });
  }

  async complete(done: DoneBatch): Promise<void> {
    const k = this.key(done.targetId, done.windowStart);
    if (!this.done.has(k)) this.done.set(k, structuredClone(done));
    this.open.delete(k);
  }

  async doneBatches(targetId: string, from: number, to: number): Promise<DoneBatch[]> {
    return [...this.done.values()]
      .filter((d) => d.targetId === targetId && d.windowStart >= from && d.windowStart <= to)
      .sort((a, b) => a.windowStart - b.windowStart)
      .map((d) => structuredClone(d));
  }
}
