/**
 * Pause, resume and dry-run, for one target or every target: one core for every entry point (the CLI's
 * `pause`/`resume`/`dry-run`, the API's POST /pause and /resume). The switch is stored, and the change
 * written to the audit log with who made it.
 */

import type { AutoscalerConfig } from '../shared/config';
import { ALL_TARGETS, type StateStore, type Switches } from '../state/store';
import { targetOf } from './targets';

export interface SwitchDeps {
  readonly config: AutoscalerConfig;
  readonly store: StateStore;
  /** Epoch ms now. */
  readonly now: () => number;
  /** Who is acting: the caller's IAM identity (ARN), or `cli`. */
  readonly actor: string;
}

/** What a switch change did. */
export interface SwitchResult {
  /** The target id, or `*` for every target. */
  readonly scope: string;
  readonly name: keyof Switches;
  readonly value: boolean;
  /** `paused`, `resumed`, `dry-run on`, `dry-run off`. */
  readonly what: string;
  /** `target web`, `every target`. */
  readonly subject: string;
  /**
   * The switch is still on for every target, which wins over a target's own: turning a target's off
   * changed nothing yet.
   */
  readonly stillOnForEveryTarget: boolean;
}

/**
 * Sets `name` to `value` for `targetId`, or for every target when it is undefined; audited with the
 * actor (and the reason, when given). An unknown target is refused (UnknownTargetError) before anything is written.
 */
export async function setSwitch(deps: SwitchDeps, name: keyof Switches, value: boolean, targetId: string | undefined, reason?: string): Promise<SwitchResult> {
  const { config, store, actor } = deps;
  const scope = targetId === undefined ? ALL_TARGETS : targetOf(config, targetId).id;
  await store.setSwitch(scope, name, value);
  const what = name === 'paused' ? (value ? 'paused' : 'resumed') : `dry-run ${value ? 'on' : 'off'}`;
  const subject = scope === ALL_TARGETS ? 'every target' : `target ${scope}`;
  await store.appendAudit(
    { targetId: scope, at: deps.now(), outcome: 'control', actor, reason: `${what} for ${subject} by ${actor}${reason ? ` (${reason})` : ''}` },
    config.auditRetentionDays,
  );
  // A global switch wins over a target's own: say so when it hides this change.
  const stillOnForEveryTarget = scope !== ALL_TARGETS && !value && (await store.getSwitches(ALL_TARGETS))[name];
  return { scope, name, value, what, subject, stillOnForEveryTarget };
}
