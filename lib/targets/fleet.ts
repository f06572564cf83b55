/**
 * The rights on a fleet (an Auto Scaling group, an ECS service) that a function setting its desired
 * count needs: the family's function, and the set-capacity runbook's task function. One place, so the
 * two always hold the same.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { grantUnscoped } from '../shared/function';
import { acknowledgeWildcardResource } from '../shared/nag';

/** SetDesiredCapacity on the group (its ARN with the UUID a wildcard) and DescribeAutoScalingGroups. */
export function grantGroupCapacity(fn: lambda.IFunction, groupName: string, groupArn: string, describes: string): void {
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['autoscaling:SetDesiredCapacity'], resources: [groupArn] }));
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

/** UpdateService (desiredCount) and DescribeServices on the service. */
export function grantServiceCapacity(fn: lambda.IFunction, serviceArn: string): void {
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService', 'ecs:DescribeServices'], resources: [serviceArn] }));
}
