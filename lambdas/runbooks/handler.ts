/**
 * Lambda entry of the runbook tasks (rds-replicas, redis, rds-storage, rds-instance, set-capacity): one function, the
 * task named in the event. Thin: parse, dispatch, return the run's new state. Errors travel by name to
 * the state machine: `ResourceBusy` is retried with backoff; throttling or a 5xx that outlasted the
 * SDK's retries leaves as `ServiceUnavailable`, also retried with backoff; `Paused` and `DryRun` (the
 * switches, read before each write) end the run through its stop chain; anything else is caught,
 * reported, and fails the run.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import * as v from 'valibot';
import { CloudWatchAdapter } from '../adapters/cloudwatch';
import { ElastiCacheAdapter } from '../adapters/elasticache';
import { RdsAdapter } from '../adapters/rds';
import { Route53Adapter } from '../adapters/route53';
import { SnsNotifier } from '../adapters/sns';
import { SqsAdapter } from '../adapters/sqs';
import { SsmAdapter } from '../adapters/ssm';
import { realSleep } from '../adapters/types';
import { bundledConfig } from '../shared/bundled-config';
import { awsClient } from '../shared/clients';
import { STATE_TABLE_ENV, TOPIC_ARN_ENV } from '../shared/environment';
import { asTaskError, RejectedEventError } from '../shared/errors';
import { logger, tracer } from '../shared/powertools';
import { RUNBOOK_TASKS } from '../shared/runbook-tasks';
import { describeProblems, nonEmpty } from '../shared/validate';
import { DynamoStateStore } from '../state/dynamo';
import * as capacity from './capacity';
import type { RunbookContext } from './context';
import * as instance from './instance';
import { notifyOutcome } from './notify';
import * as redis from './redis';
import * as replicas from './replicas';
import * as storage from './storage';

export const TaskEventSchema = v.object({
  task: v.picklist(RUNBOOK_TASKS),
  /** The run's state: the execution input, then what earlier tasks returned. */
  state: v.record(v.string(), v.unknown()),
  /** The execution's name (`$$.Execution.Name`), recorded on what the run creates. */
  execution: v.optional(nonEmpty(), 'manual'),
});
export type TaskEvent = v.InferInput<typeof TaskEventSchema>;

export function createRunbookTask(ctx: RunbookContext) {
  const dispatch = dispatchTask(ctx);
  return async (event: unknown): Promise<Record<string, unknown>> => {
    try {
      return await dispatch(event);
    } catch (err) {
      throw asTaskError(err);
    }
  };
}

function dispatchTask(ctx: RunbookContext) {
  return async (event: unknown): Promise<Record<string, unknown>> => {
    const parsed = v.safeParse(TaskEventSchema, event);
    if (!parsed.success) throw new RejectedEventError(`runbook task event rejected: ${describeProblems(parsed.issues)}`);
    const { task, state, execution } = parsed.output;
    logger.debug('runbook task', { task, execution });
    switch (task) {
      case 'replicas.reconcile':
        return { ...(await replicas.reconcile(ctx, state, execution)) };
      case 'replicas.create':
        return { ...(await replicas.create(ctx, state as unknown as replicas.ReplicasState, execution)) };
      case 'replicas.remove':
        return { ...(await replicas.remove(ctx, state as unknown as replicas.ReplicasState, execution)) };
      case 'replicas.publish':
        return { ...(await replicas.publish(ctx, state as unknown as replicas.ReplicasState)) };
      case 'redis.check':
        return { ...(await redis.check(ctx, state, execution)) };
      case 'redis.modify':
        return { ...(await redis.modify(ctx, state as unknown as redis.RedisState, execution)) };
      case 'redis.poll':
        return { ...(await redis.poll(ctx, state as unknown as redis.RedisState)) };
      case 'storage.check':
        return { ...(await storage.check(ctx, state, execution)) };
      case 'storage.modify':
        return { ...(await storage.modify(ctx, state as unknown as storage.StorageState, execution)) };
      case 'storage.poll':
        return { ...(await storage.poll(ctx, state as unknown as storage.StorageState)) };
      case 'instance.check':
        return { ...(await instance.check(ctx, state, execution)) };
      case 'instance.modify':
        return { ...(await instance.modify(ctx, state as unknown as instance.InstanceState, execution)) };
      case 'instance.poll':
        return { ...(await instance.poll(ctx, state as unknown as instance.InstanceState)) };
      case 'capacity.set':
        return { ...(await capacity.set(ctx, state, execution)) };
      case 'notify':
        return notifyOutcome(ctx, state, execution);
    }
  };
}

function deployedContext(): RunbookContext {
  const stateTable = process.env[STATE_TABLE_ENV];
  if (!stateTable) throw new Error(`${STATE_TABLE_ENV} must be set`);
  const dynamo = awsClient(DynamoDBClient);
  return {
    config: bundledConfig(),
    rds: new RdsAdapter(awsClient(RDSClient)),
    elastiCache: new ElastiCacheAdapter(awsClient(ElastiCacheClient)),
    ssm: new SsmAdapter(awsClient(SSMClient)),
    route53: new Route53Adapter(awsClient(Route53Client)),
    cloudWatch: new CloudWatchAdapter(awsClient(CloudWatchClient)),
    fleets: { autoScaling: awsClient(AutoScalingClient), ecs: awsClient(ECSClient), sqs: new SqsAdapter(awsClient(SQSClient)), sleep: realSleep },
    store: new DynamoStateStore({ tableName: stateTable, client: DynamoDBDocumentClient.from(dynamo) }),
    notifier: process.env[TOPIC_ARN_ENV] ? new SnsNotifier(awsClient(SNSClient), process.env[TOPIC_ARN_ENV]) : undefined,
    now: Date.now,
  };
}

let deployed: ReturnType<typeof createRunbookTask> | undefined;

/** The function's entry point; its clients and config are built once per execution environment. */
export const handler = middy((event: unknown) => {
  deployed ??= createRunbookTask(deployedContext());
  return deployed(event);
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }));
