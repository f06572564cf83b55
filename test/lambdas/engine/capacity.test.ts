import fc from 'fast-check';
import {
  type CapacityInput,
  type CapacityObservation,
  type CapacityPolicy,
  decideCapacity,
  EMPTY_MEMORY,
  type EngineMemory,
} from '../../../lambdas/engine/capacity';

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);

const policy: CapacityPolicy = {
  minCapacity: 2,
  maxCapacity: 50,
  targetCpu: 70,
  tolerance: 0.1,
  maxStepUpRatio: 1,
  maxStepDownRatio: 0.5,
  scaleInCooldownSeconds: 300,
  scaleOutCooldownSeconds: 60,
  scaleInStabilizationSeconds: 300,
  warmupSeconds: 180,
};

/** Minute datapoints ending two minutes (CloudWatch's publication delay) and `lateMinutes` more before NOW, oldest first. */
function series(values: number[], lateMinutes = 0) {
  return values.map((value, i) => ({ at: NOW - (values.length - i + 1 + lateMinutes) * MIN, value }));
}

/** A web tier of `units` units each serving `perUnit` req/s at 100% CPU, under `rates` req/s. */
function webObservation(rates: number[], units: number, perUnit = 40, lateMinutes = 0): CapacityObservation {
  return {
    periodSeconds: 60,
    cpu: series(
      rates.map((r) => Math.min(100, (100 * r) / (units * perUnit))),
      lateMinutes,
    ),
    requestCount: series(
      rates.map((r) => r * 60),
      lateMinutes,
    ),
    requestCountPerTarget: series(
      rates.map((r) => (r * 60) / units),
      lateMinutes,
    ),
  };
}

function decide(input: Partial<CapacityInput> & { observation: CapacityObservation; current: CapacityInput['current'] }) {
  return decideCapacity({ policy, memory: EMPTY_MEMORY, now: NOW, ...input });
}

describe('decideCapacity examples', () => {
  test('steady load at the target leaves the count alone', () => {
    const { decision } = decide({ current: { desired: 10, ready: 10 }, observation: webObservation(Array(10).fill(280), 10) });
    expect(decision.direction).toBe('none');
    expect(decision.desired).toBe(10);
  });

  test('CPU-only overload scales out proportionally, with the numbers in the reason', () => {
    const obs: CapacityObservation = { periodSeconds: 60, cpu: series(Array(5).fill(91)) };
    const { decision } = decide({ current: { desired: 10, ready: 10 }, observation: obs });
    expect(decision.desired).toBe(13); // ceil(10 x 91 / 70)
    expect(decision.reason).toMatch(/CPU 91\.0%/);
    expect(decision.reason).toMatch(/10 -> 13/);
  });

  test('saturated CPU: the request rate and the learned unit rate give the true need', () => {
    // 10 units at 40 req/s each: 200 req/s learned at 50% CPU, then a jump to 1200 req/s saturates them.
    const rates = [200, 200, 200, 200, 200, 200, 1200, 1200];
    const { decision, memory } = decide({ current: { desired: 10, ready: 10 }, observation: webObservation(rates, 10) });
    expect(memory.unitRate).toBeCloseTo(40, 5);
    // At least 1200 / (40 x 0.7) = 42.9 -> 43 (more with the jump's trend), but one step may at most double: 20.
    expect(decision.desired).toBe(20);
    const wanted = Number(/step limit 10, (\d+) wanted/.exec(decision.reason)?.[1]);
    expect(wanted).toBeGreaterThanOrEqual(43);
  });

  test('without request metrics, saturated CPU asks for a full step', () => {
    const obs: CapacityObservation = { periodSeconds: 60, cpu: series(Array(5).fill(100)) };
    expect(decide({ current: { desired: 4, ready: 4 }, observation: obs }).decision.desired).toBe(8);
  });

  test('a rising trend is projected over the warm-up', () => {
    const flat = decide({ current: { desired: 10, ready: 10 }, observation: webObservation([300, 300, 300, 300, 330], 10) });
    const rising = decide({ current: { desired: 10, ready: 10 }, observation: webObservation([250, 270, 290, 310, 330], 10) });
    expect(rising.decision.desired).toBeGreaterThan(flat.decision.desired);
  });

  test('a lone spike is noise: it moves the level a little; a sustained rise moves it all the way', () => {
    const base = Array(9).fill(280);
    const spike = decide({ current: { desired: 10, ready: 10 }, observation: webObservation([...base.slice(1), 280, 560], 10) });
    const sustained = decide({ current: { desired: 10, ready: 10 }, observation: webObservation([...base.slice(2), 560, 560, 560], 10) });
    expect(spike.decision.desired).toBeLessThan(15);
    expect(sustained.decision.desired).toBeGreaterThanOrEqual(20);
  });

  test('noisy demand raises the level by a share of its standard deviation', () => {
    const calm = decide({ current: { desired: 10, ready: 10 }, observation: webObservation(Array(10).fill(300), 10) });
    const noisy = decide({ current: { desired: 10, ready: 10 }, observation: webObservation([200, 400, 200, 400, 200, 400, 200, 400, 200, 400], 10) });
    expect(noisy.decision.figures.recommended).toBeGreaterThan(calm.decision.figures.recommended);
  });

  test('with peakCpu above the target, noisy demand gets the headroom for a minute 2.576 noise deviations above its mean at peakCpu', () => {
    // 200 and 400 req/s in turn: mean 300, every first difference 200, a noise deviation of 200 x 1.4826 / sqrt(2) = 209.7
    const rates = [200, 400, 200, 400, 200, 400, 200, 400, 200, 400];
    const sd = (200 * 1.4826) / Math.SQRT2;
    const at = (peakCpu?: number) =>
      decide({ policy: { ...policy, peakCpu }, current: { desired: 10, ready: 10 }, observation: webObservation(rates, 10) }).decision.figures.need;
    // (300 + 2.576 sd) req/s may take 90% of the units, so at 70% they serve it x 70 / 90; 28 req/s per unit at 70%
    expect(at(90)).toBeCloseTo(((300 + 2.576 * sd) * (70 / 90)) / 28, 6);
    // at or below the target it is off: the mean and a quarter of the noise, as without it
    expect(at(70)).toBeCloseTo((300 + 0.25 * sd) / 28, 6);
    expect(at(undefined)).toBeCloseTo((300 + 0.25 * sd) / 28, 6);
    // calm demand: the target alone decides, whatever peakCpu
    const calm = (peakCpu?: number) =>
      decide({ policy: { ...policy, peakCpu }, current: { desired: 10, ready: 10 }, observation: webObservation(Array(10).fill(280), 10) }).decision.figures
        .need;
    expect(calm(90)).toBeCloseTo(calm(undefined)!, 9);
  });

  test('no scale-in while the load rises: a level that has just followed a shift keeps the count', () => {
    // the load doubled three minutes ago, to half of what 25 units serve; nothing in the window asks for 25
    const shifted = decide({ current: { desired: 25, ready: 25 }, observation: webObservation([...Array(12).fill(200), 400, 400, 400], 25) });
    expect(shifted.decision).toMatchObject({ desired: 25, direction: 'none', heldBy: 'stabilization' });
    expect(shifted.decision.reason).toMatch(/no scale-in while the load rises, unchanged$/);
    // the same load, settled: it scales in
    const settled = decide({ current: { desired: 25, ready: 25 }, observation: webObservation(Array(15).fill(400), 25) });
    expect(settled.decision.direction).toBe('in');
  });

  test("scale-in goes no lower than the levels of the window's datapoints, even with no earlier decision", () => {
    // Demand fell from 840 to 200 req/s three minutes ago: the window still holds the higher levels.
    const rates = [840, 840, 840, 840, 840, 840, 840, 200, 200, 200];
    const { decision } = decide({ current: { desired: 40, ready: 40 }, observation: webObservation(rates, 40) });
    expect(decision.desired).toBeGreaterThan(20);
    expect(decision.figures.stabilized).toBeGreaterThan(decision.figures.recommended);
  });

  test('a step that has already happened is sized as it is, not extrapolated as a ramp', () => {
    const { decision } = decide({ current: { desired: 10, ready: 10 }, observation: webObservation([...Array(7).fill(280), 560, 560, 560], 10) });
    expect(decision.desired).toBe(20); // 560 req/s at 28 req/s per unit
  });

  test('scale-out waits out its cooldown', () => {
    const memory: EngineMemory = { recommendations: [], lastScaleOutAt: NOW - 30_000 };
    const { decision } = decide({ current: { desired: 10, ready: 10 }, observation: webObservation(Array(6).fill(500), 10), memory });
    expect(decision).toMatchObject({ desired: 10, heldBy: 'cooldown' });
  });

  test('scale-in uses the highest recommendation of the stabilization window', () => {
    const memory: EngineMemory = { recommendations: [{ at: NOW - 120_000, desired: 18 }] };
    const { decision } = decide({ current: { desired: 20, ready: 20 }, observation: webObservation(Array(10).fill(200), 20), memory });
    // Load needs 8 now, but 18 was asked two minutes ago.
    expect(decision.desired).toBe(18);
  });

  test('scale-in is held while the window still asks for the current count', () => {
    const memory: EngineMemory = { recommendations: [{ at: NOW - 60_000, desired: 20 }] };
    const { decision } = decide({ current: { desired: 20, ready: 20 }, observation: webObservation(Array(10).fill(200), 20), memory });
    expect(decision).toMatchObject({ desired: 20, heldBy: 'stabilization' });
  });

  test('scale-in removes at most half at once', () => {
    const { decision } = decide({ current: { desired: 40, ready: 40 }, observation: webObservation(Array(10).fill(100), 40) });
    expect(decision.desired).toBe(20);
  });

  test('scale-in waits for the cooldown after a scale-out', () => {
    const memory: EngineMemory = { recommendations: [], lastScaleOutAt: NOW - 200_000 };
    const { decision } = decide({ current: { desired: 40, ready: 40 }, observation: webObservation(Array(10).fill(100), 40), memory });
    expect(decision).toMatchObject({ desired: 40, heldBy: 'cooldown' });
  });

  test('no datapoints: nothing changes', () => {
    const { decision } = decide({ current: { desired: 5, ready: 5 }, observation: { periodSeconds: 60, cpu: [] } });
    expect(decision).toMatchObject({ desired: 5, heldBy: 'no-data' });
  });

  test('a count outside the bounds is brought back inside first', () => {
    const { decision } = decide({ current: { desired: 80, ready: 80 }, observation: webObservation(Array(5).fill(5000), 80) });
    expect(decision.desired).toBe(50);
  });

  test('a configured requests-per-target target sizes on requests directly', () => {
    const p = { ...policy, requestsPerTarget: 1200 }; // 20 req/s per unit
    const { decision } = decide({ policy: p, current: { desired: 10, ready: 10 }, observation: webObservation(Array(6).fill(300), 10) });
    expect(decision.desired).toBe(15); // 300 / 20
  });
});

describe('decideCapacity with late, stalled or missing metrics', () => {
  const fixed6 = { ...policy, missingData: { lateAfterSeconds: 240, fallback: 'fixed' as const, count: 6, fallbackAfterSeconds: 600 } };
  const late = (lateMinutes: number) => ({ freshness: 'late' as const, ageSeconds: 60 + 60 * lateMinutes, stalledSeconds: 0 });
  const stalled = (lateMinutes: number) => ({ freshness: 'stalled' as const, ageSeconds: 60 + 60 * lateMinutes, stalledSeconds: 60 + 60 * lateMinutes });
  const missing = (lateMinutes?: number) =>
    lateMinutes === undefined
      ? { freshness: 'missing' as const }
      : { freshness: 'missing' as const, ageSeconds: 60 + 60 * lateMinutes, stalledSeconds: 60 + 60 * lateMinutes };

  test('late but still arriving (a steady lag): decisions go on as usual, a scale-in included, with the lag in the reason', () => {
    const { decision } = decide({ current: { desired: 10, ready: 10 }, observation: webObservation(Array(10).fill(60), 10, 40, 4), metrics: late(4) });
    expect(decision.direction).toBe('in');
    expect(decision.reason).toMatch(/metrics late \(newest datapoint 300 s old, late after 240 s; still arriving\)/);
    expect(decision.figures.metricsAgeSeconds).toBe(300);
  });

  test('a late trend is projected over the usual lag only: the same datapoints 10 minutes late ask for what they ask on time', () => {
    // a ramp gentle enough that its projection over the usual lag stays below the growth cap
    const rates = [290, 300, 310, 320, 330];
    const onTime = decide({ current: { desired: 10, ready: 10 }, observation: webObservation(rates, 10) }).decision;
    const lateOnes = decide({ current: { desired: 10, ready: 10 }, observation: webObservation(rates, 10, 40, 10), metrics: late(10) }).decision;
    expect(lateOnes.desired).toBe(onTime.desired);
    expect(lateOnes.figures.requestRateProjected).toBeCloseTo(onTime.figures.requestRateProjected, 9);
    // carried over the whole lag, the trend would ask for more
    const carried = decide({ current: { desired: 10, ready: 10 }, observation: webObservation(rates, 10, 40, 10) }).decision;
    expect(carried.figures.requestRateProjected).toBeGreaterThan(onTime.figures.requestRateProjected);
  });

  test('stalled (no new datapoint): low load is not read as a reason to scale in', () => {
    const { decision } = decide({ current: { desired: 10, ready: 10 }, observation: webObservation(Array(10).fill(60), 10, 40, 4), metrics: stalled(4) });
    expect(decision).toMatchObject({ desired: 10, direction: 'none', heldBy: 'late-metrics' });
    expect(decision.reason).toMatch(
      /metrics stalled \(newest datapoint 300 s old, none new for 300 s\); no scale-in while metrics are stalled or missing, 10 kept/,
    );
  });

  test('a late datapoint of overload is still overload: stalled, and missing with fallback hold', () => {
    for (const metrics of [stalled(7), missing(10)]) {
      const { decision } = decide({ current: { desired: 10, ready: 10 }, observation: webObservation(Array(10).fill(600), 10, 40, 7), metrics });
      expect(decision.direction).toBe('out');
      expect(decision.desired).toBe(20); // 600 / (40 x 0.7) = 21.4, one step: at most double
    }
  });

  test('late saturated CPU is counted against the units that produced it: one step, not one per minute', () => {
    const obs: CapacityObservation = { periodSeconds: 60, cpu: series(Array(5).fill(100), 6) };
    // 4 units were in service when the datapoints were measured; the first late decision doubled them.
    const memory: EngineMemory = {
      ...EMPTY_MEMORY,
      readySeen: [
        { at: NOW - 30 * MIN, ready: 4 },
        { at: NOW - MIN, ready: 8 },
      ],
    };
    expect(decide({ current: { desired: 4, ready: 4 }, observation: obs, memory, metrics: stalled(6) }).decision.desired).toBe(8);
    expect(decide({ current: { desired: 8, ready: 8 }, observation: obs, memory, now: NOW + MIN, metrics: stalled(7) }).decision).toMatchObject({
      desired: 8,
      direction: 'none',
    });
    // saturated datapoints measured on 8 units ask for another full step
    const onEight: EngineMemory = { ...EMPTY_MEMORY, readySeen: [{ at: NOW - 30 * MIN, ready: 8 }] };
    expect(
      decide({ current: { desired: 8, ready: 8 }, observation: { periodSeconds: 60, cpu: series(Array(5).fill(100)) }, memory: onEight }).decision.desired,
    ).toBe(16);
    // and on time, measured while 4 served (the 8 joined a minute ago), they ask for no more than 8
    expect(decide({ current: { desired: 8, ready: 8 }, observation: { periodSeconds: 60, cpu: series(Array(5).fill(100)) }, memory }).decision.desired).toBe(8);
  });

  test('no datapoint at all: fallback hold keeps the count', () => {
    const { decision } = decide({ current: { desired: 5, ready: 5 }, observation: { periodSeconds: 60, cpu: [] }, metrics: missing() });
    expect(decision).toMatchObject({ desired: 5, heldBy: 'no-data' });
    expect(decision.reason).toBe('metrics missing (no datapoint to read); desired unchanged');
  });

  test('fallback fixed raises the count to its floor while metrics are missing, and never lowers it', () => {
    const none: CapacityObservation = { periodSeconds: 60, cpu: [] };
    const up = decide({ policy: fixed6, current: { desired: 4, ready: 4 }, observation: none, metrics: missing() }).decision;
    expect(up).toMatchObject({ desired: 6, direction: 'out' });
    expect(up.reason).toMatch(/fallback "fixed", at least 6; 4 -> 6/);
    expect(decide({ policy: fixed6, current: { desired: 9, ready: 9 }, observation: none, metrics: missing() }).decision).toMatchObject({
      desired: 9,
      direction: 'none',
    });
    // low load 11 minutes stale: the floor, not a scale-in
    const old = decide({
      policy: fixed6,
      current: { desired: 4, ready: 4 },
      observation: webObservation(Array(10).fill(10), 4, 40, 10),
      metrics: missing(10),
    }).decision;
    expect(old).toMatchObject({ desired: 6, direction: 'out' });
  });

  test('fallback fixed waits for the metrics to be missing: stalled ones are only held', () => {
    const { decision } = decide({
      policy: fixed6,
      current: { desired: 4, ready: 4 },
      observation: webObservation(Array(10).fill(10), 4, 40, 5),
      metrics: stalled(5),
    });
    expect(decision).toMatchObject({ desired: 4, heldBy: 'late-metrics' });
  });

  test('the fallback count is held to the bounds in force', () => {
    const p = { ...fixed6, maxCapacity: 5 };
    expect(decide({ policy: p, current: { desired: 3, ready: 3 }, observation: { periodSeconds: 60, cpu: [] }, metrics: missing() }).decision.desired).toBe(5);
  });

  test('property: with stalled or missing metrics the count never goes down (inside the bounds), whatever the load, history or fallback', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 5000, noNaN: true }), { minLength: 0, maxLength: 15 }),
        fc.integer({ min: 3, max: 60 }),
        fc.integer({ min: 2, max: 50 }),
        fc.constantFrom<'hold' | 'fixed'>('hold', 'fixed'),
        fc.integer({ min: 2, max: 50 }),
        fc.constantFrom<'stalled' | 'missing'>('stalled', 'missing'),
        fc.array(fc.record({ at: fc.integer({ min: NOW - 600_000, max: NOW }), desired: fc.integer({ min: 0, max: 60 }) }), { maxLength: 5 }),
        (rates, lateMinutes, desired, fallback, count, freshness, recommendations) => {
          const p: CapacityPolicy = {
            ...policy,
            missingData: { lateAfterSeconds: 240, fallback, count: fallback === 'fixed' ? count : undefined, fallbackAfterSeconds: 600 },
          };
          const obs = rates.length ? webObservation(rates, desired, 40, lateMinutes) : { periodSeconds: 60, cpu: [] };
          const metrics = rates.length ? { freshness, ageSeconds: 60 + 60 * lateMinutes, stalledSeconds: 60 + 60 * lateMinutes } : { freshness };
          const { decision } = decideCapacity({
            policy: p,
            current: { desired, ready: desired },
            observation: obs,
            memory: { recommendations },
            now: NOW,
            metrics,
          });
          expect(decision.desired).toBeGreaterThanOrEqual(desired);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('decideCapacity properties', () => {
  const arbPolicy = fc.record({
    minCapacity: fc.integer({ min: 0, max: 10 }),
    span: fc.integer({ min: 0, max: 100 }),
    targetCpu: fc.integer({ min: 20, max: 95 }),
    tolerance: fc.double({ min: 0, max: 0.5, noNaN: true }),
    maxStepUpRatio: fc.double({ min: 0.1, max: 3, noNaN: true }),
    maxStepUp: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
    maxStepDownRatio: fc.double({ min: 0.05, max: 1, noNaN: true }),
  });
  const arbRates = fc.array(fc.double({ min: 0, max: 5000, noNaN: true }), { minLength: 1, maxLength: 15 });
  const arbMemory = fc.record({
    lastScaleOutAt: fc.option(fc.integer({ min: NOW - 3_600_000, max: NOW }), { nil: undefined }),
    lastScaleInAt: fc.option(fc.integer({ min: NOW - 3_600_000, max: NOW }), { nil: undefined }),
    recommendations: fc.array(fc.record({ at: fc.integer({ min: NOW - 600_000, max: NOW }), desired: fc.integer({ min: 0, max: 120 }) }), {
      maxLength: 5,
    }),
  });

  const toPolicy = (p: {
    minCapacity: number;
    span: number;
    targetCpu: number;
    tolerance: number;
    maxStepUpRatio: number;
    maxStepUp?: number;
    maxStepDownRatio: number;
  }): CapacityPolicy => ({
    ...policy,
    minCapacity: p.minCapacity,
    maxCapacity: Math.max(1, p.minCapacity + p.span),
    targetCpu: p.targetCpu,
    tolerance: p.tolerance,
    maxStepUpRatio: p.maxStepUpRatio,
    maxStepUp: p.maxStepUp,
    maxStepDownRatio: p.maxStepDownRatio,
  });

  test('never outside min/max, whatever the load and history', () => {
    fc.assert(
      fc.property(arbPolicy, arbRates, fc.integer({ min: 0, max: 150 }), fc.integer({ min: 1, max: 60 }), arbMemory, (p, rates, desired, units, memory) => {
        const pol = toPolicy(p);
        const { decision } = decideCapacity({
          policy: pol,
          current: { desired, ready: Math.min(desired, units) },
          observation: webObservation(rates, units),
          memory,
          now: NOW,
        });
        expect(decision.desired).toBeGreaterThanOrEqual(pol.minCapacity);
        expect(decision.desired).toBeLessThanOrEqual(pol.maxCapacity);
      }),
      { numRuns: 500 },
    );
  });

  test('step bounds are respected when the count starts inside the bounds', () => {
    fc.assert(
      fc.property(arbPolicy, arbRates, fc.integer({ min: 0, max: 150 }), arbMemory, (p, rates, start, memory) => {
        const pol = toPolicy(p);
        const desired = Math.min(pol.maxCapacity, Math.max(pol.minCapacity, start));
        const { decision } = decideCapacity({
          policy: pol,
          current: { desired, ready: desired },
          observation: webObservation(rates, Math.max(1, desired)),
          memory,
          now: NOW,
        });
        let up = Math.max(1, Math.ceil(desired * pol.maxStepUpRatio));
        if (pol.maxStepUp !== undefined) up = Math.min(up, pol.maxStepUp);
        const down = Math.max(1, Math.floor(desired * pol.maxStepDownRatio));
        expect(decision.desired - desired).toBeLessThanOrEqual(up);
        expect(desired - decision.desired).toBeLessThanOrEqual(down);
      }),
      { numRuns: 500 },
    );
  });

  test('monotone in load: more requests never ask for fewer units', () => {
    fc.assert(
      fc.property(
        arbPolicy,
        arbRates,
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.integer({ min: 1, max: 40 }),
        arbMemory,
        (p, rates, factor, units, memory) => {
          const pol = toPolicy(p);
          const desired = Math.min(pol.maxCapacity, Math.max(pol.minCapacity, units));
          const run = (rs: number[]) =>
            decideCapacity({
              policy: pol,
              current: { desired, ready: desired },
              observation: webObservation(rs, Math.max(1, desired)),
              memory: { ...memory, unitRate: 40 },
              now: NOW,
            }).decision.desired;
          expect(run(rates.map((r) => r * factor))).toBeGreaterThanOrEqual(run(rates));
        },
      ),
      { numRuns: 500 },
    );
  });

  test('same input, same output', () => {
    fc.assert(
      fc.property(arbPolicy, arbRates, fc.integer({ min: 1, max: 40 }), arbMemory, (p, rates, units, memory) => {
        const input: CapacityInput = {
          policy: toPolicy(p),
          current: { desired: units, ready: units },
          observation: webObservation(rates, units),
          memory,
          now: NOW,
        };
        expect(decideCapacity(input)).toEqual(decideCapacity(structuredClone(input)));
      }),
      { numRuns: 300 },
    );
  });
});
