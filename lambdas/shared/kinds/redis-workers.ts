/**
 * `redis-workers`: Celery workers fed by queues on a Redis broker, sized by the queue family's engine
 * (lambdas/engine/queue.ts) on the queues' depth, like `rabbitmq-workers`.
 *
 * AWS publishes no metric of a Redis list's length, so the deployment's broker reader (one function in
 * the brokers' VPC: lambdas/publisher) reads it every minute and publishes it to CloudWatch, in the
 * deployment's own namespace `<prefix>/Celery`; the queue function reads it there as it reads Amazon MQ's.
 *
 * What the reader counts, from kombu's Redis transport (kombu.transport.redis, the transport Celery uses
 * for a `redis://` or `rediss://` broker URL):
 * - A queue is a Redis list whose key is the queue's name (`celery` unless configured): LPUSH to publish,
 *   BRPOP to consume. With priorities, a message of priority step n > 0 goes to the list
 *   `<queue>\x06\x16<n>` (`Channel.sep = '\x06\x16'`, `priority_steps = [0, 3, 6, 9]`; `_q_for_pri`
 *   returns the bare queue name for step 0), and kombu's own `_size` sums LLEN over those four keys.
 * - A message taken by a worker and not yet acknowledged sits in one hash, `unacked`
 *   (`Channel.unacked_key`; `QoS.append` HSETs it by delivery tag, `ack` HDELs it), until the visibility
 *   timeout restores it. Celery acknowledges before a task runs unless `task_acks_late`: the hash holds
 *   the messages the workers have prefetched, and the running tasks only with `acks_late`. The hash is
 *   one per database, for all its queues: its HLEN is the in-flight count of every queue on the database.
 *   The engine takes it as the target's in-flight messages (its floor keeps workers for them, and scale
 *   to zero waits for them); two targets on one database each count the other's too, which keeps
 *   workers, never removes one that holds a message.
 * Not read: a `global_keyprefix` or another `sep`, `priority_steps` or `unacked_key` set in Celery's
 * `broker_transport_options` (name the prefixed keys as `queues`), Redis Sentinel, Redis Cluster.
 */
import type { AlarmSpec, MetricRef } from '../alarm-spec';
import type { ConfigPath, IssueSink } from '../config/checks';
import { quoted, type TargetResource } from '../config/resources';
import { KIND_FACTS } from './facts';
import type { KindRules, TargetKindModule } from './kind';
import { workersResource } from './queue-workers';
import { CELERY_METRICS, celeryNamespace } from './redis-keys';
import type { RedisWorkersTarget } from './schemas/redis-workers';

export { brokerKey, CELERY_METRICS, celeryNamespace, PRIORITY_SEPARATOR, PRIORITY_STEPS, queueKeys, UNACKED_KEY } from './redis-keys';
export type { RedisBroker, RedisWorkersTarget } from './schemas/redis-workers';

/** The reader publishes once a minute, at one-minute resolution. */
export const REDIS_PERIOD_SECONDS = 60;

/** The target's metrics as the reader publishes them (totals over its queues, dimension Target); Maximum of the minute. */
export function redisQueueMetrics(prefix: string, target: RedisWorkersTarget): { ready: MetricRef; unacknowledged: MetricRef } {
  const namespace = celeryNamespace(prefix);
  const dimensions = { Target: target.id };
  return {
    ready: { namespace, metricName: CELERY_METRICS.depth, dimensions, stat: 'Maximum' },
    unacknowledged: { namespace, metricName: CELERY_METRICS.unacked, dimensions, stat: 'Maximum' },
  };
}

/** Waiting messages above which the backlog alarm fires: more than one worker takes within the wait SLO. */
export function redisBacklogAlarmThreshold(target: RedisWorkersTarget): number {
  return Math.max(1, Math.ceil(target.messagesPerSecondPerWorker * target.maxWaitSeconds));
}

/**
 * The backlog alarm, as rabbitmq-workers': a safety net that invokes the queue function on the
 * datapoints the 1-minute poll reads, should the poll be late.
 */
export function redisWorkersAlarms(prefix: string, target: RedisWorkersTarget): AlarmSpec[] {
  const threshold = redisBacklogAlarmThreshold(target);
  return [
    {
      name: `${prefix}/${target.id}/backlog/high`,
      targetId: target.id,
      signal: 'backlog',
      direction: 'high',
      metric: redisQueueMetrics(prefix, target).ready,
      periodSeconds: REDIS_PERIOD_SECONDS,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold,
      comparison: 'GreaterThanThreshold',
      // No datapoint (the broker unreachable) is no evidence of a backlog.
      treatMissingData: 'notBreaching',
      description: `${target.id}: more than ${threshold} messages waiting in ${target.broker.queues.join(', ')} (more than one worker takes in the ${target.maxWaitSeconds} s wait SLO)`,
    },
  ];
}

/** Each queue of the broker: two targets on one queue would each size a fleet for all of it. */
function brokerQueueResources(t: RedisWorkersTarget): TargetResource[] {
  return t.broker.queues.map((q, i) => ({
    path: ['broker', 'queues', i],
    noun: 'queue',
    shown: `${quoted(q)} in database ${t.broker.database} of broker ${quoted(`${t.broker.host}:${t.broker.port}`)}`,
    key: `redis:${t.broker.host}:${t.broker.port}/${t.broker.database}/${q}`,
  }));
}

/** A queue named twice would be counted twice. */
function checkRedisWorkers(t: RedisWorkersTarget, at: ConfigPath, ctx: IssueSink): void {
  const seen = new Map<string, number>();
  t.broker.queues.forEach((q, i) => {
    const first = seen.get(q);
    if (first === undefined) seen.set(q, i);
    else ctx.addIssue({ code: 'custom', path: [...at, 'broker', 'queues', i], message: `${quoted(q)} is already broker.queues[${first}]` });
  });
}

/**
 * One broker reader per deployment, so one place in the network: every redis-workers target names the
 * same subnets and security groups (in any order). The second that differs is refused, naming the first.
 */
export function checkOneReaderPlacement(targets: readonly { readonly kind: string }[], ctx: IssueSink): void {
  let first: { index: number; key: string } | undefined;
  targets.forEach((t, i) => {
    if (t.kind !== 'redis-workers') return;
    const vpc = (t as RedisWorkersTarget).broker.vpc;
    const key = JSON.stringify([[...vpc.subnetIds].sort(), [...vpc.securityGroupIds].sort()]);
    if (!first) first = { index: i, key };
    else if (key !== first.key)
      ctx.addIssue({
        code: 'custom',
        path: ['targets', i, 'broker', 'vpc'],
        message: `${JSON.stringify(vpc)} differs from targets[${first.index}].broker.vpc: the deployment's one broker reader runs in one place, so every redis-workers target names the same subnets and security groups`,
      });
  });
}

export const redisWorkers = {
  ...KIND_FACTS['redis-workers'],
  alarms: redisWorkersAlarms,
} satisfies TargetKindModule<RedisWorkersTarget>;

/** What synth alone runs of the kind (./rules.ts): the resources a target names, and its checks beyond its schema. */
export const redisWorkersRules = {
  check: checkRedisWorkers,
  resources: (t) => [...brokerQueueResources(t), workersResource(t.workers)],
} satisfies KindRules<RedisWorkersTarget>;
