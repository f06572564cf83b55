/**
 * Grants the data tier's target constructs share: reads that every data target of a function needs
 * once, each in a policy of its own with the acknowledgement of its wildcard next to it.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { grantAlarmStateReads, grantMetricReads } from '../shared/function';
import { acknowledgeWildcardResource } from '../shared/nag';
import { type Access, grantOnResource } from './access';

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
 * What the database family's function reads for every data target: metrics, and the state of the
 * deployment's alarms (the 1-minute re-evaluation). Once per function.
 */
export function grantDataReads(handler: lambda.IFunction, prefix: string): void {
  grantMetricReads(handler);
  grantAlarmStateReads(handler, prefix);
}

/**
 * kms:CreateGrant and kms:DescribeKey on the account's keys in the region, only when `service` asks
 * for the caller (kms:ViaService) and, for grants, only for an AWS resource (kms:GrantIsForAWSResource).
 * A customer managed key is used on the caller's behalf: "To create an RDS resource using a customer
 * managed key, a user must have permissions to call kms:CreateGrant and kms:DescribeKey on the
 * customer managed key ... use the kms:ViaService condition key to allow the user to create grants on
 * the KMS key only when the grant is created on the user's behalf by an AWS service" (Amazon RDS User
 * Guide, "Authorizing use of a customer managed key"); ElastiCache does the same for the nodes of a
 * group encrypted at rest with one. The key is the resource's own, not known at synth: any key of
 * the account and region, through that service only. Once per function and service.
 */
export function grantKeyUseVia(fn: lambda.IFunction, service: 'rds' | 'elasticache'): void {
  const id = `${service === 'rds' ? 'Rds' : 'ElastiCache'}KeyUsePolicy`;
  if (fn.node.tryFindChild(id)) return;
  const stack = Stack.of(fn);
  const keys = stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
  const via = { 'kms:ViaService': `${service}.${stack.region}.amazonaws.com` };
  const policy = new iam.Policy(fn, id, {
    statements: [
      new iam.PolicyStatement({
        actions: ['kms:CreateGrant'],
        resources: [keys],
        conditions: { StringEquals: via, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [keys], conditions: { StringEquals: via } }),
    ],
  });
  fn.role!.attachInlinePolicy(policy);
  acknowledgeWildcardResource(
    policy,
    keys,
    `kms:CreateGrant and kms:DescribeKey on the customer managed key of an encrypted ${service === 'rds' ? 'RDS source or cluster' : 'ElastiCache group'}, which is not known at synth: only through ${service}.<region>.amazonaws.com (kms:ViaService) and, for grants, only for AWS resources (kms:GrantIsForAWSResource).`,
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
  /** The deployment's prefix (its alarms, the tag's value). */
  readonly prefix: string;
  /** How the task function's role names the instance. */
  readonly permissions: Access['permissions'];
}): string {
  const instanceArn = rdsArn(props.taskFunction, 'db', props.instanceIdentifier);
  grantDescribeDbInstances(props.handler);
  grantDataReads(props.handler, props.prefix);
  props.runbook.grantStartExecution(props.handler);
  grantDescribeDbInstances(props.taskFunction);
  grantOnResource(
    props.taskFunction,
    { permissions: props.permissions, prefix: props.prefix },
    {
      sid: 'ModifyTaggedInstances',
      actions: ['rds:ModifyDBInstance'],
      arns: [instanceArn],
      pattern: rdsArn(props.taskFunction, 'db', '*'),
      noun: 'RDS instances',
    },
  );
  return instanceArn;
}
