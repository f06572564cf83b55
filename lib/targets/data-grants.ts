/**
 * Grants the data tier's target constructs share: reads that every data target of a function needs
 * once, each in a policy of its own with the acknowledgement of its wildcard next to it.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { grantMetricReads } from '../shared/function';
import { acknowledgeWildcardResource } from '../shared/nag';

/** `arn:<partition>:rds:<region>:<account>:<resource>:<name>` */
export function rdsArn(scope: lambda.IFunction, resource: 'db' | 'cluster', name: string): string {
  return Stack.of(scope).formatArn({ service: 'rds', resource, resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * rds:DescribeDBInstances on the account's instances in the region: the replicas of a source may have
 * been made by anyone, under any name, and they count against its 15. Read-only. Once per function.
 */
export function grantDescribeDbInstances(fn: lambda.IFunction): void {
  const id = 'DescribeDBInstancesPolicy';
  if (fn.node.tryFindChild(id)) return;
  const arn = rdsArn(fn, 'db', '*');
  const policy = new iam.Policy(fn, id, { statements: [new iam.PolicyStatement({ actions: ['rds:DescribeDBInstances'], resources: [arn] })] });
  fn.role!.attachInlinePolicy(policy);
  acknowledgeWildcardResource(
    policy,
    arn,
    'rds:DescribeDBInstances only reads: the replicas of a source may carry any name (made by others) and count against the 15 a source allows, so all instances of the account and region are readable.',
  );
}

/**
 * What a target that modifies one RDS instance through its runbook needs (rds-storage, rds-instance):
 * the deciding function reads the instance and its metrics and starts the runbook; the runbook's task
 * function reads the instance and may modify that instance only. Returns the instance's ARN.
 */
export function grantInstanceModification(props: {
  readonly handler: lambda.IFunction;
  readonly taskFunction: lambda.IFunction;
  readonly runbook: { grantStartExecution(identity: iam.IGrantable): iam.Grant };
  readonly instanceIdentifier: string;
}): string {
  const instanceArn = rdsArn(props.taskFunction, 'db', props.instanceIdentifier);
  grantDescribeDbInstances(props.handler);
  grantMetricReads(props.handler);
  props.runbook.grantStartExecution(props.handler);
  grantDescribeDbInstances(props.taskFunction);
  props.taskFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['rds:ModifyDBInstance'], resources: [instanceArn] }));
  return instanceArn;
}
