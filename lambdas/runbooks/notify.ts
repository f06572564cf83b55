/**
 * The last task of every run, whatever ended it: records the outcome in the target's audit trail and
 * announces it. A run ends done, failed (any caught error), paused or dry-run (the switches, read by
 * every task before each write: lambdas/runbooks/switches.ts), and says so; a run forced past the
 * engine's rules (`force: true`) says which rules it passed over.
 */
import type { Notifier } from '../adapters/sns';
import type { AutoscalerConfig } from '../shared/config';
import { logger } from '../shared/powertools';
import { DryRunError, PausedError } from '../shared/runbook-errors';
import type { Outcome, StateStore } from '../state/store';

export interface NotifyDeps {
  readonly config: AutoscalerConfig;
  readonly store: StateStore;
  /** @default nobody is told */
  readonly notifier?: Notifier;
  readonly now: () => number;
}

export type RunState = Record<string, unknown> & {
  targetId?: unknown;
  error?: { Error?: string; Cause?: string };
  summary?: unknown;
  actions?: unknown;
  /** The rules a forced run passed over (lambdas/runbooks/rules.ts). */
  forced?: unknown;
  /** Why the run was started, in the operator's words. */
  reason?: unknown;
  /** The count before and after a run that sets one (set-capacity). */
  previous?: unknown;
  applied?: unknown;
};

/** How the run ended: `succeeded` and `failed` as Step Functions says, `paused` and `dry-run` when a switch stopped it. */
export type RunOutcome = 'succeeded' | 'failed' | 'paused' | 'dry-run';

const AUDIT_OUTCOME: Record<RunOutcome, Outcome> = { succeeded: 'applied', failed: 'failed', paused: 'paused', 'dry-run': 'dry-run' };
const SUBJECT: Record<RunOutcome, string> = { succeeded: 'done', failed: 'FAILED', paused: 'PAUSED', 'dry-run': 'DRY-RUN' };

export function runOutcome(state: RunState): RunOutcome {
  if (state.error === undefined) return 'succeeded';
  if (state.error.Error === PausedError.NAME) return 'paused';
  if (state.error.Error === DryRunError.NAME) return 'dry-run';
  return 'failed';
}

/** Records how the run ended in the target's audit trail, announces it, and returns the state with its outcome and reason. */
export async function notifyOutcome(deps: NotifyDeps, state: RunState, execution: string): Promise<RunState> {
  const outcome = runOutcome(state);
  const actions = Array.isArray(state.actions) ? (state.actions as string[]) : [];
  const forced = Array.isArray(state.forced) ? (state.forced as string[]) : [];
  const done = actions.length ? `; done before: ${actions.join('; ')}` : '';
  let reason: string;
  switch (outcome) {
    case 'succeeded':
      reason = `${execution}: ${String(state.summary ?? 'done')}${actions.length ? `; ${actions.join('; ')}` : ''}`;
      break;
    case 'failed':
      reason = `${execution} failed: ${state.error?.Error ?? 'error'}: ${errorMessage(state.error?.Cause)}${done}`;
      break;
    default:
      // The stopping task's message says what it would have done next.
      reason = `${execution} ${outcome}: ${errorMessage(state.error?.Cause)}${done}`;
  }
  if (forced.length) reason += `; forced (force: true) past: ${forced.join('; ')}`;
  // The operator's words, when the run has them and its summary does not already say them.
  if (typeof state.reason === 'string' && state.reason.trim() && !reason.includes(state.reason.trim())) reason += `; asked: "${state.reason.trim()}"`;
  // A run that set a count (set-capacity) records it as a change, like a decision.
  const count =
    outcome === 'succeeded' && typeof state.previous === 'number' && typeof state.applied === 'number'
      ? {
          previous: state.previous,
          desired: state.applied,
          direction: state.applied > state.previous ? ('out' as const) : state.applied < state.previous ? ('in' as const) : ('none' as const),
        }
      : {};
  if (typeof state.targetId === 'string') {
    await deps.store.appendAudit(
      { targetId: state.targetId, at: deps.now(), outcome: AUDIT_OUTCOME[outcome], reason, eventId: execution, ...count },
      deps.config.auditRetentionDays,
    );
  }
  (outcome === 'failed' ? logger.error : logger.info).call(logger, 'runbook finished', { execution, targetId: state.targetId, outcome, reason });
  if (deps.notifier) {
    // A notification never decides anything: a failed publish is logged, the run's outcome stands.
    try {
      const what = outcome === 'succeeded' || outcome === 'failed' ? String(state.summary ?? state.error?.Error ?? '') : errorMessage(state.error?.Cause);
      await deps.notifier.notify({
        subject: `[${deps.config.prefix}] ${String(state.targetId ?? '?')}: runbook ${SUBJECT[outcome]}${forced.length ? ' (forced)' : ''}: ${what}`,
        body: { prefix: deps.config.prefix, targetId: state.targetId, execution, outcome, reason, actions, ...(forced.length ? { forced } : {}) },
      });
    } catch (err) {
      logger.warn('notification not published', { error: (err as Error).message });
    }
  }
  return { ...state, outcome, reason };
}

/** Lambda's error Cause is a JSON document with errorMessage; a hand-written one is plain text. */
export function errorMessage(cause: string | undefined): string {
  if (!cause) return 'no detail';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}
