/**
 * `seed-step`: the step policies of the seed guides, evaluated every 300 s.
 * Web: the average of the newest 5 visible CPU datapoints (fewer at the start) above 70 adds one
 * unit, below 30 removes one. Queue: visible messages above 100 add one worker, below 10 remove one.
 */
import { type Baseline, clampUnits, onFiveMinutes } from './types';

export const seedStepWeb: Baseline<null> = {
  name: 'seed-step',
  initial: () => null,
  decide(config, state, { now, desired, cpu }) {
    if (!onFiveMinutes(now) || cpu.length === 0) return { desired: clampUnits(config, desired), state };
    const newest = cpu.slice(-5);
    const avg = newest.reduce((a, b) => a + b, 0) / newest.length;
    const next = avg > 70 ? desired + 1 : avg < 30 ? desired - 1 : desired;
    return { desired: clampUnits(config, next), state };
  },
};

export const seedStepQueue: Baseline<null> = {
  name: 'seed-step',
  initial: () => null,
  decide(config, state, { now, desired, queue }) {
    if (!onFiveMinutes(now) || !queue) return { desired: clampUnits(config, desired), state };
    const next = queue.visible > 100 ? desired + 1 : queue.visible < 10 ? desired - 1 : desired;
    return { desired: clampUnits(config, next), state };
  },
};
