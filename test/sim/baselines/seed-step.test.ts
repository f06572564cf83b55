import { seedStepQueue, seedStepWeb } from '../../../sim/baselines/seed-step';
import type { BaselineConfig, BaselineInput } from '../../../sim/baselines/types';

const config: BaselineConfig = { minUnits: 1, maxUnits: 5, targetUtilization: 70, unitCapacity: 10, stepSeconds: 60 };
const web = (input: Partial<BaselineInput>) => seedStepWeb.decide(config, null, { now: 300, ready: 3, desired: 3, cpu: [], ...input }).desired;

describe('seed-step, web', () => {
  test('every 300 s, the average of the newest 5 visible datapoints above 70 adds one unit', () => {
    expect(web({ cpu: [80, 80, 80, 80, 80] })).toBe(4);
    // only the newest 5 count
    expect(web({ cpu: [0, 90, 90, 90, 90, 90] })).toBe(4);
  });

  test('below 30 removes one; in between, or exactly 70 / 30, nothing', () => {
    expect(web({ cpu: [20, 20, 20, 20, 20] })).toBe(2);
    expect(web({ cpu: [10, 10, 60, 60, 60] })).toBe(3);
    expect(web({ cpu: [70, 70, 70, 70, 70] })).toBe(3);
    expect(web({ cpu: [30, 30, 30, 30, 30] })).toBe(3);
  });

  test('fewer datapoints at the start are averaged as they are; none means no decision', () => {
    expect(web({ cpu: [80] })).toBe(4);
    expect(web({ cpu: [] })).toBe(3);
  });

  test('only at steps whose start is a multiple of 300 s', () => {
    expect(web({ now: 360, cpu: [90, 90, 90, 90, 90] })).toBe(3);
    expect(web({ now: 600, cpu: [90, 90, 90, 90, 90] })).toBe(4);
    expect(web({ now: 0, cpu: [90] })).toBe(4);
  });

  test('clamped to min and max', () => {
    expect(web({ desired: 5, cpu: [99] })).toBe(5);
    expect(web({ desired: 1, cpu: [1] })).toBe(1);
  });
});

describe('seed-step, queue', () => {
  const queue = (visible: number, now = 300, desired = 3) =>
    seedStepQueue.decide(config, null, { now, ready: desired, desired, cpu: [], queue: { visible, notVisible: 2 } }).desired;

  test('every 300 s: above 100 visible adds one, below 10 removes one', () => {
    expect(queue(101)).toBe(4);
    expect(queue(100)).toBe(3);
    expect(queue(10)).toBe(3);
    expect(queue(9)).toBe(2);
    expect(queue(500, 360)).toBe(3);
    expect(queue(0, 600, 1)).toBe(1);
  });
});
