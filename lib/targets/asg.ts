/** An Auto Scaling group target: its alarms and the least permissions the capacity function needs on it. */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { AsgTarget } from '../../lambdas/shared/config';
import { autoScalingGroupUnits } from '../monitoring/units';
import { createSpecAlarms } from '../shared/alarm';
import { grantAlarmStateReads, grantMetricReads, grantUnscoped } from '../shared/function';
import { acknowledgeWildcardResource } from '../shared/nag';
import type { TargetInfrastructure } from './kind';

export interface AsgScalingTargetProps {
  /** The deployment's alarm name prefix (`config.prefix`). */
  readonly prefix: string;
  /** The target, as parsed from the config. */
  readonly target: AsgTarget;
  /** The capacity family's function, which acts on the group. */
  readonly handler: lambda.IFunction;
}

export class AsgScalingTarget extends Construct {
  /** This target's alarms, keyed by alarm name. */
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  /**
   * The group's ARN as IAM matches it: the group's UUID is not known at synth, so it is a wildcard;
   * the name is exact.
   */
  public readonly autoScalingGroupArn: string;

  constructor(scope: Construct, id: string, props: AsgScalingTargetProps) {
    super(scope, id);
    const { target, handler } = props;

    this.alarms = createSpecAlarms(this, alarmsForTarget(props.prefix, target));

    this.autoScalingGroupArn = Stack.of(this).formatArn({
      service: 'autoscaling',
      resource: 'autoScalingGroup',
      resourceName: `*:autoScalingGroupName/${target.autoScalingGroupName}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['autoscaling:SetDesiredCapacity'], resources: [this.autoScalingGroupArn] }));
    acknowledgeWildcardResource(
      handler.role!,
      this.autoScalingGroupArn,
      `autoscaling:SetDesiredCapacity on the group named "${target.autoScalingGroupName}" only: the wildcard stands for the group's UUID, which is not known at synth.`,
    );
    grantUnscoped(
      handler,
      'DescribeAutoScalingGroupsPolicy',
      ['autoscaling:DescribeAutoScalingGroups'],
      'autoscaling:DescribeAutoScalingGroups supports no resource-level permissions; it only reads group sizes.',
    );
    grantMetricReads(handler);
    grantAlarmStateReads(handler, props.prefix);
  }
}

/** The `asg` kind's infrastructure (lib/targets/index.ts). */
export const asgInfrastructure = {
  construct: (scope, target, w) => new AsgScalingTarget(scope, target.id, { prefix: w.prefix, target, handler: w.handler }),
  units: (t) => autoScalingGroupUnits(t.autoScalingGroupName),
} satisfies TargetInfrastructure<AsgTarget>;
