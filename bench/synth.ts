/**
 * Synth at scale: deployments of 10 to 5,000 web targets, synthesized as `cdk synth` does (bundling,
 * cdk-nag and CloudFormation validation included, cdk.json's feature flags), with what AWS counts of
 * them: stacks and their resources, each role's policies against IAM's quotas, the dashboards. The
 * synthetic deployments grant by tag (`permissions: by-tag`); one per-target row shows where synth
 * refuses that mode.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, NestedStack } from 'aws-cdk-lib';
import { familyOf } from '../lambdas/shared/alarms';
import { type AutoscalerConfig, type PermissionMode, parseConfig } from '../lambdas/shared/config';
import { buildApp } from '../lib/app';
import { type Footprint, footprintOf } from '../lib/limits';

type Template = { Resources?: Record<string, { Type: string }> };

export interface SynthRow {
  readonly targets: number;
  readonly permissions: PermissionMode;
  readonly seconds: number;
  readonly stacks: { name: string; resources: number }[];
  readonly alarms: number;
  readonly rules: number;
  readonly functions: number;
  readonly families: number;
  /** Roles, stacks and dashboards as the limits count them. */
  readonly footprint?: Footprint;
  readonly error?: string;
}

/** N Django web tiers, every other one behind an ALB target group, a quarter of them on ECS. */
export function syntheticConfig(n: number, permissions: PermissionMode = 'by-tag'): AutoscalerConfig {
  const targets = Array.from({ length: n }, (_, i) => {
    const id = `web-${String(i).padStart(4, '0')}`;
    const tg =
      i % 2 === 0 ? { targetGroup: { loadBalancerFullName: `app/alb-${i}/0123456789abcdef`, targetGroupFullName: `targetgroup/${id}/0123456789abcdef` } } : {};
    return i % 4 === 3 ? { id, kind: 'ecs-service', cluster: 'django', service: id, ...tg } : { id, kind: 'asg', autoScalingGroupName: id, ...tg };
  });
  return parseConfig({ prefix: 'bench', permissions, targets });
}

/** cdk.json's context, as `cdk synth` reads it (bundling included). */
function cdkContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

export function synthRow(n: number, permissions: PermissionMode = 'by-tag', options: { bundling?: boolean } = {}): SynthRow {
  const config = syntheticConfig(n, permissions);
  const outdir = mkdtempSync(join(tmpdir(), 'autoscaler-bench-'));
  const started = performance.now();
  const base = { targets: n, permissions, families: new Set(config.targets.map(familyOf)).size };
  try {
    const bundling = options.bundling ?? true;
    const app = new App({ outdir, context: { ...cdkContext(), ...(bundling ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
    const { autoscaler } = buildApp(config, { app, env: { account: '123456789012', region: 'eu-west-1' } });
    const assembly = app.synth();
    const seconds = (performance.now() - started) / 1000;
    const footprint = footprintOf(autoscaler);
    // Every template: the top-level stack's and the nested stacks' (assets of the assembly).
    const templates = [
      ...assembly.stacks.map((s) => s.template as Template),
      ...app.node
        .findAll()
        .filter((c): c is NestedStack => c instanceof NestedStack)
        .map((c) => JSON.parse(readFileSync(join(assembly.directory, c.templateFile), 'utf8')) as Template),
    ];
    const all = templates.flatMap((t) => Object.values(t.Resources ?? {}));
    const count = (type: string) => all.filter((r) => r.Type === type).length;
    return {
      ...base,
      seconds,
      stacks: footprint.stacks.map((s) => ({ name: s.path, resources: s.resources })),
      alarms: count('AWS::CloudWatch::Alarm'),
      rules: count('AWS::Events::Rule'),
      functions: count('AWS::Lambda::Function'),
      footprint,
    };
  } catch (err) {
    return { ...base, seconds: (performance.now() - started) / 1000, stacks: [], alarms: 0, rules: 0, functions: 0, error: (err as Error).message };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
