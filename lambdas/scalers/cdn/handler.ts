/**
 * Lambda entry of the cdn family (CloudFront invalidations): deploy events (ECS deployment completed,
 * CodePipeline execution succeeded, S3 object created) and the 1-minute tick that flushes closed
 * windows, and the tasks of the `invalidate` runbook. Thin: parse, delegate to CdnService or the runbook tasks.
 *
 * No idempotency layer is needed: recording adds to a set (a redelivered event adds nothing), and a
 * flush freezes its paths before sending them with the batch's CallerReference, which CloudFront
 * deduplicates (a repeated send returns the first invalidation).
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import * as v from 'valibot';
import { awsClient } from '../../shared/clients';
import { deployedBase, lazyEntry, parseOrReject, withPowertools } from '../../shared/entry';
import { asTaskError } from '../../shared/errors';
import { DynamoInvalidationStore } from '../../state/invalidations-dynamo';
import { type CdnEvent, CdnEventSchema, isDeployEvent } from './events';
import { InvalidateRunbookTasks, InvalidateTaskEventSchema } from './runbook';
import { type CdnResult, CdnService, type CdnServiceDeps } from './service';

/** The identity of an event in logs and the audit trail: the EventBridge id, or the tick's time. */
export function eventKey(event: CdnEvent): string {
  return isDeployEvent(event) ? `deploy:${event.id}` : `flush:${event.family}:${event.scheduledTime}`;
}

export function createCdnHandler(deps: CdnServiceDeps) {
  const service = new CdnService(deps);
  const runbook = new InvalidateRunbookTasks(deps);

  return withPowertools(async (event: unknown): Promise<CdnResult | Record<string, unknown>> => {
    // A task of the invalidate runbook: its answer is the run's new state; its errors travel by name.
    const task = v.safeParse(InvalidateTaskEventSchema, event);
    if (task.success) {
      try {
        return await runbook.run(task.output);
      } catch (err) {
        throw asTaskError(err);
      }
    }
    const parsed = parseOrReject(CdnEventSchema, event);
    return service.handle(parsed, eventKey(parsed));
  });
}

function deployedDeps(): CdnServiceDeps {
  const { config, store, notifier, now, sleep, document, stateTable } = deployedBase();
  return {
    config,
    store,
    notifier,
    now,
    sleep,
    batches: new DynamoInvalidationStore({ tableName: stateTable, client: document }),
    cloudFront: awsClient(CloudFrontClient),
  };
}

/** The function's entry point; its clients and config are built once per execution environment. */
export const handler = lazyEntry(() => createCdnHandler(deployedDeps()));
