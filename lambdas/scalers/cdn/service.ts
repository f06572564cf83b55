/**
 * The cdn family's work, free of Lambda plumbing. A deploy event adds its paths to the open batch of
 * its coalescing window (one per distribution target and window, in the state table); the 1-minute
 * tick plans every batch whose window has closed (pure engine: limits, budget, wildcards), freezes
 * the plan, and sends it as one invalidation whose CallerReference is `<targetId>-<windowStart>`.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudFrontAdapter, InvalidationsBusyError } from '../../adapters/cloudfront';
import { type Notifier, noopNotifier } from '../../adapters/sns';
import type { SendClient, Sleep } from '../../adapters/types';
import { callerReference, monthOf, objectPath, planInvalidation, windowStartOf } from '../../engine/cloudfront';
import type { AutoscalerConfig, CloudfrontTarget } from '../../shared/config';
import { eachTarget } from '../../shared/each-target';
import { TerminalError } from '../../shared/errors';
import type { ReevaluateEvent } from '../../shared/events';
import { ECS_DEPLOYMENT_COMPLETED, PIPELINE_SUCCEEDED } from '../../shared/kinds/cloudfront';
import { switchesInForce } from '../../shared/overrides';
import { logger, metrics } from '../../shared/powertools';
import { type InvalidationStore, pathsUsed } from '../../state/invalidations';
import type { Outcome, StateStore } from '../../state/store';
import { type CdnEvent, type DeployEvent, isDeployEvent, parseServiceArn } from './events';

export interface CdnServiceDeps {
  readonly config: AutoscalerConfig;
  /** Switches (pause, dry-run) and the audit trail. */
  readonly store: StateStore;
  readonly batches: InvalidationStore;
  readonly cloudFront: SendClient;
  /** Where sent, dry-run and failed invalidations (and passing the monthly budget) are announced. @default nobody */
  readonly notifier?: Notifier;
  /** Epoch milliseconds now. */
  readonly now: () => number;
  readonly sleep: Sleep;
}

export interface BatchResult {
  readonly targetId: string;
  readonly windowStart: number;
  /** recorded: paths added; sent, dry-run, failed: done; waiting: kept for a later tick; paused: kept. */
  readonly outcome: 'recorded' | 'sent' | 'dry-run' | 'failed' | 'waiting' | 'paused';
  readonly paths: string[];
  readonly invalidationId?: string;
  readonly reason: string;
}

export interface CdnResult {
  /** recorded: a deploy event's paths kept; flushed: the tick looked at closed batches; rejected: not ours. */
  readonly status: 'recorded' | 'flushed' | 'ignored' | 'rejected';
  readonly detail: string;
  readonly batches: BatchResult[];
}

/** Windows tried after an event's own window turned out closed: now's window and the next ones. */
const LATE_WINDOW_ATTEMPTS = 3;

/**
 * The paths a deploy event asks of one target: its matching triggers' paths, or undefined when no
 * trigger of the target matches (a pipeline that did not succeed, another bucket, a key outside the prefix).
 */
export function pathsForEvent(target: CloudfrontTarget, event: DeployEvent): string[] | undefined {
  const paths: string[] = [];
  let matched = false;
  for (const trigger of target.triggers) {
    if ('ecsDeployment' in trigger && event.source === 'aws.ecs') {
      if (event.detail.eventName !== ECS_DEPLOYMENT_COMPLETED) continue;
      const { cluster, service } = trigger.ecsDeployment;
      if (
        !event.resources.some((r) => {
          const s = parseServiceArn(r);
          return s?.cluster === cluster && s.service === service;
        })
      )
        continue;
      matched = true;
      paths.push(...(trigger.ecsDeployment.paths ?? target.paths));
    } else if ('codePipeline' in trigger && event.source === 'aws.codepipeline') {
      if (event.detail.state !== PIPELINE_SUCCEEDED || event.detail.pipeline !== trigger.codePipeline.pipeline) continue;
      matched = true;
      paths.push(...(trigger.codePipeline.paths ?? target.paths));
    } else if ('s3' in trigger && event.source === 'aws.s3') {
      if (event.detail.bucket.name !== trigger.s3.bucket) continue;
      const path = objectPath(event.detail.object.key, trigger.s3.prefix, trigger.s3.pathPrefix);
      if (!path) continue;
      matched = true;
      paths.push(path);
    }
  }
  return matched ? [...new Set(paths)] : undefined;
}

export class CdnService {
  private readonly targets: CloudfrontTarget[];
  private readonly cloudFront: CloudFrontAdapter;

  constructor(private readonly deps: CdnServiceDeps) {
    this.targets = deps.config.targets.filter((t): t is CloudfrontTarget => t.kind === 'cloudfront');
    this.cloudFront = new CloudFrontAdapter(deps.cloudFront);
  }

  async handle(event: CdnEvent, eventKey: string): Promise<CdnResult> {
    return isDeployEvent(event) ? this.record(event) : this.flush(event, eventKey);
  }

  /** Adds the event's paths to each matching target's open batch. No CloudFront call. */
  private async record(event: DeployEvent): Promise<CdnResult> {
    const { batches, now } = this.deps;
    const results: BatchResult[] = [];
    for (const target of this.targets) {
      const paths = pathsForEvent(target, event);
      if (!paths) continue;
      // A deploy is never stale: an old or late event still needs its invalidation, in the next open window.
      const at = Math.min(Date.parse(event.time), now());
      const candidates = [windowStartOf(at, target.coalesceSeconds)];
      const current = windowStartOf(now(), target.coalesceSeconds);
      for (let i = 0; i < LATE_WINDOW_ATTEMPTS; i++) candidates.push(current + i * target.coalesceSeconds);
      let recorded: number | undefined;
      for (const ws of [...new Set(candidates)]) {
        if (await batches.addPaths(target.id, ws, paths)) {
          recorded = ws;
          break;
        }
      }
      if (recorded === undefined) throw new Error(`no open invalidation window for target "${target.id}" after ${LATE_WINDOW_ATTEMPTS} attempts`);
      logger.info('deploy event recorded', { target: target.id, windowStart: recorded, paths: paths.length, source: event.source });
      results.push({ targetId: target.id, windowStart: recorded, outcome: 'recorded', paths, reason: `${event['detail-type']} from ${event.source}` });
    }
    if (!results.length) {
      logger.warn('deploy event matches no configured trigger; rejected', { source: event.source, detailType: event['detail-type'] });
      metrics.addMetric('RejectedEvents', MetricUnit.Count, 1);
      return { status: 'rejected', detail: `${event['detail-type']} from ${event.source} matches no configured trigger`, batches: [] };
    }
    return { status: 'recorded', detail: `${results.length} target(s)`, batches: results };
  }

  /** Sends every batch whose window has closed. */
  private async flush(event: ReevaluateEvent, eventKey: string): Promise<CdnResult> {
    if (event.family !== 'cdn') {
      logger.warn('schedule for another family; rejected', { family: event.family });
      return { status: 'rejected', detail: `schedule is for family "${event.family}", not cdn`, batches: [] };
    }
    // One distribution's trouble does not stop the others; the invocation fails at the end if any failed.
    const results = (await eachTarget(this.targets, (target) => this.flushTarget(target, eventKey), { family: 'cdn', idOf: (t) => t.id })).flat();
    return { status: results.length ? 'flushed' : 'ignored', detail: `${results.length} closed batch(es)`, batches: results };
  }

  private async flushTarget(target: CloudfrontTarget, eventKey: string): Promise<BatchResult[]> {
    const { batches, store, config, now } = this.deps;
    const t = now();
    // Window [ws, ws + coalesceSeconds) is closed once ws + coalesceSeconds <= now.
    const closedUpTo = Math.floor(t / 1000) - target.coalesceSeconds;
    const open = await batches.openBatches(target.id, closedUpTo);
    if (!open.length) return [];
    const switches = await switchesInForce(store, target.id, t);
    const results: BatchResult[] = [];
    for (const batch of open) {
      const ref = callerReference(target.id, batch.windowStart);
      if (switches.paused) {
        results.push(await this.paused(target, batch.windowStart, batch.planned ?? batch.paths, eventKey));
        continue;
      }
      const dryRun = config.dryRun || target.dryRun || switches.dryRun;
      let frozen = batch.planned;
      let overBudget = false;
      let reason = batch.planned ? `retry ${batch.attempts + 1} of the planned batch` : '';
      try {
        if (!frozen) {
          const month = monthOf(t);
          const plan = planInvalidation({
            requested: batch.paths,
            inProgress: dryRun ? { paths: 0, wildcards: 0 } : await this.cloudFront.inProgress(target.distributionId),
            usedThisMonth: await pathsUsed(batches, target.id, month.from, month.to),
            policy: { monthlyPathBudget: target.monthlyPathBudget },
          });
          reason = plan.reason;
          if (plan.action === 'wait') {
            await batches.noteRetry(target.id, batch.windowStart, plan.reason);
            results.push({ targetId: target.id, windowStart: batch.windowStart, outcome: 'waiting', paths: batch.paths, reason: plan.reason });
            break; // later batches would not fit either
          }
          if (plan.action === 'invalidate' && plan.overBudget) {
            overBudget = true;
            logger.warn('monthly invalidation path budget exceeded; batch collapsed to wildcards', {
              target: target.id,
              month: month.label,
              budget: target.monthlyPathBudget,
              paths: plan.paths,
            });
            metrics.addMetric('InvalidationBudgetExceeded', MetricUnit.Count, 1);
          }
          frozen = await batches.plan(target.id, batch.windowStart, plan.action === 'invalidate' ? plan.paths : []);
          if (!frozen) continue; // completed meanwhile by another tick
        }
        if (frozen.length === 0 || dryRun) {
          const outcome = frozen.length === 0 ? 'sent' : 'dry-run';
          await this.complete(target, batch.windowStart, outcome, frozen, undefined, dryRun ? `dry-run: ${reason}` : reason, eventKey, overBudget);
          results.push({ targetId: target.id, windowStart: batch.windowStart, outcome, paths: frozen, reason });
          continue;
        }
        // Read again right before the write: a pause or dry-run set while this batch was planned holds it.
        // A paused batch keeps its frozen plan and goes out, with the same CallerReference, once resumed.
        const latest = await switchesInForce(store, target.id, now());
        if (latest.paused) {
          results.push(await this.paused(target, batch.windowStart, frozen, eventKey));
          continue;
        }
        if (latest.dryRun) {
          await this.complete(target, batch.windowStart, 'dry-run', frozen, undefined, `dry-run: ${reason}`, eventKey, overBudget);
          results.push({ targetId: target.id, windowStart: batch.windowStart, outcome: 'dry-run', paths: frozen, reason });
          continue;
        }
        const inv = await this.cloudFront.createInvalidation(target.distributionId, ref, frozen);
        await this.complete(target, batch.windowStart, 'sent', frozen, inv.id, reason, eventKey, overBudget);
        metrics.addMetric('InvalidationPaths', MetricUnit.Count, frozen.length);
        logger.info('invalidation created', { target: target.id, callerReference: ref, invalidationId: inv.id, paths: frozen.length });
        results.push({ targetId: target.id, windowStart: batch.windowStart, outcome: 'sent', paths: frozen, invalidationId: inv.id, reason });
      } catch (err) {
        if (err instanceof TerminalError) {
          logger.error('invalidation failed for good', { target: target.id, callerReference: ref, code: err.code, error: err.message });
          metrics.addMetric('InvalidationFailures', MetricUnit.Count, 1);
          await this.complete(target, batch.windowStart, 'failed', frozen ?? [], undefined, err.message, eventKey);
          results.push({ targetId: target.id, windowStart: batch.windowStart, outcome: 'failed', paths: frozen ?? batch.paths, reason: err.message });
          continue;
        }
        // TooManyInvalidationsInProgress, throttling that outlasted the backoff, a server error: next tick.
        const why = (err as Error).message;
        logger.warn(err instanceof InvalidationsBusyError ? 'distribution busy; batch kept for the next tick' : 'invalidation deferred', {
          target: target.id,
          callerReference: ref,
          error: why,
        });
        await batches.noteRetry(target.id, batch.windowStart, why);
        results.push({ targetId: target.id, windowStart: batch.windowStart, outcome: 'waiting', paths: frozen ?? batch.paths, reason: why });
        break;
      }
    }
    return results;
  }

  /** A batch held by a pause: kept (with its plan, if any) until resumed, and the decision recorded. */
  private async paused(target: CloudfrontTarget, windowStart: number, paths: string[], eventKey: string): Promise<BatchResult> {
    const { store, config, now } = this.deps;
    const reason = 'paused: kept until resumed';
    await store.appendAudit(
      {
        targetId: target.id,
        at: now(),
        outcome: 'paused',
        reason: `${paths.length} path(s) [${paths.slice(0, 10).join(', ')}${paths.length > 10 ? ', ...' : ''}]; ${reason}`,
        eventId: eventKey,
        figures: { windowStart, paths: paths.length },
      },
      config.auditRetentionDays,
    );
    return { targetId: target.id, windowStart, outcome: 'paused', paths, reason };
  }

  private async complete(
    target: CloudfrontTarget,
    windowStart: number,
    outcome: 'sent' | 'dry-run' | 'failed',
    paths: string[],
    invalidationId: string | undefined,
    reason: string,
    eventKey: string,
    overBudget = false,
  ): Promise<void> {
    const { batches, store, config, now } = this.deps;
    const at = now();
    await batches.complete(
      { targetId: target.id, windowStart, outcome, pathCount: outcome === 'failed' ? 0 : paths.length, paths, invalidationId, reason, at },
      Math.max(config.auditRetentionDays, 35),
    );
    const audit: Outcome = outcome === 'sent' ? 'applied' : outcome;
    await store.appendAudit(
      {
        targetId: target.id,
        at,
        outcome: audit,
        reason: `${invalidationId ? `invalidation ${invalidationId}: ` : ''}${paths.length} path(s) [${paths.slice(0, 10).join(', ')}${paths.length > 10 ? ', ...' : ''}]; ${reason}`,
        eventId: eventKey,
        figures: { windowStart, paths: paths.length },
      },
      config.auditRetentionDays,
    );
    if (outcome === 'sent' && paths.length === 0) return;
    const what = { sent: `invalidated ${paths.length} path(s)`, 'dry-run': `dry-run, would invalidate ${paths.length} path(s)`, failed: 'invalidation FAILED' }[
      outcome
    ];
    try {
      await (this.deps.notifier ?? noopNotifier).notify({
        subject: `[${config.prefix}] ${target.id}: ${what}${overBudget ? ' (monthly path budget exceeded)' : ''}`,
        body: {
          prefix: config.prefix,
          targetId: target.id,
          kind: target.kind,
          distributionId: target.distributionId,
          outcome,
          paths,
          invalidationId,
          callerReference: callerReference(target.id, windowStart),
          overBudget,
          monthlyPathBudget: target.monthlyPathBudget,
          reason,
          at: new Date(at).toISOString(),
          eventId: eventKey,
        },
      });
    } catch (err) {
      logger.warn('notification not sent', { target: target.id, error: (err as Error).message });
      metrics.addMetric('NotificationFailures', MetricUnit.Count, 1);
    }
  }
}
