/**
 * The operator's override actions, one core for every entry point (the CLI today; any API calls the
 * same): set, end and list a target's override. Each change is validated (./check-override.ts),
 * stored, written to the audit log with who made it, and announced on the deployment's topic.
 */
import { type Notifier, noopNotifier } from '../adapters/sns';
import type { AutoscalerConfig } from '../shared/config';
import { applyOverride, inForce, type Override } from '../shared/overrides';
import type { StateStore } from '../state/store';
import { checkOverride } from './check-override';

export interface ControlDeps {
  readonly config: AutoscalerConfig;
  readonly store: StateStore;
  /** Epoch ms now. */
  readonly now: () => number;
  /** Who is acting: the caller's IAM identity (ARN), or `cli`. */
  readonly actor: string;
  /** @default nobody is told */
  readonly notifier?: Notifier;
}

/** What an override does, in words: `maxCapacity 8, paused until 2026-11-30T18:00:00.000Z`. */
export function describeOverride(config: AutoscalerConfig, o: Override): string {
  const target = config.targets.find((t) => t.id === o.targetId);
  const applied = target ? applyOverride(target, o, o.setAt) : undefined;
  const what = applied?.override?.description ?? `override until ${new Date(o.expiresAt).toISOString()} by ${o.setBy}`;
  return what.replace(/^override /, '');
}

/** What a control action did: the override, and a warning when the announcement could not be sent (the action stands). */
export interface ControlResult {
  readonly override: Override;
  readonly warning?: string;
}

/** Validates and stores an override of `targetId`, replacing any earlier one; audited and announced. */
export async function setOverride(deps: ControlDeps, targetId: string, input: unknown): Promise<ControlResult> {
  const { config, store, now, actor } = deps;
  const at = now();
  const o = checkOverride(config, targetId, input, at, actor);
  await store.setOverride(o);
  const what = describeOverride(config, o);
  await store.appendAudit(
    { targetId, at, outcome: 'control', actor, reason: `override set: ${what}${o.reason ? ` (${o.reason})` : ''}` },
    config.auditRetentionDays,
  );
  return { override: o, warning: await tell(deps, `override of ${targetId}: ${what}`, { action: 'override-set', ...o }) };
}

/**
 * Ends the target's override in force now (it is stored again with `expiresAt` now, so the deciding
 * functions see that it ended and decide on the deployed config within a minute). Returns the override
 * ended, or undefined when none was in force.
 */
export async function endOverride(deps: ControlDeps, targetId: string): Promise<ControlResult | undefined> {
  const { config, store, now, actor } = deps;
  const at = now();
  const stored = await store.getOverride(targetId);
  if (!inForce(stored, at)) return undefined;
  const ended: Override = { ...stored, expiresAt: at };
  await store.setOverride(ended);
  const was = describeOverride(config, stored);
  await store.appendAudit({ targetId, at, outcome: 'control', actor, reason: `override ended by ${actor}: was ${was}` }, config.auditRetentionDays);
  return { override: ended, warning: await tell(deps, `override of ${targetId} ended`, { action: 'override-ended', endedBy: actor, ...ended }) };
}

/** The overrides in force now, by target id. */
export async function overridesInForce(store: StateStore, now: number): Promise<Override[]> {
  return (await store.listOverrides()).filter((o) => inForce(o, now)).sort((a, b) => a.targetId.localeCompare(b.targetId));
}

/** Announces a change; a failed publish is returned as a warning, never thrown: the change it reports stands. */
async function tell(deps: ControlDeps, subject: string, body: Record<string, unknown>): Promise<string | undefined> {
  try {
    await (deps.notifier ?? noopNotifier).notify({ subject: `${deps.config.prefix}: ${subject}`, body: { prefix: deps.config.prefix, ...body } });
    return undefined;
  } catch (err) {
    return `not announced on the topic: ${(err as Error).message}`;
  }
}
