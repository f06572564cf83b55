/**
 * Lambda entry of the cdn family (CloudFront invalidations): deploy events (ECS deployment completed,
 * CodePipeline execution succeeded, S3 object created) and the 1-minute tick that flushes closed
 * windows, and the tasks of the `invalidate` runbook. Thin: parse, delegate to CdnService or the runbook tasks.
 *
 * No idempotency layer is needed: recording adds to a set (a redelivered event adds nothing), and a
 * flush freezes its paths before sending them with the batch's CallerReference, which CloudFront
 * deduplicates (a repeated send returns the first invalidation).
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SnsNotifier } from '../../adapters/sns';
import { realSleep } from '../../adapters/types';
import { bundledConfig } from '../../shared/bundled-config';
import { RejectedEventError } from '../../shared/errors';
import { summarizeParseError } from '../../shared/events';
import { logger, metrics, tracer } from '../../shared/powertools';
import { DynamoStateStore } from '../../state/dynamo';
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

  const onEvent = async (event: unknown): Promise<CdnResult | Record<string, unknown>> => {
    // A task of the invalidate runbook: its answer is the run's new state; its errors travel by name.
    const task = InvalidateTaskEventSchema.safeParse(event);
    if (task.success) return runbook.run(task.data);
    const parsed = CdnEventSchema.safeParse(event);
    if (!parsed.success) {
      const why = summarizeParseError(parsed.error);
      logger.error('malformed or foreign event rejected', { why });
      metrics.addMetric('RejectedEvents', MetricUnit.Count, 1);
      throw new RejectedEventError(`event rejected: ${why}`);
    }
    return service.handle(parsed.data, eventKey(parsed.data));
  };

  return middy(onEvent)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

function deployedDeps(): CdnServiceDeps {
  const stateTable = process.env.STATE_TABLE_NAME;
  if (!stateTable) throw new Error('STATE_TABLE_NAME must be set');
  const doc = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));
  return {
    config: bundledConfig(),
    store: new DynamoStateStore({ tableName: stateTable, client: doc }),
    batches: new DynamoInvalidationStore({ tableName: stateTable, client: doc }),
    cloudFront: tracer.captureAWSv3Client(new CloudFrontClient({})),
    notifier: process.env.TOPIC_ARN ? new SnsNotifier(tracer.captureAWSv3Client(new SNSClient({})), process.env.TOPIC_ARN) : undefined,
    now: Date.now,
    sleep: realSleep,
  };
}

let deployed: ReturnType<typeof createCdnHandler> | undefined;

/** The function's entry point; its clients and config are built once per execution environment. */
export const handler = (event: unknown, context: Context) => (deployed ??= createCdnHandler(deployedDeps()))(event, context);
