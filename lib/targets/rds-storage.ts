/** An `rds-storage` target: its alarm and the least permissions to read the instance and grow its storage. */
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { RdsStorageTarget } from '../../lambdas/shared/config';
import { createSpecAlarms } from '../shared/alarm';
import { grantInstanceModification } from './data-grants';

export interface RdsStorageTargetProps {
  readonly prefix: string;
  readonly target: RdsStorageTarget;
  readonly handler: lambda.IFunction;
  /** The `rds-storage` runbook. */
  readonly runbook: sfn.IStateMachine;
  readonly taskFunction: lambda.IFunction;
}

export class RdsStorageScalingTarget extends Construct {
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  public readonly instanceArn: string;

  constructor(scope: Construct, id: string, props: RdsStorageTargetProps) {
    super(scope, id);
    const { target, handler, taskFunction, runbook } = props;
    this.alarms = createSpecAlarms(this, alarmsForTarget(props.prefix, target));
    this.instanceArn = grantInstanceModification({ handler, taskFunction, runbook, instanceIdentifier: target.instanceIdentifier, prefix: props.prefix });
  }
}
