/**
 * A rabbitmq-workers target: the backlog alarm and the least permissions the queue function needs:
 * cloudwatch:GetMetricData to read the queue's AmazonMQ metrics (it supports no resource-level
 * permissions: Service Authorization Reference, Amazon CloudWatch, GetMetricData has no resource type),
 * and the desired count of the worker fleet (ECS service or ASG), as for queue-workers. Nothing on the
 * broker: the function never calls Amazon MQ.
 */
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { PermissionMode, RabbitmqWorkersTarget } from '../../lambdas/shared/config';
import { autoScalingGroupUnits, ecsServiceUnits } from '../monitoring/units';
import { createSpecAlarms } from '../shared/alarm';
import { grantMetricReads } from '../shared/function';
import type { TargetInfrastructure } from './kind';
import { grantWorkers } from './queue-workers';

export interface RabbitmqWorkersScalingTargetProps {
  /** The deployment's alarm name prefix (`config.prefix`). */
  readonly prefix: string;
  /** The target, as parsed from the config. */
  readonly target: RabbitmqWorkersTarget;
  /** The queue family's function, which reads the queue's metrics and sets the fleet's desired count. */
  readonly handler: lambda.IFunction;
  /**
   * How the roles name the target's resources: their own ARNs, or any resource carrying the tag
   * `autoscaler:scaled-by=<prefix>` (lib/targets/access.ts).
   * @default 'per-target'
   */
  readonly permissions?: PermissionMode;
}

export class RabbitmqWorkersScalingTarget extends Construct {
  /** This target's alarms, keyed by alarm name. */
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  /** ARN of the worker fleet as IAM matches it (an ASG's UUID is a wildcard). */
  public readonly workersArn: string;

  constructor(scope: Construct, id: string, props: RabbitmqWorkersScalingTargetProps) {
    super(scope, id);
    const { target, handler } = props;
    this.alarms = createSpecAlarms(this, alarmsForTarget(props.prefix, target));
    grantMetricReads(handler);
    this.workersArn = grantWorkers(this, [handler], target.workers, { permissions: props.permissions ?? 'per-target', prefix: props.prefix });
  }
}

/** The `rabbitmq-workers` kind's infrastructure (lib/targets/index.ts). */
export const rabbitmqWorkersInfrastructure = {
  construct: (scope, target, w) =>
    new RabbitmqWorkersScalingTarget(scope, target.id, { prefix: w.prefix, permissions: w.permissions, target, handler: w.handler }),
  // The workers' fleet, drawn like the web tier's.
  units: (t) => (t.workers.kind === 'asg' ? autoScalingGroupUnits(t.workers.autoScalingGroupName) : ecsServiceUnits(t.workers.cluster, t.workers.service)),
} satisfies TargetInfrastructure<RabbitmqWorkersTarget>;
