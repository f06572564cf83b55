import { targetTracking } from '../../../sim/baselines/target-tracking';
import type { BaselineConfig, BaselineInput } from '../../../sim/baselines/types';

const config: BaselineConfig = { minUnits: 2, maxUnits: 12, targetUtilization: 50, unitCapacity: 10, stepSeconds: 60 };
const decide = (input: Partial<BaselineInput>, state = {}) => targetTracking.decide(config, state, { now: 600, ready: 4, desired: 4, cpu: [], ...input });
const low15 = new Array(15).fill(20);

describe('target-tracking, scale-out', () => {
  test('the newest 3 visible datapoints all above target: desired = ceil(ready x cpu / target)', () => {
    // 4 x 60 / 50 = 4.8
    expect(decide({ cpu: [60, 60, 60] }).desired).toBe(5);
    expect(decide({ cpu: [10, 55, 60, 90] }).desired).toBe(8); // 4 x 90 / 50 = 7.2
  });

  test('not all of the newest 3 above target (or fewer than 3): no scale-out', () => {
    expect(decide({ cpu: [40, 60, 60] }).desired).toBe(4);
    expect(decide({ cpu: [50, 60, 60] }).desired).toBe(4);
    expect(decide({ cpu: [90, 90] }).desired).toBe(4);
  });

  test('in ALARM it never lowers the desired count, and it clamps to max', () => {
    expect(decide({ desired: 9, cpu: [60, 60, 60] }).desired).toBe(9);
    expect(decide({ ready: 10, desired: 10, cpu: [100, 100, 100] }).desired).toBe(12);
  });
});

describe('target-tracking, scale-in', () => {
  test('the newest 15 all below 0.9 x target: desired = max(minUnits, ceil(ready x cpu / target))', () => {
    const r = decide({ ready: 10, desired: 10, cpu: low15 });
    expect(r.desired).toBe(4); // 10 x 20 / 50
    expect(r.state).toEqual({ lastScaleInAt: 600 });
    expect(decide({ ready: 3, desired: 3, cpu: new Array(15).fill(5) }).desired).toBe(2);
  });

  test('14 low datapoints, or one at 0.9 x target, are not enough', () => {
    expect(decide({ ready: 10, desired: 10, cpu: low15.slice(1) }).desired).toBe(10);
    expect(decide({ ready: 10, desired: 10, cpu: [...low15.slice(1), 45] }).desired).toBe(10);
  });

  test('at most once per 300 s', () => {
    const state = { lastScaleInAt: 600 };
    expect(decide({ now: 840, ready: 10, desired: 8, cpu: low15 }, state).desired).toBe(8);
    expect(decide({ now: 900, ready: 10, desired: 8, cpu: low15 }, state).desired).toBe(4);
  });

  test('only when lower than the desired count', () => {
    const r = decide({ ready: 10, desired: 4, cpu: low15 });
    expect(r.desired).toBe(4);
    expect(r.state).toEqual({});
  });
});
