/**
 * The operator's switches, read by every runbook task immediately before each AWS write: a run that
 * was started before `pause`, or that sat for hours in ResourceBusy retries, stops acting as soon as
 * the switch is on. One helper for every write of every runbook (the data tier's and `invalidate`).
 */
import type { AutoscalerConfig } from '../shared/config';
import { DryRunError, PausedError } from '../shared/runbook-errors';
import type { StateStore } from '../state/store';

export interface SwitchReader {
  readonly config: Pick<AutoscalerConfig, 'dryRun'>;
  readonly store: Pick<StateStore, 'getSwitches'>;
}

/**
 * Throws `Paused` if the target or every target (`*`) is paused, else `DryRun` if dry-run is on by
 * switch, by the config (`dryRun`) or by the target's own `dryRun`; returns when the write may go.
 * Pause wins over dry-run, as in the deciding functions. `write` names what would have been done.
 */
export async function beforeWrite(deps: SwitchReader, target: { readonly id: string; readonly dryRun?: boolean }, write: string): Promise<void> {
  const switches = await deps.store.getSwitches(target.id);
  if (switches.paused) throw new PausedError(`"${target.id}" is paused: stopped before ${write}`);
  const by = switches.dryRun ? 'the dry-run switch' : deps.config.dryRun ? "the config's dryRun" : target.dryRun ? `the target's dryRun` : undefined;
  if (by) throw new DryRunError(`dry-run (${by}) for "${target.id}": would ${write}`);
}
