/**
 * The scenario format of `/scenarios/README.md` (a contract: every field, meaning and default as
 * written there). Unknown fields are rejected naming the field; paths are relative to the scenario file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { describeIssues } from '../lambdas/shared/config';

export type WorkloadKind = 'web' | 'queue';
export type BaselineName = 'seed-step' | 'target-tracking' | 'keda';

/** The baselines each workload kind supports, in their default order. */
export const BASELINES: Readonly<Record<WorkloadKind, readonly BaselineName[]>> = {
  web: ['seed-step', 'target-tracking'],
  queue: ['seed-step', 'keda'],
};

const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  trace: z.strictObject({
    file: z.string().min(1),
    stepSeconds: z.number().positive().default(60),
    scale: z.number().min(0).default(1),
    startRow: z.number().int().min(0).default(0),
    rows: z.number().int().positive().optional(),
  }),
  workload: z.strictObject({
    kind: z.enum(['web', 'queue']),
    unitCapacity: z.number().positive(),
    provisioningSeconds: z.number().min(0).optional(),
    initialUnits: z.number().int().min(0).optional(),
  }),
  slo: z
    .strictObject({
      maxUtilization: z.number().gt(0).default(0.9),
      maxWaitSeconds: z.number().min(0).default(300),
    })
    .default({ maxUtilization: 0.9, maxWaitSeconds: 300 }),
  target: z.strictObject({
    minUnits: z.number().int().min(0).optional(),
    maxUnits: z.number().int().min(1),
    targetUtilization: z.number().gt(0).max(100).default(70),
  }),
  compare: z.array(z.enum(['seed-step', 'target-tracking', 'keda'])).optional(),
  /** Extension: faults injected into the project's own policy's run (the baselines have no API calls to fault). */
  faults: z
    .strictObject({
      throttleShare: z.number().min(0).max(1).default(0),
      duplicateShare: z.number().min(0).max(1).default(0),
      delaySeconds: z.number().min(0).max(3600).default(0),
      seed: z.number().int().default(1),
    })
    .optional(),
});

/** A scenario with every default filled in and the trace path resolved. */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** The scenario file, or `(inline)`. */
  readonly source: string;
  readonly trace: {
    /** Absolute path of the CSV. */
    readonly file: string;
    readonly stepSeconds: number;
    readonly scale: number;
    readonly startRow: number;
    /** Undefined: to the end of the file. */
    readonly rows?: number;
  };
  readonly workload: {
    readonly kind: WorkloadKind;
    readonly unitCapacity: number;
    readonly provisioningSeconds: number;
    readonly initialUnits: number;
  };
  readonly slo: { readonly maxUtilization: number; readonly maxWaitSeconds: number };
  readonly target: { readonly minUnits: number; readonly maxUnits: number; readonly targetUtilization: number };
  readonly compare: readonly BaselineName[];
  /** Faults injected into the autoscaler's run; absent: a clean run. */
  readonly faults?: ScenarioFaults;
}

/** Chaos for the autoscaler's run: throttled API calls, duplicated and delayed event deliveries. */
export interface ScenarioFaults {
  /** Share (0-1) of the in-memory AWS's API calls answered with a throttling error. */
  readonly throttleShare: number;
  /** Share (0-1) of deliveries (alarm events and schedule runs) delivered twice. */
  readonly duplicateShare: number;
  /** Seconds every alarm state-change event reaches the function late. */
  readonly delaySeconds: number;
  /** Seed of the fault draws: the same seed, the same faults. */
  readonly seed: number;
}

/** A scenario that cannot run; the message names the field (or the file and line). */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** Validates a parsed scenario and fills in the defaults; `baseDir` resolves `trace.file`. */
export function parseScenario(input: unknown, source: string, baseDir: string): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    throw new ScenarioError(`${source}: invalid scenario:\n  ${describeIssues(result.error.issues, input).join('\n  ')}`);
  }
  const s = result.data;
  const kind = s.workload.kind;
  const minUnits = s.target.minUnits ?? (kind === 'web' ? 1 : 0);
  const problems: string[] = [];
  if (s.target.maxUnits < minUnits) problems.push(`target.maxUnits: ${s.target.maxUnits} is below target.minUnits ${minUnits}`);
  const initialUnits = s.workload.initialUnits ?? minUnits;
  if (initialUnits < minUnits || initialUnits > s.target.maxUnits) {
    problems.push(`workload.initialUnits: ${initialUnits} is outside target.minUnits-target.maxUnits (${minUnits}-${s.target.maxUnits})`);
  }
  const compare = s.compare ?? BASELINES[kind];
  compare.forEach((name, i) => {
    if (!BASELINES[kind].includes(name)) {
      problems.push(`compare[${i}]: "${name}" is not a ${kind} baseline (${BASELINES[kind].join(', ')})`);
    }
  });
  if (problems.length) throw new ScenarioError(`${source}: invalid scenario:\n  ${problems.join('\n  ')}`);
  return {
    name: s.name,
    description: s.description,
    source,
    trace: { ...s.trace, file: resolve(baseDir, s.trace.file) },
    workload: {
      kind,
      unitCapacity: s.workload.unitCapacity,
      provisioningSeconds: s.workload.provisioningSeconds ?? (kind === 'web' ? 180 : 60),
      initialUnits,
    },
    slo: s.slo,
    target: { minUnits, maxUnits: s.target.maxUnits, targetUtilization: s.target.targetUtilization },
    compare: [...new Set(compare)],
    ...(s.faults ? { faults: s.faults } : {}),
  };
}

/** Parses YAML or JSON text (JSON is YAML) of a scenario. */
export function parseScenarioText(text: string, source: string, baseDir: string): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      throw new ScenarioError(`${source}: ${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${err.message.split('\n')[0]}`);
    }
    throw err;
  }
  return parseScenario(raw, source, baseDir);
}

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(`${file}: cannot read the scenario (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseScenarioText(text, file, dirname(resolve(file)));
}
