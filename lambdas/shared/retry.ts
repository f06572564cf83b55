/**
 * Retry of service-specific transitional errors (Auto Scaling's ScalingActivityInProgressFault...):
 * states of a resource that end on their own, which the SDK does not know to wait out. Throttling and
 * 5xx errors are never retried here: the SDK's own retry policy has them (lambdas/shared/clients.ts),
 * and retrying them again on top would multiply the attempts. The attempts counted are the requests
 * that reached the service, the SDK's retries included (an SDK error's `$metadata.attempts`), so one
 * call makes at most `attempts - 1 + SDK_MAX_ATTEMPTS` requests whatever mix of errors it meets.
 * Bounded exponential backoff with jitter; the sleep is injected so tests and the simulator do not wait.
 */

export interface RetryOptions {
  /** Which errors are the service's transitional states, worth another attempt. */
  readonly retryable: (err: unknown) => boolean;
  /** Requests in all, the first and the SDK's own retries included. @default DEFAULT_RETRY_ATTEMPTS */
  readonly attempts?: number;
  /** Backoff before the second attempt, doubled each time. @default 500 */
  readonly baseDelayMs?: number;
  /** Longest single wait. @default 8000 */
  readonly maxDelayMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
}

/** Requests one call may make in all unless its caller says otherwise, the SDK's retries included. */
export const DEFAULT_RETRY_ATTEMPTS = 4;

/** Most attempts and longest single wait any caller may ask for: the backoff stays well inside a function's timeout. */
export const RETRY_LIMITS = { attempts: 6, maxDelayMs: 10_000 } as const;

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = Math.min(options.attempts ?? DEFAULT_RETRY_ATTEMPTS, RETRY_LIMITS.attempts);
  const base = options.baseDelayMs ?? 500;
  const cap = Math.min(options.maxDelayMs ?? 8000, RETRY_LIMITS.maxDelayMs);
  const random = options.random ?? Math.random;
  let spent = 0;
  for (let retry = 0; ; retry++) {
    try {
      return await fn();
    } catch (err) {
      spent += requestsMade(err);
      if (!options.retryable(err) || spent >= attempts) throw err;
      const ceiling = Math.min(cap, base * 2 ** retry);
      // Full jitter, but never less than half the ceiling: retries never form a tight loop.
      await options.sleep(ceiling / 2 + (random() * ceiling) / 2);
    }
  }
}

/** How many requests the SDK made for the call that failed with `err` (`$metadata.attempts`), at least 1. */
function requestsMade(err: unknown): number {
  const n = (err as { $metadata?: { attempts?: unknown } } | undefined)?.$metadata?.attempts;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 1;
}
