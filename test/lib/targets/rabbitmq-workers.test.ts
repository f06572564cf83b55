import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { AutoscalerConfig } from '../../../lambdas/shared/config';
import { buildApp } from '../../../lib/app';
import type { RabbitmqWorkersScalingTarget } from '../../../lib/targets/rabbitmq-workers';
import { config, rabbit, synthAutoscaler, testApp, validationFindings } from '../helpers';

function rabbitTargets() {
  return [
    rabbit('mail-workers', { queue: 'mail', workers: { kind: 'ecs-service', cluster: 'celery', service: 'mail-worker' }, maxCapacity: 30 }),
    rabbit('report-workers', {
      virtualHost: 'reports',
      queue: 'celery',
      workers: { kind: 'asg', autoScalingGroupName: 'celery-reports' },
      messagesPerSecondPerWorker: 0.2,
      maxWaitSeconds: 900,
    }),
  ];
}

const build = (cfg: AutoscalerConfig) => synthAutoscaler(cfg);

type Statement = { Action: string | string[]; Resource: unknown };
function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (s: Statement) => [s.Action].flat();

describe('RabbitmqWorkersScalingTarget', () => {
  test('a backlog alarm per queue on AWS/AmazonMQ MessageReadyCount by Broker, VirtualHost and Queue; missing data not breaching', () => {
    const { template } = build(config({ targets: rabbitTargets() }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/mail-workers/backlog/high',
      Namespace: 'AWS/AmazonMQ',
      MetricName: 'MessageReadyCount',
      Dimensions: [
        { Name: 'Broker', Value: 'shop-broker' },
        { Name: 'VirtualHost', Value: '/' },
        { Name: 'Queue', Value: 'mail' },
      ],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 600,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'shop/report-workers/backlog/high', Threshold: 180 });
  });

  test('the queue function, its 1-minute poll and a rule that matches AmazonMQ alarms', () => {
    const { template, autoscaler } = build(config({ targets: rabbitTargets() }));
    expect(Object.keys(autoscaler.functions)).toEqual(['queue']);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({ Input: Match.serializedJson(Match.objectLike({ action: 'reevaluate', family: 'queue' })) }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ configuration: { metrics: { metricStat: { metric: { namespace: Match.arrayWith(['AWS/AmazonMQ']) } } } } }),
      }),
    });
  });

  test('GetMetricData (no resource-level permissions) and the fleets scoped by name; nothing on the broker, nothing on SQS', () => {
    const { template } = build(config({ targets: rabbitTargets() }));
    const all = statements(template);
    const metricReads = all.filter((s) => actionsOf(s).includes('cloudwatch:GetMetricData'));
    expect(metricReads).toHaveLength(1);
    expect(metricReads[0].Resource).toBe('*');
    expect(actionsOf(metricReads[0])).toEqual(['cloudwatch:GetMetricData']);
    const ecsStatement = all.find((s) => actionsOf(s).includes('ecs:UpdateService'))!;
    expect(JSON.stringify(ecsStatement.Resource)).toContain(':service/celery/mail-worker');
    const asgStatement = all.find((s) => actionsOf(s).includes('autoscaling:SetDesiredCapacity'))!;
    expect(JSON.stringify(asgStatement.Resource)).toContain(':autoScalingGroupName/celery-reports');
    const actions = all.flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('mq:'))).toEqual([]);
    // (the deployment's own dead-letter queue is written by Lambda's failure destination, not by this target)
    expect(actions.filter((a) => a === 'sqs:GetQueueAttributes').length).toBeLessThanOrEqual(1);
    const unscoped = all.filter((s) => s.Resource === '*').flatMap(actionsOf);
    expect(unscoped).not.toContain('ecs:UpdateService');
    expect(unscoped).not.toContain('autoscaling:SetDesiredCapacity');
  });

  test('exposes its alarms and the fleet ARN', () => {
    const { autoscaler } = build(config({ targets: rabbitTargets() }));
    const t = autoscaler.targets['report-workers'] as RabbitmqWorkersScalingTarget;
    expect(Object.keys(t.alarms)).toEqual(['shop/report-workers/backlog/high']);
    expect(t.workersArn).toContain('autoScalingGroupName/celery-reports');
  });

  test('the dashboard draws the fleet: desired against running or in service', () => {
    const { template } = build(config({ targets: rabbitTargets() }));
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('mail-workers (rabbitmq-workers)');
    expect(body).toContain('DesiredTaskCount');
    expect(body).toContain('GroupInServiceInstances');
  });

  test('synthesizes with zero unacknowledged cdk-nag findings, with and without windows', () => {
    const night = { name: 'night', target: 'mail-workers', start: 'cron(0 23 * * ? *)', end: 'cron(0 7 * * ? *)', maxCapacity: 2 };
    for (const windows of [[], [night]]) {
      const app = testApp();
      buildApp(config({ targets: rabbitTargets(), windows }), { app });
      expect(validationFindings(app)).toEqual([]);
    }
  });
});
