/**
 * Lambda entry of the capacity family (ASG and ECS web tiers): alarm state changes and the 1-minute
 * re-evaluation schedule. Thin: parse the event, make the work idempotent on the event's identity,
 * delegate to CapacityService.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { bundledConfig } from '../../shared/bundled-config';
import { RejectedEventError } from '../../shared/errors';
import { z } from 'zod';
import { CapacityEvent, CapacityEventSchema, isAlarmEvent, summarizeParseError, WindowEvent, WindowEventSchema } from '../../shared/events';
import { dynamoPersistence, memoryPersistence } from '../../shared/idempotency';
import { logger, metrics, tracer } from '../../shared/powertools';
import { DynamoStateStore } from '../../state/dynamo';
import { realSleep } from '../../adapters/types';
import { SnsNotifier } from '../../adapters/sns';
import { CapacityResult, CapacityService, CapacityServiceDeps } from './service';

export interface CapacityHandlerDeps extends CapacityServiceDeps {
  /** Where idempotency records live. @default an in-memory layer (simulator, tests) */
  readonly idempotency?: BasePersistenceLayer;
}

/** The identity of an event for idempotency: the EventBridge id, or the schedule's family and time. */
export function eventKey(event: CapacityEvent | WindowEvent): string {
  if ('action' in event && event.action === 'window') return `window:${event.window}:${event.edge}:${event.scheduledTime}`;
  const e = event as CapacityEvent;
  return isAlarmEvent(e) ? `alarm:${e.id}` : `reevaluate:${e.family}:${e.scheduledTime}`;
}

/** Alarm state changes, the 1-minute re-evaluation, and capacity window schedules. */
const CapacityOrWindowSchema = z.union([CapacityEventSchema, WindowEventSchema]);

export function createCapacityHandler(deps: CapacityHandlerDeps) {
  const service = new CapacityService(deps);
  const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: 3600 });
  const handleOnce = makeIdempotent((request: { key: string; event: CapacityEvent | WindowEvent }) => service.handle(request.event, request.key), {
    persistenceStore: deps.idempotency ?? memoryPersistence(),
    config: idempotencyConfig,
  });

  const onEvent = async (event: unknown, context: Context): Promise<CapacityResult> => {
    const parsed = CapacityOrWindowSchema.safeParse(event);
    if (!parsed.success) {
      // Thrown, not returned: after Lambda's retries the event lands in the dead-letter queue for a person to see.
      const why = summarizeParseError(parsed.error);
      logger.error('malformed or foreign event rejected', { why });
      metrics.addMetric('RejectedEvents', MetricUnit.Count, 1);
      throw new RejectedEventError(`event rejected: ${why}`);
    }
    idempotencyConfig.registerLambdaContext(context);
    return handleOnce({ key: eventKey(parsed.data), event: parsed.data });
  };

  return middy(onEvent)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

function deployedDeps(): CapacityHandlerDeps {
  const stateTable = process.env.STATE_TABLE_NAME;
  const idempotencyTable = process.env.IDEMPOTENCY_TABLE_NAME;
  if (!stateTable || !idempotencyTable) throw new Error('STATE_TABLE_NAME and IDEMPOTENCY_TABLE_NAME must be set');
  const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
  return {
    config: bundledConfig(),
    store: new DynamoStateStore({ tableName: stateTable, client: DynamoDBDocumentClient.from(dynamo) }),
    autoScaling: tracer.captureAWSv3Client(new AutoScalingClient({})),
    ecs: tracer.captureAWSv3Client(new ECSClient({})),
    cloudWatch: tracer.captureAWSv3Client(new CloudWatchClient({})),
    idempotency: dynamoPersistence(idempotencyTable, dynamo),
    // Deployed without a topic (an older stack), decisions are still recorded, just not announced.
    notifier: process.env.TOPIC_ARN ? new SnsNotifier(tracer.captureAWSv3Client(new SNSClient({})), process.env.TOPIC_ARN) : undefined,
    now: Date.now,
    sleep: realSleep,
  };
}

let deployed: ReturnType<typeof createCapacityHandler> | undefined;

/** The function's entry point; its clients and config are built once per execution environment. */
export const handler = (event: unknown, context: Context) => (deployed ??= createCapacityHandler(deployedDeps()))(event, context);
