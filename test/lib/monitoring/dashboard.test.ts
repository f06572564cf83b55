/** The deployment's dashboard (lib/monitoring/dashboard.ts). */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { alarmsForTarget } from '../../../lambdas/shared/alarms';
import { Autoscaler } from '../../../lib/autoscaler';
import { MAX_DASHBOARD_WIDGETS } from '../../../lib/monitoring/dashboard';
import { AURORA_REPLICAS, RDS_REPLICAS, REDIS } from '../../runbooks/fixtures';
import { asg, config, dashboardWidgets, ecs, TG, testApp } from '../helpers';

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

describe("each kind's own graphs, from the registry (lib/targets, widgets)", () => {
  const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/celery-default';
  const cfg = config({
    targets: [
      asg('web'),
      { kind: 'queue-workers', id: 'celery', queueUrl: QUEUE, workers: { kind: 'asg', autoScalingGroupName: 'workers' }, messagesPerSecondPerWorker: 2 },
      REDIS,
      RDS_REPLICAS,
      AURORA_REPLICAS,
    ],
  });
  const titles = dashboardWidgets(synth(cfg).template).map((w) => w.properties.title ?? w.properties.markdown);

  /** The titles of a target's row: from its heading to the next. */
  const row = (id: string) => {
    const start = titles.findIndex((t) => t?.startsWith(`## ${id} (`));
    const end = titles.findIndex((t, i) => i > start && t?.startsWith('##'));
    return titles.slice(start + 1, end);
  };

  test("a target's row: its signals, its units, the kind's own graphs, then the autoscaler's actions", () => {
    expect(row('celery')).toEqual(['celery: age', 'celery: desired vs in service', 'celery: queue depth', 'celery: autoscaler']);
    expect(row('cache')).toEqual(['cache: memory and evictions', 'cache: autoscaler']);
    expect(row('orders-db')).toEqual(['orders-db: cpu', 'orders-db: replication lag', 'orders-db: autoscaler']);
    expect(row('reports-db')).toEqual(['reports-db: cpu', 'reports-db: replica-cpu', 'reports-db: replication lag', 'reports-db: autoscaler']);
  });

  test('kinds that declare no graph of their own get none', () => {
    expect(row('web')).toEqual(['web: cpu', 'web: desired vs in service', 'web: autoscaler']);
  });
});

describe("dashboards past a dashboard's limits", () => {
  // 150 web targets: about 900 widgets, more than one dashboard holds.
  const many = config({ permissions: 'by-tag', targets: Array.from({ length: 150 }, (_, i) => (i % 2 ? ecs(`w${i}`) : asg(`w${i}`, { targetGroup: TG }))) });
  const { stack, autoscaler } = synth(many);
  const widgetsOf = (d: (typeof autoscaler.dashboard.dashboards)[number]) => {
    const body = Stack.of(d).resolve((d.node.defaultChild as unknown as { dashboardBody: unknown }).dashboardBody) as { 'Fn::Join': [string, unknown[]] };
    const text = body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'REF')).join('');
    return (JSON.parse(text) as { widgets: { properties: { markdown?: string } }[] }).widgets;
  };

  test('continue on numbered dashboards of at most 500 widgets, each in a nested stack of its own', () => {
    const dashboards = autoscaler.dashboard.dashboards;
    expect(dashboards.length).toBeGreaterThan(1);
    expect(dashboards.map((d) => (d.node.defaultChild as unknown as { dashboardName: string }).dashboardName)).toEqual(
      dashboards.map((_, i) => (i ? `shop-autoscaler-${i + 1}` : 'shop-autoscaler')),
    );
    for (const d of dashboards) expect(widgetsOf(d).length).toBeLessThanOrEqual(MAX_DASHBOARD_WIDGETS);
    expect(Stack.of(dashboards[0])).toBe(stack);
    const homes = dashboards.slice(1).map((d) => Stack.of(d));
    expect(homes.every((h) => h.nested)).toBe(true);
    expect(new Set(homes).size).toBe(homes.length);
  });

  test("every target's row is on exactly one dashboard, whole, in config order; the autoscaler's row on the first", () => {
    const headings = autoscaler.dashboard.dashboards.flatMap((d) =>
      widgetsOf(d)
        .map((w) => w.properties.markdown)
        .filter((m): m is string => !!m?.startsWith('## ')),
    );
    expect(headings).toEqual([
      ...many.targets.slice(0, headings.indexOf('## The autoscaler')).map((t) => `## ${t.id} (${t.kind})`),
      '## The autoscaler',
      ...many.targets.slice(headings.indexOf('## The autoscaler')).map((t) => `## ${t.id} (${t.kind})`),
    ]);
    const first = widgetsOf(autoscaler.dashboard.dashboard);
    expect(first.some((w) => w.properties.markdown === '## The autoscaler')).toBe(true);
  });
});
