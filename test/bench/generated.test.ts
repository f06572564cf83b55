import { calmGoal, medianAndWorst, queueGoal, SUITE_SEEDS, SUITE_WEB_SHAPES, suiteDays, suiteScenario } from '../../bench/generated';
import { generateTrace } from '../../sim/generate';
import { idealUnits } from '../../sim/score';
import { scoreOf } from '../sim/helpers';

describe('the generated suite', () => {
  test('at least 20 web traces, a week for the weekly shape', () => {
    expect(SUITE_SEEDS.length * SUITE_WEB_SHAPES.length).toBeGreaterThanOrEqual(20);
    expect(suiteDays('weekly')).toBeGreaterThanOrEqual(7);
  });

  test('a web trace runs in the bundled web workload with the anchors, maxUnits twice the peak ideal', () => {
    const trace = generateTrace({ shape: 'flash', seed: 1, days: 2 });
    const s = suiteScenario(trace);
    expect(s.name).toBe('flash-1');
    expect(s.workload).toMatchObject({ kind: 'web', unitCapacity: 40, provisioningSeconds: 180 });
    expect(s.compare).toEqual(['seed-step', 'target-tracking', 'predictive']);
    const peak = Math.max(...Array.from(trace.arrivals, (a) => idealUnits({ ...s, target: { ...s.target, maxUnits: 1e9 } }, a)));
    expect(s.target.maxUnits).toBe(2 * peak);
    const queue = suiteScenario(generateTrace({ shape: 'batches', seed: 1, days: 1 }));
    expect(queue.workload).toMatchObject({ kind: 'queue', unitCapacity: 2 });
    expect(queue.compare).toEqual(['seed-step', 'keda']);
  });

  test('the queue goal: violation at most 1% and cost at most the clairvoyant reference + 0.20', () => {
    const score = scoreOf;
    expect(queueGoal(score(0.5, 1.3), score(0, 1.1))).toEqual({ pass: true, difference: expect.closeTo(0.2, 9) });
    expect(queueGoal(score(0.5, 1.31), score(0, 1.1)).pass).toBe(false);
    expect(queueGoal(score(1.01, 1.1), score(0, 1.1)).pass).toBe(false);
  });

  test('the calm goal: at most 10 actions an hour and 24 reversals a day', () => {
    expect(calmGoal({ actionsPerHour: 10, reversalsPerDay: 24 })).toBe(true);
    expect(calmGoal({ actionsPerHour: 10.01, reversalsPerDay: 0 })).toBe(false);
    expect(calmGoal({ actionsPerHour: 0, reversalsPerDay: 24.1 })).toBe(false);
  });

  test('median (of the middle two for an even count) and worst', () => {
    expect(medianAndWorst([3, 1, 2])).toEqual({ median: 2, worst: 3 });
    expect(medianAndWorst([4, 1, 3, 2])).toEqual({ median: 2.5, worst: 4 });
  });
});
