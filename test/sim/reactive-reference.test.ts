import type { FrontierPoint } from '../../sim/frontier';
import { REACTIVE_HEADROOMS, REACTIVE_WINDOWS_MINUTES, reachText, reactiveReach, runReactiveOracle } from '../../sim/reactive-reference';
import { queueScenario, scoreOf, traceOf, webScenario } from './helpers';

// 40 requests/s per unit at a 70% target: 28 requests/s, 1,680 a minute, per ideal unit.
const scenario = webScenario({ workload: { unitCapacity: 40, provisioningSeconds: 180 }, target: { minUnits: 1, maxUnits: 100, targetUtilization: 70 } });
const PER_UNIT_MINUTE = 1680;
const point = (target: number, violationPct: number, costRatio: number): FrontierPoint => ({
  policy: 'target-tracking',
  target,
  score: scoreOf(violationPct, costRatio),
});

describe('the reactive oracle', () => {
  test('it sees each minute two minutes late, as CloudWatch publishes it, and its units start after provisioning', () => {
    // 2 ideal units, then 8 from minute 30
    const steps = [...new Array(30).fill(2 * PER_UNIT_MINUTE), ...new Array(30).fill(8 * PER_UNIT_MINUTE)];
    const world = runReactiveOracle(scenario, traceOf(steps), 0, 1);
    const out = world.actions.filter((a) => a.to > a.from);
    expect(out[0]).toMatchObject({ step: 2, from: 1, to: 2 });
    expect(out[1]).toMatchObject({ step: 32, from: 2, to: 8 });
    // ordered at 32, serving from 35: minutes 30-34 of the step are short of units
    expect(world.ready[34]).toBe(2);
    expect(world.ready[35]).toBe(8);
  });

  test('it holds the highest count of its window, and asks for headroom x the ideal count', () => {
    // one minute at 6 ideal units in a load of 2
    const steps = new Array(40).fill(2 * PER_UNIT_MINUTE);
    steps[10] = 6 * PER_UNIT_MINUTE;
    const held = runReactiveOracle(scenario, traceOf(steps), 5, 1);
    // minute 10 is seen at step 12 and held while it is among the last 6 visible minutes (10-15): until step 17
    expect(held.actions.map((a) => [a.step, a.to])).toEqual([
      [2, 2],
      [12, 6],
      [18, 2],
    ]);
    const headroom = runReactiveOracle(scenario, traceOf(steps), 0, 1.5);
    expect(headroom.actions.map((a) => [a.step, a.to])).toEqual([
      [2, 3],
      [12, 9],
      [13, 3],
    ]);
  });

  test('a web policy: a queue scenario is refused', () => {
    expect(() => runReactiveOracle(queueScenario(), traceOf([1, 2, 3]), 0, 1)).toThrow(/is a web policy; test-queue is a queue scenario/);
  });
});

describe('its reach against the anchors', () => {
  // 10 ideal units throughout, the tier started at 10
  const ten = webScenario({ workload: { unitCapacity: 40, provisioningSeconds: 180 }, target: { minUnits: 10, maxUnits: 100, targetUtilization: 70 } });
  const steady = traceOf(new Array(120).fill(10 * PER_UNIT_MINUTE));

  test('on steady load it meets both goals from a cost ratio of 1: the cheapest such point, and its text', () => {
    const frontier = [point(80, 4, 0.9), point(70, 2, 1.1), point(30, 0.1, 3)];
    const reach = reactiveReach(ten, steady, frontier);
    expect(reach.points).toBe(REACTIVE_WINDOWS_MINUTES.length * REACTIVE_HEADROOMS.length);
    expect(reach.cheapest).toMatchObject({ windowMinutes: 0, headroom: 1, bound: 2, score: { violationPct: 0, costRatio: 1 } });
    expect(reachText(reach)).toBe('from 1.000 (0 min, x1.00)');
    // a point past the dearest anchor does not count: with the anchors no dearer than 1.02, x1.05 (11 units) is out of range
    const tight = reactiveReach(ten, steady, [point(80, 4, 0.9), point(70, 2, 1.02)]);
    expect(tight.cheapest?.score.costRatio).toBe(1);
    expect(tight.closest?.score.costRatio).toBeLessThanOrEqual(1.02);
  });

  test('anchors it cannot beat: no point meets the goals, and the nearest miss is told', () => {
    // a flash crowd every 20 minutes, 4 ideal units to 40 for 3 minutes: over before any unit it orders starts
    const flashes = Array.from({ length: 240 }, (_, m) => (m % 20 < 3 ? 40 : 4) * PER_UNIT_MINUTE);
    // an anchor that loses little at no cost: unreachable by reacting
    const frontier = [point(70, 0.01, 0.5), point(30, 0.005, 5)];
    const reach = reactiveReach(scenario, traceOf(flashes), frontier);
    expect(reach.cheapest).toBeUndefined();
    expect(reach.closest!.score.violationPct).toBeGreaterThan(reach.closest!.bound);
    expect(reachText(reach)).toMatch(/^no: at best \d+\.\d\d x the bound$/);
  });

  test('a point an anchor dominates does not meet the goals, even within the SLO allowance', () => {
    // started at 1 unit for 10: the first five minutes are short, some 0.4% of 20 hours
    const long = traceOf(new Array(1200).fill(10 * PER_UNIT_MINUTE));
    const alone = reactiveReach(scenario, long, [point(80, 4, 0.9), point(30, 0.01, 3)]);
    expect(alone.cheapest?.score.violationPct).toBeGreaterThan(0);
    expect(alone.cheapest?.score.violationPct).toBeLessThan(0.5);
    const beaten = reactiveReach(scenario, long, [point(80, 0.01, 0.95), point(30, 0.01, 3)]);
    expect(beaten.cheapest).toBeUndefined();
  });

  test('only points within the anchors cost range count', () => {
    // every anchor cheaper than the oracle's cheapest point (cost ratio >= 1 at headroom 1)
    const reach = reactiveReach(ten, steady, [point(80, 50, 0.5), point(30, 40, 0.6)]);
    expect(reach).toEqual({ points: REACTIVE_WINDOWS_MINUTES.length * REACTIVE_HEADROOMS.length });
    expect(reachText(reach)).toBe("no point in the anchors' cost range");
  });
});
