/**
 * A queue-workers target: the age-of-oldest-message alarm (the fast path next to the 1-minute poll) and
 * the least permissions the queue function needs: GetQueueAttributes on the configured queue (and its
 * dead-letter queue), and the desired count of the configured worker fleet (ECS service or ASG).
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { PermissionMode, QueueWorkersTarget } from '../../lambdas/shared/config';
import { queueMetrics, queueParts, readsQueueMetrics } from '../../lambdas/shared/kinds/queue-workers';
import { autoScalingGroupUnits, ecsServiceUnits } from '../monitoring/units';
import { graph, metricOf } from '../monitoring/widgets';
import { createSpecAlarms } from '../shared/alarm';
import { grantMetricReads } from '../shared/function';
import { type Access, grantOnResource } from './access';
import { grantGroupCapacity, grantServiceCapacity } from './fleet';
import type { TargetInfrastructure } from './kind';

export interface QueueWorkersScalingTargetProps {
  /** The deployment's alarm name prefix (`config.prefix`). */
  readonly prefix: string;
  /** The target, as parsed from the config. */
  readonly target: QueueWorkersTarget;
  /** The queue family's function, which polls the queue and sets the fleet's desired count. */
  readonly handler: lambda.IFunction;
  /**
   * The set-capacity runbook's task function, which sets the workers' count by hand.
   * @default none
   */
  readonly setCapacity?: lambda.IFunction;
  /**
   * How the roles name the target's resources: their own ARNs, or any resource carrying the tag
   * `autoscaler:scaled-by=<prefix>` (lib/targets/access.ts).
   * @default 'per-target'
   */
  readonly permissions?: PermissionMode;
}

export class QueueWorkersScalingTarget extends Construct {
  /** This target's alarms, keyed by alarm name. */
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  /** ARN of the queue (from its URL: region, account, name). */
  public readonly queueArn: string;
  /** ARN of the dead-letter queue, when one is configured. */
  public readonly deadLetterQueueArn?: string;
  /** ARN of the worker fleet as IAM matches it (an ASG's UUID is a wildcard). */
  public readonly workersArn: string;

  constructor(scope: Construct, id: string, props: QueueWorkersScalingTargetProps) {
    super(scope, id);
    const { target, handler } = props;
    const stack = Stack.of(this);

    this.alarms = createSpecAlarms(this, alarmsForTarget(props.prefix, target));

    const arnOf = (url: string) => {
      const q = queueParts(url);
      return stack.formatArn({ service: 'sqs', region: q.region, account: q.account, resource: q.name, arnFormat: ArnFormat.NO_RESOURCE_NAME });
    };
    this.queueArn = arnOf(target.queueUrl);
    this.deadLetterQueueArn = target.deadLetterQueueUrl ? arnOf(target.deadLetterQueueUrl) : undefined;
    const access: Access = { permissions: props.permissions ?? 'per-target', prefix: props.prefix };
    grantQueueReads(handler, access, [this.queueArn, ...(this.deadLetterQueueArn ? [this.deadLetterQueueArn] : [])]);
    // A step rule on the age of the oldest message reads it from CloudWatch.
    if (readsQueueMetrics(target)) grantMetricReads(handler);

    // The set-capacity runbook's task function sets the fleet too, and reads the queue's in-flight
    // messages when the workers do not protect themselves (the busy workers it may not remove).
    const setters = [handler, ...(props.setCapacity ? [props.setCapacity] : [])];
    if (props.setCapacity && !target.workers.scaleInProtection) grantQueueReads(props.setCapacity, access, [this.queueArn]);
    this.workersArn = grantWorkers(this, setters, target.workers, access);
  }
}

/**
 * The least permissions a queue family function needs on a worker fleet: UpdateService and
 * DescribeServices on the ECS service, or SetDesiredCapacity on the group (by name) and
 * DescribeAutoScalingGroups (no resource-level permissions). Returns the fleet's ARN as IAM matches it.
 */
export function grantWorkers(scope: Construct, fns: readonly lambda.IFunction[], w: QueueWorkersTarget['workers'], access: Access): string {
  const stack = Stack.of(scope);
  if (w.kind === 'ecs-service') {
    const arn = stack.formatArn({
      service: 'ecs',
      resource: 'service',
      resourceName: `${w.cluster}/${w.service}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    for (const fn of fns) grantServiceCapacity(fn, access, arn);
    return arn;
  }
  const arn = stack.formatArn({
    service: 'autoscaling',
    resource: 'autoScalingGroup',
    resourceName: `*:autoScalingGroupName/${w.autoScalingGroupName}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  for (const fn of fns) grantGroupCapacity(fn, access, w.autoScalingGroupName, arn, 'group sizes and instance protection');
  return arn;
}

/** sqs:GetQueueAttributes on the queues (by-tag: on any queue of the stack's region and account carrying the deployment's tag). */
function grantQueueReads(fn: lambda.IFunction, access: Access, queueArns: readonly string[]): void {
  grantOnResource(fn, access, {
    sid: 'ReadTaggedQueues',
    actions: ['sqs:GetQueueAttributes'],
    arns: queueArns,
    pattern: Stack.of(fn).formatArn({ service: 'sqs', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME }),
    noun: 'SQS queues',
  });
}

/** The `queue-workers` kind's infrastructure (lib/targets/index.ts). */
export const queueWorkersInfrastructure = {
  construct: (scope, target, w) =>
    new QueueWorkersScalingTarget(scope, target.id, { prefix: w.prefix, permissions: w.permissions, target, handler: w.handler, setCapacity: w.setCapacity }),
  // The workers' fleet, drawn like the web tier's.
  units: (t) => (t.workers.kind === 'asg' ? autoScalingGroupUnits(t.workers.autoScalingGroupName) : ecsServiceUnits(t.workers.cluster, t.workers.service)),
  widgets: (t) => [queueDepthWidget(t)],
} satisfies TargetInfrastructure<QueueWorkersTarget>;

/**
 * The queue's depth as the queue function sees it: visible and in flight (received, not yet deleted)
 * messages, the dead-letter queue's when there is one, and the age of the oldest message against
 * `maxWaitSeconds`.
 */
export function queueDepthWidget(t: QueueWorkersTarget): cloudwatch.GraphWidget {
  const m = queueMetrics(t);
  const dlq = t.deadLetterQueueUrl ? [metricOf({ ...m.visible, dimensions: { QueueName: queueParts(t.deadLetterQueueUrl).name } }, 'dead letters')] : [];
  return graph({
    title: `${t.id}: queue depth`,
    left: [metricOf(m.visible, 'visible'), metricOf(m.notVisible, 'in flight'), ...dlq],
    right: [metricOf(m.ageOfOldest, 'age of oldest (s)')],
    rightAnnotations: [{ value: t.maxWaitSeconds, label: `maxWaitSeconds ${t.maxWaitSeconds}`, color: cloudwatch.Color.RED }],
    leftYAxis: { label: 'messages', min: 0 },
    rightYAxis: { label: 'seconds', min: 0 },
  });
}
