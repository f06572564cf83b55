/**
 * The engine's rules, checked again by the runbook task that writes, right before its write: a run
 * may have been started by hand, or may act hours after it started (waiting out ResourceBusy). Three
 * kinds of rule may be passed over with `force: true` in the input: the step (one rung, one replica,
 * one shard in, one growth step per run, from where the run started), the cooldowns (from the
 * target's record) and the fit on current metrics before a move down. Never the bounds, the ladder,
 * what AWS allows, the target's own settings, the replica-removal checks or the switches: those throw
 * before this is asked.
 */
import { TerminalError } from '../shared/errors';
import type { StateStore, TargetRecord } from '../state/store';

/** A rule the move would break; `why` names the rule and its numbers. */
export interface Breach {
  readonly rule: 'step' | 'cooldown' | 'fit';
  readonly why: string;
}

/** What a run carries between its tasks for these rules. */
export interface RuleState {
  readonly targetId: string;
  /** Pass over the step, cooldown and fit rules (audited and notified). */
  readonly force?: boolean;
  /** The rules this run passed over so far (with `force`), for the audit entry and notification of its end. */
  readonly forced?: string[];
}

export interface RuleDeps {
  readonly store: Pick<StateStore, 'appendAudit' | 'getTarget'>;
  readonly config: { readonly auditRetentionDays: number };
  readonly now: () => number;
}

/** The error a refused move fails the run with (a TerminalError: recorded, notified, not retried). */
export const RULE_REFUSED = 'RuleRefused';

/**
 * Refuses the move (`what`) if anything in `breaches` is set and the run is not forced; with `force`,
 * records in the audit trail at once which rules it passes over (each once per run) and returns the
 * run's updated `forced` list. Nothing is written to AWS before this returns.
 */
export async function enforce(deps: RuleDeps, state: RuleState, execution: string, breaches: readonly (Breach | undefined)[], what: string): Promise<string[]> {
  const found = breaches.filter((b): b is Breach => b !== undefined);
  const forced = [...(state.forced ?? [])];
  if (found.length === 0) return forced;
  if (state.force !== true) {
    throw new TerminalError(`${what} refused: ${found.map((b) => b.why).join('; ')} (force: true to override)`, RULE_REFUSED);
  }
  const fresh = found.map((b) => `${b.rule}: ${b.why}`).filter((w) => !forced.includes(w));
  if (fresh.length > 0) {
    await deps.store.appendAudit(
      {
        targetId: state.targetId,
        at: deps.now(),
        outcome: 'control',
        actor: 'runbook',
        reason: `${execution}: ${what} forced (force: true) past ${fresh.join('; ')}`,
        eventId: execution,
      },
      deps.config.auditRetentionDays,
    );
    forced.push(...fresh);
  }
  return forced;
}

/**
 * The cooldown `seconds` since the target's last applied action, unless `execution` is the run that
 * action started (its own start set it): that run, and only that one, is exempt.
 */
export function cooldownBreach(record: TargetRecord | undefined, execution: string, now: number, seconds: number, label: string): Breach | undefined {
  if (record?.lastActionAt === undefined || record.lastExecution === execution) return undefined;
  const since = (now - record.lastActionAt) / 1000;
  if (since >= seconds) return undefined;
  return { rule: 'cooldown', why: `the last change of "${record.targetId}" was ${Math.round(since)} s ago: ${label} ${seconds} s` };
}

/** At most one rung of `ladder` from `from` (where the run started) to `to`. */
export function ladderStep(ladder: readonly string[], from: string | undefined, to: string): Breach | undefined {
  const a = from === undefined ? -1 : ladder.indexOf(from);
  if (a < 0) return { rule: 'step', why: `${from ?? 'the current type'} is not on the ladder (${ladder.join(', ')}): one rung per run cannot be checked` };
  const n = Math.abs(ladder.indexOf(to) - a);
  if (n <= 1) return undefined;
  return { rule: 'step', why: `${to} is ${n} rungs ${ladder.indexOf(to) < a ? 'below' : 'above'} ${from}: one rung per run` };
}

/**
 * A count (`noun`: replicas, shards, replicas per shard) from `from` (where the run started) to `to`:
 * at most `up` more or `down` fewer, except a move from outside `[min, max]` to the nearest bound,
 * which the engine makes at once.
 */
export function countStep(
  noun: string,
  from: number,
  to: number,
  bounds: { readonly min: number; readonly max: number },
  up: number,
  down: number,
): Breach | undefined {
  if ((from < bounds.min && to <= bounds.min && to > from) || (from > bounds.max && to >= bounds.max && to < from)) return undefined;
  if (to > from + up) return { rule: 'step', why: `${noun} ${from} -> ${to} adds ${to - from}: ${up} more per run` };
  if (to < from - down) return { rule: 'step', why: `${noun} ${from} -> ${to} removes ${from - to}: ${down} fewer per run` };
  return undefined;
}

/** Whether a move from `from` to `to` is one the engine makes without a fit check: from outside the bounds to the nearest bound. */
export function intoBounds(from: number, to: number, bounds: { readonly min: number; readonly max: number }): boolean {
  return (from < bounds.min && to <= bounds.min) || (from > bounds.max && to >= bounds.max);
}
