/**
 * `permissions: by-tag`: the roles name no target's resource, only the deployment's tag, so they are the
 * same for a few targets as for many; `per-target` names each.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type AutoscalerConfigInput, type PermissionMode, parseConfig } from '../../../lambdas/shared/config';
import { SCALED_BY_TAG } from '../../../lambdas/shared/tags';
import { Autoscaler } from '../../../lib/autoscaler';
import { asg, ecs, testApp } from '../helpers';

const QUEUE = (name: string) => `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`;

/** `n` targets of each kind that may be granted by tag. */
function targets(n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => [
    asg(`web${i}`),
    ecs(`api${i}`),
    {
      kind: 'queue-workers',
      id: `jobs${i}`,
      queueUrl: QUEUE(`jobs${i}`),
      workers: { kind: 'asg', autoScalingGroupName: `jobs${i}-workers` },
      messagesPerSecondPerWorker: 1,
      maxCapacity: 5,
    },
    {
      kind: 'rabbitmq-workers',
      id: `mail${i}`,
      broker: 'b',
      queue: `mail${i}`,
      workers: { kind: 'ecs-service', cluster: 'c', service: `mail${i}` },
      messagesPerSecondPerWorker: 1,
      maxCapacity: 5,
    },
    { kind: 'rds-storage', id: `disk${i}`, instanceIdentifier: `db${i}`, maxAllocatedGiB: 500 },
    { kind: 'rds-instance', id: `class${i}`, instanceIdentifier: `db-class${i}`, instanceClassLadder: ['db.r6g.large', 'db.r6g.xlarge'] },
    { kind: 'redis', id: `cache${i}`, replicationGroupId: `cache${i}`, nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'] },
    { kind: 'cloudfront', id: `cdn${i}`, distributionId: `E${i}EXAMPLE`, triggers: [{ codePipeline: { pipeline: `p${i}` } }] },
  ]).flat();
}

/** Every role's policies (inline and managed), by role, as the template holds them. */
function rolePolicies(permissions: PermissionMode, n: number): Record<string, unknown[]> {
  const stack = new Stack(testApp(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  new Autoscaler(stack, 'Autoscaler', { config: parseConfig({ prefix: 'shop', permissions, targets: targets(n) } as AutoscalerConfigInput) });
  const template = Template.fromStack(stack);
  const byRole: Record<string, unknown[]> = {};
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'])
    for (const p of Object.values(template.findResources(type))) {
      const roles = (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref).join(',');
      byRole[roles] = [...(byRole[roles] ?? []), ...p.Properties.PolicyDocument.Statement];
    }
  return byRole;
}

describe('permissions: by-tag', () => {
  test('the roles are the same for one target of each kind and for five', () => {
    expect(rolePolicies('by-tag', 5)).toEqual(rolePolicies('by-tag', 1));
  });

  test('every statement on a target resource is conditioned on the deployment tag', () => {
    const statements = Object.values(rolePolicies('by-tag', 1)).flat() as { Sid?: string; Condition?: unknown }[];
    const tagged = statements.filter((s) => JSON.stringify(s.Condition ?? {}).includes(`aws:ResourceTag/${SCALED_BY_TAG}`));
    expect(tagged.map((s) => s.Sid).sort()).toEqual(
      [
        'InvalidateTaggedDistributions',
        'ModifyTaggedInstances',
        'ReadTaggedQueues',
        'ReadTaggedReplicationGroups',
        'ResizeTaggedReplicationGroups',
        // The capacity and queue functions, and the set-capacity task function.
        ...Array(3).fill('ScaleTaggedGroups'),
        ...Array(3).fill('ScaleTaggedServices'),
        // The set-capacity task reads the queue of workers that do not protect themselves.
        'ReadTaggedQueues',
      ].sort(),
    );
    for (const s of tagged) expect(s.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/${SCALED_BY_TAG}`]: 'shop' } });
  });
});

describe('permissions: per-target (the default)', () => {
  test("the roles name each target's resources, where by-tag roles name none", () => {
    const names = ['web4-asg', 'api4-svc', 'jobs4', 'jobs4-workers', 'mail4', 'db4', 'db-class4', 'cache4', 'E4EXAMPLE'];
    const perTarget = JSON.stringify(rolePolicies('per-target', 5));
    const byTag = JSON.stringify(rolePolicies('by-tag', 5));
    expect(names.filter((n) => !perTarget.includes(n))).toEqual([]);
    expect(names.filter((n) => byTag.includes(n))).toEqual([]);
  });
});
