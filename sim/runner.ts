/**
 * Runs a scenario: every policy side by side on its own copy of the world, scored alike.
 */
import { type BaselineConfig, baselineFor } from './baselines';
import { metricVisibility } from './cloud/metric-faults';
import { runCacheBaseline, runDatabaseBaseline } from './data/baselines';
import type { CacheWorld } from './data/cache-world';
import type { DatabaseWorld } from './data/database-world';
import { AUTOSCALER, AUTOSCALER_STEP, autoscalerUnsupported } from './policies/support';
import { ANCHORS, type BaselineName, PROJECT_POLICIES, type Scenario, trackingUtilization } from './scenario-model';
import { type Score, scoreWorld } from './score';

export { scoreWorld };

import { loadTrace, type Trace } from './trace';
import { World } from './world';

/** The world of one policy's run, by workload kind. */
export type AnyWorld = World | DatabaseWorld | CacheWorld;

export interface PolicyRun {
  readonly name: string;
  readonly world: AnyWorld;
  readonly score: Score;
  /** Anything the reader should know about this run (handler failures...). */
  readonly notes: string[];
}

export interface ScenarioRun {
  readonly scenario: Scenario;
  readonly trace: Trace;
  readonly runs: PolicyRun[];
  /** Policies that were asked for but cannot run on this scenario, with the reason. */
  readonly skipped: Record<string, string>;
  readonly seconds: number;
}

export interface RunOptions {
  /** The scenario's trace, if already loaded. */
  readonly trace?: Trace;
  /** Only these policies (names as in score.json). */
  readonly policies?: readonly string[];
  /** Called after every simulated step of every policy. */
  readonly onStep?: () => void;
}

/**
 * The policies a scenario runs, in order: the autoscaler, then the scenario's `compare`. A filter
 * (`--policies`) picks among them and may also name the project's other policies of the workload kind
 * (`autoscaler-step`), which then run right after the autoscaler, and the anchors of the workload kind
 * (`predictive`), which then run last.
 */
export function policiesOf(scenario: Scenario, filter?: readonly string[]): string[] {
  const all: string[] = [AUTOSCALER, ...scenario.compare];
  if (!filter) return all;
  const extra = PROJECT_POLICIES[scenario.workload.kind].filter((p) => !all.includes(p));
  const anchors = ANCHORS[scenario.workload.kind].filter((p) => !all.includes(p));
  const known = [...all, ...extra, ...anchors];
  const unknown = filter.filter((p) => !known.includes(p));
  if (unknown.length) throw new Error(`--policies: ${unknown.join(', ')} not in this scenario (${known.join(', ')})`);
  const order = [AUTOSCALER, ...extra, ...scenario.compare, ...anchors];
  return order.filter((p) => filter.includes(p));
}

export function runBaseline(scenario: Scenario, trace: Trace, name: string, onStep?: () => void): AnyWorld {
  if (scenario.workload.kind === 'database') return runDatabaseBaseline(scenario, trace, name as BaselineName, onStep);
  if (scenario.workload.kind === 'cache') return runCacheBaseline(scenario, trace, name as BaselineName, onStep);
  const baseline = baselineFor(scenario.workload.kind, name as never);
  const world = new World(scenario, trace);
  const config: BaselineConfig = {
    minUnits: scenario.target.minUnits,
    maxUnits: scenario.target.maxUnits,
    targetUtilization: trackingUtilization(scenario),
    unitCapacity: scenario.workload.unitCapacity,
    stepSeconds: scenario.trace.stepSeconds,
  };
  let state = baseline.initial();
  const web = scenario.workload.kind === 'web';
  // The baselines read CloudWatch too: late and missing datapoints reach them as they reach the autoscaler.
  const visibility = metricVisibility(scenario.faults);
  for (let t = 0; t < world.steps; t++) {
    const now = world.now;
    const cpu: number[] = [];
    if (web) {
      for (const m of visibility.visibleMinutes(now, world.completeMinutes, 15)) if (!Number.isNaN(world.cpu[m])) cpu.push(world.cpu[m]);
    }
    const desired = world.desired;
    const out = baseline.decide(config, state, {
      now,
      ready: world.readyNow(),
      desired,
      cpu,
      queue: web ? undefined : world.queueState(),
      history: web ? world.arrivals.subarray(0, t) : undefined,
    });
    state = out.state;
    if (out.desired !== desired) world.setDesired(out.desired);
    world.endStep();
    onStep?.();
  }
  return world;
}

export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<ScenarioRun> {
  const started = performance.now();
  const trace = options.trace ?? loadTrace(scenario.trace.file, scenario.trace);
  const runs: PolicyRun[] = [];
  const skipped: Record<string, string> = {};
  for (const name of policiesOf(scenario, options.policies)) {
    if (name === AUTOSCALER_STEP) {
      const run = await (await import('./policies/autoscaler')).runAutoscaler(scenario, trace, {
        onStep: options.onStep && (() => options.onStep!()),
        verbose: !!process.env.SIM_VERBOSE,
        policy: 'step',
      });
      const notes = run.failures.length ? [`${run.failures.length} of ${run.invocations} handler invocations failed; first: ${run.failures[0].error}`] : [];
      runs.push({ name, world: run.world, score: scoreWorld(scenario, run.world), notes });
    } else if (name === AUTOSCALER) {
      const why = autoscalerUnsupported(scenario);
      if (why) {
        skipped[name] = why;
        continue;
      }
      // loaded on demand: it pulls in the handlers and their SDK clients
      const data = scenario.workload.kind === 'database' || scenario.workload.kind === 'cache';
      const onStep = options.onStep && (() => options.onStep!());
      const verbose = !!process.env.SIM_VERBOSE;
      const run = data
        ? await (await import('./policies/autoscaler-data')).runDataAutoscaler(scenario, trace, { onStep, verbose })
        : await (await import('./policies/autoscaler')).runAutoscaler(scenario, trace, { onStep, verbose });
      const notes: string[] = [];
      if (run.failures.length) {
        notes.push(`${run.failures.length} of ${run.invocations} handler invocations failed; first: ${run.failures[0].error}`);
      }
      if ('executions' in run) {
        const failed = run.executions.filter((e) => e.status === 'FAILED');
        notes.push(
          `${run.executions.length} runbook execution(s), ${failed.length} failed${failed.length ? `; first: ${failed[0].name}: ${failed[0].error}` : ''}`,
        );
      }
      runs.push({ name, world: run.world, score: scoreWorld(scenario, run.world), notes });
    } else {
      const world = runBaseline(scenario, trace, name, options.onStep);
      runs.push({ name, world, score: scoreWorld(scenario, world), notes: [] });
    }
  }
  return { scenario, trace, runs, skipped, seconds: (performance.now() - started) / 1000 };
}

/** score.json as the contract defines it (plus `skipped` when a policy could not run). */
export function scoreJson(run: ScenarioRun): Record<string, unknown> {
  const out: Record<string, unknown> = {
    scenario: run.scenario.name,
    steps: run.trace.arrivals.length,
    policies: Object.fromEntries(run.runs.map((r) => [r.name, r.score])),
  };
  if (Object.keys(run.skipped).length) out.skipped = run.skipped;
  return out;
}
