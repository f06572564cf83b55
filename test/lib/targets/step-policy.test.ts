import { Match, type Template } from 'aws-cdk-lib/assertions';
import { alarmRulePattern } from '../../../lambdas/shared/alarms';
import type { AutoscalerConfig } from '../../../lambdas/shared/config';
import { matchesPattern } from '../../../sim/cloud/event-pattern';
import { asg, config, ecs, synthAutoscaler, TG, testApp, validationFindings } from '../helpers';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-default';
const up = (r: Record<string, unknown>) => ({ direction: 'up', comparison: '>', change: { add: 1 }, ...r });
const down = (r: Record<string, unknown>) => ({ direction: 'down', comparison: '<', change: { add: -1 }, ...r });

const CONFIG = {
  targets: [
    asg('web', {
      policy: 'step',
      stepRules: [up({ signal: 'cpu', threshold: 70, evaluationPeriods: 5 }), down({ signal: 'cpu', threshold: 30, evaluationPeriods: 5 })],
    }),
    ecs('api', {
      targetGroup: TG,
      policy: 'step',
      stepRules: [
        up({ signal: 'memory', comparison: '>=', threshold: 85, datapointsToAlarm: 2, evaluationPeriods: 3 }),
        up({ signal: 'responseTimeP95', threshold: 1, periodSeconds: 300, evaluationPeriods: 2, change: { percent: 50, minMagnitude: 2 } }),
      ],
    }),
    {
      id: 'workers',
      kind: 'queue-workers',
      queueUrl: QUEUE,
      workers: { kind: 'ecs-service', cluster: 'celery', service: 'default-worker' },
      messagesPerSecondPerWorker: 2,
      policy: 'step',
      stepRules: [
        up({ signal: 'visibleMessages', threshold: 100, evaluationPeriods: 5 }),
        up({ signal: 'visibleMessages', threshold: 1000, change: { add: 4 } }),
        down({ signal: 'visibleMessages', threshold: 10, evaluationPeriods: 5 }),
      ],
    },
  ],
};

const synth = (cfg: AutoscalerConfig, app = testApp()) => synthAutoscaler(cfg, app);

function alarmProps(template: Template): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((r) => r.Properties as Record<string, unknown>)
      .filter((p) => !String(p.AlarmName).includes('-self/'))
      .map((p) => [p.AlarmName as string, p]),
  );
}

describe('policy: step in the template', () => {
  const cfg = config(CONFIG as never);
  const { app, template } = synth(cfg);
  const alarms = alarmProps(template);

  test("one alarm per rule and none of the default policy's", () => {
    expect(Object.keys(alarms).sort()).toEqual([
      'shop/api/step-0/high',
      'shop/api/step-1/high',
      'shop/web/step-0/high',
      'shop/web/step-1/low',
      'shop/workers/step-0/high',
      'shop/workers/step-1/high',
      'shop/workers/step-2/low',
    ]);
  });

  test('M of N, the period, the comparison and missing data as each rule says', () => {
    expect(alarms['shop/web/step-0/high']).toMatchObject({
      Namespace: 'AWS/EC2',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'web-asg' }],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      Threshold: 70,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'missing',
    });
    expect(alarms['shop/web/step-1/low']).toMatchObject({ Threshold: 30, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'notBreaching' });
    expect(alarms['shop/api/step-0/high']).toMatchObject({
      Namespace: 'AWS/ECS',
      MetricName: 'MemoryUtilization',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarms['shop/api/step-1/high']).toMatchObject({ MetricName: 'TargetResponseTime', ExtendedStatistic: 'p95', Period: 300, EvaluationPeriods: 2 });
    expect(alarms['shop/workers/step-1/high']).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: 'celery-default' }],
      Statistic: 'Maximum',
      EvaluationPeriods: 1,
      Threshold: 1000,
    });
  });

  test("each alarm's state change matches its family's rule, and no other family's", () => {
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike(alarmRulePattern('shop', 'capacity')) });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike(alarmRulePattern('shop', 'queue')) });
    const event = (name: string) => {
      const p = alarms[name];
      return {
        source: 'aws.cloudwatch',
        'detail-type': 'CloudWatch Alarm State Change',
        detail: { alarmName: name, configuration: { metrics: [{ metricStat: { metric: { namespace: p.Namespace } } }] } },
      };
    };
    for (const name of Object.keys(alarms)) {
      const family = name.startsWith('shop/workers/') ? 'queue' : 'capacity';
      expect([name, matchesPattern(alarmRulePattern('shop', family), event(name))]).toEqual([name, true]);
      const other = family === 'queue' ? 'capacity' : 'queue';
      expect([name, matchesPattern(alarmRulePattern('shop', other), event(name))]).toEqual([name, false]);
    }
  });

  test('cdk-nag and CloudFormation Validate find nothing', () => {
    expect(validationFindings(app)).toEqual([]);
  });
});

describe('a step rule on the age of the oldest message', () => {
  const queue = (stepRules: unknown[]) =>
    config({
      targets: [
        {
          id: 'workers',
          kind: 'queue-workers',
          queueUrl: QUEUE,
          workers: { kind: 'ecs-service', cluster: 'celery', service: 'default-worker' },
          messagesPerSecondPerWorker: 2,
          policy: 'step',
          stepRules,
        },
      ],
    } as never);
  const metricReads = (template: Template) =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
      .filter((st) => [st.Action].flat().includes('cloudwatch:GetMetricData'));

  test('grants the queue function cloudwatch:GetMetricData (no resource-level permissions), and only then', () => {
    const age = synth(queue([up({ signal: 'ageOfOldestMessage', threshold: 600, evaluationPeriods: 3 })]));
    expect(metricReads(age.template)).toEqual([{ Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' }]);
    expect(alarmProps(age.template)['shop/workers/step-0/high']).toMatchObject({ MetricName: 'ApproximateAgeOfOldestMessage', EvaluationPeriods: 3 });
    expect(validationFindings(age.app)).toEqual([]);
    expect(metricReads(synth(queue([up({ signal: 'visibleMessages', threshold: 100 })])).template)).toEqual([]);
  });
});
