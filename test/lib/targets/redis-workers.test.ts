import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { AutoscalerConfig } from '../../../lambdas/shared/config';
import { buildApp } from '../../../lib/app';
import { Autoscaler } from '../../../lib/autoscaler';
import { BROKER_READER_ENTRY, LAMBDA_VPC_ACTIONS, type RedisWorkersScalingTarget } from '../../../lib/targets/redis-workers';
import { config, dashboardWidgets, testApp, validationFindings, widgetTitled } from '../helpers';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-broker-auth-AbCdEf';
const VPC = { subnetIds: ['subnet-0aaa1111bbbb2222c', 'subnet-0ddd3333eeee4444f'], securityGroupIds: ['sg-0123456789abcdef0'] };

function redisTargets() {
  return [
    {
      id: 'mail-workers',
      kind: 'redis-workers' as const,
      broker: { host: 'shop-broker.abc123.ng.0001.use1.cache.amazonaws.com', queues: ['mail'], authSecretArn: SECRET, vpc: VPC },
      workers: { kind: 'ecs-service' as const, cluster: 'celery', service: 'mail-worker' },
      messagesPerSecondPerWorker: 2,
      maxCapacity: 30,
    },
    {
      id: 'report-workers',
      kind: 'redis-workers' as const,
      broker: { host: 'shop-broker.abc123.ng.0001.use1.cache.amazonaws.com', database: 1, queues: ['celery', 'reports'], priorities: true, vpc: VPC },
      workers: { kind: 'asg' as const, autoScalingGroupName: 'celery-reports' },
      messagesPerSecondPerWorker: 0.2,
      maxWaitSeconds: 900,
    },
  ];
}

function build(cfg: AutoscalerConfig) {
  const stack = new Stack(testApp(), 'Test');
  const autoscaler = new Autoscaler(stack, 'Autoscaler', { config: cfg });
  return { autoscaler, template: Template.fromStack(stack) };
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
/** The statements of the policies attached to roles whose logical id contains `role`. */
function statements(template: Template, role?: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => !role || JSON.stringify(p.Properties.Roles).includes(role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (s: Statement) => [s.Action].flat();

describe('RedisWorkersScalingTarget', () => {
  test("a backlog alarm per target on the reader's QueueDepth in <prefix>/Celery by Target; missing data not breaching", () => {
    const { template } = build(config({ targets: redisTargets() }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/mail-workers/backlog/high',
      Namespace: 'shop/Celery',
      MetricName: 'QueueDepth',
      Dimensions: [{ Name: 'Target', Value: 'mail-workers' }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 600,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'shop/report-workers/backlog/high', Threshold: 180 });
  });

  test("the queue family's rule matches alarms on the deployment's own namespace", () => {
    const { template, autoscaler } = build(config({ targets: redisTargets() }));
    expect(Object.keys(autoscaler.functions)).toEqual(['queue']);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ configuration: { metrics: { metricStat: { metric: { namespace: Match.arrayWith(['shop/Celery']) } } } } }),
      }),
    });
  });

  test('one broker reader for every target, in the configured subnets and security groups, run every minute', () => {
    const { template, autoscaler } = build(config({ targets: redisTargets() }));
    const reader = autoscaler.brokerReader!;
    expect(reader.namespace).toBe('shop/Celery');
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { VpcConfig: Match.anyValue() } });
    expect(Object.keys(functions)).toHaveLength(1);
    const [fn] = Object.values(functions);
    expect(fn.Properties.VpcConfig).toEqual({ SubnetIds: VPC.subnetIds, SecurityGroupIds: VPC.securityGroupIds });
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Timeout: 30 });
    expect(reader.subnets.map((s) => s.subnetId)).toEqual(VPC.subnetIds);
    expect(reader.securityGroups.map((g) => g.securityGroupId)).toEqual(VPC.securityGroupIds);
    expect(BROKER_READER_ENTRY).toMatch(/lambdas\/publisher\/handler\.ts$/);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('BrokerReaderFunction'), 'Arn'] },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 0 }),
        }),
      ],
    });
    // A failed minute is not retried (the next one reads again); its errors raise a self-alarm.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: Match.stringLikeRegexp('function/broker-reader/errors') });
  });

  test("the reader's role: PutMetricData in its namespace only, the configured secret only, the VPC's network interfaces; nothing else", () => {
    const { template } = build(config({ targets: redisTargets() }));
    const reader = statements(template, 'BrokerReaderRole');
    const put = reader.filter((s) => actionsOf(s).includes('cloudwatch:PutMetricData'));
    expect(put).toEqual([
      { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'shop/Celery' } } },
    ]);
    const secrets = reader.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(secrets).toEqual([expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: SECRET })]);
    const ec2 = reader.filter((s) => actionsOf(s).some((a) => a.startsWith('ec2:')));
    expect(ec2.map((s) => actionsOf(s).sort())).toEqual(
      [LAMBDA_VPC_ACTIONS.describe, LAMBDA_VPC_ACTIONS.create, LAMBDA_VPC_ACTIONS.onInterfaces].map((a) => [...a].sort()),
    );
    // Describe alone on "*" (wildcard-only); creating in the configured subnets and security groups; the
    // interfaces themselves only in the configured subnets.
    expect(ec2[0].Resource).toBe('*');
    const arns = JSON.stringify(ec2[1].Resource);
    for (const id of [...VPC.subnetIds, ...VPC.securityGroupIds]) expect(arns).toContain(`/${id}"`);
    expect(arns).not.toContain('*');
    expect(JSON.stringify(ec2[2].Resource)).toMatch(/:network-interface\/\*"/);
    expect(Object.keys(ec2[2].Condition as object)).toEqual(['ArnEquals']);
    const held = JSON.stringify((ec2[2].Condition as { ArnEquals: Record<string, unknown> }).ArnEquals['ec2:Subnet']);
    for (const id of VPC.subnetIds) expect(held).toContain(`:subnet/${id}"`);
    const all = reader.flatMap(actionsOf);
    // (and the dead-letter queue, as Lambda's failure destination writes it; X-Ray for active tracing)
    expect(all.filter((a) => !a.startsWith('ec2:') && !a.startsWith('logs:') && !a.startsWith('xray:')).sort()).toEqual([
      'cloudwatch:PutMetricData',
      'secretsmanager:GetSecretValue',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ]);
    // The queue function reads the metrics and sets the fleets; it neither publishes nor reads secrets.
    const queue = statements(template, 'QueueFunctionRole').flatMap(actionsOf);
    expect(queue).toContain('cloudwatch:GetMetricData');
    expect(queue).not.toContain('cloudwatch:PutMetricData');
    expect(queue).not.toContain('secretsmanager:GetSecretValue');
  });

  test('without an AUTH secret the reader reads no secret', () => {
    const [, plain] = redisTargets();
    const { template } = build(config({ targets: [plain] }));
    expect(statements(template).flatMap(actionsOf)).not.toContain('secretsmanager:GetSecretValue');
  });

  test('no broker reader without a redis-workers target', () => {
    const { autoscaler, template } = build(
      config({
        targets: [
          { kind: 'rabbitmq-workers', id: 'm', broker: 'b', queue: 'q', workers: { kind: 'asg', autoScalingGroupName: 'g' }, messagesPerSecondPerWorker: 1 },
        ],
      }),
    );
    expect(autoscaler.brokerReader).toBeUndefined();
    expect(Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { VpcConfig: Match.anyValue() } }))).toEqual([]);
  });

  test('exposes its alarms and the fleet ARN', () => {
    const { autoscaler } = build(config({ targets: redisTargets() }));
    const t = autoscaler.targets['report-workers'] as RedisWorkersScalingTarget;
    expect(Object.keys(t.alarms)).toEqual(['shop/report-workers/backlog/high']);
    expect(t.workersArn).toContain('autoScalingGroupName/celery-reports');
  });

  test('the dashboard draws the queue depth (waiting, unacknowledged, the backlog threshold) and the fleet', () => {
    const { template } = build(config({ targets: redisTargets() }));
    const widget = widgetTitled(dashboardWidgets(template), 'report-workers: queue depth (celery, reports)');
    expect(JSON.stringify(widget)).toContain('"shop/Celery","QueueDepth","Target","report-workers"');
    expect(JSON.stringify(widget)).toContain('"shop/Celery","UnackedMessages","Target","report-workers"');
    expect(JSON.stringify(widget)).toContain('backlog alarm 180');
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('DesiredTaskCount');
    expect(body).toContain('GroupInServiceInstances');
  });

  test('synthesizes with zero unacknowledged cdk-nag findings, with and without windows', () => {
    const night = { name: 'night', target: 'mail-workers', start: 'cron(0 23 * * ? *)', end: 'cron(0 7 * * ? *)', maxCapacity: 2 };
    for (const windows of [[], [night]]) {
      const app = testApp();
      buildApp(config({ targets: redisTargets(), windows }), { app });
      expect(validationFindings(app)).toEqual([]);
    }
  });
});
