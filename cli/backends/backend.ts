/**
 * A kind's CLI backend: how `status` reads what a target runs now, and what `status`, `explain` and
 * `config validate` show of its bounds, cooldowns and policy. Every part is stated by every kind
 * (`undefined`, or `nothingToRead` with the reason, where the kind has none), so a kind's module says
 * what the CLI shows of it and a part left out is a compile error.
 */
import type { CapacitySnapshot } from '../../lambdas/adapters/capacity';
import type { TargetConfig, TargetKind } from '../../lambdas/shared/config';
import type { CliDeps } from '../deps';

export type TargetOfKind<K extends TargetKind> = Extract<TargetConfig, { kind: K }>;

/** What a target runs now, as `status` shows it. */
export interface TargetNow {
  /** Units serving now. */
  readonly current: number;
  /** The desired count set now. */
  readonly desired: number;
}

/** The fewest and most units the config allows. */
export interface UnitBounds {
  readonly min: number;
  readonly max: number;
}

/** Seconds after an action before a scale-out, and a scale-in, may follow. */
export interface Cooldowns {
  readonly outSeconds: number;
  readonly inSeconds: number;
}

/** The cooldowns every kind names alike; a kind without `scaleOutCooldownSeconds` scales out at once (0 s). */
export const cooldownsOf = (t: {
  readonly scaleOutCooldownSeconds?: number;
  readonly scaleInCooldownSeconds: number;
  readonly policy?: string;
  readonly stepRules?: readonly { readonly direction: 'up' | 'down'; readonly cooldownSeconds: number }[];
}): Cooldowns => {
  // With policy step each rule has its own cooldown: the shortest of a direction is when one may act again.
  if (t.policy === 'step' && t.stepRules) {
    const shortest = (d: 'up' | 'down') => Math.min(...t.stepRules!.filter((r) => r.direction === d).map((r) => r.cooldownSeconds), Infinity);
    const finite = (s: number) => (Number.isFinite(s) ? s : 0);
    return { outSeconds: finite(shortest('up')), inSeconds: finite(shortest('down')) };
  }
  return { outSeconds: t.scaleOutCooldownSeconds ?? 0, inSeconds: t.scaleInCooldownSeconds };
};

/** A kind whose current state the CLI does not read, and why. */
export interface NothingToRead {
  readonly nothingToRead: string;
}

export const nothingToRead = (reason: string): NothingToRead => ({ nothingToRead: reason });

export interface CliBackend<K extends TargetKind> {
  /** Reads what the target runs now (CURRENT, DESIRED); a failure is shown as the target's error. */
  readonly readNow: ((target: TargetOfKind<K>, deps: CliDeps) => Promise<TargetNow>) | NothingToRead;
  /** MIN and MAX, and the bounds `config validate` lists; `undefined`: the kind counts no units. */
  readonly bounds: ((target: TargetOfKind<K>) => UnitBounds) | undefined;
  /** COOLDOWN LEFT after the last action; `undefined`: none shown. */
  readonly cooldowns: ((target: TargetOfKind<K>) => Cooldowns) | undefined;
  /** `explain`'s policy line; `undefined`: none. */
  readonly policy: ((target: TargetOfKind<K>) => string) | undefined;
}

/** The CLI's view of a web tier or worker fleet (desired and in-service counts). */
export const nowOf = (snapshot: CapacitySnapshot): TargetNow => ({ current: snapshot.ready, desired: snapshot.desired });
