import { idealUnits, score } from '../../sim/score';
import { queueScenario, webScenario } from './helpers';

describe('score', () => {
  const s = webScenario({ workload: { unitCapacity: 10 }, target: { minUnits: 1, maxUnits: 20, targetUtilization: 50 } });

  test('every field on a hand-computed web trace', () => {
    const r = score(s, {
      arrivals: [600, 1200, 0],
      ready: [1, 2, 2],
      billed: [2, 2, 3],
      actions: [
        { step: 0, at: 0, from: 1, to: 2 },
        { step: 2, at: 120, from: 2, to: 3 },
      ],
    });
    // demand 10/s and 20/s against 0.9 x 10 and 0.9 x 20: 1/s and 2/s over 60 s = 180 of 1800 requests
    expect(r.violationPct).toBeCloseTo(10, 10);
    // ideal 2, 4, 1 (min) = 7; billed 7
    expect(r.costRatio).toBeCloseTo(1, 10);
    expect(r.unitHours).toBeCloseTo((7 * 60) / 3600, 10);
    expect(r.actions).toBe(2);
    expect(r.actionsPerHour).toBeCloseTo(40, 10);
    expect(r.reversals).toBe(0);
    expect(r.peakUnits).toBe(3);
  });

  test('ideal units clamp to min and max', () => {
    expect(idealUnits(s, 0)).toBe(1);
    expect(idealUnits(s, 300)).toBe(1); // 5/s at 5/s per unit
    expect(idealUnits(s, 301)).toBe(2);
    expect(idealUnits(s, 60 * 1000)).toBe(20);
    const q = queueScenario({ workload: { unitCapacity: 2 } });
    expect(idealUnits(q, 0)).toBe(0);
    expect(idealUnits(q, 241)).toBe(3); // 4.02/s at 2/s per worker
  });

  test('reversals: opposite direction within 600 s of the previous action', () => {
    const r = score(s, {
      arrivals: new Array(30).fill(0),
      ready: new Array(30).fill(1),
      billed: new Array(30).fill(1),
      actions: [
        { step: 0, at: 0, from: 1, to: 2 },
        { step: 5, at: 300, from: 2, to: 1 }, // reversal
        { step: 16, at: 1000, from: 1, to: 2 }, // 700 s later: not
        { step: 25, at: 1500, from: 2, to: 3 }, // same direction
        { step: 26, at: 1600, from: 3, to: 2 }, // reversal
      ],
    });
    expect(r.reversals).toBe(2);
  });

  test('queue violations are the share of messages that waited too long', () => {
    const q = queueScenario();
    const r = score(q, { arrivals: [100, 50], ready: [0, 0], billed: [0, 0], actions: [], violatedMessages: 30 });
    expect(r.violationPct).toBeCloseTo(20, 10);
  });

  test('a trace without arrivals scores no violations, and a zero ideal gives a null cost ratio', () => {
    const q = queueScenario();
    const r = score(q, { arrivals: [0, 0], ready: [0, 0], billed: [1, 1], actions: [], violatedMessages: 0 });
    expect(r.violationPct).toBe(0);
    expect(r.costRatio).toBeNull();
  });
});
