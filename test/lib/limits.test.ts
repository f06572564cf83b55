/**
 * Synth refuses a deployment AWS would refuse: every limit named with its count and the way out, for a
 * footprint past it; and the footprint is measured on what the construct really built.
 */
import { Stack } from 'aws-cdk-lib';
import { type AutoscalerConfigInput, parseConfig } from '../../lambdas/shared/config';
import { Autoscaler } from '../../lib/autoscaler';
import { type Footprint, footprintOf, IAM_LIMITS, limitProblems, MANAGED_POLICIES_CONTEXT_KEY, policyCharacters } from '../../lib/limits';
import { testApp } from './helpers';

const within: Footprint = {
  roles: [{ path: 'A/Role', inlineCharacters: 10_240, managedPolicies: Array(10).fill(6_144) }],
  stacks: [{ path: 'S', resources: 500, outputs: 200, parameters: 200 }],
  dashboards: [{ path: 'A/Dashboard', widgets: 500 }],
};

describe('limitProblems', () => {
  test('a footprint at every limit passes', () => {
    expect(limitProblems(within)).toEqual([]);
  });

  test('one past each limit is refused, naming the limit, the count and the way out', () => {
    const past: Footprint = {
      roles: [{ path: 'A/Role', inlineCharacters: 10_241, managedPolicies: [...Array(10).fill(100), 6_145] }],
      stacks: [{ path: 'S', resources: 501, outputs: 201, parameters: 201 }],
      dashboards: [{ path: 'A/Dashboard', widgets: 501 }],
    };
    const problems = limitProblems(past);
    expect(problems).toEqual([
      expect.stringMatching(/^A\/Role: its inline policies hold 10241 characters, more than IAM's 10240 per role: set `permissions: by-tag`/),
      expect.stringMatching(
        /^A\/Role: 11 managed policies attached, more than IAM's quota of 10 per role .*autoscaler:managedPoliciesPerRole=N.*permissions: by-tag/,
      ),
      expect.stringMatching(/^A\/Role: managed policy 11 holds 6145 characters, more than IAM's 6144/),
      expect.stringMatching(/^stack S: 501 resources, more than CloudFormation's 500 per stack: .*different prefixes/),
      expect.stringMatching(/^stack S: 201 outputs, more than CloudFormation's 200/),
      expect.stringMatching(/^stack S: 201 parameters, more than CloudFormation's 200/),
      expect.stringMatching(/^dashboard A\/Dashboard: 501 widgets, more than CloudWatch's 500/),
    ]);
  });

  test('a granted quota increase of managed policies per role is honoured', () => {
    const twelve: Footprint = { ...within, roles: [{ path: 'A/Role', inlineCharacters: 0, managedPolicies: Array(12).fill(100) }] };
    expect(limitProblems(twelve)).toHaveLength(1);
    expect(limitProblems(twelve, 20)).toEqual([]);
  });
});

describe('policyCharacters', () => {
  test('counts a reference as the longest value it takes, and no whitespace', () => {
    const doc = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::b/*']] } }] };
    expect(policyCharacters(doc)).toBe(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws-iso-b:s3:::b/*' }] }).length);
    expect(policyCharacters({ Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } })).toBeGreaterThan(200);
  });
});

/** rds-replicas targets: their statements are granted per target in either mode. */
function replicaTargets(n: number) {
  return Array.from({ length: n }, (_, i) => ({ kind: 'rds-replicas', id: `db${i}`, sourceInstanceIdentifier: `src${i}`, maxReplicas: 2 }));
}

function build(targets: unknown[], context: Record<string, unknown> = {}) {
  const app = testApp(context);
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const autoscaler = new Autoscaler(stack, 'Autoscaler', { config: parseConfig({ prefix: 'shop', targets } as AutoscalerConfigInput) });
  return { app, autoscaler };
}

describe('the Autoscaler refuses at synth', () => {
  test('a runbook role past the managed policies IAM attaches to a role', () => {
    const { app } = build(replicaTargets(60));
    expect(() => app.synth()).toThrow(/DataRunbooks\/TaskFunctionRole: 1[1-9] managed policies attached, more than IAM's quota of 10 per role/);
  });

  test('the same config once the quota increase is stated', () => {
    const { app, autoscaler } = build(replicaTargets(60), { [MANAGED_POLICIES_CONTEXT_KEY]: 20 });
    expect(() => app.synth()).not.toThrow();
    const task = footprintOf(autoscaler).roles.find((r) => r.path.endsWith('DataRunbooks/TaskFunctionRole'))!;
    expect(task.managedPolicies.length).toBeGreaterThan(IAM_LIMITS.managedPoliciesPerRole);
    expect(task.inlineCharacters).toBeLessThanOrEqual(IAM_LIMITS.inlineCharactersPerRole);
  });

  test('a stated quota that is not a number of policies', () => {
    expect(() => build(replicaTargets(1), { [MANAGED_POLICIES_CONTEXT_KEY]: 'lots' })).toThrow(
      '-c autoscaler:managedPoliciesPerRole=lots: must be a whole number of managed policies per role',
    );
  });
});
