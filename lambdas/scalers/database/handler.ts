/**
 * Lambda entry of the database family (rds-replicas, rds-storage, redis): alarm state changes and the
 * 1-minute re-evaluation schedule. Thin: parse the event, make the work idempotent on the event's
 * identity, delegate to DatabaseService, which starts the targets' runbooks.
 */

import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClient } from '../../shared/clients';
import { lazyEntry } from '../../shared/entry';
import { type CapacityEvent, CapacityEventSchema, isAlarmEvent } from '../../shared/events';
import { deployedIdempotentBase, idempotentEntry } from '../../shared/handler';
import { RUNBOOK_ARN_ENV } from '../../shared/kinds/facts';
import { type DatabaseResult, DatabaseService, type DatabaseServiceDeps, type RunbookArns } from './service';

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
  return idempotentEntry<CapacityEvent, DatabaseResult>({
    schema: CapacityEventSchema,
    key: eventKey,
    handle: (event, key) => service.handle(event, key),
    persistence: deps.idempotency,
  });
}

function deployedDeps(): DatabaseHandlerDeps {
  const { config, store, idempotency, now, notifier } = deployedIdempotentBase();
  const runbooks: Record<string, string> = {};
  for (const [kind, env] of Object.entries(RUNBOOK_ARN_ENV)) if (process.env[env]) runbooks[kind] = process.env[env]!;
  return {
    config,
    store,
    idempotency,
    now,
    rds: awsClient(RDSClient),
    elastiCache: awsClient(ElastiCacheClient),
    cloudWatch: awsClient(CloudWatchClient),
    stepFunctions: awsClient(SFNClient),
    runbooks: runbooks as RunbookArns,
    notifier,
  };
}

/** The function's entry point; its clients and config are built once per execution environment. */
export const handler = lazyEntry(() => createDatabaseHandler(deployedDeps()));
