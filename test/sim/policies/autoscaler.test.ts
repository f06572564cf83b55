import { scenarioChaos } from '../../../sim/cloud/faults';
import { autoscalerConfig, autoscalerUnsupported, runAutoscaler, runHandlers } from '../../../sim/policies/autoscaler';
import { queueScenario, T0, traceOf, webScenario } from '../helpers';

const scenario = webScenario({
  workload: { unitCapacity: 10, provisioningSeconds: 60 },
  target: { minUnits: 2, maxUnits: 20, targetUtilization: 50 },
});
// 10 quiet minutes at 30% CPU on 2 units, then five times the load
const trace = traceOf([...new Array(10).fill(360), ...new Array(20).fill(1800)]);

describe('the autoscaler policy in the simulator', () => {
  test('its config is the scenario target through parseConfig, with the project defaults for the rest', () => {
    const c = autoscalerConfig(scenario);
    expect(c.prefix).toBe('sim');
    expect(c.targets[0]).toMatchObject({
      id: 'web',
      kind: 'asg',
      autoScalingGroupName: 'sim-web',
      minCapacity: 2,
      maxCapacity: 20,
      targetCpu: 50,
      warmupSeconds: 60,
      scaleInCooldownSeconds: 300,
      targetGroup: { loadBalancerFullName: 'app/sim/0123456789abcdef', targetGroupFullName: 'targetgroup/sim-web/0123456789abcdef' },
    });
  });

  test('a surge raises the CPU alarm, whose event reaches the real handler, which scales the group out', async () => {
    const run = await runAutoscaler(scenario, trace);
    expect(run.failures).toEqual([]);
    const high = run.alarmEvents.find((e) => e.detail.alarmName === 'sim/web/cpu/high' && e.detail.state.value === 'ALARM');
    expect(high).toBeDefined();
    // the surge starts at minute 10; its first datapoint is visible at minute 12
    expect(Date.parse(high!.time)).toBe(T0 + 12 * 60_000);
    const sets = run.calls.of('autoscaling', 'SetDesiredCapacityCommand');
    expect(sets.length).toBeGreaterThan(0);
    // one lone datapoint is not yet a level: the engine acts on it, or on the second one a minute later
    const step = (sets[0].at - T0) / 60_000;
    expect([12, 13]).toContain(step);
    expect((sets[0].input as { DesiredCapacity: number }).DesiredCapacity).toBeGreaterThan(2);
    // the world applied it: billed rises at that step and the action is counted
    expect(run.world.billed[step]).toBe((sets[0].input as { DesiredCapacity: number }).DesiredCapacity);
    expect(run.world.actions[0]).toMatchObject({ step, from: 2 });
    // the handler read the metrics and the group before deciding
    expect(run.calls.of('cloudwatch', 'GetMetricDataCommand').length).toBeGreaterThan(0);
    expect(run.calls.of('autoscaling', 'DescribeAutoScalingGroupsCommand').length).toBeGreaterThan(0);
    // by the end the load is served within the SLO
    const last = run.world.steps - 1;
    expect(run.world.ready[last] * 10 * 0.9).toBeGreaterThanOrEqual(30);
    // the schedule fired once per minute
    expect(run.invocations).toBeGreaterThanOrEqual(30);
  });

  test("autoscaler-step: the same target with the seed guides' rule as policy: step, run by the real handler", async () => {
    expect(autoscalerConfig(scenario, 'step').targets[0]).toMatchObject({
      ...autoscalerConfig(scenario).targets[0],
      policy: 'step',
      evaluationIntervalSeconds: 300,
      stepRules: [
        { signal: 'cpu', direction: 'up', comparison: '>', threshold: 70, evaluationPeriods: 5, change: { add: 1 }, cooldownSeconds: 300 },
        { signal: 'cpu', direction: 'down', comparison: '<', threshold: 30, evaluationPeriods: 5, change: { add: -1 }, cooldownSeconds: 300 },
      ],
    });
    const run = await runAutoscaler(scenario, trace, { policy: 'step' });
    expect(run.failures).toEqual([]);
    // The surge's first datapoint is visible at minute 12; five of five above 70% at minute 16.
    const high = run.alarmEvents.find((e) => e.detail.alarmName === 'sim/web/step-0/high' && e.detail.state.value === 'ALARM');
    expect(Date.parse(high!.time)).toBe(T0 + 16 * 60_000);
    expect(run.world.actions.map((a) => [a.step, a.from, a.to])).toEqual([
      [16, 2, 3],
      [21, 3, 4],
      [26, 4, 5],
    ]);
    const audit = await run.state.listAudit('web', 0, T0 + 86_400_000, 100);
    expect(audit.filter((e) => e.outcome === 'applied').every((e) => e.reason.startsWith('step policy: rule 0'))).toBe(true);
  });

  test('web and queue scenarios both run (queue ones through the queue-workers kind)', () => {
    expect(autoscalerUnsupported(queueScenario())).toBeUndefined();
    expect(autoscalerUnsupported(scenario)).toBeUndefined();
  });
});

describe('the fault injection layer of a run', () => {
  const config = autoscalerConfig(scenario);

  test('without a faults section, a run without the layer is the run with it', async () => {
    const bare = await runHandlers(scenario, trace, config);
    const layered = await runHandlers(scenario, trace, config, { chaos: scenarioChaos });
    expect(bare.calls.of('autoscaling', 'SetDesiredCapacityCommand')).toEqual(layered.calls.of('autoscaling', 'SetDesiredCapacityCommand'));
    expect(bare.alarmEvents).toEqual(layered.alarmEvents);
    expect(bare.invocations).toBe(layered.invocations);
    expect(bare.chaos).toEqual({ throttled: 0, duplicated: 0, delayed: 0 });
  });

  test('a scenario with a faults section is refused without the layer, never run without its faults', async () => {
    const faulty = { ...scenario, faults: { throttleShare: 0.2, duplicateShare: 0.2, delaySeconds: 30, seed: 1 } };
    await expect(runHandlers(faulty, trace, config)).rejects.toThrow('has a faults section');
    const run = await runAutoscaler(faulty, trace);
    expect(run.chaos.throttled + run.chaos.duplicated).toBeGreaterThan(0);
  });
});
