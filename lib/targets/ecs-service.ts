/** An ECS service target: its alarms and the least permissions the capacity function needs on it. */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { EcsServiceTarget, PermissionMode } from '../../lambdas/shared/config';
import { ecsServiceUnits } from '../monitoring/units';
import { createSpecAlarms } from '../shared/alarm';
import { grantAlarmStateReads, grantMetricReads } from '../shared/function';
import { grantServiceCapacity } from './fleet';
import type { TargetInfrastructure } from './kind';

export interface EcsServiceScalingTargetProps {
  /** The deployment's alarm name prefix (`config.prefix`). */
  readonly prefix: string;
  /** The target, as parsed from the config. */
  readonly target: EcsServiceTarget;
  /** The capacity family's function, which acts on the service. */
  readonly handler: lambda.IFunction;
  /**
   * The set-capacity runbook's task function, which sets the service's desired count by hand.
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

export class EcsServiceScalingTarget extends Construct {
  /** This target's alarms, keyed by alarm name. */
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  /** The service's ARN (long format: `service/<cluster>/<service>`). */
  public readonly serviceArn: string;

  constructor(scope: Construct, id: string, props: EcsServiceScalingTargetProps) {
    super(scope, id);
    const { target, handler } = props;

    this.alarms = createSpecAlarms(this, alarmsForTarget(props.prefix, target));

    this.serviceArn = Stack.of(this).formatArn({
      service: 'ecs',
      resource: 'service',
      resourceName: `${target.cluster}/${target.service}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    for (const fn of [handler, ...(props.setCapacity ? [props.setCapacity] : [])])
      grantServiceCapacity(fn, { permissions: props.permissions ?? 'per-target', prefix: props.prefix }, this.serviceArn);
    grantMetricReads(handler);
    grantAlarmStateReads(handler, props.prefix);
  }
}

/** The `ecs-service` kind's infrastructure (lib/targets/index.ts). */
export const ecsServiceInfrastructure = {
  construct: (scope, target, w) =>
    new EcsServiceScalingTarget(scope, target.id, { prefix: w.prefix, permissions: w.permissions, target, handler: w.handler, setCapacity: w.setCapacity }),
  units: (t) => ecsServiceUnits(t.cluster, t.service),
} satisfies TargetInfrastructure<EcsServiceTarget>;
