/** What every runbook task gets: the config, the adapters, the state store and the clock. */
import type { CloudWatchAdapter } from '../adapters/cloudwatch';
import type { ElastiCacheAdapter } from '../adapters/elasticache';
import type { RdsAdapter } from '../adapters/rds';
import type { Route53Adapter } from '../adapters/route53';
import type { Notifier } from '../adapters/sns';
import type { SqsAdapter } from '../adapters/sqs';
import type { SsmAdapter } from '../adapters/ssm';
import type { SendClient, Sleep } from '../adapters/types';
import type { AutoscalerConfig, TargetConfig } from '../shared/config';
import { TerminalError } from '../shared/errors';
import { applyOverride, type WithOverride } from '../shared/overrides';
import type { StateStore } from '../state/store';

export interface RunbookContext {
  readonly config: AutoscalerConfig;
  readonly rds: RdsAdapter;
  readonly elastiCache: ElastiCacheAdapter;
  readonly ssm: SsmAdapter;
  readonly route53: Route53Adapter;
  /** The metrics a move down is checked on again, right before the write (GetMetricData). */
  readonly cloudWatch: CloudWatchAdapter;
  /**
   * The fleets of asg, ecs-service and queue-workers targets, for the set-capacity runbook.
   * @default none: a set-capacity run fails (the data tier's simulator runs no such run)
   */
  readonly fleets?: RunbookFleets;
  readonly store: StateStore;
  /** Where each run's outcome is announced. @default nobody */
  readonly notifier?: Notifier;
  /** Epoch ms now. */
  readonly now: () => number;
}

/** What the set-capacity runbook reads and sets. */
export interface RunbookFleets {
  /** Auto Scaling and ECS: the groups and services of web tiers and worker pools. */
  readonly autoScaling: SendClient;
  readonly ecs: SendClient;
  /** The queues whose in-flight messages hold workers a run may not remove. */
  readonly sqs: SqsAdapter;
  /** Waits between retries of a transitional state (ScalingActivityInProgress). */
  readonly sleep: Sleep;
}

/** The configured target of that id and kind; a runbook never acts on anything the config does not name. */
export function targetOf<K extends TargetConfig['kind']>(config: AutoscalerConfig, targetId: unknown, kind: K): Extract<TargetConfig, { kind: K }> {
  const target = config.targets.find((t) => t.id === targetId);
  if (!target)
    throw new TerminalError(`no target "${String(targetId)}" in the config (targets: ${config.targets.map((t) => t.id).join(', ')})`, 'UnknownTarget');
  if (target.kind !== kind) throw new TerminalError(`target "${target.id}" is a ${target.kind} target, not ${kind}`, 'WrongTargetKind');
  return target as Extract<TargetConfig, { kind: K }>;
}

/**
 * The target as the runbook's rules judge it: the operator's override in force applied (its floor and
 * ceiling in place of the deployed ones), as the deciding functions see it.
 */
export async function withOverrideOf<T extends TargetConfig>(ctx: Pick<RunbookContext, 'store' | 'now'>, target: T): Promise<WithOverride<T>> {
  return applyOverride(target, await ctx.store.getOverride(target.id), ctx.now());
}

/** Polling backoff: 30 s, then doubling, at most 5 minutes between looks. */
export function backoffSeconds(polls: number): number {
  return Math.min(300, 30 * 2 ** Math.max(0, polls - 1));
}

/** Polls after which a run gives up waiting (about 12 hours at the 5-minute ceiling). */
export const MAX_POLLS = 150;
