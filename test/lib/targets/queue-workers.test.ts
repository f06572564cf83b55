import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { AutoscalerConfig, QueueWorkersTarget } from '../../../lambdas/shared/config';
import { buildApp } from '../../../lib/app';
import { type QueueWorkersScalingTarget, queueDepthWidget } from '../../../lib/targets/queue-workers';
import { config, dashboardOf, dashboardWidgets, synthAutoscaler, testApp, validationFindings } from '../helpers';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-default';
const REPORTS = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-reports';
const REPORTS_DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-reports-dlq';

function queueTargets() {
  return [
    {
      id: 'default-workers',
      kind: 'queue-workers' as const,
      queueUrl: QUEUE,
      workers: { kind: 'ecs-service' as const, cluster: 'celery', service: 'default-worker' },
      messagesPerSecondPerWorker: 2,
      maxCapacity: 30,
    },
    {
      id: 'report-workers',
      kind: 'queue-workers' as const,
      queueUrl: REPORTS,
      deadLetterQueueUrl: REPORTS_DLQ,
      workers: { kind: 'asg' as const, autoScalingGroupName: 'celery-reports' },
      messagesPerSecondPerWorker: 0.2,
      maxWaitSeconds: 900,
    },
  ];
}

const NIGHT = {
  name: 'night',
  target: 'default-workers',
  start: 'cron(0 23 * * ? *)',
  end: 'cron(0 8 * * ? *)',
  timezone: 'Europe/Paris',
  minCapacity: 0,
  maxCapacity: 2,
};

const build = (cfg: AutoscalerConfig) => synthAutoscaler(cfg);

function statements(template: Template) {
  // The queue function's role (the runbook task function's are test/lib/runbooks/capacity.test.ts's).
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => !JSON.stringify(p.Properties.Roles).includes('DataRunbooks'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
}

describe('QueueWorkersScalingTarget', () => {
  test('an age-of-oldest-message alarm per queue at a share of the wait SLO, missing data not breaching', () => {
    const { template } = build(config({ targets: queueTargets() }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/default-workers/age/high',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: 'celery-default' }],
      Statistic: 'Maximum',
      Threshold: 150,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'shop/report-workers/age/high', Threshold: 450 });
  });

  test('one queue function, a 1-minute poll schedule and an alarm rule on AWS/SQS (among the namespaces of the queue kinds) for the queue family', () => {
    const { template, autoscaler } = build(config({ targets: queueTargets() }));
    expect(Object.keys(autoscaler.functions)).toEqual(['queue']);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({ Input: Match.serializedJson(Match.objectLike({ action: 'reevaluate', family: 'queue' })) }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ configuration: { metrics: { metricStat: { metric: { namespace: Match.arrayWith(['AWS/SQS']) } } } } }),
      }),
    });
  });

  test('GetQueueAttributes on the configured queues and dead-letter queue only; the fleets scoped as the web targets are', () => {
    const { template } = build(config({ targets: queueTargets() }));
    const all = statements(template);
    const sqsStatements = all.filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:GetQueueAttributes')));
    // (the deployment's own dead-letter queue is read by Lambda's failure destination grant, not by this target)
    const resources = sqsStatements
      .flatMap((s) => [s.Resource].flat())
      .map((r) => JSON.stringify(r))
      .filter((r) => !r.includes('AutoscalerDeadLetterQueue'));
    expect(resources).toHaveLength(3);
    for (const name of ['celery-default', 'celery-reports', 'celery-reports-dlq']) {
      expect(resources.some((r) => r.includes(`:sqs:eu-west-1:123456789012:${name}"`))).toBe(true);
    }
    const ecsStatement = all.find((s) => [s.Action].flat().includes('ecs:UpdateService'))!;
    expect(JSON.stringify(ecsStatement.Resource)).toContain(':service/celery/default-worker');
    const asgStatement = all.find((s) => [s.Action].flat().includes('autoscaling:SetDesiredCapacity'))!;
    expect(JSON.stringify(asgStatement.Resource)).toContain(':autoScalingGroupName/celery-reports');
    const unscoped = all.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat());
    expect(unscoped).not.toContain('sqs:GetQueueAttributes');
    expect(unscoped).not.toContain('ecs:UpdateService');
    expect(unscoped).not.toContain('autoscaling:SetDesiredCapacity');
  });

  test('exposes its alarms and ARNs', () => {
    const { autoscaler } = build(config({ targets: queueTargets() }));
    const t = autoscaler.targets['report-workers'] as QueueWorkersScalingTarget;
    expect(Object.keys(t.alarms)).toEqual(['shop/report-workers/age/high']);
    expect(t.deadLetterQueueArn).toBeDefined();
  });

  test('synthesizes with zero unacknowledged cdk-nag findings, with and without windows', () => {
    for (const windows of [[], [NIGHT]]) {
      const app = testApp();
      buildApp(config({ targets: queueTargets(), windows }), { app });
      expect(validationFindings(app)).toEqual([]);
    }
  });
});

describe('CapacityWindowSchedules', () => {
  test('a schedule at the window start and end, in its time zone, invoking the target family with a window event', () => {
    const { template, autoscaler } = build(config({ targets: queueTargets(), windows: [NIGHT] }));
    expect(Object.keys(autoscaler.windowSchedules!.schedules).sort()).toEqual(['night-end', 'night-start']);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 23 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Input: Match.serializedJson({
          source: 'autoscaler.scheduler',
          action: 'window',
          family: 'queue',
          window: 'night',
          edge: 'start',
          scheduledTime: '<aws.scheduler.scheduled-time>',
          executionId: '<aws.scheduler.execution-id>',
        }),
      }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 8 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris' });
  });

  test('a duration window has a start schedule only', () => {
    const batch = { name: 'batch', target: 'default-workers', start: 'cron(0 2 * * ? *)', durationMinutes: 60, minCapacity: 10 };
    const { autoscaler } = build(config({ targets: queueTargets(), windows: [batch] }));
    expect(Object.keys(autoscaler.windowSchedules!.schedules)).toEqual(['batch-start']);
  });

  test("the windows role may invoke the windows' family functions only", () => {
    const { template } = build(config({ targets: queueTargets(), windows: [NIGHT] }));
    const invoke = statements(template).filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke.every((s) => [s.Resource].flat().every((r) => JSON.stringify(r) !== '"*"'))).toBe(true);
  });

  test('no windows, no window schedules', () => {
    const { autoscaler } = build(config({ targets: queueTargets() }));
    expect(autoscaler.windowSchedules).toBeUndefined();
  });
});

describe('capacity windows on web targets', () => {
  test('a window on an asg target invokes the capacity function at its start and end', () => {
    const web = { kind: 'asg' as const, id: 'web', autoScalingGroupName: 'web-asg' };
    const morning = {
      name: 'business',
      target: 'web',
      start: 'cron(0 8 ? * MON-FRI *)',
      end: 'cron(0 19 ? * MON-FRI *)',
      timezone: 'America/New_York',
      minCapacity: 4,
    };
    const { template, autoscaler } = build(config({ targets: [web], windows: [morning] }));
    expect(Object.keys(autoscaler.windowSchedules!.schedules).sort()).toEqual(['business-end', 'business-start']);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 19 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'America/New_York',
      Target: Match.objectLike({ Input: Match.serializedJson(Match.objectLike({ action: 'window', family: 'capacity', window: 'business', edge: 'end' })) }),
    });
  });
});

describe('queue depth on the dashboard', () => {
  const [defaultWorkers, reportWorkers] = config({ targets: queueTargets() }).targets as QueueWorkersTarget[];

  test('visible and in-flight messages, and the age of the oldest against maxWaitSeconds on the right axis', () => {
    const [w] = dashboardWidgets(dashboardOf(queueDepthWidget(defaultWorkers)));
    expect(w.properties.title).toBe('default-workers: queue depth');
    expect(w.properties.metrics).toEqual([
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', 'celery-default', expect.objectContaining({ label: 'visible', stat: 'Maximum' })],
      ['AWS/SQS', 'ApproximateNumberOfMessagesNotVisible', 'QueueName', 'celery-default', expect.objectContaining({ label: 'in flight' })],
      ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', 'celery-default', expect.objectContaining({ label: 'age of oldest (s)', yAxis: 'right' })],
    ]);
    expect(w.properties.annotations?.horizontal).toEqual([expect.objectContaining({ value: 300, label: 'maxWaitSeconds 300', yAxis: 'right' })]);
  });

  test('the dead-letter queue is drawn too when there is one', () => {
    const [w] = dashboardWidgets(dashboardOf(queueDepthWidget(reportWorkers)));
    expect(w.properties.metrics).toContainEqual([
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      'QueueName',
      'celery-reports-dlq',
      expect.objectContaining({ label: 'dead letters' }),
    ]);
    expect(w.properties.annotations?.horizontal).toEqual([expect.objectContaining({ value: 900 })]);
  });
});
