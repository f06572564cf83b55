/**
 * What every family's Lambda entry shares: parse or reject the event, make the work idempotent on
 * the event's identity, wrap it in the Powertools middlewares (in this order: tracer, logger,
 * metrics), and build the deployed clients once per execution environment.
 */

import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as v from 'valibot';
import { SnsNotifier } from '../adapters/sns';
import { realSleep, type Sleep } from '../adapters/types';
import { DynamoStateStore } from '../state/dynamo';
import { bundledConfig } from './bundled-config';
import { awsClient } from './clients';
import type { AutoscalerConfig } from './config';
import { IDEMPOTENCY_TABLE_ENV, STATE_TABLE_ENV, TOPIC_ARN_ENV } from './environment';
import { RejectedEventError } from './errors';
import { dynamoPersistence, memoryPersistence } from './idempotency';
import { logger, metrics, tracer } from './powertools';
import { describeProblems, type Schema } from './validate';

/**
 * Parses an event or rejects it: logged, counted, and thrown rather than returned, so that after
 * Lambda's retries it lands in the dead-letter queue for a person to see. No AWS call is made.
 */
export function parseOrReject<T>(schema: Schema<T>, event: unknown): T {
  const parsed = v.safeParse(schema, event);
  if (parsed.success) return parsed.output;
  const why = describeProblems(parsed.issues);
  logger.error('malformed or foreign event rejected', { why });
  metrics.addMetric('RejectedEvents', MetricUnit.Count, 1);
  throw new RejectedEventError(`event rejected: ${why}`);
}

/** A handler function inside the Powertools middlewares. */
export function withPowertools<R>(fn: (event: unknown, context: Context) => Promise<R>) {
  return middy(fn)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

export interface IdempotentEntryOptions<E, R> {
  /** The events this function takes. */
  readonly schema: Schema<E>;
  /** What makes two deliveries the same piece of work (the EventBridge id, a schedule's run time...). */
  readonly key: (event: E) => string;
  readonly handle: (event: E, key: string) => Promise<R>;
  /** Where idempotency records live. @default an in-memory layer (simulator, tests) */
  readonly persistence?: BasePersistenceLayer;
}

/** A family's entry: parse or reject, then the work once per event identity, inside the middlewares. */
export function idempotentEntry<E, R>(options: IdempotentEntryOptions<E, R>) {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: 3600 });
  // The result as Lambda returns it, JSON: Powertools' DynamoDB layer stores it with `marshall`, which
  // refuses an undefined field (a target result without an execution, say) and would fail the invocation.
  const asJson = (result: R): R => JSON.parse(JSON.stringify(result ?? null)) as R;
  const once = makeIdempotent(async (request: { key: string; event: E }) => asJson(await options.handle(request.event, request.key)), {
    persistenceStore: options.persistence ?? memoryPersistence(),
    config,
  });
  return withPowertools(async (event: unknown, context: Context): Promise<R> => {
    const parsed = parseOrReject(options.schema, event);
    config.registerLambdaContext(context);
    return once({ key: options.key(parsed), event: parsed }) as Promise<R>;
  });
}

/** What every deployed function builds from its environment the same way. */
export interface DeployedBase {
  readonly config: AutoscalerConfig;
  readonly dynamo: DynamoDBClient;
  readonly document: DynamoDBDocumentClient;
  readonly stateTable: string;
  readonly store: DynamoStateStore;
  /** Present when the function has an idempotency table. */
  readonly idempotency?: BasePersistenceLayer;
  /** Deployed without a topic (an older stack), decisions are still recorded, just not announced. */
  readonly notifier?: SnsNotifier;
  readonly now: () => number;
  readonly sleep: Sleep;
}

export function deployedBase(options: { idempotency: boolean }): DeployedBase {
  const stateTable = process.env[STATE_TABLE_ENV];
  const idempotencyTable = process.env[IDEMPOTENCY_TABLE_ENV];
  if (!stateTable) throw new Error(`${STATE_TABLE_ENV} must be set`);
  if (options.idempotency && !idempotencyTable) throw new Error(`${IDEMPOTENCY_TABLE_ENV} must be set`);
  const dynamo = awsClient(DynamoDBClient);
  const document = DynamoDBDocumentClient.from(dynamo);
  return {
    config: bundledConfig(),
    dynamo,
    document,
    stateTable,
    store: new DynamoStateStore({ tableName: stateTable, client: document }),
    idempotency: options.idempotency && idempotencyTable ? dynamoPersistence(idempotencyTable, dynamo) : undefined,
    notifier: process.env[TOPIC_ARN_ENV] ? new SnsNotifier(awsClient(SNSClient), process.env[TOPIC_ARN_ENV]) : undefined,
    now: Date.now,
    sleep: realSleep,
  };
}

/**
 * The function's entry point: its clients and config are built on the first event, once per execution
 * environment. Free of side effects until then, so a call to it may be marked pure.
 */
export function lazyEntry<H extends (event: unknown, context: Context) => Promise<unknown>>(build: () => H) {
  let built: H | undefined;
  return (event: unknown, context: Context) => {
    built ??= build();
    return built(event, context);
  };
}
