/**
 * Lambda entry of the capacity family (ASG and ECS web tiers): alarm state changes and the 1-minute
 * re-evaluation schedule. Thin: parse the event, make the work idempotent on the event's identity,
 * delegate to CapacityService.
 */

import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { awsClient } from '../../shared/clients';
import { lazyEntry } from '../../shared/entry';
import { type CapacityEvent, CapacityOrWindowSchema, isAlarmEvent, type WindowEvent } from '../../shared/events';
import { deployedIdempotentBase, idempotentEntry } from '../../shared/handler';
import { type CapacityResult, CapacityService, type CapacityServiceDeps } from './service';

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

export function createCapacityHandler(deps: CapacityHandlerDeps) {
  const service = new CapacityService(deps);
  return idempotentEntry<CapacityEvent | WindowEvent, CapacityResult>({
    schema: CapacityOrWindowSchema,
    key: eventKey,
    handle: (event, key) => service.handle(event, key),
    persistence: deps.idempotency,
  });
}

function deployedDeps(): CapacityHandlerDeps {
  const base = deployedIdempotentBase();
  return {
    ...base,
    autoScaling: awsClient(AutoScalingClient),
    ecs: awsClient(ECSClient),
    cloudWatch: awsClient(CloudWatchClient),
  };
}

/** The function's entry point; its clients and config are built once per execution environment. */
// Pure: a bundle that imports this module for `createCapacityHandler` alone (the recommender's replays) drops the deployed entry.
export const handler = /* @__PURE__ */ lazyEntry(() => createCapacityHandler(deployedDeps()));
