/** An `rds-storage` target: its alarm and the least permissions to read the instance and grow its storage. */
import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { PermissionMode, RdsStorageTarget } from '../../lambdas/shared/config';
import { storageDefinition } from '../runbooks/definitions';
import { createSpecAlarms } from '../shared/alarm';
import { grantInstanceModification } from './data-grants';
import { runbookWiring, type TargetInfrastructure } from './kind';

export interface RdsStorageTargetProps {
  readonly prefix: string;
  readonly target: RdsStorageTarget;
  readonly handler: lambda.IFunction;
  /** The `rds-storage` runbook. */
  readonly runbook: sfn.IStateMachine;
  readonly taskFunction: lambda.IFunction;
  /**
   * How the roles name the target's resources: their own ARNs, or any resource carrying the tag
   * `autoscaler:scaled-by=<prefix>` (lib/targets/access.ts).
   * @default 'per-target'
   */
  readonly permissions?: PermissionMode;
}

export class RdsStorageScalingTarget extends Construct {
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  public readonly instanceArn: string;

  constructor(scope: Construct, id: string, props: RdsStorageTargetProps) {
    super(scope, id);
    const { target, handler, taskFunction, runbook } = props;
    this.alarms = createSpecAlarms(this, alarmsForTarget(props.prefix, target));
    this.instanceArn = grantInstanceModification({
      handler,
      taskFunction,
      runbook,
      instanceIdentifier: target.instanceIdentifier,
      prefix: props.prefix,
      permissions: props.permissions ?? 'per-target',
    });
  }
}

/** The `rds-storage` kind's infrastructure (lib/targets/index.ts). */
export const rdsStorageInfrastructure = {
  construct: (scope, target, w) => {
    const { stateMachine, taskFunction } = runbookWiring(w, target.kind);
    return new RdsStorageScalingTarget(scope, target.id, {
      prefix: w.prefix,
      permissions: w.permissions,
      handler: w.handler,
      runbook: stateMachine,
      taskFunction,
      target,
    });
  },
  runbook: {
    description: 'Grow an RDS instance\'s allocated storage to {"targetId","allocatedGiB"}',
    definition: storageDefinition,
    timeout: Duration.hours(12),
  },
} satisfies TargetInfrastructure<RdsStorageTarget>;
