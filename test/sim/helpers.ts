/** Small scenarios and traces for the simulator's tests. */
import { parseScenario, type Scenario } from '../../sim/scenario';
import type { Score } from '../../sim/score';
import type { Trace } from '../../sim/trace';

/** A score with the given violation and cost ratio and nothing else. */
export const scoreOf = (violationPct: number, costRatio: number | null): Score => ({
  violationPct,
  costRatio,
  unitHours: 0,
  actions: 0,
  actionsPerHour: 0,
  reversals: 0,
  peakUnits: 0,
});

export const T0 = Date.parse('2026-01-05T00:00:00Z');

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function webScenario(over: DeepPartial<{ trace: object; workload: object; slo: object; target: object; compare: string[] }> = {}): Scenario {
  return parseScenario(
    {
      name: 'test-web',
      trace: { file: 'x.csv', ...(over.trace ?? {}) },
      workload: { kind: 'web', unitCapacity: 10, ...(over.workload ?? {}) },
      slo: over.slo,
      target: { maxUnits: 20, ...(over.target ?? {}) },
      compare: over.compare,
    },
    'test',
    '/tmp',
  );
}

export function queueScenario(over: DeepPartial<{ trace: object; workload: object; slo: object; target: object }> = {}): Scenario {
  return parseScenario(
    {
      name: 'test-queue',
      trace: { file: 'x.csv', ...(over.trace ?? {}) },
      workload: { kind: 'queue', unitCapacity: 1, ...(over.workload ?? {}) },
      slo: over.slo,
      target: { maxUnits: 20, ...(over.target ?? {}) },
    },
    'test',
    '/tmp',
  );
}

export function traceOf(arrivals: number[], start = T0): Trace {
  return { start, arrivals: Float64Array.from(arrivals) };
}
