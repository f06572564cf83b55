/**
 * Recommendations from a target's own traffic: its load trace replayed through the real handlers on
 * the simulated cloud, once with the target's current settings and once with each candidate of a
 * small grid, and the change `choose` (./recommend-choice.ts) proposes from the figures.
 *
 * The reverse of a scenario: the workload comes from the user's target (what one unit serves, how long
 * a unit takes to serve, the bounds, the target utilization or the wait SLO) and the autoscaler runs
 * with the user's own settings, a candidate's in place of the tuned ones.
 *
 * What the daily recommender runs (lambdas/recommender), on a trace it holds in memory: nothing here
 * reads a file or loads a schema (zod, YAML), so neither reaches its bundle. The target comes parsed
 * (synth validated the deployed config, the CLI its config file); reading a trace file is
 * ./recommend-file.ts.
 */
import './policies/quiet';
import { resolve } from 'node:path';
import type { AsgTarget, AutoscalerConfig, EcsServiceTarget, QueueWorkersTarget, TargetConfig } from '../lambdas/shared/config';
import { CONFIG_DEFAULTS } from '../lambdas/shared/config/defaults';
import { MAX_REQUESTS_PER_TARGET } from '../lambdas/shared/kinds/formats';
import { runHandlers, SIM_GROUP, SIM_QUEUE_URL, SIM_WORKERS } from './policies/autoscaler-run';
import { type Candidate, choose, type Figures } from './recommend-choice';
import { BASELINES, DEFAULT_SLO, DEFAULT_TARGET_UTILIZATION, type Scenario } from './scenario-model';
import { type Score, scoreWorld } from './score';
import type { Trace, TraceRows } from './trace';

/** The kinds whose settings `recommend` replays: the web tier's and the SQS queue's. */
export const RECOMMEND_KINDS = ['asg', 'ecs-service', 'queue-workers'] as const;
export type RecommendTarget = AsgTarget | EcsServiceTarget | QueueWorkersTarget;

/** Shortest trace judged: a day holds one daily cycle; anything shorter cannot tell a setting's cost over one. */
export const MIN_TRACE_SECONDS = 86_400;
/** Hours of a month, as AWS prices them. */
export const HOURS_PER_MONTH = 730;

/** The settings the grid varies. The queue's `maxWaitSeconds` is its SLO, never a candidate. */
export type Setting = 'targetCpu' | 'scaleInStabilizationSeconds' | 'idleSeconds';
export type Settings = Readonly<Partial<Record<Setting, number>>>;

/** What the operator can fix: an unreadable trace, a kind not replayed, a missing unit capacity. One line. */
export class RecommendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecommendError';
  }
}

/** A trace as `recommend` reads it: one row per step; `problem` says why it cannot be judged. */
export interface ReplayTrace {
  readonly file: string;
  readonly trace: Trace;
  /** The rows' spacing, seconds: the smallest interval between two rows. */
  readonly stepSeconds: number;
  /** Too short or with gaps: why no figure would mean anything. Undefined when the trace can be judged. */
  readonly problem?: string;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
/** `23h59m`. */
const hours = (seconds: number) => {
  const m = Math.round(seconds / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
};

/**
 * The rows of a trace, from a file or from CloudWatch (lambdas/control/load-history.ts), as `recommend`
 * replays them, judged: at least a day of rows, one row per step with none missing. `file` names where
 * they come from. No rows at all is a trace too short to judge.
 */
export function judgeTrace(file: string, rows: TraceRows, scale = 1): ReplayTrace {
  const { times, values } = rows;
  const arrivals = Float64Array.from(values, (v) => v * scale);
  if (!times.length) {
    return { file, trace: { start: 0, arrivals }, stepSeconds: 60, problem: 'the trace has no rows: too short to judge (a day at least)' };
  }
  const trace: Trace = { start: times[0], arrivals };
  if (times.length === 1) return { file, trace, stepSeconds: 60, problem: 'the trace has one row: too short to judge (a day at least)' };
  let stepMs = Infinity;
  for (let i = 1; i < times.length; i++) stepMs = Math.min(stepMs, times[i] - times[i - 1]);
  const stepSeconds = stepMs / 1000;
  if (!Number.isInteger(stepSeconds) || stepSeconds > 3600) {
    throw new RecommendError(`--trace: ${file}: rows ${stepSeconds} s apart; a step is a whole number of seconds up to 3600`);
  }
  const problems: string[] = [];
  const covered = (times[times.length - 1] - times[0]) / 1000 + stepSeconds;
  if (covered < MIN_TRACE_SECONDS) problems.push(`the trace covers ${hours(covered)}, under one day: too short to judge`);
  let gaps = 0;
  let missing = 0;
  let first: number | undefined;
  for (let i = 1; i < times.length; i++) {
    const d = times[i] - times[i - 1];
    if (d === stepMs) continue;
    gaps++;
    missing += Math.round(d / stepMs) - 1;
    first ??= i;
  }
  if (first !== undefined) {
    problems.push(
      `the trace has ${gaps} gap(s) in its ${stepSeconds} s rows, about ${hours(missing * stepSeconds)} missing in all ` +
        `(the first from ${iso(times[first - 1])} to ${iso(times[first])}): a replay would judge load that was never measured; fill or cut the gaps`,
    );
  }
  return { file, trace, stepSeconds, ...(problems.length ? { problem: problems.join('; ') } : {}) };
}

/** The target as `recommend` replays it, or a RecommendError naming why not. */
export function replayable(target: TargetConfig): RecommendTarget {
  if (!(RECOMMEND_KINDS as readonly string[]).includes(target.kind)) {
    throw new RecommendError(`recommend: not supported for kind ${target.kind} (target "${target.id}"); it replays ${RECOMMEND_KINDS.join(', ')} targets`);
  }
  const t = target as RecommendTarget;
  if (t.policy === 'step') {
    throw new RecommendError(`recommend: target "${t.id}" uses policy: step, whose rules decide alone; it replays the default engine's settings only`);
  }
  return t;
}

/**
 * Requests/s one unit of a web target serves at 100% CPU: `--unit-capacity`, else what
 * `targetGroup.requestsPerTarget` (a minute's, at `targetCpu`) implies.
 */
export function unitCapacityOf(target: AsgTarget | EcsServiceTarget, given?: number): number {
  if (given !== undefined) return given;
  const perMinute = target.targetGroup?.requestsPerTarget;
  if (perMinute === undefined) {
    throw new RecommendError(
      `recommend: what one unit of target "${target.id}" serves is unknown: pass --unit-capacity N (requests/s one instance or task serves at 100% CPU) or set targetGroup.requestsPerTarget`,
    );
  }
  return perMinute / 60 / (target.targetCpu / 100);
}

/**
 * The scenario of the target's own workload: its trace, what one unit serves, its warm-up, bounds and
 * target; the contract's defaults for the rest (what parseScenario, ./scenario.ts, fills in for the same
 * fields; test/sim/recommend.test.ts holds the two equal). Built, not parsed: every value comes from the
 * parsed target or the judged trace, in the ranges the scenario schema allows.
 */
export function replayScenario(target: RecommendTarget, replay: ReplayTrace, unitCapacity?: number): Scenario {
  const queue = target.kind === 'queue-workers';
  const capacity = queue ? target.messagesPerSecondPerWorker : unitCapacityOf(target, unitCapacity);
  if (!(capacity > 0) || !Number.isFinite(capacity)) {
    throw new RecommendError(`recommend: what one unit of target "${target.id}" serves must be a positive number, not ${capacity}`);
  }
  const kind = queue ? 'queue' : 'web';
  return {
    name: target.id,
    source: `the replay of target "${target.id}"`,
    trace: { file: resolve(replay.file), stepSeconds: replay.stepSeconds, scale: 1, startRow: 0 },
    workload: { kind, unitCapacity: capacity, provisioningSeconds: target.warmupSeconds, initialUnits: target.minCapacity },
    slo: queue ? { ...DEFAULT_SLO, maxWaitSeconds: target.maxWaitSeconds } : { ...DEFAULT_SLO },
    target: {
      minUnits: target.minCapacity,
      maxUnits: target.maxCapacity,
      targetUtilization: queue ? DEFAULT_TARGET_UTILIZATION : target.targetCpu,
    },
    compare: [...BASELINES[kind]],
  };
}

/** The target's values of the settings the grid varies. */
export function currentSettings(target: RecommendTarget): Settings {
  if (target.kind === 'queue-workers') return { scaleInStabilizationSeconds: target.scaleInStabilizationSeconds, idleSeconds: target.idleSeconds };
  return { targetCpu: target.targetCpu, scaleInStabilizationSeconds: target.scaleInStabilizationSeconds };
}

/** Each setting's candidate values beside the current one. */
const GRID: Readonly<Record<'web' | 'queue', Readonly<Partial<Record<Setting, readonly number[]>>>>> = {
  web: { targetCpu: [80, 70, 60, 50], scaleInStabilizationSeconds: [300, 900] },
  queue: { scaleInStabilizationSeconds: [60, 180, 600], idleSeconds: [60, 300, 900] },
};

/**
 * The settings to replay, the current ones first, then those that change one setting, then two; every
 * combination of each setting's current value and its candidates. Invalid ones (the schema refuses
 * them) are left out when replayed.
 */
export function candidateGrid(target: RecommendTarget): Settings[] {
  const current = currentSettings(target);
  const grid = GRID[target.kind === 'queue-workers' ? 'queue' : 'web'];
  let combos: Record<string, number>[] = [{}];
  for (const key of Object.keys(current) as Setting[]) {
    const values = [...new Set([current[key] as number, ...(grid[key] ?? [])])];
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  const changed = (s: Settings) => (Object.keys(s) as Setting[]).filter((k) => s[k] !== current[k]).length;
  return combos
    .map((c, i) => ({ c, i }))
    .sort((a, b) => changed(a.c) - changed(b.c) || a.i - b.i)
    .map(({ c }) => c);
}

/** The target without the fields the simulated copy drops or replaces. */
function without<T extends object>(target: T, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(target).filter(([k]) => !keys.includes(k)));
}

/**
 * The config-level fields of a replay's config: the schema's defaults (lambdas/shared/config/defaults.ts),
 * which parseConfig fills in for `{ prefix: 'sim', targets }`; test/sim/recommend.test.ts holds the two equal.
 */
const REPLAY_CONFIG_DEFAULTS = {
  ...CONFIG_DEFAULTS,
  prefix: 'sim',
  notifications: {},
  windows: [],
} as const satisfies Omit<AutoscalerConfig, 'targets'>;

/**
 * The config of one replay: the target's own settings, `settings` in place of the current ones, on the
 * simulated resources (runHandlers' `config`). An `ecs-service` target runs as an `asg` target on the
 * simulated group (the engine sizes both alike); its memory, custom metrics and alerts are not in the
 * trace and are left out. With `targetGroup.requestsPerTarget`, a candidate target CPU moves it in
 * proportion (it is what one unit serves at the target CPU). The simulated queue's workers hold one
 * message each without scale-in protection (sim/policies/autoscaler-run.ts).
 *
 * Built from the parsed target as parseConfig would return it (the fields left out take their
 * defaults: no alerts, not a dry run), without the schema: the grid's values are within each
 * setting's range, and what a candidate can break, `requestsPerTarget` moved past its limit, is
 * refused here as the schema would (a RecommendError).
 */
export function replayConfig(target: RecommendTarget, settings: Settings): AutoscalerConfig {
  if (target.kind === 'queue-workers') {
    const simulated: QueueWorkersTarget = {
      ...(without(target, ['queueUrl', 'deadLetterQueueUrl', 'workers', 'alerts', 'dryRun']) as Omit<QueueWorkersTarget, 'queueUrl' | 'workers'>),
      queueUrl: SIM_QUEUE_URL,
      workers: { kind: 'ecs-service', ...SIM_WORKERS, scaleInProtection: false, messagesInFlightPerWorker: 1 },
      alerts: [],
      dryRun: false,
      ...settings,
    };
    return { ...REPLAY_CONFIG_DEFAULTS, targets: [simulated] };
  }
  const tg = target.targetGroup;
  const targetCpu = settings.targetCpu ?? target.targetCpu;
  const requestsPerTarget = tg?.requestsPerTarget === undefined ? undefined : (tg.requestsPerTarget * targetCpu) / target.targetCpu;
  if (requestsPerTarget !== undefined && !(requestsPerTarget > 0 && requestsPerTarget <= MAX_REQUESTS_PER_TARGET)) {
    throw new RecommendError(
      `the replayed settings of target "${target.id}": targetGroup.requestsPerTarget ${requestsPerTarget} at targetCpu ${targetCpu} is past ${MAX_REQUESTS_PER_TARGET}`,
    );
  }
  const simulated: AsgTarget = {
    ...(without(target, ['kind', 'autoScalingGroupName', 'cluster', 'service', 'targetMemory', 'customMetrics', 'alerts', 'dryRun']) as Omit<
      AsgTarget,
      'kind' | 'autoScalingGroupName'
    >),
    kind: 'asg',
    autoScalingGroupName: SIM_GROUP,
    alerts: [],
    dryRun: false,
    ...settings,
    ...(tg && requestsPerTarget !== undefined ? { targetGroup: { ...tg, requestsPerTarget } } : {}),
  };
  return { ...REPLAY_CONFIG_DEFAULTS, targets: [simulated] };
}

/** What the replay leaves out of the target, for the reader. */
export function replayNotes(target: RecommendTarget): string[] {
  const notes: string[] = [];
  if (target.kind === 'queue-workers') {
    if (target.workers.scaleInProtection || target.workers.messagesInFlightPerWorker > 1) {
      notes.push('the replayed workers hold one message each without scale-in protection');
    }
    return notes;
  }
  if (target.kind === 'ecs-service') notes.push('memory is not in the trace: targetMemory is not replayed');
  if (target.customMetrics?.length) notes.push(`customMetrics (${target.customMetrics.length}) are not in the trace and are not replayed`);
  return notes;
}

/** The figures of one replay's score, per day and per month. */
export function figuresOf(score: Score, traceHours: number): Figures {
  return {
    violationPct: score.violationPct,
    costRatio: score.costRatio,
    actionsPerHour: score.actionsPerHour,
    reversalsPerDay: traceHours > 0 ? (score.reversals * 24) / traceHours : 0,
    unitHoursPerMonth: traceHours > 0 ? (score.unitHours * HOURS_PER_MONTH) / traceHours : 0,
  };
}

export interface Replay extends Candidate<Settings> {
  readonly score: Score;
  /** Handler invocations that failed, if any: such a replay is never proposed. */
  readonly failures?: string;
}

export interface Recommendation {
  readonly target: { readonly id: string; readonly kind: RecommendTarget['kind'] };
  readonly trace: { readonly file: string; readonly steps: number; readonly stepSeconds: number; readonly hours: number };
  /** `change`: `recommended` is no worse than `current` and better; `keep`: the current settings are best; `cannot-judge`: see `reason`. */
  readonly verdict: 'change' | 'keep' | 'cannot-judge';
  /** Why the trace cannot be judged. */
  readonly reason?: string;
  /** Web: requests/s one unit serves at 100% CPU, as replayed. */
  readonly unitCapacity?: number;
  readonly current?: Replay;
  readonly recommended?: Replay;
  /** Every replay, the current settings first. */
  readonly candidates: readonly Replay[];
  /** What the replay leaves out of the target. */
  readonly notes: readonly string[];
  /** Seconds the replays took. */
  readonly seconds: number;
}

export interface RecommendInput {
  readonly target: TargetConfig;
  readonly replay: ReplayTrace;
  /** Web: `--unit-capacity`. */
  readonly unitCapacity?: number;
}

/** Replays the trace with the current settings and each candidate's; the change to make, or keep. */
export async function recommend({ target: given, replay, unitCapacity }: RecommendInput): Promise<Recommendation> {
  const started = performance.now();
  const target = replayable(given);
  const scenario = replayScenario(target, replay, unitCapacity);
  const steps = replay.trace.arrivals.length;
  const traceHours = (steps * replay.stepSeconds) / 3600;
  const base = {
    target: { id: target.id, kind: target.kind },
    trace: { file: replay.file, steps, stepSeconds: replay.stepSeconds, hours: traceHours },
    ...(target.kind === 'queue-workers' ? {} : { unitCapacity: scenario.workload.unitCapacity }),
    notes: replayNotes(target),
  };
  if (replay.problem) return { ...base, verdict: 'cannot-judge', reason: replay.problem, candidates: [], seconds: 0 };
  const replays: Replay[] = [];
  for (const [i, settings] of candidateGrid(target).entries()) {
    let config: AutoscalerConfig;
    try {
      config = replayConfig(target, settings);
    } catch (err) {
      if (i === 0) throw err;
      continue; // a candidate the schema refuses is not one
    }
    const run = await runHandlers(scenario, replay.trace, config);
    const score = scoreWorld(scenario, run.world);
    const failures = run.failures.length
      ? `${run.failures.length} of ${run.invocations} handler invocations failed; first: ${run.failures[0].error}`
      : undefined;
    replays.push({ settings, score, figures: figuresOf(score, traceHours), ...(failures ? { failures } : {}) });
  }
  const [current] = replays;
  const choice = choose(current, [current, ...replays.slice(1).filter((r) => r.failures === undefined)]);
  const seconds = (performance.now() - started) / 1000;
  if (choice.verdict === 'change') return { ...base, verdict: 'change', current, recommended: choice.best as Replay, candidates: replays, seconds };
  return { ...base, verdict: 'keep', current, candidates: replays, seconds };
}
