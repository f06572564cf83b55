/**
 * What a scenario is (`/scenarios/README.md`, a contract): its types, defaults and the policies each
 * workload kind runs, without reading one. Reading and validating a scenario file (YAML, zod) is
 * ./scenario.ts, which re-exports all of this; what runs a scenario already in memory (the replay of
 * the daily recommender, sim/recommend.ts) imports this module alone and leaves the parser out of its bundle.
 */

/** `web` and `queue` are the contract's; `database` and `cache` are the project's data-tier extension (sim/data/README.md). */
export type WorkloadKind = 'web' | 'queue' | 'database' | 'cache';
export type BaselineName = 'seed-step' | 'target-tracking' | 'keda' | 'predictive';
/**
 * The project's own policies beside `autoscaler` (an extension of the contract): `autoscaler-step` runs
 * the real handlers with the seed guides' step rule as `policy: step`. Run when `compare` or
 * `--policies` names them, never by default.
 */
export type ProjectPolicyName = 'autoscaler-step';
export type ComparedPolicy = BaselineName | ProjectPolicyName;

/** The baselines each workload kind supports, in their default order. */
export const BASELINES: Readonly<Record<WorkloadKind, readonly BaselineName[]>> = {
  web: ['seed-step', 'target-tracking'],
  queue: ['seed-step', 'keda'],
  database: ['seed-step', 'target-tracking'],
  cache: ['seed-step', 'target-tracking'],
};

/**
 * The anchors of each workload kind (scenarios/README.md, "Anchors beside the baselines"): run when
 * `compare` or `--policies` names them, never by default.
 */
export const ANCHORS: Readonly<Record<WorkloadKind, readonly BaselineName[]>> = {
  web: ['predictive'],
  queue: [],
  database: [],
  cache: [],
};

/** The project's own policies each workload kind can run beside `autoscaler`. */
export const PROJECT_POLICIES: Readonly<Record<WorkloadKind, readonly ProjectPolicyName[]>> = {
  web: ['autoscaler-step'],
  queue: ['autoscaler-step'],
  database: [],
  cache: [],
};

/** Default `provisioningSeconds` per kind: the contract's 180 web and 60 queue; a replica takes about 15 minutes to create, a Redis resize longer. */
export const DEFAULT_PROVISIONING: Readonly<Record<WorkloadKind, number>> = { web: 180, queue: 60, database: 900, cache: 1200 };
/** Default `target.minUnits` per kind: the contract's 1 web and 0 queue; no replica; one shard. */
export const DEFAULT_MIN_UNITS: Readonly<Record<WorkloadKind, number>> = { web: 1, queue: 0, database: 0, cache: 1 };

/** The contract's default `slo` (scenarios/README.md). */
export const DEFAULT_SLO: Readonly<{ maxUtilization: number; maxWaitSeconds: number }> = { maxUtilization: 0.9, maxWaitSeconds: 300 };
/** The contract's default `target.targetUtilization`, percent. */
export const DEFAULT_TARGET_UTILIZATION = 70;

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
    /** Database only. */
    readonly database?: DatabaseWorkload;
    /** Cache only. */
    readonly cache?: CacheWorkload;
    /** Web only, extension: WebSocket connections opened by the demand (sim/README.md). */
    readonly websockets?: WebSocketWorkload;
    /** Queue only: the broker. @default sqs */
    readonly broker?: QueueBroker;
  };
  readonly slo: { readonly maxUtilization: number; readonly maxWaitSeconds: number };
  readonly target: {
    readonly minUnits: number;
    readonly maxUnits: number;
    /** The user's target: the autoscaler's, and the ideal's of `costRatio`. */
    readonly targetUtilization: number;
    /** Percent the tracking baselines and anchors aim at instead (`--target-utilization`); absent: `targetUtilization`. */
    readonly trackingUtilization?: number;
  };
  readonly compare: readonly ComparedPolicy[];
  /** Faults injected into the autoscaler's run; absent: a clean run. */
  readonly faults?: ScenarioFaults;
}

/**
 * WebSocket connections (extension): every request opens one, which stays open `connectionSeconds` on
 * average; the fleet should hold at most `connectionsPerUnit` per ready unit.
 */
export interface WebSocketWorkload {
  readonly connectionSeconds: number;
  readonly connectionsPerUnit: number;
}

/**
 * The broker of a queue workload: `sqs` (the contract's: GetQueueAttributes, no CloudWatch lag) or
 * `rabbitmq` (Amazon MQ for RabbitMQ: the queue's depth only through CloudWatch, with its lag).
 */
export type QueueBroker = 'sqs' | 'rabbitmq';

/** The database workload: an RDS PostgreSQL source whose read replicas are the units. */
export interface DatabaseWorkload {
  /** Share of the queries that are reads, spread over the ready replicas (the source's while none is ready). @default 0.8 */
  readonly readShare: number;
}

/** The cache workload: an ElastiCache Redis replication group whose shards are the units of `target`. */
export interface CacheWorkload {
  /** Bytes one key takes in memory. @default 1024 */
  readonly itemBytes: number;
  /** Seconds a key lives before it expires. @default 86400 */
  readonly ttlSeconds: number;
  /** The node type at the start. */
  readonly nodeType: string;
  /** Cluster mode enabled. @default true */
  readonly clusterMode: boolean;
  /** The node types the group may use, smallest first. */
  readonly nodeTypeLadder: readonly string[];
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
  /** Minutes every datapoint is visible later than usual, for every policy. @default 0 */
  readonly metricDelayMinutes?: number;
  /** Periods (minutes from the trace start) whose datapoints are never published, for every policy. @default none */
  readonly metricGaps?: readonly MetricGap[];
}

/** `minutes` minutes from minute `fromMinute` of the trace without a datapoint. */
export interface MetricGap {
  readonly fromMinute: number;
  readonly minutes: number;
}

/** A scenario that cannot run; the message names the field (or the file and line). */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** The percent the tracking baselines and anchors aim at: `--target-utilization` when given, else the scenario's. */
export function trackingUtilization(scenario: Scenario): number {
  return scenario.target.trackingUtilization ?? scenario.target.targetUtilization;
}

/**
 * The scenario with its tracking baselines and anchors aimed at `percent` (`--target-utilization`);
 * `costRatio`'s ideal and the autoscaler keep the scenario's own `targetUtilization`.
 */
export function withTrackingUtilization(scenario: Scenario, percent: number, what = '--target-utilization'): Scenario {
  if (!Number.isFinite(percent) || percent <= 0 || percent > 100) throw new ScenarioError(`${what}: ${percent} is not a percent above 0 and at most 100`);
  if (scenario.workload.kind === 'queue') throw new ScenarioError(`${what}: ${scenario.name} is a queue scenario; its baselines track no utilization`);
  return { ...scenario, target: { ...scenario.target, trackingUtilization: percent } };
}
