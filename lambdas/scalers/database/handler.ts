/**
 * Lambda entry of the database family (rds-replicas, rds-storage, redis): alarm state changes and the
 * 1-minute re-evaluation schedule. Thin: parse the event, make the work idempotent on the event's
 * identity, delegate to DatabaseService, which starts the targets' runbooks.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { SFNClient } from '@aws-sdk/client-sfn';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { bundledConfig } from '../../shared/bundled-config';
import { RejectedEventError } from '../../shared/errors';
import { CapacityEvent, CapacityEventSchema, isAlarmEvent, summarizeParseError } from '../../shared/events';
import { dynamoPersistence, memoryPersistence } from '../../shared/idempotency';
import { logger, metrics, tracer } from '../../shared/powertools';
import { DynamoStateStore } from '../../state/dynamo';
import { RUNBOOK_ARN_ENV } from '../../runbooks/names';
import { DatabaseResult, DatabaseService, DatabaseServiceDeps, RunbookArns } from './service';

export interface DatabaseHandlerDeps extends DatabaseServiceDeps {
  /** Where idempotency records live. @default an in-memory layer (tests) */
  readonly idempotency?: BasePersistenceLayer;
}

/** The identity of an event for idempotency: the EventBridge id, or the schedule's family and time. */
export function eventKey(event: CapacityEvent): string {
  return isAlarmEvent(event) ? `alarm:${event.id}` : `reevaluate:${event.family}:${event.scheduledTime}`;
}

export function createDatabaseHandler(deps: DatabaseHandlerDeps) {
  const service = new DatabaseService(deps);
  const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: 3600 });
  const handleOnce = makeIdempotent((request: { key: string; event: CapacityEvent }) => service.handle(request.event, request.key), {
    persistenceStore: deps.idempotency ?? memoryPersistence(),
    config: idempotencyConfig,
  });

  const onEvent = async (event: unknown, context: Context): Promise<DatabaseResult> => {
    const parsed = CapacityEventSchema.safeParse(event);
    if (!parsed.success) {
      const why = summarizeParseError(parsed.error);
      logger.error('malformed or foreign event rejected', { why });
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

function deployedDeps(): DatabaseHandlerDeps {
  const stateTable = process.env.STATE_TABLE_NAME;
  const idempotencyTable = process.env.IDEMPOTENCY_TABLE_NAME;
  if (!stateTable || !idempotencyTable) throw new Error('STATE_TABLE_NAME and IDEMPOTENCY_TABLE_NAME must be set');
  const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
  const runbooks: Record<string, string> = {};
  for (const [kind, env] of Object.entries(RUNBOOK_ARN_ENV)) if (process.env[env]) runbooks[kind] = process.env[env]!;
  return {
    config: bundledConfig(),
    store: new DynamoStateStore({ tableName: stateTable, client: DynamoDBDocumentClient.from(dynamo) }),
    rds: tracer.captureAWSv3Client(new RDSClient({})),
    elastiCache: tracer.captureAWSv3Client(new ElastiCacheClient({})),
    cloudWatch: tracer.captureAWSv3Client(new CloudWatchClient({})),
    stepFunctions: tracer.captureAWSv3Client(new SFNClient({})),
    runbooks: runbooks as RunbookArns,
    idempotency: dynamoPersistence(idempotencyTable, dynamo),
    now: Date.now,
  };
}

let deployed: ReturnType<typeof createDatabaseHandler> | undefined;

export const handler = (event: unknown, context: Context) => (deployed ??= createDatabaseHandler(deployedDeps()))(event, context);
