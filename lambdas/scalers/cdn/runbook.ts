/**
 * Tasks of the `invalidate` runbook (a Step Functions Standard state machine an operator starts by
 * hand): check the target and its distribution, create the invalidation with the explicit paths and a
 * CallerReference made from the execution name (a redriven or retried run does not invalidate twice),
 * then poll until CloudFront reports it Completed, waiting longer each time.
 *
 * Input: `{ "targetId": "cdn", "paths": ["/index.html", "/static/css/*"] }`.
 */

import * as v from 'valibot';
import { CloudFrontAdapter } from '../../adapters/cloudfront';
import type { Notifier } from '../../adapters/sns';
import type { SendClient, Sleep } from '../../adapters/types';
import { CLOUDFRONT_LIMITS, countPaths, normalizePaths } from '../../engine/cloudfront';
import { notifyOutcome } from '../../runbooks/notify';
import { beforeWrite } from '../../runbooks/switches';
import type { AutoscalerConfig, CloudfrontTarget } from '../../shared/config';
import { CLOUDFRONT_PATH, CLOUDFRONT_PATH_MAX_LENGTH, CLOUDFRONT_PATH_RULE } from '../../shared/kinds/cloudfront';
import { logger } from '../../shared/powertools';
import { INVALIDATE_TASKS } from '../../shared/runbook-tasks';
import { describeProblems, nonEmpty } from '../../shared/validate';
import type { StateStore } from '../../state/store';

export const InvalidateTaskEventSchema = v.strictObject({
  task: v.picklist(INVALIDATE_TASKS),
  /** The run's state: the execution input, then what earlier tasks returned. */
  state: v.record(v.string(), v.unknown()),
  /** The execution's name (`$$.Execution.Name`). */
  execution: v.pipe(nonEmpty(), v.maxLength(80)),
});
export type InvalidateTaskEvent = v.InferOutput<typeof InvalidateTaskEventSchema>;

/** A CloudFront invalidation path, by the rule the config's paths follow (lambdas/shared/kinds/cloudfront.ts). */
const cloudfrontPath = v.pipe(v.string(), v.maxLength(CLOUDFRONT_PATH_MAX_LENGTH), v.regex(CLOUDFRONT_PATH, CLOUDFRONT_PATH_RULE));

export const InvalidateInputSchema = v.object({
  /** A configured `cloudfront` target. */
  targetId: nonEmpty(),
  /** The paths to invalidate, as CloudFront takes them. */
  paths: v.pipe(v.array(cloudfrontPath), v.minLength(1), v.maxLength(CLOUDFRONT_LIMITS.paths)),
});

/** First wait before asking whether the invalidation completed; doubled each time up to the maximum. */
export const FIRST_WAIT_SECONDS = 30;
export const MAX_WAIT_SECONDS = 300;

/** A run that cannot succeed: bad input, an unknown target, a path set CloudFront refuses. */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInput';
  }
}

export interface InvalidateDeps {
  readonly config: AutoscalerConfig;
  readonly store: StateStore;
  readonly cloudFront: SendClient;
  readonly now: () => number;
  readonly sleep: Sleep;
  /** Where a run stopped by a switch is announced. @default nobody */
  readonly notifier?: Notifier;
}

type RunState = Record<string, unknown>;

/** The CallerReference of a run: the target and the execution name (unique per state machine). */
export function runbookCallerReference(targetId: string, execution: string): string {
  return `${targetId}-run-${execution}`;
}

export class InvalidateRunbookTasks {
  private readonly cloudFront: CloudFrontAdapter;

  constructor(private readonly deps: InvalidateDeps) {
    this.cloudFront = new CloudFrontAdapter(deps.cloudFront);
  }

  async run(event: InvalidateTaskEvent): Promise<RunState> {
    switch (event.task) {
      case 'invalidate.check':
        return this.check(event.state, event.execution);
      case 'invalidate.create':
        return this.create(event.state);
      case 'invalidate.poll':
        return this.poll(event.state, event.execution);
      case 'invalidate.notify':
        // Only a run a switch stopped comes here (paused, dry-run): recorded and announced like a data runbook's.
        return notifyOutcome(this.deps, event.state, event.execution);
    }
  }

  private target(state: RunState): CloudfrontTarget {
    const id = state.targetId;
    const target = this.deps.config.targets.find((t): t is CloudfrontTarget => t.kind === 'cloudfront' && t.id === id);
    if (!target) {
      const known = this.deps.config.targets.filter((t) => t.kind === 'cloudfront').map((t) => t.id);
      throw new InvalidInputError(`targetId ${JSON.stringify(id)} is not a configured cloudfront target (${known.join(', ') || 'none'})`);
    }
    return target;
  }

  private async check(state: RunState, execution: string): Promise<RunState> {
    const parsed = v.safeParse(InvalidateInputSchema, state);
    if (!parsed.success) throw new InvalidInputError(`input rejected: ${describeProblems(parsed.issues)}`);
    const target = this.target(state);
    const paths = normalizePaths(parsed.output.paths);
    const counted = countPaths(paths);
    if (counted.wildcards > CLOUDFRONT_LIMITS.wildcards) {
      throw new InvalidInputError(`${counted.wildcards} wildcard paths: CloudFront allows ${CLOUDFRONT_LIMITS.wildcards} in progress per distribution`);
    }
    // NoSuchDistribution and AccessDenied fail the run here, before anything is created.
    const distribution = await this.cloudFront.distribution(target.distributionId);
    return {
      ...state,
      distributionId: target.distributionId,
      domainName: distribution.domainName,
      paths,
      callerReference: runbookCallerReference(target.id, execution),
      waitSeconds: FIRST_WAIT_SECONDS,
    };
  }

  private async create(state: RunState): Promise<RunState> {
    const target = this.target(state);
    const paths = state.paths as string[];
    const reference = String(state.callerReference);
    // Read the switches before every attempt: a run retried while the distribution is busy stops once paused.
    await beforeWrite(this.deps, target, `CreateInvalidation on ${target.distributionId} of ${paths.length} path(s) [${paths.slice(0, 10).join(', ')}]`);
    // TooManyInvalidationsInProgress is thrown as InvalidationsBusyError; the state machine retries it with backoff.
    const inv = await this.cloudFront.createInvalidation(target.distributionId, reference, paths);
    logger.info('runbook invalidation created', { target: target.id, callerReference: reference, invalidationId: inv.id });
    return { ...state, invalidationId: inv.id, status: inv.status };
  }

  private async poll(state: RunState, execution: string): Promise<RunState> {
    const target = this.target(state);
    const inv = await this.cloudFront.getInvalidation(target.distributionId, String(state.invalidationId));
    if (inv.status === 'Completed') {
      const paths = state.paths as string[];
      await this.deps.store.appendAudit(
        {
          targetId: target.id,
          at: this.deps.now(),
          outcome: 'applied',
          reason: `runbook ${execution}: invalidation ${inv.id} completed, ${paths.length} path(s) [${paths.slice(0, 10).join(', ')}]`,
          eventId: execution,
          figures: { paths: paths.length },
        },
        this.deps.config.auditRetentionDays,
      );
      return { ...state, status: inv.status, step: 'done' };
    }
    const waited = Number(state.waitSeconds ?? FIRST_WAIT_SECONDS);
    return { ...state, status: inv.status, step: 'wait', waitSeconds: Math.min(MAX_WAIT_SECONDS, waited * 2) };
  }
}
