/**
 * At scale: the targets' alarms leave the main stack for nested stacks once they would crowd it, every
 * stack stays under CloudFormation's 500 resources, and rules and functions do not grow with targets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NestedStack, Stack } from 'aws-cdk-lib';
import { allAlarms } from '../../lambdas/shared/alarms';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { ALARMS_PER_NESTED_STACK, Autoscaler, MAIN_STACK_ALARMS } from '../../lib/autoscaler';
import { asg, config, ecs, TG, testApp } from './helpers';

type Resources = Record<string, { Type: string }>;

function webTargets(n: number) {
  return Array.from({ length: n }, (_, i) => (i % 4 === 3 ? ecs(`w${i}`) : asg(`w${i}`, i % 2 === 0 ? { targetGroup: TG } : {})));
}

/** Every stack's resources, the main one first, nested ones read from the assembly. */
function synthAll(cfg: AutoscalerConfig) {
  const app = testApp();
  const stack = new Stack(app, 'Test');
  const autoscaler = new Autoscaler(stack, 'Autoscaler', { config: cfg });
  const assembly = app.synth();
  const main = assembly.getStackByName('Test').template.Resources as Resources;
  const nested = app.node
    .findAll()
    .filter((c): c is NestedStack => c instanceof NestedStack)
    .map((n) => (JSON.parse(fs.readFileSync(path.join(assembly.directory, n.templateFile), 'utf8')) as { Resources: Resources }).Resources);
  const all = [main, ...nested];
  const count = (type: string) => all.flatMap((r) => Object.values(r)).filter((r) => r.Type === type).length;
  return { autoscaler, main, nested, count };
}

describe('Autoscaler at scale', () => {
  test('a config with few alarms keeps everything in the main stack', () => {
    const cfg = config({ targets: webTargets(10) });
    const { autoscaler, nested, count } = synthAll(cfg);
    expect(autoscaler.alarmStacks).toBeUndefined();
    expect(nested).toEqual([]);
    expect(count('AWS::CloudWatch::Alarm')).toBe(allAlarms(cfg).length + Object.keys(autoscaler.selfAlarms.alarms).length);
  });

  test('1,000 targets granted by tag: alarms in nested stacks, every stack under 500 resources, one rule and one function', () => {
    const cfg = config({ permissions: 'by-tag', targets: webTargets(1000) });
    const expected = allAlarms(cfg);
    expect(expected.length).toBeGreaterThan(MAIN_STACK_ALARMS);
    const { autoscaler, main, nested, count } = synthAll(cfg);

    expect(nested.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / ALARMS_PER_NESTED_STACK));
    for (const resources of [main, ...nested]) expect(Object.keys(resources).length).toBeLessThan(500);
    expect(Object.keys(main).length).toBeLessThan(450);
    for (const resources of nested) expect(Object.keys(resources).length).toBeLessThanOrEqual(ALARMS_PER_NESTED_STACK);

    // Every alarm of the shared specs exists once, and the construct still exposes each by name.
    expect(count('AWS::CloudWatch::Alarm')).toBe(expected.length + Object.keys(autoscaler.selfAlarms.alarms).length);
    expect(Object.keys(autoscaler.alarms).sort()).toEqual(expected.map((a) => a.name).sort());
    expect(Object.values(main).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')).toHaveLength(Object.keys(autoscaler.selfAlarms.alarms).length);

    // Rules and functions per family do not depend on the number of targets (the capacity function and
    // the runbook task function, which runs set-capacity).
    expect(count('AWS::Events::Rule')).toBe(1);
    expect(count('AWS::Lambda::Function')).toBe(2);
    expect(count('AWS::StepFunctions::StateMachine')).toBe(1);
    expect(count('AWS::Scheduler::Schedule')).toBe(1);
  });
});
