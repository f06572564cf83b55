/**
 * How failures are told apart. Transient ones are thrown so the invocation is retried (and ends in the
 * dead-letter queue if it never succeeds); terminal ones are recorded and reported, never retried in a loop.
 */

/** Worth another try later: throttling or a 5xx that outlasted the SDK's retries, a resource in a transitional state. */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TransientError';
  }
}

/**
 * Throttling or a server error (5xx) that the SDK's own retries (lambdas/shared/clients.ts) did not get
 * past. One stable name, so a state machine can retry it with its own, longer backoff
 * (lib/runbooks/runbook.ts) before anything is caught as terminal.
 */
export class ServiceUnavailableError extends TransientError {
  static readonly NAME = 'ServiceUnavailable';
  constructor(message: string, cause?: unknown) {
    super(message, cause);
    this.name = ServiceUnavailableError.NAME;
  }
}

/** Will fail the same way every time (validation, quota, missing resource): record, report, stop. */
export class TerminalError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TerminalError';
  }
}

/** An event the autoscaler does not take: malformed, foreign, or naming no configured target. */
export class RejectedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RejectedEventError';
  }
}

/** The AWS error name (`ThrottlingException`, `ScalingActivityInProgressFault`...) of an SDK error. */
export function awsErrorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; Code?: unknown; code?: unknown };
    for (const v of [e.name, e.Code, e.code]) if (typeof v === 'string' && v) return v;
  }
  return 'Error';
}

/**
 * The error names the AWS SDK v3 treats as throttling (@smithy/core's retry classification,
 * THROTTLING_ERROR_CODES), besides any answer with HTTP status 429.
 */
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

/** The error names the SDK treats as transient (TRANSIENT_ERROR_CODES), besides 500, 502, 503 and 504 answers. */
const TRANSIENT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

interface ServiceErrorShape {
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $fault?: string;
  readonly $retryable?: { readonly throttling?: boolean };
}

function shape(err: unknown): ServiceErrorShape {
  return err && typeof err === 'object' ? (err as ServiceErrorShape) : {};
}

/** Throttling, as the SDK tells it: a throttling error name, HTTP 429, or the error's own retryable trait. */
export function isThrottling(err: unknown): boolean {
  const e = shape(err);
  return THROTTLING.has(awsErrorName(err)) || e.$metadata?.httpStatusCode === 429 || e.$retryable?.throttling === true;
}

/**
 * What the SDK's standard and adaptive retry modes retry: throttling and transient errors (a timeout
 * name, HTTP 500/502/503/504, an error marked retryable). Everything else reaches the caller at once.
 */
export function isRetriedBySdk(err: unknown): boolean {
  const e = shape(err);
  return isThrottling(err) || TRANSIENT.has(awsErrorName(err)) || TRANSIENT_STATUS.has(e.$metadata?.httpStatusCode ?? 0) || e.$retryable !== undefined;
}

/** A server-side failure: any 5xx answer, or the SDK's `$fault: "server"`. */
export function isServerFault(err: unknown): boolean {
  const e = shape(err);
  const status = e.$metadata?.httpStatusCode ?? 0;
  return e.$fault === 'server' || (status >= 500 && status <= 599);
}

/**
 * Whether `err`, or an error it wraps (`cause`), is throttling or a server error: what a call still
 * raises once the SDK's retries are spent, and what a later attempt may get past.
 */
export function isServiceUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ServiceUnavailableError || isThrottling(e) || isServerFault(e)) return true;
  }
  return false;
}

/**
 * The error a state machine's task leaves with. Throttling and server errors that the SDK's retries did
 * not get past become `ServiceUnavailable`, one name the runbooks retry whatever the service called
 * them; every other error (ResourceBusy, TerminalError, validation...) keeps its name.
 */
export function asTaskError(err: unknown): unknown {
  if (err instanceof ServiceUnavailableError || err instanceof TerminalError || !isServiceUnavailable(err)) return err;
  const e = err as Error;
  return new ServiceUnavailableError(`${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, err);
}
