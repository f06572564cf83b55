/** Bounded retry with exponential backoff and full jitter; the sleep is injected so tests and the simulator do not wait. */
import { isThrottling } from './errors';

export interface RetryOptions {
  /** Which errors deserve another attempt. Throttling always does. */
  readonly retryable: (err: unknown) => boolean;
  /** Attempts in all, the first included. @default 4 */
  readonly attempts?: number;
  /** Backoff before the second attempt, doubled each time. @default 500 */
  readonly baseDelayMs?: number;
  /** Longest single wait. @default 8000 */
  readonly maxDelayMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
}

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 8000;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const again = isThrottling(err) || options.retryable(err);
      if (!again || attempt >= attempts) throw err;
      const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
      // Full jitter, but never less than half the ceiling: retries never form a tight loop.
      await options.sleep(ceiling / 2 + (random() * ceiling) / 2);
    }
  }
}
