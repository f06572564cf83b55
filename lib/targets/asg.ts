/** An Auto Scaling group target: its alarms and the least permissions the capacity function needs on it. */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { AsgTarget, PermissionMode } from '../../lambdas/shared/config';
import { autoScalingGroupUnits } from '../monitoring/units';
import { createSpecAlarms } from '../shared/alarm';
import { grantAlarmStateReads, grantMetricReads } from '../shared/function';
import { grantGroupCapacity } from './fleet';
import type { TargetInfrastructure } from './kind';

export interface AsgScalingTargetProps {
  /** The deployment's alarm name prefix (`config.prefix`). */
  readonly prefix: string;
  /** The target, as parsed from the config. */
  readonly target: AsgTarget;
  /** The capacity family's function, which acts on the group. */
  readonly handler: lambda.IFunction;
  /**
   * The set-capacity runbook's task function, which sets the group's size by hand.
   * @default none
   */
  readonly setCapacity?: lambda.IFunction;
  /**
   * How the roles name the target's resources: its own ARN, or any resource carrying the tag
   * `autoscaler:scaled-by=<prefix>` (lib/targets/access.ts).
   * @default 'per-target'
   */
  readonly permissions?: PermissionMode;
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
    for (const fn of [handler, ...(props.setCapacity ? [props.setCapacity] : [])])
      grantGroupCapacity(
        fn,
        { permissions: props.permissions ?? 'per-target', prefix: props.prefix },
        target.autoScalingGroupName,
        this.autoScalingGroupArn,
        'group sizes',
      );
    grantMetricReads(handler);
    grantAlarmStateReads(handler, props.prefix);
  }
}

/** The `asg` kind's infrastructure (lib/targets/index.ts). */
export const asgInfrastructure = {
  construct: (scope, target, w) =>
    new AsgScalingTarget(scope, target.id, { prefix: w.prefix, permissions: w.permissions, target, handler: w.handler, setCapacity: w.setCapacity }),
  units: (t) => autoScalingGroupUnits(t.autoScalingGroupName),
} satisfies TargetInfrastructure<AsgTarget>;
