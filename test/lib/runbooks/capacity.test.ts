/**
 * The set-capacity runbook's infrastructure (lib/runbooks/data.ts, definitions.ts): its state machine,
 * the output the CLI starts it by, and the rights of the task function on the fleets (lib/targets/fleet.ts).
 */
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../../lambdas/shared/config';
import { runbookOutputKey } from '../../../lambdas/shared/deployment';
import { buildApp } from '../../../lib/app';
import { testApp, validationFindings } from '../helpers';

const QUEUE = (name: string) => `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`;
const { app, stack, autoscaler } = buildApp(
  parseConfig({
    prefix: 'shop',
    targets: [
      { kind: 'asg', id: 'web', autoScalingGroupName: 'shop-web' },
      { kind: 'ecs-service', id: 'api', cluster: 'shop', service: 'shop-api' },
      {
        kind: 'queue-workers',
        id: 'celery',
        queueUrl: QUEUE('celery'),
        workers: { kind: 'asg', autoScalingGroupName: 'shop-workers' },
        messagesPerSecondPerWorker: 2,
      },
      {
        kind: 'queue-workers',
        id: 'reports',
        queueUrl: QUEUE('reports'),
        workers: { kind: 'ecs-service', cluster: 'shop', service: 'reports', scaleInProtection: true },
        messagesPerSecondPerWorker: 1,
      },
    ],
  }),
  { app: testApp() },
);
const template = Template.fromStack(stack as Stack);
const taskRole = stack.getLogicalId(autoscaler.dataRunbooks!.taskFunction.role!.node.defaultChild as never);

type Statement = { Action: string | string[]; Resource: unknown };
/** The task function role's statements, by action. */
function taskStatements(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of Object.values(template.findResources('AWS::IAM::Policy'))) {
    if (!JSON.stringify(p.Properties.Roles).includes(taskRole)) continue;
    for (const s of p.Properties.PolicyDocument.Statement as Statement[])
      for (const a of [s.Action].flat()) out.set(a, [...(out.get(a) ?? []), ...[s.Resource].flat().map((r) => JSON.stringify(r))]);
  }
  return out;
}

describe('set-capacity runbook infrastructure', () => {
  test('a config with web tiers and worker pools only gets the runbook task function and <prefix>-set-capacity, nothing of the data tier', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'shop-set-capacity', StateMachineType: 'STANDARD' });
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(Object.keys(autoscaler.dataRunbooks!.runbooks)).toEqual([]);
    expect(Object.keys(autoscaler.runbooks)).toEqual(['set-capacity']);
    template.hasOutput(runbookOutputKey('set-capacity'), {});
  });

  test('the task function may set exactly the configured fleets, and read only the queue whose workers do not protect themselves', () => {
    const s = taskStatements();
    const has = (action: string, fragment: string) => (s.get(action) ?? []).some((r) => r.includes(fragment));
    expect(has('autoscaling:SetDesiredCapacity', 'autoScalingGroupName/shop-web')).toBe(true);
    expect(has('autoscaling:SetDesiredCapacity', 'autoScalingGroupName/shop-workers')).toBe(true);
    expect(s.get('autoscaling:SetDesiredCapacity')).toHaveLength(2);
    expect(has('ecs:UpdateService', ':service/shop/shop-api')).toBe(true);
    expect(has('ecs:UpdateService', ':service/shop/reports')).toBe(true);
    expect(s.get('ecs:UpdateService')).toHaveLength(2);
    expect(s.get('sqs:GetQueueAttributes')).toEqual([expect.stringContaining(':sqs:eu-west-1:123456789012:celery')]);
    expect(s.get('autoscaling:DescribeAutoScalingGroups')).toEqual(['"*"']);
    // Nothing of the data tier: no metric reads, no RDS, no ElastiCache.
    expect([...s.keys()].filter((a) => /^(rds|elasticache|cloudwatch|ssm|route53):/.test(a))).toEqual([]);
  });

  test('cdk-nag and CloudFormation validation find nothing', () => {
    expect(validationFindings(app)).toEqual([]);
  });
});
