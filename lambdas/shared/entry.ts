/**
 * What every function's Lambda entry shares: parse or reject the event, wrap the work in the
 * Powertools middlewares (in this order: tracer, logger, metrics), and build the deployed clients once
 * per execution environment. Nothing of idempotency: a function that keeps no idempotency records
 * (the cdn family, the operator API, the recommender's entry) never loads Powertools' idempotency
 * module at cold start; the families that keep them add it with lambdas/shared/handler.ts.
 */

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
import { STATE_TABLE_ENV, TOPIC_ARN_ENV } from './environment';
import { RejectedEventError } from './errors';
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

/** What every deployed function builds from its environment the same way. */
export interface DeployedBase {
  readonly config: AutoscalerConfig;
  readonly dynamo: DynamoDBClient;
  readonly document: DynamoDBDocumentClient;
  readonly stateTable: string;
  readonly store: DynamoStateStore;
  /** Deployed without a topic (an older stack), decisions are still recorded, just not announced. */
  readonly notifier?: SnsNotifier;
  readonly now: () => number;
  readonly sleep: Sleep;
}

export function deployedBase(): DeployedBase {
  const stateTable = process.env[STATE_TABLE_ENV];
  if (!stateTable) throw new Error(`${STATE_TABLE_ENV} must be set`);
  const dynamo = awsClient(DynamoDBClient);
  const document = DynamoDBDocumentClient.from(dynamo);
  return {
    config: bundledConfig(),
    dynamo,
    document,
    stateTable,
    store: new DynamoStateStore({ tableName: stateTable, client: document }),
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
