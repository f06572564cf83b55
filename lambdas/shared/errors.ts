/**
 * How failures are told apart. Transient ones are thrown so the invocation is retried (and ends in the
 * dead-letter queue if it never succeeds); terminal ones are recorded and reported, never retried in a loop.
 */

/** Worth another try later: throttling that outlasted our backoff, a resource in a transitional state. */
export class TransientError extends Error {
  constructor(message: string, readonly cause?: unknown) {
    super(message);
    this.name = 'TransientError';
  }
}

/** Will fail the same way every time (validation, quota, missing resource): record, report, stop. */
export class TerminalError extends Error {
  constructor(message: string, readonly code: string, readonly cause?: unknown) {
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

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
]);

export function isThrottling(err: unknown): boolean {
  return THROTTLING.has(awsErrorName(err));
}
