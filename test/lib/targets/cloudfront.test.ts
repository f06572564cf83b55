import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { AutoscalerConfig } from '../../../lambdas/shared/config';
import { loadConfigFile } from '../../../lambdas/shared/config-file';
import { Autoscaler } from '../../../lib/autoscaler';
import { config, EXAMPLE_CONFIG, ecs, synthAutoscaler, testApp, validationFindings } from '../helpers';

function cloudfront(id: string, extra: Record<string, unknown> = {}) {
  return {
    kind: 'cloudfront' as const,
    id,
    distributionId: 'E2QWRUHAPOMQZL',
    triggers: [
      { ecsDeployment: { cluster: 'django-shop', service: 'django-shop-web' } },
      { s3: { bucket: 'django-shop-static', prefix: 'static/', pathPrefix: '/static/' } },
    ],
    ...extra,
  };
}

const build = (cfg: AutoscalerConfig) => synthAutoscaler(cfg);

const DISTRIBUTION_ARN = (id: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, `:distribution/${id}`]],
});

function statements(template: Template) {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
  );
}

describe('CloudfrontInvalidationTarget', () => {
  // Two distributions with ECS and S3 triggers; built once for the tests that only read it.
  let shared: ReturnType<typeof build>;
  beforeAll(() => {
    shared = build(config({ targets: [cloudfront('cdn'), cloudfront('media', { distributionId: 'E1MEDIA0000000' })] }));
  });

  test('invalidation actions are scoped to the configured distribution ARN, never *', () => {
    const { template } = shared;
    const cf = statements(template).filter((s) => [s.Action].flat().some((a) => a.startsWith('cloudfront:')));
    for (const s of cf) {
      expect([s.Action].flat().sort()).toEqual([
        'cloudfront:CreateInvalidation',
        'cloudfront:GetDistribution',
        'cloudfront:GetInvalidation',
        'cloudfront:ListInvalidations',
      ]);
    }
    // CDK merges the two targets' identical statements into one listing both distributions.
    const resources = cf.flatMap((s) => [s.Resource].flat());
    expect(resources).toHaveLength(2);
    expect(resources).toEqual(expect.arrayContaining([DISTRIBUTION_ARN('E2QWRUHAPOMQZL'), DISTRIBUTION_ARN('E1MEDIA0000000')]));
    const unscoped = statements(template)
      .filter((s) => s.Resource === '*')
      .flatMap((s) => [s.Action].flat());
    expect(unscoped.filter((a) => a.startsWith('cloudfront:'))).toEqual([]);
  });

  test('a distribution has no alarms and no alarm rule; one rule per deploy source, a 1-minute flush schedule', () => {
    const { template, autoscaler } = shared;
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => String(r.Properties.AlarmName));
    expect(names.filter((n) => n.startsWith('shop/cdn/'))).toEqual([]);
    expect(autoscaler.targets.cdn.alarms).toEqual({});
    expect(autoscaler.rules.cdn).toBeUndefined();
    expect(Object.keys(autoscaler.deployRules).sort()).toEqual(['ecs', 's3']);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Deployment State Change'],
        // Both distributions name the same service: listed once.
        resources: [{ suffix: ':service/django-shop/django-shop-web' }],
        detail: { eventName: ['SERVICE_DEPLOYMENT_COMPLETED'] },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: ['django-shop-static'] } } },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: {
        Input: JSON.stringify({
          source: 'autoscaler.scheduler',
          action: 'reevaluate',
          family: 'cdn',
          scheduledTime: '<aws.scheduler.scheduled-time>',
          executionId: '<aws.scheduler.execution-id>',
        }),
      },
    });
  });

  test('the rule count stays at one per source whatever the number of distributions; cdk-nag and CloudFormation validation are clean', () => {
    const targets = Array.from({ length: 8 }, (_, i) =>
      cloudfront(`cdn${i}`, {
        distributionId: `E${i}DIST00000000`,
        triggers: [{ ecsDeployment: { cluster: 'c', service: `s${i}` } }, { codePipeline: { pipeline: `p${i}` } }, { s3: { bucket: `bucket-${i}` } }],
      }),
    );
    const app = testApp();
    const stack = new Stack(app, 'Nag');
    new Autoscaler(stack, 'Autoscaler', { config: config({ targets }) });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const template = Template.fromStack(stack);
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(3);
    const pipeline = rules.find((r) => r.Properties.EventPattern.source[0] === 'aws.codepipeline')!;
    expect(pipeline.Properties.EventPattern.detail).toEqual({ pipeline: targets.map((_, i) => `p${i}`), state: ['SUCCEEDED'] });
    expect(validationFindings(app)).toEqual([]);
  });

  test('next to capacity targets, the cdn family gets its own function, entry and rules', () => {
    const { autoscaler, template } = build(config({ targets: [ecs('api'), cloudfront('cdn')] }));
    expect(Object.keys(autoscaler.functions).sort()).toEqual(['capacity', 'cdn']);
    expect(autoscaler.rules.capacity).toBeDefined();
    template.resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: { source: ['aws.cloudwatch'] } }, 1);
  });

  test('the example config has a distribution with two deploy triggers, wired to their rules', () => {
    const example = loadConfigFile(EXAMPLE_CONFIG);
    const distributions = example.targets.filter((t) => t.kind === 'cloudfront');
    expect(distributions).toHaveLength(1);
    const [cdn] = distributions;
    expect(cdn.kind === 'cloudfront' && cdn.triggers.map((t) => Object.keys(t)[0])).toEqual(['ecsDeployment', 's3']);
    const { autoscaler } = build(example);
    expect(Object.keys(autoscaler.deployRules).sort()).toEqual(['ecs', 's3']);
  });
});
