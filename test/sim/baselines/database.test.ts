import { baselineFor } from '../../../sim/baselines';
import { seedStepDatabase } from '../../../sim/baselines/database';
import { type TargetTrackingState, targetTracking } from '../../../sim/baselines/target-tracking';
import type { BaselineConfig, BaselineInput } from '../../../sim/baselines/types';

const config: BaselineConfig = { minUnits: 0, maxUnits: 5, targetUtilization: 70, unitCapacity: 10, stepSeconds: 60 };
const seed = (input: Partial<BaselineInput>) => seedStepDatabase.decide(config, null, { now: 300, ready: 2, desired: 2, cpu: [], ...input }).desired;
const points = (n: number, value: number) => new Array<number>(n).fill(value);

describe('seed-step, database', () => {
  test('the newest 10 datapoints all above 80 add a replica; 9 of them are not enough', () => {
    expect(seed({ cpu: points(10, 81) })).toBe(3);
    expect(seed({ cpu: [...points(20, 50), ...points(10, 95)] })).toBe(3);
    expect(seed({ cpu: points(9, 95) })).toBe(2);
    expect(seed({ cpu: [50, ...points(9, 95)] })).toBe(2);
    expect(seed({ cpu: [...points(9, 95), 80] })).toBe(2); // exactly 80 is not above
  });

  test('the newest 30 all below 30 remove a replica; 29, or one at 30, are not enough', () => {
    expect(seed({ cpu: points(30, 29) })).toBe(1);
    expect(seed({ cpu: points(29, 5) })).toBe(2);
    expect(seed({ cpu: [...points(29, 5), 30] })).toBe(2);
    expect(seed({ cpu: [90, ...points(30, 5)] })).toBe(1); // only the newest 30 count
  });

  test('in between, nothing', () => {
    expect(seed({ cpu: points(30, 50) })).toBe(2);
  });

  test('only at steps whose start is a multiple of 300 s', () => {
    expect(seed({ now: 240, cpu: points(10, 95) })).toBe(2);
    expect(seed({ now: 360, cpu: points(10, 95) })).toBe(2);
    expect(seed({ now: 600, cpu: points(10, 95) })).toBe(3);
    expect(seed({ now: 660, cpu: points(30, 5) })).toBe(2);
    expect(seed({ now: 900, cpu: points(30, 5) })).toBe(1);
  });

  test('clamped to min and max replicas', () => {
    expect(seed({ desired: 5, cpu: points(10, 99) })).toBe(5);
    expect(seed({ desired: 0, ready: 0, cpu: points(30, 1) })).toBe(0);
    expect(seed({ now: 360, desired: 7, cpu: [] })).toBe(5);
  });

  test('is the database seed-step of baselineFor, with target-tracking the web one', () => {
    expect(baselineFor('database', 'seed-step')).toBe(seedStepDatabase);
    expect(baselineFor('database', 'target-tracking')).toBe(targetTracking);
    expect(() => baselineFor('database', 'keda')).toThrow('no database baseline named keda');
  });
});

// Aurora Replicas Auto Scaling tracks RDSReaderAverageCPUUtilization, the average CPU of the readers:
// targetTracking is fed the ready replicas as `ready` and the readers' average CPU as `cpu`.
describe('target-tracking, database (targetTracking on the readers)', () => {
  const tt = (input: Partial<BaselineInput>, state: TargetTrackingState = {}) =>
    targetTracking.decide(config, state, { now: 600, ready: 2, desired: 2, cpu: [], ...input });

  test('adds replicas when the readers run hot: ceil(ready replicas x reader CPU / target)', () => {
    expect(tt({ cpu: [90, 90, 90] }).desired).toBe(3); // 2 x 90 / 70 = 2.6
    expect(tt({ ready: 3, desired: 3, cpu: [95, 95, 99] }).desired).toBe(5); // 3 x 99 / 70 = 4.2
  });

  test('removes replicas when the readers are cold for 15 minutes', () => {
    expect(tt({ ready: 4, desired: 4, cpu: points(15, 20) }).desired).toBe(2); // 4 x 20 / 70 = 1.1
  });

  test('does nothing with no ready replica: no reader datapoint, and none of a reader to scale from', () => {
    // Aurora Auto Scaling needs the cluster to have a reader: RDSReaderAverageCPUUtilization has no
    // datapoint without one (Aurora User Guide, "Amazon Aurora Auto Scaling with Aurora Replicas").
    expect(tt({ ready: 0, desired: 0, cpu: [] }).desired).toBe(0);
    // even with hot reader datapoints left over, no ready reader gives a wanted count of 0
    expect(tt({ ready: 0, desired: 0, cpu: [99, 99, 99] }).desired).toBe(0);
    expect(tt({ ready: 0, desired: 1, cpu: [99, 99, 99] }).desired).toBe(1);
  });
});
