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
