import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnDashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { alarmRulePattern } from '../../../lambdas/shared/alarms';
import { buildApp } from '../../../lib/app';
import { matchesPattern } from '../../../sim/cloud/event-pattern';
import { asg, config, ecs, TG, testApp, validationFindings } from '../helpers';

const LB = { LoadBalancer: TG.loadBalancerFullName };
const customConfig = config({
  targets: [
    asg('web', {
      targetGroup: TG,
      customMetrics: [
        { name: 'memory', preset: 'asg-memory', targetPerUnit: 80 },
        {
          name: 'error-rate',
          queries: [
            { id: 'errors', metric: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: LB, stat: 'Sum' } },
            { id: 'requests', metric: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: LB, stat: 'Sum' } },
            { id: 'rate', expression: '100 * FILL(errors, 0) / requests', returnData: true },
          ],
          threshold: 5,
        },
        {
          name: 'busy',
          queries: [{ id: 's', expression: `SUM(SEARCH('{Gunicorn,AutoScalingGroupName} AutoScalingGroupName="web-asg"', 'Sum', 60))`, returnData: true }],
          targetPerUnit: 4,
          aggregation: 'total',
        },
      ],
    }),
    ecs('api', {
      minCapacity: 3,
      customMetrics: [
        {
          name: 'websockets',
          metric: { namespace: 'Daphne', metricName: 'OpenConnections', dimensions: { ServiceName: 'api-svc' }, stat: 'Sum', period: 10 },
          targetPerUnit: 1500,
          aggregation: 'total',
        },
      ],
    }),
  ],
});

function synth() {
  const app = testApp();
  const { stack } = buildApp(customConfig, { app });
  return { app, stack };
}

describe('custom metrics in the template', () => {
  const { app, stack } = synth();
  const template = Template.fromStack(stack);
  const alarms = () => {
    const all: Record<string, Record<string, unknown>> = {};
    for (const s of [stack, ...stack.node.findAll().filter((c) => c.constructor.name === 'NestedStack')]) {
      for (const r of Object.values(Template.fromStack(s as never).findResources('AWS::CloudWatch::Alarm'))) {
        all[r.Properties.AlarmName] = r.Properties;
      }
    }
    return all;
  };

  test('the memory preset: an alarm on CWAgent mem_used_percent by AutoScalingGroupName above the target per unit', () => {
    expect(alarms()['shop/web/custom-memory/high']).toMatchObject({
      Namespace: 'CWAgent',
      MetricName: 'mem_used_percent',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'web-asg' }],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 80,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('a metric math metric: an alarm on its expression, the metrics each with their period, no metric of its own', () => {
    const alarm = alarms()['shop/web/custom-error-rate/high'];
    expect(alarm).toMatchObject({
      Threshold: 5,
      Metrics: [
        {
          Id: 'errors',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationELB',
              MetricName: 'HTTPCode_Target_5XX_Count',
              Dimensions: [{ Name: 'LoadBalancer', Value: TG.loadBalancerFullName }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
        { Id: 'requests', ReturnData: false },
        { Id: 'rate', Expression: '100 * FILL(errors, 0) / requests', ReturnData: true },
      ],
    });
    expect(alarm).not.toHaveProperty('Namespace');
    expect(alarm).not.toHaveProperty('Period');
  });

  test("a fleet total at high resolution: the floor's worth as the threshold, three 10 s datapoints", () => {
    expect(alarms()['shop/api/custom-websockets/high']).toMatchObject({
      Namespace: 'Daphne',
      Period: 10,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 4500,
    });
  });

  test('a SEARCH metric gets no alarm: CloudWatch cannot alarm on SEARCH', () => {
    expect(Object.keys(alarms()).filter((n) => n.includes('custom-busy'))).toEqual([]);
  });

  test("the capacity rule's pattern is in the template and routes the custom alarms' state changes, whatever their namespace", () => {
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: alarmRulePattern('shop', 'capacity') });
    const event = (alarmName: string, metrics: unknown[]) => ({
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      detail: { alarmName, configuration: { metrics } },
    });
    const daphne = [{ id: 'm', metricStat: { metric: { namespace: 'Daphne', name: 'OpenConnections' } }, returnData: true }];
    const math = [{ id: 'rate', expression: 'a / b', returnData: true }];
    expect(matchesPattern(alarmRulePattern('shop', 'capacity'), event('shop/api/custom-websockets/high', daphne))).toBe(true);
    expect(matchesPattern(alarmRulePattern('shop', 'capacity'), event('shop/web/custom-error-rate/high', math))).toBe(true);
    // Not another deployment's, nor another family's.
    expect(matchesPattern(alarmRulePattern('shop', 'capacity'), event('other/api/custom-websockets/high', daphne))).toBe(false);
    expect(matchesPattern(alarmRulePattern('shop', 'database'), event('shop/api/custom-websockets/high', daphne))).toBe(false);
    expect(matchesPattern(alarmRulePattern('shop', 'capacity'), event('shop/api/cpu/high', daphne))).toBe(false);
  });

  test("the dashboard graphs a metric math metric's expression, not one of its metrics", () => {
    const dashboards = [stack, ...stack.node.findAll()].filter((c) => c instanceof CfnDashboard) as CfnDashboard[];
    const body = dashboards.map((d) => JSON.stringify(Stack.of(d).resolve(d.dashboardBody))).join('');
    expect(body).toContain('100 * FILL(errors, 0) / requests');
  });

  test('zero unacknowledged cdk-nag findings and no CloudFormation validation finding', () => {
    expect(validationFindings(app)).toEqual([]);
  });
});
