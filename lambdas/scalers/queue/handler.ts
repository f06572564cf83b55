/**
 * Lambda entry of the queue family (queue-workers targets): the 1-minute poll of every queue, the
 * age-of-oldest-message alarm and capacity window schedules. Thin: parse the event, make the work
 * idempotent on the event's identity, delegate to QueueService.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { bundledConfig } from '../../shared/bundled-config';
import { RejectedEventError } from '../../shared/errors';
import { AlarmStateChangeSchema, ReevaluateSchema, summarizeParseError, WindowEventSchema } from '../../shared/events';
import { dynamoPersistence, memoryPersistence } from '../../shared/idempotency';
import { logger, metrics, tracer } from '../../shared/powertools';
import { DynamoStateStore } from '../../state/dynamo';
import { realSleep } from '../../adapters/types';
import { SnsNotifier } from '../../adapters/sns';
import { QueueEvent, QueueResult, QueueService, QueueServiceDeps } from './service';

export const QueueEventSchema = z.union([AlarmStateChangeSchema, ReevaluateSchema, WindowEventSchema]);

export interface QueueHandlerDeps extends QueueServiceDeps {
  /** Where idempotency records live. @default an in-memory layer (simulator, tests) */
  readonly idempotency?: BasePersistenceLayer;
}

/** The identity of an event for idempotency: the EventBridge id, or the schedule's kind and time. */
export function queueEventKey(event: QueueEvent): string {
  if ('detail-type' in event) return `alarm:${event.id}`;
  if (event.action === 'window') return `window:${event.window}:${event.edge}:${event.scheduledTime}`;
  return `poll:${event.family}:${event.scheduledTime}`;
}

export function createQueueHandler(deps: QueueHandlerDeps) {
  const service = new QueueService(deps);
  const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: 3600 });
  const handleOnce = makeIdempotent((request: { key: string; event: QueueEvent }) => service.handle(request.event, request.key), {
    persistenceStore: deps.idempotency ?? memoryPersistence(),
    config: idempotencyConfig,
  });

  const onEvent = async (event: unknown, context: Context): Promise<QueueResult> => {
    const parsed = QueueEventSchema.safeParse(event);
    if (!parsed.success) {
      const why = summarizeParseError(parsed.error);
      logger.error('malformed or foreign event rejected', { why });
      metrics.addMetric('RejectedEvents', MetricUnit.Count, 1);
      throw new RejectedEventError(`event rejected: ${why}`);
    }
    idempotencyConfig.registerLambdaContext(context);
    return handleOnce({ key: queueEventKey(parsed.data), event: parsed.data });
  };

  return middy(onEvent)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

function deployedDeps(): QueueHandlerDeps {
  const stateTable = process.env.STATE_TABLE_NAME;
  const idempotencyTable = process.env.IDEMPOTENCY_TABLE_NAME;
  if (!stateTable || !idempotencyTable) throw new Error('STATE_TABLE_NAME and IDEMPOTENCY_TABLE_NAME must be set');
  const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
  return {
    config: bundledConfig(),
    store: new DynamoStateStore({ tableName: stateTable, client: DynamoDBDocumentClient.from(dynamo) }),
    sqs: tracer.captureAWSv3Client(new SQSClient({})),
    autoScaling: tracer.captureAWSv3Client(new AutoScalingClient({})),
    ecs: tracer.captureAWSv3Client(new ECSClient({})),
    idempotency: dynamoPersistence(idempotencyTable, dynamo),
    notifier: process.env.TOPIC_ARN ? new SnsNotifier(tracer.captureAWSv3Client(new SNSClient({})), process.env.TOPIC_ARN) : undefined,
    now: Date.now,
    sleep: realSleep,
  };
}

let deployed: ReturnType<typeof createQueueHandler> | undefined;

/** The function's entry point; its clients and config are built once per execution environment. */
export const handler = (event: unknown, context: Context) => (deployed ??= createQueueHandler(deployedDeps()))(event, context);
