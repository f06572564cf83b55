/**
 * Lambda entry of the queue family (queue-workers and rabbitmq-workers targets): the 1-minute poll of
 * every queue, the kinds' alarms and capacity window schedules. Thin: parse the event, make the work
 * idempotent on the event's identity, delegate to QueueService.
 */

import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import type { SendClient } from '../../adapters/types';
import { awsClient } from '../../shared/clients';
import { lazyEntry } from '../../shared/entry';
import { CapacityOrWindowSchema } from '../../shared/events';
import { deployedIdempotentBase, idempotentEntry } from '../../shared/handler';
import { SQS_QUEUE_URL } from '../../shared/kinds/queue-workers';
import { type QueueEvent, type QueueResult, QueueService, type QueueServiceDeps } from './service';

/** Alarm state changes, the 1-minute poll and capacity window schedules: the capacity family's events. */
export const QueueEventSchema = CapacityOrWindowSchema;

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
  return idempotentEntry<QueueEvent, QueueResult>({
    schema: QueueEventSchema,
    key: queueEventKey,
    handle: (event, key) => service.handle(event, key),
    persistence: deps.idempotency,
  });
}

/**
 * SQS through a client of each queue's own region (from its URL), each built on first use and kept.
 * The SDK sends a call to the queue URL's host but signs it for the client's region, so one client of
 * the function's region cannot read a queue of another (aws/aws-sdk-js-v3#5812). A command without a
 * queue URL goes to the client of the function's own region (`build(undefined)`).
 */
export function sqsByQueueRegion(build: (region: string | undefined) => SendClient): SendClient {
  const clients = new Map<string | undefined, SendClient>();
  return {
    send(command: { input?: { QueueUrl?: unknown } }) {
      const url = command.input?.QueueUrl;
      const m = typeof url === 'string' ? SQS_QUEUE_URL.exec(url) : null;
      const region = m ? (m[1] ?? m[2]) : undefined;
      let client = clients.get(region);
      if (!client) {
        client = build(region);
        clients.set(region, client);
      }
      return client.send(command);
    },
  };
}

/** The deployed SQS clients: one per queue region (`config` for tests: a request handler, credentials). */
export function deployedSqs(config: SQSClientConfig = {}): SendClient {
  return sqsByQueueRegion((region) => awsClient(SQSClient, { ...config, ...(region ? { region } : {}) }));
}

function deployedDeps(): QueueHandlerDeps {
  const base = deployedIdempotentBase();
  return {
    ...base,
    sqs: deployedSqs(),
    cloudWatch: awsClient(CloudWatchClient),
    autoScaling: awsClient(AutoScalingClient),
    ecs: awsClient(ECSClient),
    cloudWatchIn: inEachRegion((region) => awsClient(CloudWatchClient, { region })),
  };
}

/** A client per region, each built on first use and kept. */
export function inEachRegion(build: (region: string) => SendClient): (region: string) => SendClient {
  const clients = new Map<string, SendClient>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = build(region);
      clients.set(region, client);
    }
    return client;
  };
}

/** The function's entry point; its clients and config are built once per execution environment. */
// Pure: a bundle that imports this module for `createQueueHandler` alone (the recommender's replays) drops the deployed entry.
export const handler = /* @__PURE__ */ lazyEntry(() => createQueueHandler(deployedDeps()));
