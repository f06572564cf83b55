/**
 * The state store: per-target lease, engine memory, cooldown timestamps, pause/dry-run switches,
 * operators' overrides, the audit log and the latest recommendation per target. One interface, two implementations: DynamoDB (deployed) and memory (simulator, tests).
 */

export interface DecisionSummary {
  readonly at: number;
  readonly previous: number;
  readonly desired: number;
  readonly direction: 'out' | 'in' | 'none';
  readonly reason: string;
  readonly figures: Readonly<Record<string, number>>;
  /** What happened to it: applied, held (no change wanted or allowed), dry-run, paused, failed. */
  readonly outcome: Outcome;
}

export type Outcome = 'applied' | 'held' | 'dry-run' | 'paused' | 'failed';

export interface TargetRecord {
  readonly targetId: string;
  /** What the decision engine keeps between runs (JSON). */
  readonly memory?: Readonly<Record<string, unknown>>;
  readonly lastDecision?: DecisionSummary;
  /** Epoch ms of the last applied action. */
  readonly lastActionAt?: number;
  /**
   * The runbook execution the last applied action started (its name): that run is exempt from the
   * cooldown its own start set, and only that run.
   */
  readonly lastExecution?: string;
  /**
   * The last change that failed with a terminal error, until a change succeeds: while it is recent,
   * no change is attempted again (reported once, not retried in a loop).
   */
  readonly lastFailure?: { readonly at: number; readonly code: string; readonly desired: number };
  /**
   * The last check of the target's metrics (lambdas/engine/staleness.ts): the newest datapoint seen
   * (end of its period, epoch ms) and when it was first seen, when the check was made, and since when
   * the metrics have been late (unset while on time). The operator is told once when `lateSince` is
   * set and once when it is cleared.
   */
  readonly metrics?: { readonly newestEnd?: number; readonly seenAt?: number; readonly checkedAt: number; readonly lateSince?: number };
  /**
   * What the resource was when the autoscaler first saw it (Redis: `shards`, `replicasPerShard`),
   * written once by `recordFirstSeen` and never changed by `saveTarget`.
   */
  readonly firstSeen?: FirstSeen;
}

/** The shape of a resource when the autoscaler first saw it. */
export interface FirstSeen {
  /** Epoch ms. */
  readonly at: number;
  readonly values: Readonly<Record<string, number>>;
}

export interface Switches {
  /** Paused: decisions are recorded, nothing is changed in AWS. */
  readonly paused: boolean;
  /** Dry-run: the decision is recorded as what would have been done, nothing is changed in AWS. */
  readonly dryRun: boolean;
}

/** What an audit entry records: a decision's outcome, or an operator's control action (switch, runbook). */
export type AuditOutcome = Outcome | 'control';

export interface AuditEntry {
  /** The target, or `*` for control actions on every target. */
  readonly targetId: string;
  /** Epoch ms. */
  readonly at: number;
  readonly outcome: AuditOutcome;
  /** Who did it, for control actions: the caller's IAM identity (ARN), or `cli`. */
  readonly actor?: string;
  readonly previous?: number;
  readonly desired?: number;
  readonly direction?: 'out' | 'in' | 'none';
  readonly reason: string;
  /** Id of the event (or schedule run) that led to it. */
  readonly eventId?: string;
  readonly figures?: Readonly<Record<string, number>>;
}

/**
 * An operator's override of one target (lambdas/shared/overrides.ts validates and applies it): the
 * request, who made it and when. It ends at `expiresAt`; the table's TTL removes it some time later.
 */
export interface Override {
  readonly targetId: string;
  readonly min?: number;
  readonly max?: number;
  readonly target?: number;
  readonly paused?: boolean;
  readonly dryRun?: boolean;
  /** Epoch ms. */
  readonly expiresAt: number;
  /** Epoch ms. */
  readonly setAt: number;
  /** The caller's identity (IAM ARN, or `cli`). */
  readonly setBy: string;
  readonly reason?: string;
}

/** A target's settings and their figures, as one replay predicted them (sim/recommend.ts). */
export interface StoredReplay {
  readonly settings: Readonly<Record<string, number>>;
  readonly figures: Readonly<Record<string, number | null>>;
}

/**
 * The latest recommendation of one target, computed from its own history (the daily recommender,
 * lambdas/recommender): the change to make, or to keep the settings, or why its history could not be
 * judged. One per target, replaced by the next run.
 */
export interface StoredRecommendation {
  readonly targetId: string;
  readonly kind: string;
  /** Epoch ms the replays were made. */
  readonly computedAt: number;
  /** The history replayed: its first minute (epoch ms, inclusive), end (exclusive), rows and where it was read. */
  readonly trace: { readonly from: number; readonly to: number; readonly steps: number; readonly stepSeconds: number; readonly source: string };
  readonly verdict: 'change' | 'keep' | 'cannot-judge';
  /** Why the history cannot be judged. */
  readonly reason?: string;
  readonly current?: StoredReplay;
  readonly recommended?: StoredReplay;
  /**
   * What the change costs a month: unit-hours recommended minus current (negative: it saves), and in
   * dollars where a price per unit-hour is known (`price` says which).
   */
  readonly monthly?: {
    readonly unitHours: number;
    readonly dollars?: number;
    readonly price?: { readonly perUnitHour: number; readonly source: string };
    /** Why there are no dollars. */
    readonly noPrice?: string;
  };
  /** What the replay leaves out of the target. */
  readonly notes?: readonly string[];
}

/** Scope of a switch: one target id, or every target. */
export type SwitchScope = string | '*';
export const ALL_TARGETS = '*';

export interface StateStore {
  /**
   * Takes the target's lease for `ttlSeconds` unless another owner holds an unexpired one.
   * Returns whether this owner now holds it. A crashed holder's lease expires on its own.
   */
  acquireLease(targetId: string, owner: string, now: number, ttlSeconds: number): Promise<boolean>;
  /** Gives the lease back if this owner holds it; otherwise does nothing. */
  releaseLease(targetId: string, owner: string): Promise<void>;
  getTarget(targetId: string): Promise<TargetRecord | undefined>;
  /**
   * Saves the target's record; fails with LeaseLostError unless `owner` still holds the lease. Its
   * `firstSeen` is kept as it was, whatever `record` holds.
   */
  saveTarget(record: TargetRecord, owner: string): Promise<void>;
  /**
   * Records what the resource is the first time it is seen, and returns what is recorded: `values` if
   * nothing was, else the earlier record, unchanged (put-if-absent). Needs no lease: the first writer
   * wins, and every caller gets the same answer.
   */
  recordFirstSeen(targetId: string, values: Readonly<Record<string, number>>, at: number): Promise<FirstSeen>;
  appendAudit(entry: AuditEntry, retentionDays: number): Promise<void>;
  /** Audit entries of one target between two times (epoch ms, inclusive), newest first. */
  listAudit(targetId: string, from: number, to: number, limit?: number): Promise<AuditEntry[]>;
  /** The switches in force for a target: the global ones or'ed with the target's own. */
  getSwitches(targetId: string): Promise<Switches>;
  setSwitch(scope: SwitchScope, name: keyof Switches, value: boolean): Promise<void>;
  /** The target's override as stored, in force or expired (the caller judges), or undefined. Strongly consistent. */
  getOverride(targetId: string): Promise<Override | undefined>;
  /** Stores an override, replacing the target's earlier one (an override is ended by storing it with `expiresAt` now). */
  setOverride(override: Override): Promise<void>;
  /** Every stored override, in force or expired. */
  listOverrides(): Promise<Override[]>;
  /** Stores a target's latest recommendation, replacing the one before. */
  putRecommendation(recommendation: StoredRecommendation): Promise<void>;
  /** Every target's latest recommendation, by target id. */
  listRecommendations(): Promise<StoredRecommendation[]>;
}

export class LeaseLostError extends Error {
  constructor(
    readonly targetId: string,
    readonly owner: string,
  ) {
    super(`lease on target "${targetId}" is no longer held by ${owner}`);
    this.name = 'LeaseLostError';
  }
}
