/**
 * The capacity engine over time: a web tier run minute by minute against the engine's own decisions,
 * for the properties one decision cannot show (calm under noise, no overshoot from under-provisioned,
 * no reversal within the stabilization window).
 */
import fc from 'fast-check';
import { type CapacityPolicy, capacityPolicyOf, decideCapacity, EMPTY_MEMORY, type EngineMemory } from '../../../lambdas/engine/capacity';
import type { Forecast } from '../../../lambdas/engine/forecast';
import { asgTargetSchema } from '../../../lambdas/shared/kinds/schemas/asg';
import { REVERSAL_WINDOW_SECONDS } from '../../../sim/score';

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 5, 0, 0, 0);
/** Requests/s one unit serves at 100% CPU. */
const PER_UNIT = 40;

/** The project's defaults for a web target, as the config schema fills them in, with room to grow. */
const policy: CapacityPolicy = capacityPolicyOf(asgTargetSchema.parse({ id: 'web', kind: 'asg', autoScalingGroupName: 'web', maxCapacity: 150 }));

interface Step {
  readonly minute: number;
  readonly desired: number;
  readonly need: number;
  readonly direction: 'out' | 'in' | 'none';
}

/**
 * Runs a tier for `minutes`: units ordered at minute m serve from m + warmup; each minute's datapoints
 * (CPU of the units serving, request count, requests per target) reach the engine two minutes later,
 * as CloudWatch publishes them, fifteen minutes of them at a time. Scale-in removes the newest units.
 */
function runTier(demand: (minute: number) => number, start: number, minutes: number, pol: CapacityPolicy = policy, forecast?: Forecast): Step[] {
  let servingFrom: number[] = Array(start).fill(Number.NEGATIVE_INFINITY);
  let memory: EngineMemory = EMPTY_MEMORY;
  const points: { at: number; rate: number; units: number }[] = [];
  const steps: Step[] = [];
  for (let m = 0; m < minutes; m++) {
    const now = NOW + m * MIN;
    const ready = servingFrom.filter((t) => t <= now).length;
    points.push({ at: now, rate: demand(m), units: Math.max(1, ready) });
    const seen = points.filter((p) => p.at <= now - 2 * MIN).slice(-15);
    const cpu = seen.map((p) => ({ at: p.at, value: Math.min(100, (100 * p.rate) / (p.units * PER_UNIT)) }));
    const requestCount = seen.map((p) => ({ at: p.at, value: p.rate * 60 }));
    const requestCountPerTarget = seen.map((p) => ({ at: p.at, value: (p.rate * 60) / p.units }));
    const desired = servingFrom.length;
    const { decision, memory: next } = decideCapacity({
      policy: pol,
      current: { desired, ready },
      observation: { periodSeconds: 60, cpu, requestCount, requestCountPerTarget },
      memory,
      now,
      forecast,
    });
    memory = next;
    if (decision.desired > desired) servingFrom = [...servingFrom, ...Array(decision.desired - desired).fill(now + pol.warmupSeconds * 1000)];
    if (decision.desired < desired) servingFrom = servingFrom.slice(0, decision.desired);
    steps.push({ minute: m, desired: decision.desired, need: decision.figures.need ?? 0, direction: decision.direction });
  }
  return steps;
}

/** Actions opposite to the previous one within the score's reversal window (sim/score.ts). */
function reversals(steps: readonly Step[]): number {
  const actions = steps.filter((s) => s.direction !== 'none');
  let n = 0;
  for (let i = 1; i < actions.length; i++) {
    if (actions[i].direction !== actions[i - 1].direction && (actions[i].minute - actions[i - 1].minute) * 60 <= REVERSAL_WINDOW_SECONDS) n++;
  }
  return n;
}

/** A seeded PRNG (mulberry32), so the noisy traces are the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Minute noise as sim/generate.ts draws it for web traffic: lognormal around the level, with a
 * log-standard-deviation of `sigma` and a lag-1 autocorrelation of 0.5.
 */
function noisyDemand(level: number, sigma: number, seed: number, minutes: number): number[] {
  const random = prng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const out: number[] = [];
  let x = 0;
  for (let m = 0; m < minutes; m++) {
    x = 0.5 * x + Math.sqrt(1 - 0.25) * gauss();
    out.push(level * Math.exp(sigma * x - (sigma * sigma) / 2));
  }
  return out;
}

describe('the capacity engine over time', () => {
  test('started far below the need, it climbs to it without overshooting: never above 1.25 x the units the load needs', () => {
    // 1,150 req/s at 28 req/s per unit (70% of 40) need 42 units; the tier starts with 2, saturated
    const steps = runTier(() => 1150, 2, 40);
    const need = Math.ceil(1150 / (PER_UNIT * 0.7));
    expect(Math.max(...steps.map((s) => s.desired))).toBeLessThanOrEqual(Math.ceil(1.25 * need));
    expect(steps.at(-1)!.desired).toBeGreaterThanOrEqual(need);
  });

  test('stationary noisy demand (log-sd 0.3, as the noisiest generated web traces) is calm: at most one reversal and ten actions an hour', () => {
    for (const seed of [1, 2, 3]) {
      const demand = noisyDemand(400, 0.3, seed, 6 * 60);
      const steps = runTier((m) => demand[m], 15, demand.length);
      const settled = steps.slice(30);
      const hours = settled.length / 60;
      expect(reversals(settled)).toBeLessThanOrEqual(hours);
      expect(settled.filter((s) => s.direction !== 'none').length).toBeLessThanOrEqual(10 * hours);
    }
  });

  test('a flash crowd is followed within minutes although noise is not', () => {
    const demand = noisyDemand(400, 0.3, 7, 90).map((d, m) => (m >= 60 ? d * 3 : d));
    const steps = runTier((m) => demand[m], 15, demand.length);
    // Three times the load needs about 45 units. Its datapoints come two minutes late, two minutes of
    // three must stand out of the noise, and a scale-out at most doubles the count: within six minutes.
    const out = steps.find((s) => s.minute >= 60 && s.desired >= 40);
    expect(out?.minute).toBeLessThanOrEqual(66);
  });

  const arbDemand = fc.array(fc.double({ min: 0, max: 4000, noNaN: true }), { minLength: 20, maxLength: 60 });

  test('property: a scale-out is never more than 1.25 x the need it estimated', () => {
    fc.assert(
      fc.property(arbDemand, fc.integer({ min: 2, max: 60 }), (demand, start) => {
        for (const s of runTier((m) => demand[m], start, demand.length)) {
          if (s.direction === 'out') expect(s.desired).toBeLessThanOrEqual(Math.max(policy.minCapacity, Math.ceil(1.25 * s.need - 1e-9)));
        }
      }),
      { numRuns: 40 },
    );
  });

  test('property: no reversal within the hold: nothing below a scale-out count until its stabilization window has passed', () => {
    fc.assert(
      fc.property(arbDemand, fc.integer({ min: 2, max: 60 }), fc.constantFrom(300, 600, 900), (demand, start, window) => {
        const pol = { ...policy, scaleInStabilizationSeconds: window };
        const steps = runTier((m) => demand[m], start, demand.length, pol);
        steps.forEach((s, i) => {
          if (s.direction !== 'out') return;
          for (const later of steps.slice(i + 1)) {
            if ((later.minute - s.minute) * 60 >= window) break;
            expect(later.desired).toBeGreaterThanOrEqual(s.desired);
          }
        });
      }),
      { numRuns: 40 },
    );
  });

  /** A forecast of `values` requests/s per minute from NOW, at full confidence. */
  const forecastOf = (values: readonly number[]): Forecast => ({ at: NOW, periodSeconds: 60, values, level: values[0], confidence: 1, days: 7 });
  /** Forecasts from far below the demand to far above it. */
  const arbForecast = fc
    .tuple(fc.array(fc.double({ min: 0, max: 4000, noNaN: true }), { minLength: 60, maxLength: 80 }), fc.constantFrom(0.01, 0.1, 0.5, 1))
    .map(([values, scale]) => values.map((x) => x * scale));

  test('property, with a forecast: a scale-out is never more than 1.25 x the need it estimated', () => {
    fc.assert(
      fc.property(arbDemand, fc.integer({ min: 2, max: 60 }), arbForecast, (demand, start, f) => {
        for (const s of runTier((m) => demand[m], start, demand.length, policy, forecastOf(f))) {
          if (s.direction === 'out') expect(s.desired).toBeLessThanOrEqual(Math.max(policy.minCapacity, Math.ceil(1.25 * s.need - 1e-9)));
        }
      }),
      { numRuns: 40 },
    );
  });

  test('property, with a forecast: no reversal within the hold', () => {
    fc.assert(
      fc.property(arbDemand, fc.integer({ min: 2, max: 60 }), arbForecast, (demand, start, f) => {
        const steps = runTier((m) => demand[m], start, demand.length, policy, forecastOf(f));
        steps.forEach((s, i) => {
          if (s.direction !== 'out') return;
          for (const later of steps.slice(i + 1)) {
            if ((later.minute - s.minute) * 60 >= policy.scaleInStabilizationSeconds) break;
            expect(later.desired).toBeGreaterThanOrEqual(s.desired);
          }
        });
      }),
      { numRuns: 40 },
    );
  });

  test('property: a forecast only raises: one decision with it is never below the same decision without it', () => {
    fc.assert(
      fc.property(arbDemand, fc.integer({ min: 2, max: 60 }), arbForecast, fc.integer({ min: 2, max: 100 }), (demand, start, f, desired) => {
        // the memory of a run without the forecast, then one decision with and without it
        const points = demand.slice(0, 15).map((rate, k) => ({ at: NOW + (k - 15) * MIN, rate }));
        const obs = {
          periodSeconds: 60,
          cpu: points.map((p) => ({ at: p.at, value: Math.min(100, (100 * p.rate) / (start * PER_UNIT)) })),
          requestCount: points.map((p) => ({ at: p.at, value: p.rate * 60 })),
          requestCountPerTarget: points.map((p) => ({ at: p.at, value: (p.rate * 60) / start })),
        };
        const input = { policy, current: { desired, ready: Math.min(desired, start) }, observation: obs, memory: EMPTY_MEMORY, now: NOW + 2 * MIN };
        const without = decideCapacity(input).decision;
        const withForecast = decideCapacity({ ...input, forecast: forecastOf(f) }).decision;
        expect(withForecast.desired).toBeGreaterThanOrEqual(without.desired);
        if (withForecast.direction === 'in') expect(without.direction).toBe('in');
      }),
      { numRuns: 100 },
    );
  });

  test('a forecast below the demand changes nothing: the climb to a tripled load is the same with it', () => {
    const rate = (m: number) => (m < 30 ? 400 : 1200);
    const low = forecastOf(Array.from({ length: 90 }, () => 100));
    expect(runTier(rate, 15, 90, policy, low).map((s) => s.desired)).toEqual(runTier(rate, 15, 90).map((s) => s.desired));
  });

  test('a forecast rise is provisioned before it arrives, and its figures say why', () => {
    // 400 requests/s, then from minute 40 a ramp to 1200/s over 10 minutes; the forecast knows it.
    const rate = (m: number) => (m < 40 ? 400 : m < 50 ? 400 + 80 * (m - 40) : 1200);
    const needed = Math.ceil(1200 / ((PER_UNIT * policy.targetCpu) / 100));
    const forecast = forecastOf(Array.from({ length: 90 }, (_, m) => rate(m)));
    const reactive = runTier(rate, 15, 90);
    const ahead = runTier(rate, 15, 90, policy, forecast);
    const reached = (steps: Step[]) => steps.find((s) => s.desired >= needed)?.minute ?? Infinity;
    expect(reached(ahead)).toBeLessThan(reached(reactive));
    // ordered by the time the ramp ends, so the units serve when the load is there (warm-up 180 s)
    expect(reached(ahead)).toBeLessThanOrEqual(50 - policy.warmupSeconds / 60);
    // and never more than 1.25 x of it
    expect(Math.max(...ahead.map((s) => s.desired))).toBeLessThanOrEqual(Math.ceil(1.25 * needed));
    const { decision } = decideCapacity({
      policy,
      current: { desired: 15, ready: 15 },
      observation: {
        periodSeconds: 60,
        cpu: [{ at: NOW + 44 * MIN, value: 50 }],
        requestCount: [{ at: NOW + 44 * MIN, value: 400 * 60 }],
        requestCountPerTarget: [{ at: NOW + 44 * MIN, value: (400 * 60) / 15 }],
      },
      memory: EMPTY_MEMORY,
      now: NOW + 46 * MIN,
      forecast: forecastOf(Array.from({ length: 90 }, (_, m) => (m < 44 ? 400 : rate(m)))),
    });
    expect(decision.figures.forecastPeak).toBeGreaterThan(400);
    expect(decision.reason).toMatch(/forecast .*\/s within 240 s/);
  });
});
