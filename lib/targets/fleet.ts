/**
 * The rights on a fleet (an Auto Scaling group, an ECS service) that a function setting its desired
 * count needs: the family's function, and the set-capacity runbook's task function. One place, so the
 * two always hold the same.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { grantUnscoped } from '../shared/function';
import { acknowledgeWildcardResource } from '../shared/nag';
import { type Access, grantOnResource } from './access';

/**
 * SetDesiredCapacity on the group (its ARN with the UUID a wildcard; by-tag: any group carrying the
 * deployment's tag) and DescribeAutoScalingGroups.
 */
export function grantGroupCapacity(fn: lambda.IFunction, access: Access, groupName: string, groupArn: string, describes: string): void {
  grantOnResource(fn, access, {
    sid: 'ScaleTaggedGroups',
    actions: ['autoscaling:SetDesiredCapacity'],
    arns: [groupArn],
    pattern: Stack.of(fn).formatArn({
      service: 'autoscaling',
      resource: 'autoScalingGroup',
      resourceName: '*:autoScalingGroupName/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    noun: 'Auto Scaling groups',
  });
  if (access.permissions === 'per-target')
    acknowledgeWildcardResource(
      fn.role!,
      groupArn,
      `autoscaling:SetDesiredCapacity on the group named "${groupName}" only: the wildcard stands for the group's UUID, which is not known at synth.`,
    );
  grantUnscoped(
    fn,
    'DescribeAutoScalingGroupsPolicy',
    ['autoscaling:DescribeAutoScalingGroups'],
    `autoscaling:DescribeAutoScalingGroups supports no resource-level permissions; it only reads ${describes}.`,
  );
}

/** UpdateService (desiredCount) and DescribeServices on the service (by-tag: any service carrying the deployment's tag). */
export function grantServiceCapacity(fn: lambda.IFunction, access: Access, serviceArn: string): void {
  grantOnResource(fn, access, {
    sid: 'ScaleTaggedServices',
    actions: ['ecs:UpdateService', 'ecs:DescribeServices'],
    arns: [serviceArn],
    pattern: Stack.of(fn).formatArn({ service: 'ecs', resource: 'service', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
    noun: 'ECS services',
  });
}
