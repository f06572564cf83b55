/**
 * The operator's switches, read by every runbook task immediately before each AWS write: a run that
 * was started before `pause`, or that sat for hours in ResourceBusy retries, stops acting as soon as
 * the switch is on. One helper for every write of every runbook (the data tier's and `invalidate`).
 */
import type { AutoscalerConfig } from '../shared/config';
import { byOverride, overrideHolder, switchesInForce } from '../shared/overrides';
import { DryRunError, PausedError } from '../shared/runbook-errors';
import type { StateStore } from '../state/store';

export interface SwitchReader {
  readonly config: Pick<AutoscalerConfig, 'dryRun'>;
  readonly store: Pick<StateStore, 'getSwitches' | 'getOverride'>;
  /** Epoch ms now: an override counts until it expires. */
  readonly now: () => number;
}

/**
 * Throws `Paused` if the target or every target (`*`) is paused (by switch or by an override in
 * force), else `DryRun` if dry-run is on by switch, by an override in force, by the config (`dryRun`)
 * or by the target's own `dryRun`; returns when the write may go. Pause wins over dry-run, as in the
 * deciding functions. `write` names what would have been done.
 */
export async function beforeWrite(deps: SwitchReader, target: { readonly id: string; readonly dryRun?: boolean }, write: string): Promise<void> {
  const switches = await switchesInForce(deps.store, target.id, deps.now());
  if (switches.paused) throw new PausedError(`"${target.id}" is paused${byOverride(switches)}: stopped before ${write}`);
  const by = switches.dryRun
    ? switches.override
      ? overrideHolder(switches.override)
      : 'the dry-run switch'
    : deps.config.dryRun
      ? "the config's dryRun"
      : target.dryRun
        ? `the target's dryRun`
        : undefined;
  if (by) throw new DryRunError(`dry-run (${by}) for "${target.id}": would ${write}`);
}
