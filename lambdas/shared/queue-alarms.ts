/**
 * The queue-workers target's alarm and metrics, as plain data like every other alarm
 * (lambdas/shared/alarms.ts): the construct synthesizes it, the simulator evaluates it, the queue
 * family's handler parses its name back.
 *
 * The 1-minute poller reads the queue itself (GetQueueAttributes, no CloudWatch lag); the alarm on the
 * age of the oldest message is the fast path between polls, and a safety net when the poller is late.
 */
import type { AlarmSpec, MetricRef } from './alarms';
import { type QueueWorkersTarget, SQS_QUEUE_URL } from './config';

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

export function queueWorkersAlarms(prefix: string, target: QueueWorkersTarget): AlarmSpec[] {
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
