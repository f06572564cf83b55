/** Shared fixtures of the CDK tests: an App like cdk.json's, configs, and the cdk-nag findings of a synth. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { type AutoscalerConfig, type AutoscalerConfigInput, parseConfig } from '../../lambdas/shared/config';
import { Autoscaler } from '../../lib/autoscaler';

export const REPO_ROOT = path.join(__dirname, '..', '..');
export const EXAMPLE_CONFIG = path.join(REPO_ROOT, 'autoscaler.config.yaml');

/** cdk.json's feature flags, asset bundling skipped (speed), CloudFormation validation errors fatal. */
export function testApp(extraContext: Record<string, unknown> = {}): App {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return new App({
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-cdk-')),
    context: {
      ...cdkJson.context,
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      ...extraContext,
    },
  });
}

export function asg(id: string, extra: Partial<Record<string, unknown>> = {}) {
  return { kind: 'asg' as const, id, autoScalingGroupName: `${id}-asg`, ...extra };
}

export function ecs(id: string, extra: Partial<Record<string, unknown>> = {}) {
  return { kind: 'ecs-service' as const, id, cluster: 'main', service: `${id}-svc`, ...extra };
}

/** A rabbitmq-workers target on broker `shop-broker`, queue `<id>`, ECS workers `<id>-worker`. */
export function rabbit(id: string, extra: Partial<Record<string, unknown>> = {}) {
  return {
    kind: 'rabbitmq-workers' as const,
    id,
    broker: 'shop-broker',
    queue: id,
    workers: { kind: 'ecs-service' as const, cluster: 'celery', service: `${id}-worker` },
    messagesPerSecondPerWorker: 2,
    ...extra,
  };
}

/** The Autoscaler construct on `cfg` in a stack `Test` of `app`, and the stack's template. */
export function synthAutoscaler(cfg: AutoscalerConfig, app: App = testApp()) {
  const stack = new Stack(app, 'Test');
  const autoscaler = new Autoscaler(stack, 'Autoscaler', { config: cfg });
  return { app, stack, autoscaler, template: Template.fromStack(stack) };
}

export const TG = {
  loadBalancerFullName: 'app/shop-alb/50dc6c495c0c9188',
  targetGroupFullName: 'targetgroup/shop-web/73e2d6bc24d8a067',
};

export function config(input: Partial<AutoscalerConfigInput> & { targets: unknown[] }): AutoscalerConfig {
  return parseConfig({ prefix: 'shop', ...input });
}

export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly paths: string[];
}

/**
 * Synthesizes the app and returns every validation finding nobody acknowledged: cdk-nag's
 * (AwsSolutions-*) and CloudFormation Validate's. cdk-nag 3 reports through CDK's policy validation,
 * not annotations: an in-memory synth with findings throws; the JSON report in the app's outdir holds
 * them either way (acknowledged findings are left out of it).
 */
export function validationFindings(app: App): Finding[] {
  try {
    app.synth();
  } catch (err) {
    if (!/Validation/.test(String(err))) throw err;
  }
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; violatingConstructs?: Array<{ constructPath?: string }> }> }>;
  };
  return report.pluginReports.flatMap((r) =>
    r.violations.map((v) => ({ plugin: r.pluginName, rule: v.ruleName, paths: (v.violatingConstructs ?? []).map((c) => String(c.constructPath)) })),
  );
}

/** One widget of a synthesized dashboard body, as CloudWatch reads it. */
export interface DashboardWidget {
  readonly type: string;
  readonly properties: {
    readonly title?: string;
    readonly metrics?: unknown[][];
    readonly annotations?: { readonly horizontal?: { readonly value: number; readonly label?: string; readonly yAxis?: string }[] };
    readonly yAxis?: Record<string, { readonly label?: string; readonly min?: number; readonly max?: number }>;
    readonly markdown?: string;
  };
}

/** The widgets of the template's one dashboard, its body joined (the region stands as REGION). */
export function dashboardWidgets(template: Template): DashboardWidget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  if (dashboards.length !== 1) throw new Error(`expected one dashboard, found ${dashboards.length}`);
  const body = dashboards[0].Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'REGION')).join('');
  return (JSON.parse(text) as { widgets: DashboardWidget[] }).widgets;
}

/** The widget titled `title`, or a failure naming the titles there are. */
export function widgetTitled(widgets: readonly DashboardWidget[], title: string): DashboardWidget {
  const found = widgets.find((w) => w.properties.title === title);
  if (!found) throw new Error(`no widget "${title}"; there are: ${widgets.map((w) => w.properties.title ?? w.type).join(', ')}`);
  return found;
}

/** A template holding one dashboard of `widgets` (a kind's own graphs, tested alone). */
export function dashboardOf(...widgets: cloudwatch.IWidget[]): Template {
  const stack = new Stack(testApp(), 'Widgets');
  new cloudwatch.Dashboard(stack, 'Dashboard', { widgets: [widgets] });
  return Template.fromStack(stack);
}
