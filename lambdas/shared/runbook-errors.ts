/**
 * The errors a runbook task raises, by name: Step Functions matches `ErrorEquals` on the error's name,
 * so these names are the contract between the task handlers and the state machine definitions.
 */

/** The resource is in a transitional state (modifying, snapshotting, backing-up...): wait and try again. */
export class ResourceBusyError extends Error {
  static readonly NAME = 'ResourceBusy';
  constructor(message: string) {
    super(message);
    this.name = ResourceBusyError.NAME;
  }
}

/** Name of the shared TerminalError (lambdas/shared/errors.ts): reported, never retried. */
export const TERMINAL_ERROR_NAME = 'TerminalError';

/**
 * The target (or every target) is paused: the task stopped before its write. One Catch in every
 * runbook sends it to the notify task, which records the outcome `paused`; the run then fails with
 * this name, so the execution reads `FAILED: Paused`.
 */
export class PausedError extends Error {
  static readonly NAME = 'Paused';
  constructor(message: string) {
    super(message);
    this.name = PausedError.NAME;
  }
}

/**
 * Dry-run is on (switch, config or target): the task stopped before its write and says what it would
 * have done. Caught like `Paused`; recorded as `dry-run`, and the run succeeds: it did what was asked.
 */
export class DryRunError extends Error {
  static readonly NAME = 'DryRun';
  constructor(message: string) {
    super(message);
    this.name = DryRunError.NAME;
  }
}

/** The error names that stop a run on the operator's switches, not on a fault. */
export const SWITCH_STOP_ERRORS = [PausedError.NAME, DryRunError.NAME] as const;
