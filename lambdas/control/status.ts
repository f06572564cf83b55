/**
 * What the state table says of each target now: its last decision, last action, switches in force and
 * override in force. One core for every entry point (the CLI's `status` adds what it reads from
 * CloudWatch and the services; the API's GET /status and /targets/{id} serve it as it is).
 */
import type { AutoscalerConfig, TargetConfig } from '../shared/config';
import { applyOverride, inForce, type Override, overridableOf, withOverrideSwitches } from '../shared/overrides';
import { ALL_TARGETS, type StateStore, type Switches, type TargetRecord } from '../state/store';
import { describeOverride } from './overrides';

/** A target's state as the state table holds it. */
export interface TargetState {
  readonly id: string;
  readonly kind: string;
  /** The floor and ceiling in force (an override's, within the deployed ones), for a kind that has them. */
  readonly bounds?: { readonly min: number; readonly max: number };
  readonly lastDecision?: { at: string; outcome: string; previous: number; desired: number; reason: string };
  readonly lastActionAt?: string;
  readonly paused: boolean;
  /** Why dry-run holds, if it does: `switch`, `override`, `config`, `target config`. */
  readonly dryRun: string[];
  /** The operator's override in force. */
  readonly override?: { readonly what: string; readonly until: string; readonly by: string; readonly reason?: string };
}

/** A target's state, with the record and the override in force it was read from (for callers that show more). */
export interface TargetStateRead {
  readonly state: TargetState;
  readonly record?: TargetRecord;
  /** The override in force, if any. */
  readonly override?: Override;
}

/** Reads one target's state: its record, its override and its switches, once each. */
export async function targetState(config: AutoscalerConfig, store: StateStore, target: TargetConfig, now: number): Promise<TargetStateRead> {
  const [record, stored, own] = await Promise.all([store.getTarget(target.id), store.getOverride(target.id), store.getSwitches(target.id)]);
  const override = inForce(stored, now) ? stored : undefined;
  const switches = withOverrideSwitches(own, stored, target.id, now);
  const fields = overridableOf(target);
  const applied = applyOverride(target, override, now) as unknown as Record<string, number>;
  const last = record?.lastDecision;
  const state: TargetState = {
    id: target.id,
    kind: target.kind,
    ...(fields ? { bounds: { min: applied[fields.min], max: applied[fields.max] } } : {}),
    ...(last
      ? {
          lastDecision: { at: new Date(last.at).toISOString(), outcome: last.outcome, previous: last.previous, desired: last.desired, reason: last.reason },
        }
      : {}),
    ...(record?.lastActionAt !== undefined ? { lastActionAt: new Date(record.lastActionAt).toISOString() } : {}),
    paused: switches.paused,
    dryRun: [
      ...(switches.dryRun ? [switches.override?.dryRun ? 'override' : 'switch'] : []),
      ...(config.dryRun ? ['config'] : []),
      ...(target.dryRun ? ['target config'] : []),
    ],
    ...(override
      ? {
          override: {
            what: describeOverride(config, override),
            until: new Date(override.expiresAt).toISOString(),
            by: override.setBy,
            ...(override.reason ? { reason: override.reason } : {}),
          },
        }
      : {}),
  };
  return { state, record, override };
}

/** The switches set for every target. */
export function globalSwitches(store: StateStore): Promise<Switches> {
  return store.getSwitches(ALL_TARGETS);
}
