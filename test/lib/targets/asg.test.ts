import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { alarmsForTarget } from '../../../lambdas/shared/alarms';
import type { AsgTarget, AutoscalerConfig } from '../../../lambdas/shared/config';
import { Autoscaler } from '../../../lib/autoscaler';
import { asg, config, synthAutoscaler, TG, testApp } from '../helpers';

const synth = (cfg: AutoscalerConfig) => synthAutoscaler(cfg).template;

function alarmNames(template: Template): string[] {
  return (
    Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((r) => r.Properties.AlarmName as string)
      // The deployment's self-alarms (lib/monitoring/self-alarms.ts) are not the target's.
      .filter((name) => !name.includes('-self/'))
      .sort()
  );
}

/** The statements of the capacity function's role (the runbook task function's are test/lib/runbooks/capacity.test.ts's). */
function policyStatements(template: Template): Array<{ Action: string | string[]; Resource: unknown }> {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => !JSON.stringify(p.Properties.Roles).includes('DataRunbooks'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const ASG_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':autoscaling:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':autoScalingGroup:*:autoScalingGroupName/web-asg',
    ],
  ],
};

describe('AsgScalingTarget', () => {
  test('without a target group: CPU high and low alarms only, on the group, per the shared spec', () => {
    const cfg = config({ targets: [asg('web', { targetCpu: 60 })] });
    const template = synth(cfg);
    expect(alarmNames(template)).toEqual(['shop/web/cpu/high', 'shop/web/cpu/low']);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/web/cpu/high',
      Namespace: 'AWS/EC2',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'web-asg' }],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'missing',
      AlarmActions: Match.absent(),
    });
    const low = alarmsForTarget('shop', cfg.targets[0]).find((s) => s.direction === 'low')!;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/web/cpu/low',
      Threshold: low.threshold,
      EvaluationPeriods: 3,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('a target group adds the p95 TargetResponseTime alarm as an extended statistic, but no request alarm without requestsPerTarget', () => {
    const template = synth(config({ targets: [asg('web', { targetGroup: { ...TG, responseTimeP95Seconds: 0.8 } })] }));
    expect(alarmNames(template)).toEqual(['shop/web/cpu/high', 'shop/web/cpu/low', 'shop/web/latency/high']);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/web/latency/high',
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      Dimensions: [
        { Name: 'LoadBalancer', Value: TG.loadBalancerFullName },
        { Name: 'TargetGroup', Value: TG.targetGroupFullName },
      ],
      ExtendedStatistic: 'p95',
      Statistic: Match.absent(),
      Threshold: 0.8,
      EvaluationPeriods: 2,
    });
  });

  test('requestsPerTarget adds the RequestCountPerTarget alarm at that threshold', () => {
    const template = synth(config({ targets: [asg('web', { targetGroup: { ...TG, requestsPerTarget: 1200 } })] }));
    expect(alarmNames(template)).toContain('shop/web/requests/high');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/web/requests/high',
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'RequestCountPerTarget',
      Dimensions: [{ Name: 'TargetGroup', Value: TG.targetGroupFullName }],
      Statistic: 'Sum',
      Threshold: 1200,
    });
  });

  test('SetDesiredCapacity is scoped to the named group, never *', () => {
    const statements = policyStatements(synth(config({ targets: [asg('web')] })));
    const set = statements.filter((s) => [s.Action].flat().includes('autoscaling:SetDesiredCapacity'));
    expect(set).toHaveLength(1);
    expect(set[0].Resource).toEqual(ASG_ARN);
    expect(
      statements
        .filter((s) => s.Resource === '*')
        .flatMap((s) => [s.Action].flat())
        .sort(),
    ).toEqual(['autoscaling:DescribeAutoScalingGroups', 'cloudwatch:GetMetricData', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  test('DescribeAlarms is scoped to the prefix', () => {
    const statements = policyStatements(synth(config({ targets: [asg('web')] })));
    const describe = statements.find((s) => [s.Action].flat().includes('cloudwatch:DescribeAlarms'))!;
    expect(JSON.stringify(describe.Resource)).toContain(':alarm:shop/*');
  });

  test('twenty groups share one statement and one Describe policy (size stays linear, count constant)', () => {
    const targets = Array.from({ length: 20 }, (_, i) => asg(`g${i}`));
    const template = synth(config({ targets }));
    const statements = policyStatements(template);
    const set = statements.filter((s) => [s.Action].flat().includes('autoscaling:SetDesiredCapacity'));
    expect(set.flatMap((s) => [s.Resource].flat())).toHaveLength(20);
    expect(statements.filter((s) => [s.Action].flat().includes('autoscaling:DescribeAutoScalingGroups'))).toHaveLength(1);
  });

  test('exposes its alarms and the group ARN', () => {
    const stack = new Stack(testApp(), 'Test');
    const a = new Autoscaler(stack, 'Autoscaler', { config: config({ targets: [asg('web')] }) });
    const web = a.targets.web as import('../../../lib/targets/asg').AsgScalingTarget;
    expect(Object.keys(web.alarms)).toEqual(alarmsForTarget('shop', a.config.targets[0] as AsgTarget).map((s) => s.name));
    expect(stack.resolve(web.autoScalingGroupArn)).toEqual(ASG_ARN);
  });
});
