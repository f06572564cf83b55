/** Alert-only rules as the Autoscaler construct wires them (lib/monitoring/alerts.ts). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NestedStack, Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { allAlerts } from '../../../lambdas/shared/alarms';
import { Autoscaler } from '../../../lib/autoscaler';
import { asg, config, synthAutoscaler, TG, testApp, validationFindings } from '../helpers';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-default';
const seedRule = { name: 'high-cpu', signal: 'cpu', comparison: '>', threshold: 70, datapointsToAlarm: 3, evaluationPeriods: 5 };

const withAlerts = config({
  targets: [
    asg('web', {
      targetGroup: TG,
      customMetrics: [
        {
          name: 'error-rate',
          queries: [
            { id: 'errors', metric: { namespace: 'Shop', metricName: 'Errors', dimensions: { App: 'shop' }, stat: 'Sum' } },
            { id: 'requests', metric: { namespace: 'Shop', metricName: 'Requests', dimensions: { App: 'shop' }, stat: 'Sum' } },
            { id: 'rate', expression: '100 * errors / requests', returnData: true },
          ],
        },
      ],
      alerts: [
        seedRule,
        { name: 'errors', signal: 'target5xxCount', comparison: '>', threshold: 50, evaluationPeriods: 2 },
        { name: 'error-rate', signal: 'error-rate', comparison: '>', threshold: 5, evaluationPeriods: 3 },
      ],
    }),
    {
      kind: 'queue-workers',
      id: 'celery',
      queueUrl: QUEUE,
      workers: { kind: 'ecs-service', cluster: 'celery', service: 'worker' },
      messagesPerSecondPerWorker: 2,
      alerts: [
        {
          name: 'backlog',
          signal: 'visibleMessages',
          comparison: '>',
          threshold: 1000,
          datapointsToAlarm: 5,
          evaluationPeriods: 5,
          treatMissingData: 'notBreaching',
        },
      ],
    },
  ],
});

const synth = (cfg = withAlerts) => synthAutoscaler(cfg);

describe('alert-only rules', () => {
  const { stack, autoscaler, template } = synth();
  const topicId = stack.getLogicalId(autoscaler.notifications.topic.node.defaultChild as never);

  test('the seed rule is an alarm on 3 of 5 one-minute datapoints of the group CPU above 70 that tells the topic, and so does its return to OK', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop.alert/web/high-cpu',
      Namespace: 'AWS/EC2',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'web-asg' }],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      Threshold: 70,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'missing',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop.alert/celery/backlog',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: 'celery-default' }],
      TreatMissingData: 'notBreaching',
    });
  });

  test('an alert on a metric math custom metric is a metric math alarm on its queries', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop.alert/web/error-rate',
      Metrics: [
        { Id: 'errors', ReturnData: false, MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Errors' }, Period: 60, Stat: 'Sum' } },
        { Id: 'requests', ReturnData: false, MetricStat: Match.objectLike({ Period: 60 }) },
        { Id: 'rate', ReturnData: true, Expression: '100 * errors / requests' },
      ],
      Threshold: 5,
      EvaluationPeriods: 3,
      MetricName: Match.absent(),
      Period: Match.absent(),
      AlarmActions: [{ Ref: topicId }],
    });
  });

  test('every alert alarm publishes to the topic only: no function, no scaling action', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: Match.stringLikeRegexp('^shop\\.alert/') } });
    expect(Object.keys(alarms)).toHaveLength(4);
    for (const { Properties: p } of Object.values(alarms) as { Properties: Record<string, unknown> }[]) {
      expect(p.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(p.OKActions).toEqual([{ Ref: topicId }]);
      expect(p.InsufficientDataActions).toBeUndefined();
    }
    expect(Object.keys(autoscaler.alerts).sort()).toEqual([
      'shop.alert/celery/backlog',
      'shop.alert/web/error-rate',
      'shop.alert/web/errors',
      'shop.alert/web/high-cpu',
    ]);
    // The targets' own alarms are unchanged and keep no actions.
    expect(Object.keys(autoscaler.alarms).every((n) => n.startsWith('shop/'))).toBe(true);
  });

  test('cdk-nag and CloudFormation validation find nothing', () => {
    const app = testApp();
    new Autoscaler(new Stack(app, 'Nag'), 'Autoscaler', { config: withAlerts });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(validationFindings(app)).toEqual([]);
  });

  test('past the main stack, a target alerts go into a nested stack beside its alarms and keep the topic as their action', () => {
    const cfg = config({ targets: Array.from({ length: 110 }, (_, i) => asg(`w${i}`, { alerts: [seedRule] })) });
    const app2 = testApp();
    const stack2 = new Stack(app2, 'Test');
    const a = new Autoscaler(stack2, 'Autoscaler', { config: cfg });
    const assembly = app2.synth();
    expect(a.alarmStacks).toBeDefined();
    const nested = app2.node
      .findAll()
      .filter((c): c is NestedStack => c instanceof NestedStack)
      .map(
        (n) =>
          JSON.parse(fs.readFileSync(path.join(assembly.directory, n.templateFile), 'utf8')) as {
            Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
          },
      );
    const alerts = nested.flatMap((t) => Object.values(t.Resources)).filter((r) => String(r.Properties?.AlarmName).includes('.alert/'));
    expect(alerts).toHaveLength(allAlerts(cfg).length);
    for (const r of alerts) expect(r.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/Topic/) }]);
  });
});
