/**
 * Baselines of `/scenarios/README.md`, each a small pure function of what it can see (the visible
 * datapoints, ready, desired, time) and its own state: decide(state, input) -> { desired, state }.
 */

export interface BaselineConfig {
  readonly minUnits: number;
  readonly maxUnits: number;
  /** Web: percent CPU target tracking aims at. */
  readonly targetUtilization: number;
  /** Web: requests/s per unit at 100% CPU; queue: messages/s one worker completes. */
  readonly unitCapacity: number;
  readonly stepSeconds: number;
}

export interface BaselineInput {
  /** Seconds from the trace start to the start of the current step. */
  readonly now: number;
  /** Ready units at the start of the current step. */
  readonly ready: number;
  /** Desired count now. */
  readonly desired: number;
  /** Web: the newest visible CPU datapoints (up to 15 (30 for database)), oldest first. */
  readonly cpu: readonly number[];
  /** Queue: GetQueueAttributes at the start of the step. */
  readonly queue?: { readonly visible: number; readonly notVisible: number };
  /** Web: the arrivals of every step before the current one, oldest first (the `predictive` anchor's forecast reads them). */
  readonly history?: ArrayLike<number>;
}

export interface Baseline<S> {
  readonly name: string;
  initial(): S;
  decide(config: BaselineConfig, state: S, input: BaselineInput): { desired: number; state: S };
}

export function clampUnits(config: BaselineConfig, n: number): number {
  return Math.min(config.maxUnits, Math.max(config.minUnits, n));
}

/** Steps whose start is a multiple of 300 s. */
export function onFiveMinutes(now: number): boolean {
  return Math.abs(now / 300 - Math.round(now / 300)) < 1e-9;
}
