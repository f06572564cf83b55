/**
 * How every deployed AWS SDK client is built: one retry policy, the SDK's own, and X-Ray tracing.
 *
 * Throttling and transient errors (HTTP 429, 500, 502, 503, 504, timeouts) are retried by the SDK v3's
 * retry middleware and nowhere else: `withRetry` (lambdas/shared/retry.ts) only waits out a
 * service's transitional states, which the SDK does not know. The in-memory services of the
 * simulator and the tests have no SDK under them; `withSdkRetries` (sim/cloud/faults.ts) stands for
 * this policy there, with the same number of attempts.
 */
import { tracer } from './powertools';

/**
 * Attempts per call, the first included (the SDK's default is 3). Four: the waits before the 2nd, 3rd
 * and 4th attempts are drawn with full jitter below ceilings that double from about a second for
 * throttling (capped at 20 s), so one call waits at most about 7 s in all; that rides out a few
 * seconds of throttling (RDS allows about 12 requests/s per account, shared with the operator's own
 * tools) and still leaves a 60-second invocation time for its other calls. Whatever outlasts it is
 * retried later and longer by the caller's own layer: Lambda's asynchronous retries for the family
 * functions, the state machine's `ServiceUnavailable` retry for runbook tasks.
 */
export const SDK_MAX_ATTEMPTS = 4;

/**
 * `adaptive`: the standard mode's retries plus a client-side rate limiter that slows this client's
 * sends after it is throttled, so a retry does not meet the same limit at once. The SDK documents it
 * for clients that call one throttled resource and can wait; each function builds one client per
 * service, and each service's limit is the account's request rate for that API.
 */
export const SDK_RETRY_MODE = 'adaptive';

export interface RetryPolicyConfig {
  readonly maxAttempts: number;
  readonly retryMode: string;
}

/** The client configuration every deployed client gets. */
export const SDK_RETRY_POLICY: RetryPolicyConfig = { maxAttempts: SDK_MAX_ATTEMPTS, retryMode: SDK_RETRY_MODE };

/**
 * A deployed client of `Client` (`RDSClient`, `ECSClient`...): the retry policy above, traced by X-Ray.
 * `config` adds to it (a region, or a test's request handler).
 */
export function awsClient<C extends object, E extends object = object>(Client: new (config: RetryPolicyConfig & E) => C, config?: E): C {
  return tracer.captureAWSv3Client(new Client({ ...SDK_RETRY_POLICY, ...config } as RetryPolicyConfig & E));
}
