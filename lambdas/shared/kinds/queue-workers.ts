/**
 * `queue-workers`: Celery-like workers fed by one SQS queue, sized by the queue family on the queue's
 * backlog and the wait SLO. The 1-minute poller reads the queue itself (GetQueueAttributes, no
 * CloudWatch lag); the alarm on the age of the oldest message is the fast path between polls, and a
 * safety net when the poller is late.
 */
import type { AlarmSpec, MetricRef } from '../alarm-spec';
import { autoScalingGroupResource, ecsServiceResource, quoted, type TargetResource } from '../config/resources';
import { SQS_QUEUE_URL } from './formats';
import type { KindRules, TargetKindModule } from './kind';
import type { QueueWorkersFleet, QueueWorkersTarget } from './schemas/queue-workers';
import type { SignalTable, TargetSignal } from './signal';

export { SQS_QUEUE_URL } from './formats';

import { KIND_FACTS } from './facts';
import { checkStepPolicy, stepAlarms, usesStepPolicy } from './step-policy';

export type { QueueWorkersTarget } from './schemas/queue-workers';

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
export function workersResource(w: QueueWorkersFleet): TargetResource {
  return w.kind === 'asg'
    ? autoScalingGroupResource(['workers', 'autoScalingGroupName'], w.autoScalingGroupName)
    : ecsServiceResource(['workers', 'service'], w.cluster, w.service);
}

export { QUEUE_OVERRIDE_RULES } from './facts';

export const queueWorkers = {
  ...KIND_FACTS['queue-workers'],
  alarms: queueWorkersAlarms,
  signals: queueSignals,
} satisfies TargetKindModule<QueueWorkersTarget>;

/** What synth alone runs of the kind (./rules.ts): the resources a target names, and its checks beyond its schema. */
export const queueWorkersRules = {
  check: (t, at, ctx) => checkStepPolicy(t, () => queueSignals(t), [t.minCapacity, t.maxCapacity], at, ctx),
  resources: (t) => [
    sqsQueueResource(['queueUrl'], t.queueUrl, true),
    ...(t.deadLetterQueueUrl !== undefined ? [sqsQueueResource(['deadLetterQueueUrl'], t.deadLetterQueueUrl, false)] : []),
    workersResource(t.workers),
  ],
} satisfies KindRules<QueueWorkersTarget>;
