/**
 * One invocation, many targets: the 1-minute schedules of the capacity, queue and database families and
 * the cdn tick each handle several targets. One target's trouble (a group that is gone, a query that
 * fails, a throttled API) must not stop the others, yet must not pass unseen: every target is tried,
 * then the invocation fails naming each target that failed, so Lambda retries it and the error shows
 * in the function's errors and, after the retries, in its dead-letter queue.
 */
import { logger } from './powertools';

/** The targets of one invocation that failed, once every target was tried. */
export class TargetFailuresError extends Error {
  constructor(
    readonly family: string,
    readonly failures: readonly { readonly targetId: string; readonly error: Error }[],
    readonly total: number,
  ) {
    super(`${failures.length} of ${total} ${family} target(s) failed: ${failures.map((f) => `${f.targetId}: ${f.error.message}`).join('; ')}`);
    this.name = 'TargetFailuresError';
  }
}

export interface EachTargetOptions<T> {
  /** The family's name, for the error and the logs. */
  readonly family: string;
  /** The target an item is about. */
  readonly idOf: (item: T) => string;
  /** Items handled at the same time. @default 1 (one after the other, in order) */
  readonly concurrency?: number;
}

/**
 * Runs `work` for every item, at most `concurrency` at a time, and returns the results in the items'
 * order. An item whose work throws is logged and the others go on; once all were tried, a
 * TargetFailuresError naming every failed target is thrown.
 */
export async function eachTarget<T, R>(items: readonly T[], work: (item: T) => Promise<R>, options: EachTargetOptions<T>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const failures: { index: number; targetId: string; error: Error }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        const targetId = options.idOf(items[i]);
        logger.error('target failed; the others go on', { family: options.family, target: targetId, error: error.message, errorName: error.name });
        failures.push({ index: i, targetId, error });
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 1, items.length));
  await Promise.all(Array.from({ length: lanes }, worker));
  if (failures.length) {
    failures.sort((a, b) => a.index - b.index);
    throw new TargetFailuresError(
      options.family,
      failures.map(({ targetId, error }) => ({ targetId, error })),
      items.length,
    );
  }
  return results;
}
