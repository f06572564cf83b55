import { suiteScenario } from '../../bench/generated';
import { CLAIRVOYANT_BLOCK_SECONDS, clairvoyantQueue } from '../../sim/clairvoyant';
import { generateTrace } from '../../sim/generate';
import { runScenario } from '../../sim/runner';
import { parseScenario } from '../../sim/scenario';

const batches = (seed: number) => {
  const trace = generateTrace({ shape: 'batches', seed, days: 1 });
  return { trace, scenario: suiteScenario(trace) };
};

describe('the clairvoyant queue reference', () => {
  test.each([1, 2])('batches seed %i: no message waits too long, and it never changes the count twice within a block', (seed) => {
    const { trace, scenario } = batches(seed);
    const run = clairvoyantQueue(scenario, trace);
    expect(run.score.violationPct).toBe(0);
    expect(run.score.actionsPerHour).toBeLessThanOrEqual(3600 / CLAIRVOYANT_BLOCK_SECONDS);
    // Scale-outs are asked for one provisioning time ahead of their block, scale-ins at its start: two
    // changes closer than a block apart are at most that lead apart and opposite (an in, then the out of the next block).
    const lead = scenario.workload.provisioningSeconds;
    const { actions } = run.world;
    for (let i = 1; i < actions.length; i++) {
      const gap = actions[i].at - actions[i - 1].at;
      if (gap < CLAIRVOYANT_BLOCK_SECONDS) expect(gap).toBeGreaterThanOrEqual(CLAIRVOYANT_BLOCK_SECONDS - lead);
    }
  });

  test('it costs less than every policy that keeps the same wait SLO on the same trace (it knows the future)', async () => {
    const { trace, scenario } = batches(3);
    const own = clairvoyantQueue(scenario, trace);
    const run = await runScenario(scenario, { trace });
    const onTime = run.runs.filter((r) => r.score.violationPct <= own.score.violationPct);
    expect(onTime.map((r) => r.name)).toContain('autoscaler');
    for (const r of onTime) expect(own.score.unitHours).toBeLessThan(r.score.unitHours);
  });

  test('with workers that start slower than the wait SLO allows, it still asks for them a provisioning time ahead', () => {
    const { trace, scenario } = batches(4);
    const slow = { ...scenario, workload: { ...scenario.workload, provisioningSeconds: 240 } };
    expect(clairvoyantQueue(slow, trace).score.violationPct).toBe(0);
  });

  test('a web scenario is refused, naming its kind', () => {
    const web = parseScenario(
      { name: 'w', trace: { file: 'w.csv' }, workload: { kind: 'web', unitCapacity: 10 }, target: { minUnits: 1, maxUnits: 4 } },
      'test',
      '.',
    );
    expect(() => clairvoyantQueue(web, { start: 0, arrivals: new Float64Array(10) })).toThrow(/queue policy; w is a web scenario/);
  });
});
