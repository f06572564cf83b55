/**
 * Synth time and resource counts for deployments of 10, 100 and 1,000 web targets: every stack must
 * stay under CloudFormation's 500 resources, and rules and functions per family must not grow with
 * the number of targets. Bundling is skipped (its cost does not depend on the number of targets; the
 * bundle table measures it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, NestedStack } from 'aws-cdk-lib';
import { familyOf } from '../lambdas/shared/alarms';
import { type AutoscalerConfig, parseConfig } from '../lambdas/shared/config';
import { buildApp } from '../lib/app';

type Template = { Resources?: Record<string, { Type: string }> };

export interface SynthRow {
  readonly targets: number;
  readonly seconds: number;
  readonly stacks: { name: string; resources: number }[];
  readonly alarms: number;
  readonly rules: number;
  readonly functions: number;
  readonly families: number;
  readonly error?: string;
  readonly template?: Record<string, unknown>;
}

/** N Django web tiers, every other one behind an ALB target group, a quarter of them on ECS. */
export function syntheticConfig(n: number): AutoscalerConfig {
  const targets = Array.from({ length: n }, (_, i) => {
    const id = `web-${String(i).padStart(4, '0')}`;
    const tg =
      i % 2 === 0 ? { targetGroup: { loadBalancerFullName: `app/alb-${i}/0123456789abcdef`, targetGroupFullName: `targetgroup/${id}/0123456789abcdef` } } : {};
    return i % 4 === 3 ? { id, kind: 'ecs-service', cluster: 'django', service: id, ...tg } : { id, kind: 'asg', autoScalingGroupName: id, ...tg };
  });
  return parseConfig({ prefix: 'bench', targets });
}

export function synthRow(n: number): SynthRow {
  const config = syntheticConfig(n);
  const started = performance.now();
  try {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': true } });
    buildApp(config, { app, env: { account: '123456789012', region: 'eu-west-1' } });
    const assembly = app.synth();
    const seconds = (performance.now() - started) / 1000;
    // Top-level stacks and the nested stacks (their templates are assets of the assembly).
    const templates = [
      ...assembly.stacks.map((s) => ({ name: s.stackName, template: s.template as Template })),
      ...app.node
        .findAll()
        .filter((c): c is NestedStack => c instanceof NestedStack)
        .map((n) => ({ name: n.node.path, template: JSON.parse(readFileSync(join(assembly.directory, n.templateFile), 'utf8')) as Template })),
    ];
    const stacks = templates.map((s) => ({ name: s.name, resources: Object.keys(s.template.Resources ?? {}).length }));
    const all = templates.flatMap((s) => Object.values(s.template.Resources ?? {}));
    const count = (type: string) => all.filter((r) => r.Type === type).length;
    const families = new Set(config.targets.map(familyOf)).size;
    return {
      targets: n,
      seconds,
      stacks,
      alarms: count('AWS::CloudWatch::Alarm'),
      rules: count('AWS::Events::Rule'),
      functions: count('AWS::Lambda::Function'),
      families,
      template: assembly.stacks[0].template as Record<string, unknown>,
    };
  } catch (err) {
    return {
      targets: n,
      seconds: (performance.now() - started) / 1000,
      stacks: [],
      alarms: 0,
      rules: 0,
      functions: 0,
      families: 0,
      error: (err as Error).message,
    };
  }
}
