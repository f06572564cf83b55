/**
 * `rabbitmq-workers`: Celery workers fed by one queue on an Amazon MQ for RabbitMQ broker, sized by the
 * queue family's engine (lambdas/engine/queue.ts) on the queue's depth, like `queue-workers`.
 *
 * The depth comes from CloudWatch, not from the broker: reading a queue on the broker itself takes
 * broker credentials and a function in the broker's VPC. Amazon MQ publishes per-queue metrics in
 * `AWS/AmazonMQ` with the dimensions `Broker`, `VirtualHost` and `Queue`: `MessageReadyCount` ("the
 * number of messages that are currently available to be delivered": the visible backlog) and
 * `MessageUnacknowledgedCount` ("the number of messages for which the server is awaiting
 * acknowledgement": in flight, prefetched included) (Amazon MQ Developer Guide, "Available CloudWatch
 * metrics for Amazon MQ for RabbitMQ brokers", RabbitMQ queue metrics and their dimensions). They are
 * "automatically polled from the broker and then pushed to CloudWatch every minute" (Amazon MQ
 * Developer Guide, "Monitoring Amazon MQ brokers using Amazon CloudWatch"): period 60 s.
 *
 * Limits of that source, stated in the README:
 * - "CloudWatch monitors only the first 500 destinations, ordered by number of consumers" (Quotas in
 *   Amazon MQ): on a broker with more queues, a queue without consumers (scaled to zero) may go unmonitored.
 * - "Amazon MQ for RabbitMQ will not publish metrics for virtual hosts and queues with names containing
 *   blank spaces, tabs or other non-ASCII characters": such names are rejected here.
 * - "If you use RabbitMQ version 4.x brokers, you can no longer use the `Queue` and `VirtualHost`
 *   dimensions": the kind needs a 3.x broker.
 */
import type { AlarmSpec, MetricRef } from '../alarm-spec';
import { quoted, type TargetResource } from '../config/resources';
import { KIND_FACTS } from './facts';
import type { KindRules, TargetKindModule } from './kind';
import { workersResource } from './queue-workers';
import type { RabbitmqWorkersTarget } from './schemas/rabbitmq-workers';

export type { RabbitmqWorkersTarget } from './schemas/rabbitmq-workers';

/** Amazon MQ publishes its queue metrics once a minute. */
export const RABBITMQ_PERIOD_SECONDS = 60;

/** The queue's metrics as Amazon MQ publishes them (dimensions Broker, VirtualHost, Queue); Maximum of the minute. */
export function rabbitmqQueueMetrics(target: RabbitmqWorkersTarget): { ready: MetricRef; unacknowledged: MetricRef } {
  const dimensions = { Broker: target.broker, VirtualHost: target.virtualHost, Queue: target.queue };
  return {
    ready: { namespace: 'AWS/AmazonMQ', metricName: 'MessageReadyCount', dimensions, stat: 'Maximum' },
    unacknowledged: { namespace: 'AWS/AmazonMQ', metricName: 'MessageUnacknowledgedCount', dimensions, stat: 'Maximum' },
  };
}

/** Ready messages above which the backlog alarm fires: more than one worker takes within the wait SLO. */
export function backlogAlarmThreshold(target: RabbitmqWorkersTarget): number {
  return Math.max(1, Math.ceil(target.messagesPerSecondPerWorker * target.maxWaitSeconds));
}

/**
 * The backlog alarm: a safety net that invokes the queue function on the same datapoints the 1-minute
 * poll reads (an alarm sees CloudWatch's lag too, so it is no faster), should the poll be late.
 */
export function rabbitmqWorkersAlarms(prefix: string, target: RabbitmqWorkersTarget): AlarmSpec[] {
  const threshold = backlogAlarmThreshold(target);
  return [
    {
      name: `${prefix}/${target.id}/backlog/high`,
      targetId: target.id,
      signal: 'backlog',
      direction: 'high',
      metric: rabbitmqQueueMetrics(target).ready,
      periodSeconds: RABBITMQ_PERIOD_SECONDS,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold,
      comparison: 'GreaterThanThreshold',
      // No datapoint is no evidence of a backlog.
      treatMissingData: 'notBreaching',
      description: `${target.id}: more than ${threshold} ready messages in ${target.queue} (more than one worker takes in the ${target.maxWaitSeconds} s wait SLO)`,
    },
  ];
}

/** The broker's queue: two targets on one queue would each size a fleet for all of it. */
function brokerQueueResource(t: RabbitmqWorkersTarget): TargetResource {
  return {
    path: ['queue'],
    noun: 'queue',
    shown: `${quoted(t.queue)} in virtual host ${quoted(t.virtualHost)} of broker ${quoted(t.broker)}`,
    key: `amazonmq:${t.broker}/${t.virtualHost}/${t.queue}`,
  };
}

export const rabbitmqWorkers = {
  ...KIND_FACTS['rabbitmq-workers'],
  alarms: rabbitmqWorkersAlarms,
} satisfies TargetKindModule<RabbitmqWorkersTarget>;

/** What synth alone runs of the kind (./rules.ts): the resources a target names, and its checks beyond its schema. */
export const rabbitmqWorkersRules = {
  resources: (t) => [brokerQueueResource(t), workersResource(t.workers)],
} satisfies KindRules<RabbitmqWorkersTarget>;
