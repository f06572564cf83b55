/** An `rds-storage` target: its alarm and the least permissions to read the instance and grow its storage. */
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { RdsStorageTarget } from '../../lambdas/shared/config';
import { createSpecAlarms } from '../shared/alarm';
import { grantMetricReads } from '../shared/function';
import { grantDescribeDbInstances, rdsArn } from './data-grants';

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
    const { target, handler, taskFunction } = props;
    this.alarms = createSpecAlarms(this, alarmsForTarget(props.prefix, target));
    this.instanceArn = rdsArn(taskFunction, 'db', target.instanceIdentifier);
    grantDescribeDbInstances(handler);
    grantMetricReads(handler);
    props.runbook.grantStartExecution(handler);
    grantDescribeDbInstances(taskFunction);
    taskFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['rds:ModifyDBInstance'], resources: [this.instanceArn] }));
  }
}
