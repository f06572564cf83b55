import fc from 'fast-check';
import {
  type CapacityObservation,
  type CapacityPolicy,
  type CustomTarget,
  capacityPolicyOf,
  decideCapacity,
  EMPTY_MEMORY,
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

/** Datapoints at `periodSeconds` ending two minutes before NOW (CloudWatch's publication delay), oldest first. */
function series(values: readonly number[], periodSeconds = 60) {
  return values.map((value, i) => ({ at: NOW - 2 * MIN - (values.length - 1 - i) * periodSeconds * 1000, value }));
}

const websockets: CustomTarget = { name: 'websockets', targetPerUnit: 1500, aggregation: 'total' };

function observation(cpu: number[], custom: Record<string, number[]> = {}, periodSeconds = 60): CapacityObservation {
  return {
    periodSeconds: 60,
    cpu: series(cpu),
    custom: Object.fromEntries(Object.entries(custom).map(([name, values]) => [name, { periodSeconds, points: series(values, periodSeconds) }])),
  };
}

const decide = (p: CapacityPolicy, obs: CapacityObservation, desired: number, ready = desired) =>
  decideCapacity({ policy: p, current: { desired, ready }, observation: obs, memory: EMPTY_MEMORY, now: NOW }).decision;

describe('custom metrics in the capacity engine', () => {
  test('a fleet total over its target per unit scales out although CPU is at its target, the metric named in the reason', () => {
    const d = decide({ ...policy, customTargets: [websockets] }, observation(Array(10).fill(70), { websockets: Array(10).fill(15_000 * 1.5) }), 10);
    // 22,500 connections at 1,500 per unit need 15 units; CPU at 70% asks for 10.
    expect(d.desired).toBe(15);
    expect(d.reason).toContain('websockets 22500 in all');
    expect(d.figures['custom.websockets']).toBe(22_500);
  });

  test('a per-unit value is counted against the units in service: 1,800 per unit on 10 units need 12 at 1,500', () => {
    const perUnit: CustomTarget = { name: 'websockets', targetPerUnit: 1500, aggregation: 'perUnit' };
    const d = decide({ ...policy, customTargets: [perUnit] }, observation(Array(10).fill(70), { websockets: Array(10).fill(1800) }), 10);
    expect(d.desired).toBe(12);
  });

  test('the asg-memory preset is a per-unit signal', () => {
    const p = capacityPolicyOf({ ...policy, customMetrics: [{ name: 'memory', preset: 'asg-memory', targetPerUnit: 80 }] });
    expect(p.customTargets).toEqual([{ name: 'memory', targetPerUnit: 80, aggregation: 'perUnit' }]);
    expect(decide(p, observation(Array(10).fill(30), { memory: Array(10).fill(96) }), 10).desired).toBe(12);
  });

  test('high-resolution datapoints (10 s) are read at their own period', () => {
    const d = decide({ ...policy, customTargets: [websockets] }, observation(Array(10).fill(70), { websockets: Array(60).fill(30_000) }, 10), 10);
    expect(d.desired).toBe(20);
  });

  test('a threshold-only metric makes no proposal', () => {
    const p = capacityPolicyOf({ ...policy, customMetrics: [{ name: 'errors' }] });
    expect(p.customTargets).toBeUndefined();
  });

  test('scale-in happens only when every signal allows it: low CPU, connections still at the target, unchanged', () => {
    const d = decide({ ...policy, customTargets: [websockets] }, observation(Array(10).fill(10), { websockets: Array(10).fill(15_000) }), 10);
    expect(d.desired).toBe(10);
  });

  test('a metric whose newest datapoint is older than lateAfterSeconds makes no proposal', () => {
    const obs = observation(Array(10).fill(70));
    const stale = { periodSeconds: 60, points: series(Array(10).fill(30_000)).map((p) => ({ ...p, at: p.at - 10 * MIN })) };
    expect(decide({ ...policy, customTargets: [websockets] }, { ...obs, custom: { websockets: stale } }, 10).desired).toBe(10);
  });

  test('without custom targets the observation of custom metrics changes nothing', () => {
    const obs = observation(Array(10).fill(90), { websockets: Array(10).fill(90_000) });
    expect(decide(policy, obs, 10)).toEqual(decide(policy, { ...obs, custom: undefined }, 10));
  });
});

describe('custom metrics: properties', () => {
  const arbLoad = fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 15 });
  const arbCustom = fc.array(fc.double({ min: 0, max: 200_000, noNaN: true }), { minLength: 1, maxLength: 15 });
  const arbTargets = fc.uniqueArray(
    fc.record({
      name: fc.constantFrom('a', 'b', 'c'),
      targetPerUnit: fc.double({ min: 1, max: 5000, noNaN: true }),
      aggregation: fc.constantFrom<'total' | 'perUnit'>('total', 'perUnit'),
    }),
    { selector: (t) => t.name, minLength: 1, maxLength: 3 },
  );
  const arbBounds = fc.integer({ min: 0, max: 30 }).chain((min) => fc.tuple(fc.constant(min), fc.integer({ min: Math.max(1, min), max: 60 })));

  test('the desired count is the largest any one signal asks for: never below CPU alone, nor below each custom metric alone', () => {
    fc.assert(
      fc.property(
        arbLoad,
        arbTargets,
        fc.array(arbCustom, { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 2, max: 50 }),
        (cpu, targets, values, desired) => {
          const custom = Object.fromEntries(targets.map((t, i) => [t.name, values[i]]));
          const obs = observation(cpu, custom);
          const all = decide({ ...policy, customTargets: targets }, obs, desired).desired;
          expect(all).toBeGreaterThanOrEqual(decide(policy, obs, desired).desired);
          for (const t of targets) expect(all).toBeGreaterThanOrEqual(decide({ ...policy, customTargets: [t] }, obs, desired).desired);
          // ... and no more than the largest of them: max over signals, not a sum.
          const alone = [decide(policy, obs, desired).desired, ...targets.map((t) => decide({ ...policy, customTargets: [t] }, obs, desired).desired)];
          expect(all).toBe(Math.max(...alone));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('the desired count never leaves the bounds, and a step never exceeds the step limits', () => {
    fc.assert(
      fc.property(arbLoad, arbTargets, arbCustom, arbBounds, fc.integer({ min: 0, max: 60 }), (cpu, targets, values, [min, max], desired) => {
        const p = { ...policy, minCapacity: min, maxCapacity: max, customTargets: targets };
        const obs = observation(cpu, Object.fromEntries(targets.map((t) => [t.name, values])));
        const d = decide(p, obs, desired);
        expect(d.desired).toBeGreaterThanOrEqual(min);
        expect(d.desired).toBeLessThanOrEqual(max);
        if (desired >= min && desired <= max) {
          if (d.desired > desired) expect(d.desired - desired).toBeLessThanOrEqual(Math.max(1, Math.ceil(desired * p.maxStepUpRatio)));
          if (d.desired < desired) expect(desired - d.desired).toBeLessThanOrEqual(Math.max(1, Math.floor(desired * p.maxStepDownRatio)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
