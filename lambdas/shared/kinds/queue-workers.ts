/**
 * `queue-workers`: Celery-like workers fed by one SQS queue, sized by the queue family on the queue's
 * backlog and the wait SLO. The 1-minute poller reads the queue itself (GetQueueAttributes, no
 * CloudWatch lag); the alarm on the age of the oldest message is the fast path between polls, and a
 * safety net when the poller is late.
 */
import { z } from 'zod';
import type { AlarmSpec, MetricRef } from '../alarm-spec';
import { alertsSchema } from '../alerts';
import { autoScalingGroupName, ecsName, MAX_UNITS, resourceName, targetId } from '../config/fields';
import { autoScalingGroupResource, ecsServiceResource, quoted, type TargetResource } from '../config/resources';
import type { TargetKindModule } from './kind';
import type { SignalTable, TargetSignal } from './signal';
import { checkStepPolicy, stepAlarms, stepPolicyFields, usesStepPolicy } from './step-policy';

/** An SQS queue URL: `https://sqs.<region>.amazonaws.com/<account>/<name>` (the legacy `<region>.queue.amazonaws.com` host too). */
export const SQS_QUEUE_URL =
  /^https:\/\/(?:sqs\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?|([a-z]{2}(?:-[a-z]+)+-\d)\.queue\.amazonaws\.com)\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;
const sqsQueueUrl = resourceName(SQS_QUEUE_URL, 'must be an SQS queue URL: https://sqs.<region>.amazonaws.com/<account>/<queue name>');

/**
 * How the workers of a queue-workers target hold messages and whether they shield themselves from
 * scale-in: what decides how low a scale-in may go while messages are in flight.
 */
const workerHoldingFields = {
  /**
   * The workers protect themselves from scale-in while they work (ECS task scale-in protection,
   * Auto Scaling instance protection; see the README's "Busy workers are never killed"). Without it
   * the desired count never drops below the workers the in-flight messages need.
   * @default false
   */
  scaleInProtection: z.boolean().default(false),
  /**
   * Messages one worker holds in flight (received, not yet deleted): Celery's concurrency x
   * `worker_prefetch_multiplier`. Without scale-in protection, ceil(in flight / this) workers stay.
   * @default 1 (concurrency 1, `worker_prefetch_multiplier = 1`)
   */
  messagesInFlightPerWorker: z.number().int().min(1).max(10000).default(1),
};

/** The worker fleet a queue feeds: an ECS service or an Auto Scaling group. */
export const queueWorkersFleetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('ecs-service'),
    /** Name of the ECS cluster. */
    cluster: ecsName,
    /** Name of the ECS service whose tasks are the workers. */
    service: ecsName,
    ...workerHoldingFields,
  }),
  z.strictObject({
    kind: z.literal('asg'),
    /** Name of the Auto Scaling group whose instances are the workers. */
    autoScalingGroupName,
    ...workerHoldingFields,
  }),
]);

/**
 * How a queue family target sizes its fleet: the workers' throughput, the wait SLO, the bounds and
 * the pace of scale-in (shared by the queue family's kinds: the engine's policy, lambdas/engine/queue.ts).
 */
export const queueSizingFields = {
  /** Messages one worker completes per second (its throughput). */
  // Common sense: a worker that completes more than 10,000 messages a second needs no autoscaler.
  messagesPerSecondPerWorker: z.number().positive().max(10_000),
  /** Longest a message should wait in the queue, seconds: the engine sizes the fleet to drain the backlog within it. @default 300 */
  maxWaitSeconds: z.number().int().min(60).max(43200).default(300),
  /** Fewest workers; 0 lets the fleet scale to zero when the queue is idle. @default 0 */
  minCapacity: z.number().int().min(0).max(MAX_UNITS).default(0),
  /** Most workers. @default 10 */
  maxCapacity: z.number().int().min(1).max(MAX_UNITS).default(10),
  /** Seconds the queue must stay empty (nothing visible, nothing in flight) before the last worker goes. @default 300 */
  idleSeconds: z.number().int().min(0).max(86400).default(300),
  /** Seconds from a desired-count increase until the new worker consumes messages. @default 60 */
  warmupSeconds: z.number().int().min(0).max(3600).default(60),
  /**
   * Scale-in goes only as low as the highest recommendation of this window, so a worker removed is
   * not needed again a minute later.
   * @default 180
   */
  scaleInStabilizationSeconds: z.number().int().min(0).max(3600).default(180),
  /**
   * Least seconds after any change before workers are removed. Scale-in only: a scale-out is applied
   * at once (the backlog does not wait), so the kind has no `scaleOutCooldownSeconds`.
   * @default 120
   */
  scaleInCooldownSeconds: z.number().int().min(0).max(3600).default(120),
  /** Most workers one scale-in removes, as a share of the current count (always at least one). @default 0.5 */
  maxStepDownRatio: z.number().gt(0).max(1).default(0.5),
};

/**
 * Celery-like workers fed by one SQS queue, scaled on the queue's backlog (visible and in flight),
 * its arrival rate and the wait SLO; to zero after an idle period and back on the first message.
 */
export const queueWorkersTargetSchema = z.strictObject({
  kind: z.literal('queue-workers'),
  id: targetId,
  /** The queue the workers consume. */
  queueUrl: sqsQueueUrl,
  /** The queue's dead-letter queue: its depth is reported (notification, metric), never scaled on. @default none */
  deadLetterQueueUrl: sqsQueueUrl.optional(),
  /** The fleet whose desired count is set. */
  workers: queueWorkersFleetSchema,
  ...queueSizingFields,
  /** Share of `maxWaitSeconds` the age of the oldest message must pass to raise the fast-path alarm. @default 0.5 */
  ageAlarmRatio: z.number().gt(0).lt(1).default(0.5),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
  ...stepPolicyFields,
  /** Alert-only rules on the queue's signals: notify, never scale. @default [] */
  alerts: alertsSchema,
});

export type QueueWorkersTarget = z.output<typeof queueWorkersTargetSchema>;

/** Region, account and name of a queue, from its URL (the config validated its shape). */
export function queueParts(url: string): { region: string; account: string; name: string } {
  const m = SQS_QUEUE_URL.exec(url);
  if (!m) throw new Error(`"${url}" is not an SQS queue URL`);
  return { region: m[1] ?? m[2], account: m[3], name: m[4] };
}

/** `arn:<partition>:sqs:<region>:<account>:<name>` of a queue URL. */
export function queueArn(url: string, partition = 'aws'): string {
  const { region, account, name } = queueParts(url);
  return `arn:${partition}:sqs:${region}:${account}:${name}`;
}

/** The SQS metrics of a queue-workers target's queue, as CloudWatch publishes them (dimension QueueName). */
export function queueMetrics(target: QueueWorkersTarget): { visible: MetricRef; notVisible: MetricRef; ageOfOldest: MetricRef } {
  const dimensions = { QueueName: queueParts(target.queueUrl).name };
  return {
    visible: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions, stat: 'Maximum' },
    notVisible: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesNotVisible', dimensions, stat: 'Maximum' },
    ageOfOldest: { namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', dimensions, stat: 'Maximum' },
  };
}

/** The age threshold of the fast-path alarm: a share of the wait SLO, in whole seconds. */
export function ageAlarmThreshold(target: QueueWorkersTarget): number {
  return Math.max(1, Math.round(target.maxWaitSeconds * target.ageAlarmRatio));
}

/**
 * A queue-workers target's signals, each the Maximum of 60 s: `visibleMessages` and `inFlightMessages`
 * (messages), `ageOfOldestMessage` (s), and with a dead-letter queue `deadLetterMessages` (messages
 * visible in it; alerts only). A step rule on `visibleMessages` reads the queue itself at every poll
 * (the rule's alarm watches CloudWatch's copy); one on any other signal reads CloudWatch, in the queue's
 * region (GetMetricData).
 */
export function queueSignals(target: QueueWorkersTarget): SignalTable {
  // Also called while the config is checked, when a URL may be malformed (already reported): never throws.
  const queue = (url: string) => ({ QueueName: SQS_QUEUE_URL.exec(url)?.[4] ?? url });
  const sqs = (url: string, metricName: string, unit: string): TargetSignal => ({
    metric: { namespace: 'AWS/SQS', metricName, dimensions: queue(url), stat: 'Maximum' },
    periodSeconds: 60,
    unit,
  });
  const dlq = target.deadLetterQueueUrl;
  return {
    [VISIBLE_SIGNAL]: sqs(target.queueUrl, 'ApproximateNumberOfMessagesVisible', 'messages'),
    inFlightMessages: sqs(target.queueUrl, 'ApproximateNumberOfMessagesNotVisible', 'messages'),
    ageOfOldestMessage: sqs(target.queueUrl, 'ApproximateAgeOfOldestMessage', 's'),
    deadLetterMessages: {
      ...(dlq === undefined
        ? { unit: 'messages', periodSeconds: 60, unavailable: 'it needs deadLetterQueueUrl' }
        : sqs(dlq, 'ApproximateNumberOfMessagesVisible', 'messages')),
      notForSteps: 'dead letters are messages that failed, not work more workers would take',
    },
  };
}

/** The step signal read from the queue itself at every poll; a rule on any other reads CloudWatch. */
export const VISIBLE_SIGNAL = 'visibleMessages';

/** Whether the target's step rules read CloudWatch (the queue function then needs cloudwatch:GetMetricData). */
export function readsQueueMetrics(target: QueueWorkersTarget): boolean {
  return usesStepPolicy(target) && target.stepRules.some((r) => r.signal !== VISIBLE_SIGNAL);
}

export function queueWorkersAlarms(prefix: string, target: QueueWorkersTarget): AlarmSpec[] {
  if (usesStepPolicy(target)) return stepAlarms(prefix, target, queueSignals(target));
  const threshold = ageAlarmThreshold(target);
  return [
    {
      name: `${prefix}/${target.id}/age/high`,
      targetId: target.id,
      signal: 'age',
      direction: 'high',
      metric: queueMetrics(target).ageOfOldest,
      periodSeconds: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold,
      comparison: 'GreaterThanThreshold',
      // An idle queue publishes nothing: no data is no backlog.
      treatMissingData: 'notBreaching',
      description: `${target.id}: oldest message older than ${threshold} s (${Math.round(target.ageAlarmRatio * 100)}% of the ${target.maxWaitSeconds} s wait SLO)`,
    },
  ];
}

/** One queue whatever host its URL uses (`sqs.<region>.amazonaws.com` or the legacy `<region>.queue.amazonaws.com`). */
function sqsQueueResource(path: string[], url: string, acted: boolean): TargetResource {
  const m = SQS_QUEUE_URL.exec(url);
  const [region, account, name] = m ? [m[1] ?? m[2], m[3], m[4]] : [undefined, undefined, url];
  return {
    path,
    noun: acted ? 'queue' : 'dead-letter queue',
    shown: quoted(url),
    key: acted ? `sqs:${region}/${account}/${name}` : undefined,
    region,
    account,
  };
}

/** The worker fleet a queue family target sets the desired count of. */
export function workersResource(w: z.output<typeof queueWorkersFleetSchema>): TargetResource {
  return w.kind === 'asg'
    ? autoScalingGroupResource(['workers', 'autoScalingGroupName'], w.autoScalingGroupName)
    : ecsServiceResource(['workers', 'service'], w.cluster, w.service);
}

export const queueWorkers = {
  schema: queueWorkersTargetSchema,
  family: 'queue',
  namespaces: ['AWS/SQS'],
  alarms: queueWorkersAlarms,
  windows: true,
  overridable: { min: 'minCapacity', max: 'maxCapacity', target: 'maxWaitSeconds' },
  signals: queueSignals,
  check: (t, at, ctx) => checkStepPolicy(t, () => queueSignals(t), [t.minCapacity, t.maxCapacity], at, ctx),
  resources: (t) => [
    sqsQueueResource(['queueUrl'], t.queueUrl, true),
    ...(t.deadLetterQueueUrl !== undefined ? [sqsQueueResource(['deadLetterQueueUrl'], t.deadLetterQueueUrl, false)] : []),
    workersResource(t.workers),
  ],
} satisfies TargetKindModule<QueueWorkersTarget>;
