/**
 * The scenario format of `/scenarios/README.md` (a contract: every field, meaning and default as
 * written there). Unknown fields are rejected naming the field; paths are relative to the scenario file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { NODE_MEMORY_GIB } from '../lambdas/engine/redis';
import { describeIssues } from '../lambdas/shared/config';
import {
  ANCHORS,
  BASELINES,
  type CacheWorkload,
  type ComparedPolicy,
  DEFAULT_MIN_UNITS,
  DEFAULT_PROVISIONING,
  DEFAULT_SLO,
  DEFAULT_TARGET_UTILIZATION,
  PROJECT_POLICIES,
  type Scenario,
  ScenarioError,
  type WorkloadKind,
} from './scenario-model';

export * from './scenario-model';

/** The extension fields and the workload kinds they belong to. */
const KIND_FIELDS: readonly { readonly path: readonly [string, string]; readonly kinds: readonly WorkloadKind[] }[] = [
  { path: ['workload', 'readShare'], kinds: ['database'] },
  { path: ['workload', 'itemBytes'], kinds: ['cache'] },
  { path: ['workload', 'ttlSeconds'], kinds: ['cache'] },
  { path: ['workload', 'nodeType'], kinds: ['cache'] },
  { path: ['workload', 'clusterMode'], kinds: ['cache'] },
  { path: ['target', 'nodeTypeLadder'], kinds: ['cache'] },
  { path: ['workload', 'connectionSeconds'], kinds: ['web'] },
  { path: ['target', 'connectionsPerUnit'], kinds: ['web'] },
  { path: ['workload', 'broker'], kinds: ['queue'] },
];

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
    kind: z.enum(['web', 'queue', 'database', 'cache']),
    unitCapacity: z.number().positive(),
    provisioningSeconds: z.number().min(0).optional(),
    initialUnits: z.number().int().min(0).optional(),
    /** Extension, database: the share of queries that are reads (writes go to the source). */
    readShare: z.number().min(0).max(1).optional(),
    /** Extension, cache: bytes one key takes in memory. */
    itemBytes: z.number().positive().optional(),
    /** Extension, cache: seconds a key lives before it expires. */
    ttlSeconds: z.number().positive().optional(),
    /** Extension, cache: the node type at the start (one of target.nodeTypeLadder). */
    nodeType: z.string().min(1).optional(),
    /** Extension, cache: cluster mode enabled (shards can change). */
    clusterMode: z.boolean().optional(),
    /** Extension, web: mean seconds a WebSocket connection stays open; the world publishes open connections (sim/README.md). */
    connectionSeconds: z.number().positive().max(86_400).optional(),
    /** Extension, queue: the broker the workers consume from (`sqs`: a queue-workers target; `rabbitmq`: a rabbitmq-workers target on Amazon MQ). */
    broker: z.enum(['sqs', 'rabbitmq']).optional(),
  }),
  slo: z
    .strictObject({
      maxUtilization: z.number().gt(0).default(DEFAULT_SLO.maxUtilization),
      maxWaitSeconds: z.number().min(0).default(DEFAULT_SLO.maxWaitSeconds),
    })
    .default({ ...DEFAULT_SLO }),
  target: z.strictObject({
    minUnits: z.number().int().min(0).optional(),
    maxUnits: z.number().int().min(1),
    targetUtilization: z.number().gt(0).max(100).default(DEFAULT_TARGET_UTILIZATION),
    /** Extension, cache: the node types the group may use, smallest first. */
    nodeTypeLadder: z.array(z.string().min(1)).min(1).optional(),
    /** Extension, web: open connections one unit should hold; the autoscaler sizes on them as a custom metric. */
    connectionsPerUnit: z.number().positive().max(1e9).optional(),
  }),
  compare: z.array(z.enum(['seed-step', 'target-tracking', 'keda', 'predictive', 'autoscaler-step'])).optional(),
  /**
   * Extension: faults injected into the project's own policy's run (the baselines have no API calls to
   * fault); the metric faults reach every policy, as CloudWatch's lag does.
   */
  faults: z
    .strictObject({
      throttleShare: z.number().min(0).max(1).default(0),
      duplicateShare: z.number().min(0).max(1).default(0),
      delaySeconds: z.number().min(0).max(3600).default(0),
      seed: z.number().int().default(1),
      /** Minutes every datapoint becomes visible later than CloudWatch's usual 60 s after its minute. */
      metricDelayMinutes: z.number().int().min(0).max(60).optional(),
      /** Minutes (from the trace start) whose datapoints are never published. */
      metricGaps: z
        .array(z.strictObject({ fromMinute: z.number().int().min(0), minutes: z.number().int().min(1).max(10080) }))
        .max(100)
        .optional(),
    })
    .optional(),
});

/** Validates a parsed scenario and fills in the defaults; `baseDir` resolves `trace.file`. */
export function parseScenario(input: unknown, source: string, baseDir: string): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) {
    throw new ScenarioError(`${source}: invalid scenario:\n  ${describeIssues(result.error.issues, input).join('\n  ')}`);
  }
  const s = result.data;
  const kind = s.workload.kind;
  const minUnits = s.target.minUnits ?? DEFAULT_MIN_UNITS[kind];
  const problems: string[] = [];
  for (const { path, kinds } of KIND_FIELDS) {
    const section = s[path[0] as 'workload' | 'target'] as Record<string, unknown>;
    if (section[path[1]] !== undefined && !kinds.includes(kind)) problems.push(`${path.join('.')}: only for ${kinds.join(', ')} workloads, not ${kind}`);
  }
  const cache = kind === 'cache' ? cacheWorkload(s, problems) : undefined;
  const c = [s.workload.connectionSeconds, s.target.connectionsPerUnit];
  if (c.filter((x) => x !== undefined).length === 1) {
    problems.push(
      s.workload.connectionSeconds === undefined
        ? `workload.connectionSeconds: missing; target.connectionsPerUnit (${s.target.connectionsPerUnit}) needs the connections it sizes on`
        : `target.connectionsPerUnit: missing; workload.connectionSeconds (${s.workload.connectionSeconds}) opens connections that need a target per unit`,
    );
  }
  if (s.target.maxUnits < minUnits) problems.push(`target.maxUnits: ${s.target.maxUnits} is below target.minUnits ${minUnits}`);
  const initialUnits = s.workload.initialUnits ?? minUnits;
  if (initialUnits < minUnits || initialUnits > s.target.maxUnits) {
    problems.push(`workload.initialUnits: ${initialUnits} is outside target.minUnits-target.maxUnits (${minUnits}-${s.target.maxUnits})`);
  }
  const compare: readonly ComparedPolicy[] = s.compare ?? BASELINES[kind];
  const comparable: readonly ComparedPolicy[] = [...BASELINES[kind], ...ANCHORS[kind], ...PROJECT_POLICIES[kind]];
  compare.forEach((name, i) => {
    if (!comparable.includes(name)) {
      problems.push(`compare[${i}]: "${name}" is not a ${kind} baseline (${comparable.join(', ')})`);
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
      provisioningSeconds: s.workload.provisioningSeconds ?? DEFAULT_PROVISIONING[kind],
      initialUnits,
      ...(kind === 'database' ? { database: { readShare: s.workload.readShare ?? 0.8 } } : {}),
      ...(s.workload.broker ? { broker: s.workload.broker } : {}),
      ...(cache ? { cache } : {}),
      ...(s.workload.connectionSeconds !== undefined && s.target.connectionsPerUnit !== undefined
        ? { websockets: { connectionSeconds: s.workload.connectionSeconds, connectionsPerUnit: s.target.connectionsPerUnit } }
        : {}),
    },
    slo: s.slo,
    target: { minUnits, maxUnits: s.target.maxUnits, targetUtilization: s.target.targetUtilization },
    compare: [...new Set(compare)],
    ...(s.faults ? { faults: s.faults } : {}),
  };
}

/** The cache workload's fields, with their problems added to `problems`. */
function cacheWorkload(s: z.infer<typeof scenarioSchema>, problems: string[]): CacheWorkload | undefined {
  const ladder = s.target.nodeTypeLadder;
  const nodeType = s.workload.nodeType;
  if (!ladder) problems.push('target.nodeTypeLadder: required for a cache workload (node types, smallest first)');
  if (!nodeType) problems.push('workload.nodeType: required for a cache workload (the node type at the start)');
  if (!ladder || !nodeType) return undefined;
  ladder.forEach((t, i) => {
    if (!Object.hasOwn(NODE_MEMORY_GIB, t))
      problems.push(`target.nodeTypeLadder[${i}]: "${t}" has no published memory size (${Object.keys(NODE_MEMORY_GIB).join(', ')})`);
    else if (i > 0 && NODE_MEMORY_GIB[ladder[i - 1]] !== undefined && NODE_MEMORY_GIB[t] <= NODE_MEMORY_GIB[ladder[i - 1]]) {
      problems.push(`target.nodeTypeLadder[${i}]: "${t}" is not larger than "${ladder[i - 1]}"`);
    }
  });
  if (!ladder.includes(nodeType)) problems.push(`workload.nodeType: "${nodeType}" is not on target.nodeTypeLadder (${ladder.join(', ')})`);
  if (s.target.minUnits !== undefined && s.target.minUnits < 1)
    problems.push(`target.minUnits: ${s.target.minUnits} shards; a replication group has at least 1`);
  const clusterMode = s.workload.clusterMode ?? true;
  if (!clusterMode && s.target.maxUnits > 1) problems.push(`target.maxUnits: ${s.target.maxUnits} shards need workload.clusterMode true`);
  return { itemBytes: s.workload.itemBytes ?? 1024, ttlSeconds: s.workload.ttlSeconds ?? 86400, nodeType, clusterMode, nodeTypeLadder: ladder };
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
