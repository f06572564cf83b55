/**
 * Chaos in the simulator: each bundled web scenario run clean and with the scenario `faults` section
 * (10% of API calls throttled, 10% of deliveries duplicated, alarm events 2 minutes late). The SLO
 * violation stays within 0.2 points of the clean run, and the invariants hold: every desired count
 * within the bounds, no event acting twice, every write accounted for by exactly one recorded decision.
 */
import { join } from 'node:path';
import { type AutoscalerRun, runAutoscaler } from '../../sim/policies/autoscaler';
import { scoreWorld } from '../../sim/runner';
import { loadScenario, parseScenario, type Scenario } from '../../sim/scenario';
import { loadTrace } from '../../sim/trace';

const SCENARIOS = join(__dirname, '..', '..', 'scenarios');
const FAULTS = { throttleShare: 0.1, duplicateShare: 0.1, delaySeconds: 120, seed: 7 };

/** The invariants every run keeps, clean or not. */
async function expectInvariants(scenario: Scenario, run: AutoscalerRun) {
  const sets = run.calls.of('autoscaling', 'SetDesiredCapacityCommand').map((c) => (c.input as { DesiredCapacity: number }).DesiredCapacity);
  for (const n of sets) {
    expect(n).toBeGreaterThanOrEqual(scenario.target.minUnits);
    expect(n).toBeLessThanOrEqual(scenario.target.maxUnits);
  }
  const applied = (await run.state.listAudit('web', 0, Number.MAX_SAFE_INTEGER, 1_000_000)).filter((e) => e.outcome === 'applied');
  // every write that reached AWS is one recorded decision, and no event (or schedule run) made two
  expect(applied).toHaveLength(sets.length);
  const perEvent = new Map<string, number>();
  for (const e of applied) perEvent.set(e.eventId!, (perEvent.get(e.eventId!) ?? 0) + 1);
  expect([...perEvent.values()].every((n) => n === 1)).toBe(true);
  expect(run.failures.every((f) => /Throttling|Rate exceeded|IdempotencyAlreadyInProgress/.test(f.error))).toBe(true);
}

/** The bundled web scenarios; the week-long one is cut to its first day here (`npm run bench` runs it whole). */
const RUNS: [string, number | undefined][] = [
  ['synthetic-diurnal-flash.yaml', undefined],
  ['nasa-week.yaml', 1440],
];

for (const [file, rows] of RUNS) {
  test(`chaos (${file}${rows ? `, first ${rows} rows` : ''}): 10% throttling, 10% duplicates and 2-minute delays keep violationPct within 0.2 points of the clean run`, async () => {
    const whole = loadScenario(join(SCENARIOS, file));
    const clean: Scenario = rows ? { ...whole, trace: { ...whole.trace, rows } } : whole;
    expect(clean.workload.kind).toBe('web');
    const trace = loadTrace(clean.trace.file, clean.trace);
    const faulted: Scenario = { ...clean, faults: FAULTS };

    const a = await runAutoscaler(clean, trace);
    const b = await runAutoscaler(faulted, trace);
    const sa = scoreWorld(clean, a.world);
    const sb = scoreWorld(faulted, b.world);

    // the faults were really there
    expect(a.chaos).toEqual({ throttled: 0, duplicated: 0, delayed: 0 });
    expect(b.chaos.throttled).toBeGreaterThan(0);
    expect(b.chaos.duplicated).toBeGreaterThan(0);
    expect(b.chaos.delayed).toBeGreaterThan(0);

    expect(Math.abs(sb.violationPct - sa.violationPct)).toBeLessThanOrEqual(0.2);
    await expectInvariants(clean, a);
    await expectInvariants(faulted, b);
  });
}

test('chaos: the scenario `faults` section is optional, defaulted, and strict', () => {
  const base = { name: 'x', trace: { file: 't.csv' }, workload: { kind: 'web', unitCapacity: 10 }, target: { maxUnits: 5 } };
  expect(parseScenario(base, 'x.yaml', '/').faults).toBeUndefined();
  expect(parseScenario({ ...base, faults: { throttleShare: 0.1 } }, 'x.yaml', '/').faults).toEqual({
    throttleShare: 0.1,
    duplicateShare: 0,
    delaySeconds: 0,
    seed: 1,
  });
  expect(() => parseScenario({ ...base, faults: { throttle: 0.1 } }, 'x.yaml', '/')).toThrow(/faults\.throttle: unknown key/);
  expect(() => parseScenario({ ...base, faults: { duplicateShare: 2 } }, 'x.yaml', '/')).toThrow(/faults\.duplicateShare: 2 is above the maximum 1/);
});
