/** The deployment's dashboard (lib/monitoring/dashboard.ts). */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { alarmsForTarget } from '../../../lambdas/shared/alarms';
import { Autoscaler } from '../../../lib/autoscaler';
import { asg, config, ecs, TG, testApp } from '../helpers';

const withEmail = config({
  notifications: { email: 'ops@example.com' },
  targets: [asg('web', { targetGroup: { ...TG, requestsPerTarget: 1000 } }), ecs('api')],
});

function synth(cfg = withEmail, extend?: (a: Autoscaler) => void) {
  const stack = new Stack(testApp(), 'Test');
  const autoscaler = new Autoscaler(stack, 'Autoscaler', { config: cfg });
  extend?.(autoscaler);
  return { stack, autoscaler, template: Template.fromStack(stack) };
}

describe('dashboard', () => {
  const { template, stack, autoscaler } = synth();
  const body = JSON.stringify(stack.resolve((autoscaler.dashboard.dashboard.node.defaultChild as unknown as { dashboardBody: unknown }).dashboardBody));

  test('one dashboard named after the prefix', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'shop-autoscaler' });
  });

  test("each target's signals are drawn with their alarm thresholds as horizontal lines", () => {
    expect(body).toContain('web: cpu');
    expect(body).toContain('scale out above 70');
    expect(body).toContain(`scale in below ${alarmsForTarget('shop', withEmail.targets[0]).find((a) => a.name === 'shop/web/cpu/low')!.threshold}`);
    expect(body).toContain('web: requests');
    expect(body).toContain('scale out above 1000');
    expect(body).toContain('api: memory');
    expect(body).toContain('scale out above 80');
  });

  test('desired vs in service: Auto Scaling group metrics and ECS Container Insights', () => {
    expect(body).toContain('GroupDesiredCapacity');
    expect(body).toContain('GroupInServiceInstances');
    expect(body).toContain('ECS/ContainerInsights');
    expect(body).toContain('DesiredTaskCount');
    expect(body).toContain('RunningTaskCount');
  });

  test("the autoscaler's own metrics carry the dimensions its EMF lines do (service, target, kind)", () => {
    expect(body).toContain('"Autoscaler\\",\\"Actions\\",\\"kind\\",\\"asg\\",\\"service\\",\\"autoscaler\\",\\"target\\",\\"web\\"');
  });
});
