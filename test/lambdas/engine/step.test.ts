import fc from 'fast-check';
import { applyChange, decideStep, perPeriod, type RuleReading, type StepChange, type StepMemory, type StepRule, sustained } from '../../../lambdas/engine/step';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

const up = (r: Partial<StepRule> = {}): StepRule => ({
  signal: 'cpu',
  direction: 'up',
  comparison: '>',
  threshold: 70,
  datapointsToAlarm: 5,
  evaluationPeriods: 5,
  periodSeconds: 60,
  change: { add: 1 },
  cooldownSeconds: 300,
  ...r,
});
const down = (r: Partial<StepRule> = {}): StepRule => up({ direction: 'down', comparison: '<', threshold: 30, change: { add: -1 }, ...r });
const SEED = [up(), down()];
const holds: RuleReading = { breaching: true, breached: 5, of: 5, newest: 80 };
const quiet: RuleReading = { breaching: false, breached: 0, of: 5, newest: 50 };
const series = (values: number[]) => values.map((value, i) => ({ at: T0 + i * MIN, value }));

describe('sustained: M of the newest N datapoints', () => {
  test('5 of 5 above 70 holds; one datapoint at 70 breaks it', () => {
    expect(sustained(series([10, 71, 80, 90, 75, 72]), up())).toEqual({ breaching: true, breached: 5, of: 5, newest: 72 });
    expect(sustained(series([71, 80, 70, 75, 72]), up())).toMatchObject({ breaching: false, breached: 4 });
  });

  test('3 of 5 holds with two datapoints below; fewer than M datapoints never hold', () => {
    expect(sustained(series([80, 10, 80, 10, 80]), up({ datapointsToAlarm: 3 }))).toMatchObject({ breaching: true, breached: 3 });
    expect(sustained(series([80, 80]), up({ datapointsToAlarm: 3 }))).toMatchObject({ breaching: false, of: 2 });
    expect(sustained([], up())).toEqual({ breaching: false, breached: 0, of: 0 });
  });

  test('>= and <= hold at the threshold itself', () => {
    expect(sustained(series([70]), up({ comparison: '>=', datapointsToAlarm: 1, evaluationPeriods: 1 })).breaching).toBe(true);
    expect(sustained(series([30]), down({ comparison: '<=', datapointsToAlarm: 1, evaluationPeriods: 1 })).breaching).toBe(true);
    expect(sustained(series([30]), down({ datapointsToAlarm: 1, evaluationPeriods: 1 })).breaching).toBe(false);
  });

  test('polled samples become one datapoint per period, the highest of each', () => {
    const samples = [
      { at: T0 + 5_000, value: 3 },
      { at: T0 + 50_000, value: 9 },
      { at: T0 + MIN + 1_000, value: 4 },
    ];
    expect(perPeriod(samples, 60)).toEqual([
      { at: T0, value: 9 },
      { at: T0 + MIN, value: 4 },
    ]);
  });
});

describe('changes', () => {
  test('+N, -N, percent with a least magnitude, set to N; up never lowers, down never raises', () => {
    expect(applyChange(up({ change: { add: 2 } }), 4)).toBe(6);
    expect(applyChange(down({ change: { add: -2 } }), 4)).toBe(2);
    expect(applyChange(up({ change: { percent: 50 } }), 5)).toBe(7);
    expect(applyChange(up({ change: { percent: 10 } }), 5)).toBe(6);
    expect(applyChange(up({ change: { percent: 10, minMagnitude: 3 } }), 5)).toBe(8);
    expect(applyChange(down({ change: { percent: -50 } }), 5)).toBe(3);
    expect(applyChange(up({ change: { set: 8 } }), 5)).toBe(8);
    expect(applyChange(up({ change: { set: 3 } }), 5)).toBe(5);
    expect(applyChange(down({ change: { set: 3 } }), 5)).toBe(3);
    expect(applyChange(down({ change: { set: 8 } }), 5)).toBe(5);
  });
});

describe('decideStep', () => {
  const policy = { minCapacity: 2, maxCapacity: 10, rules: SEED };

  test('an up rule that holds adds its step, with the rule and its numbers in the reason', () => {
    const { decision, memory } = decideStep({ policy, desired: 4, readings: [holds, quiet], memory: {}, now: T0 });
    expect(decision).toMatchObject({ previous: 4, desired: 5, direction: 'out', rule: 0 });
    expect(decision.reason).toContain('rule 0 (cpu > 70 for 5 of 5 x 60 s: +1) holds: 5 of 5, newest 80.0; rule 0: 4 -> 5');
    expect(memory).toEqual({ lastScaleOutAt: T0 });
  });

  test('the dead band: no rule holds, nothing changes', () => {
    expect(decideStep({ policy, desired: 4, readings: [quiet, quiet], memory: {}, now: T0 }).decision).toMatchObject({ desired: 4, heldBy: 'dead-band' });
  });

  test('late or missing metrics: a down rule that holds removes nothing; an up rule still acts', () => {
    const low = { breaching: true, breached: 5, of: 5, newest: 10 };
    expect(decideStep({ policy, desired: 4, readings: [quiet, low], memory: {}, now: T0, blind: true }).decision).toMatchObject({
      desired: 4,
      heldBy: 'late-metrics',
    });
    expect(decideStep({ policy, desired: 4, readings: [holds, quiet], memory: {}, now: T0, blind: true }).decision.desired).toBe(5);
  });

  test('a scale-in waits its cooldown after a scale-out; a scale-out after a scale-in does not', () => {
    const low = { breaching: true, breached: 5, of: 5, newest: 10 };
    const later = (m: StepMemory, readings: RuleReading[]) => decideStep({ policy, desired: 4, readings, memory: m, now: T0 + 200_000 }).decision;
    expect(later({ lastScaleOutAt: T0 }, [quiet, low])).toMatchObject({ desired: 4, heldBy: 'cooldown' });
    expect(later({ lastScaleOutAt: T0 }, [quiet, low]).reason).toContain('scale-in cooldown, 100 s left');
    expect(later({ lastScaleInAt: T0 }, [holds, quiet])).toMatchObject({ desired: 5 });
  });

  test('the floor: a scale-in goes no lower than the workers holding messages', () => {
    const low = { breaching: true, breached: 5, of: 5, newest: 10 };
    const d = decideStep({ policy, desired: 4, readings: [quiet, low], memory: {}, now: T0, floor: { units: 4, why: '4 messages in flight' } }).decision;
    expect(d).toMatchObject({ desired: 4, heldBy: 'floor' });
    expect(d.reason).toContain('no lower than 4: 4 messages in flight');
  });

  test('a count outside the bounds comes back inside first', () => {
    expect(decideStep({ policy, desired: 12, readings: [holds, quiet], memory: {}, now: T0 }).decision).toMatchObject({ desired: 10, heldBy: 'bounds' });
  });

  test('the largest capacity wins: of two up rules the bigger step; an up rule beats a down rule', () => {
    const rules = [up(), up({ threshold: 90, change: { percent: 100 } }), down({ signal: 'memory' })];
    const low = { breaching: true, breached: 5, of: 5, newest: 10 };
    const d = decideStep({ policy: { ...policy, rules }, desired: 4, readings: [holds, holds, low], memory: {}, now: T0 }).decision;
    expect(d).toMatchObject({ desired: 8, rule: 1 });
  });

  // Properties over random rules, readings, counts and histories.
  const change: fc.Arbitrary<StepChange> = fc.oneof(
    fc.record({ add: fc.integer({ min: 1, max: 20 }) }),
    fc.record({ percent: fc.integer({ min: 1, max: 300 }), minMagnitude: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ set: fc.integer({ min: 0, max: 60 }) }),
  );
  const rule = fc
    .record({
      direction: fc.constantFrom('up' as const, 'down' as const),
      change,
      cooldownSeconds: fc.integer({ min: 0, max: 900 }),
      threshold: fc.integer({ min: 0, max: 100 }),
    })
    .map(({ direction, change: c, cooldownSeconds, threshold }) => {
      const signed: StepChange =
        'add' in c ? { add: direction === 'up' ? c.add : -c.add } : 'percent' in c ? { ...c, percent: direction === 'up' ? c.percent : -c.percent } : c;
      return up({ direction, comparison: direction === 'up' ? '>' : '<', change: signed, cooldownSeconds, threshold });
    });
  const reading: fc.Arbitrary<RuleReading> = fc.boolean().map((breaching) => (breaching ? holds : quiet));
  const scenario = fc
    .record({
      rules: fc.array(rule, { minLength: 1, maxLength: 5 }),
      min: fc.integer({ min: 0, max: 10 }),
      span: fc.integer({ min: 0, max: 40 }),
      desired: fc.integer({ min: 0, max: 60 }),
      outAgo: fc.option(fc.integer({ min: 0, max: 1200 }), { nil: undefined }),
      inAgo: fc.option(fc.integer({ min: 0, max: 1200 }), { nil: undefined }),
      blind: fc.boolean(),
      floor: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
    })
    .chain((s) => fc.array(reading, { minLength: s.rules.length, maxLength: s.rules.length }).map((readings) => ({ ...s, readings })));
  type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;
  const run = (s: Scenario) => {
    const now = T0 + 3_600_000;
    const memory: StepMemory = {
      ...(s.outAgo !== undefined ? { lastScaleOutAt: now - s.outAgo * 1000 } : {}),
      ...(s.inAgo !== undefined ? { lastScaleInAt: now - s.inAgo * 1000 } : {}),
    };
    const policy = { minCapacity: s.min, maxCapacity: s.min + s.span, rules: s.rules };
    const floor = s.floor !== undefined ? { units: s.floor, why: 'busy' } : undefined;
    const { decision } = decideStep({ policy, desired: s.desired, readings: s.readings, memory, now, blind: s.blind, floor });
    return { now, memory, policy, decision };
  };
  // Scale-in cases are a small share of random ones: enough runs to meet each guard many times.
  const RUNS = 3000;
  const inBounds = (s: { desired: number; min: number; span: number }) => s.desired >= s.min && s.desired <= s.min + s.span;

  test('property: the count decided is never outside min/max', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { decision, policy } = run(s);
        expect(decision.desired).toBeGreaterThanOrEqual(policy.minCapacity);
        expect(decision.desired).toBeLessThanOrEqual(policy.maxCapacity);
      }),
      { numRuns: RUNS },
    );
  });

  test("property: one step per evaluation: the change is one holding rule's, clamped (or a return inside the bounds)", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { decision, policy } = run(s);
        if (decision.desired === s.desired || decision.heldBy === 'bounds') return;
        expect(decision.rule).toBeDefined();
        const r = policy.rules[decision.rule!];
        expect(s.readings[decision.rule!].breaching).toBe(true);
        const wanted = Math.min(policy.maxCapacity, Math.max(policy.minCapacity, applyChange(r, s.desired)));
        // The floor can only leave more units than the rule asked for, never fewer.
        if (r.direction === 'up') expect(decision.desired).toBe(wanted);
        else expect(decision.desired).toBeGreaterThanOrEqual(wanted);
        expect(decision.direction).toBe(r.direction === 'up' ? 'out' : 'in');
      }),
      { numRuns: RUNS },
    );
  });

  test('property: cooldowns per direction are honoured', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { decision, policy, memory, now } = run(s);
        if (decision.heldBy === 'bounds' || decision.rule === undefined) return;
        const r = policy.rules[decision.rule];
        const sinceOut = memory.lastScaleOutAt === undefined ? Infinity : (now - memory.lastScaleOutAt) / 1000;
        const sinceIn = memory.lastScaleInAt === undefined ? Infinity : (now - memory.lastScaleInAt) / 1000;
        if (r.direction === 'up') expect(sinceOut).toBeGreaterThanOrEqual(r.cooldownSeconds);
        else expect(Math.min(sinceOut, sinceIn)).toBeGreaterThanOrEqual(r.cooldownSeconds);
      }),
      { numRuns: RUNS },
    );
  });

  test('property: inside the dead band (no rule holds) the count stays', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const q = { ...s, readings: s.readings.map(() => quiet) };
        if (!inBounds(q)) return;
        expect(run(q).decision.desired).toBe(s.desired);
      }),
      { numRuns: RUNS },
    );
  });

  test('property: no scale-in while blind, nor below the floor, nor while an up rule holds', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { decision } = run(s);
        if (!inBounds(s) || decision.desired >= s.desired) return;
        expect(s.blind).toBe(false);
        if (s.floor !== undefined) expect(decision.desired).toBeGreaterThanOrEqual(Math.min(s.desired, s.floor));
        s.rules.forEach((r, i) => {
          if (r.direction === 'up') expect(s.readings[i].breaching).toBe(false);
        });
      }),
      { numRuns: RUNS },
    );
  });
});
