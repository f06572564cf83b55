/** An `rds-instance` target: its alarms and the least permissions to read the instance and change its class. */
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { RdsInstanceTarget } from '../../lambdas/shared/config';
import { createSpecAlarms } from '../shared/alarm';
import { grantInstanceModification } from './data-grants';

export interface RdsInstanceTargetProps {
  readonly prefix: string;
  readonly target: RdsInstanceTarget;
  /** The database family's function: decides and starts the runbook. */
  readonly handler: lambda.IFunction;
  /** The `rds-instance` runbook. */
  readonly runbook: sfn.IStateMachine;
  readonly taskFunction: lambda.IFunction;
}

export class RdsInstanceScalingTarget extends Construct {
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  public readonly instanceArn: string;

  constructor(scope: Construct, id: string, props: RdsInstanceTargetProps) {
    super(scope, id);
    const { target, handler, taskFunction, runbook } = props;
    this.alarms = createSpecAlarms(this, alarmsForTarget(props.prefix, target));
    this.instanceArn = grantInstanceModification({ handler, taskFunction, runbook, instanceIdentifier: target.instanceIdentifier, prefix: props.prefix });
  }
}
