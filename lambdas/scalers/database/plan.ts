/**
 * What the database function decides for one data target: a plan, made by the target kind's planner
 * (plan-replicas.ts, plan-redis.ts, plan-storage.ts, plan-instance.ts) from what it observes
 * (observe.ts) and the pure engines. A plan that changes something names the runbook action, its goal
 * and the runbook's input; the service starts the runbook under a deterministic name.
 */
import type { CloudWatchAdapter } from '../../adapters/cloudwatch';
import type { ElastiCacheAdapter } from '../../adapters/elasticache';
import type { RdsAdapter } from '../../adapters/rds';
import type { MetricRef } from '../../shared/alarm-spec';
import type { DataTarget } from '../../shared/config';
import type { StateStore } from '../../state/store';

interface PlanBase {
  readonly reason: string;
  /** The numbers behind the plan, for the record and the audit entry. */
  readonly figures: Record<string, number>;
  /** What to remember for the target's next decision; unset: what it had. */
  readonly memory?: Readonly<Record<string, unknown>>;
}

/** Nothing to change now. */
export interface Hold extends PlanBase {
  readonly change: false;
}

/** A runbook to start. */
export interface Move extends PlanBase {
  readonly change: true;
  /** The runbook's action (`add`, `remove`, `up`, `down`, `grow`, `shards-out`, ...): part of the execution's name. */
  readonly action: string;
  /** The absolute goal the runbook converges to: part of the execution's name. */
  readonly goal: string | number;
  readonly input: Record<string, unknown>;
  /** The cooldown window in which the same action and goal get the same execution name. */
  readonly windowSeconds: number;
}

export type Plan = Hold | Move;

/** What a planner reads through, shared by every decision of the function. */
export interface PlanDeps {
  readonly prefix: string;
  readonly store: StateStore;
  readonly rds: RdsAdapter;
  readonly elastiCache: ElastiCacheAdapter;
  /** The late-aware reader: the service judges the freshness of what the plan read. */
  readonly cloudWatch: CloudWatchAdapter;
}

/** One decision's facts from the target's record. */
export interface PlanInput<T extends DataTarget> {
  readonly target: T;
  /** Epoch ms. */
  readonly now: number;
  /** Epoch ms of the target's last applied action. */
  readonly lastActionAt: number | undefined;
  /** What the last decision remembered. */
  readonly memory: Readonly<Record<string, unknown>> | undefined;
  /** The shape the resource had when first seen (recordFirstSeen). */
  readonly firstSeen: Readonly<Record<string, number>> | undefined;
}

/**
 * How the database function handles one kind of data target. A resource that cannot be observed
 * (gone, renamed, access denied) makes `plan` throw a TerminalError.
 */
export interface DataKind<T extends DataTarget> {
  /** Observes the target and decides (pure engines). */
  plan(input: PlanInput<T>, deps: PlanDeps): Promise<Plan>;
  /** The 1-minute schedule looks at the target whether an alarm of it is in ALARM or not (its signals are not alarms). */
  polled(target: T): boolean;
  /**
   * The CPU the schedule reads to find a target whose metrics are late or missing, when it is not
   * polled anyway: with its metrics late, no alarm of it reaches ALARM. Unset: not probed.
   */
  probe?(target: T): MetricRef;
  /** What the target does while its metrics are late or missing, in a few words. @default no move down */
  meanwhile?(target: T): string;
  /** The plan once the metrics are missing, after any move down was held. @default that plan */
  whenMissing?(target: T, plan: Plan, sinceActionSeconds: number): Plan;
}
