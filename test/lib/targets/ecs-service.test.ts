import type { AutoscalerConfig } from '../../../lambdas/shared/config';
import { config, ecs, synthAutoscaler, TG } from '../helpers';

const synth = (cfg: AutoscalerConfig) => synthAutoscaler(cfg).template;

const SERVICE_ARN = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':service/main/api-svc']],
};

describe('EcsServiceScalingTarget', () => {
  test('CPU high/low and memory high alarms on the service dimensions', () => {
    const template = synth(config({ targets: [ecs('api', { targetCpu: 65, targetMemory: 75 })] }));
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((r) => r.Properties.AlarmName as string)
      // The deployment's self-alarms (lib/monitoring/self-alarms.ts) are not the target's.
      .filter((name) => !name.includes('-self/'))
      .sort();
    expect(names).toEqual(['shop/api/cpu/high', 'shop/api/cpu/low', 'shop/api/memory/high']);
    const dims = [
      { Name: 'ClusterName', Value: 'main' },
      { Name: 'ServiceName', Value: 'api-svc' },
    ];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/api/cpu/high',
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Dimensions: dims,
      Threshold: 65,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/api/memory/high',
      Namespace: 'AWS/ECS',
      MetricName: 'MemoryUtilization',
      Dimensions: dims,
      Statistic: 'Average',
      Threshold: 75,
      EvaluationPeriods: 2,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test('a target group adds the p95 latency alarm to the service too', () => {
    const template = synth(config({ targets: [ecs('api', { targetGroup: TG })] }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'shop/api/latency/high', ExtendedStatistic: 'p95', Threshold: 1 });
  });

  test('UpdateService and DescribeServices are scoped to the configured service ARN, never *', () => {
    // The capacity function's role (the runbook task function's are test/lib/runbooks/capacity.test.ts's).
    const statements = Object.values(synth(config({ targets: [ecs('api')] })).findResources('AWS::IAM::Policy'))
      .filter((p) => !JSON.stringify(p.Properties.Roles).includes('DataRunbooks'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
    const ecsStatements = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('ecs:')));
    expect(ecsStatements).toHaveLength(1);
    expect([ecsStatements[0].Action].flat().sort()).toEqual(['ecs:DescribeServices', 'ecs:UpdateService']);
    expect(ecsStatements[0].Resource).toEqual(SERVICE_ARN);
    const unscoped = statements.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat());
    expect(unscoped).not.toContain('ecs:UpdateService');
    expect(unscoped).not.toContain('autoscaling:DescribeAutoScalingGroups');
    expect(unscoped).toContain('cloudwatch:GetMetricData');
  });
});
