/**
 * The scenario table: every bundled scenario x every policy, from the simulator's own runner, with the
 * project's other policies of the workload kind (`autoscaler-step`: the seed guides' rule as `policy: step`)
 * beside the autoscaler.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clairvoyantQueue } from '../sim/clairvoyant';
import { policiesOf, runScenario } from '../sim/runner';
import { loadScenario, PROJECT_POLICIES, type Scenario } from '../sim/scenario';
import { World } from '../sim/world';
import { traceDays } from './generated';

export interface ScenarioRow {
  readonly scenario: string;
  readonly policy: string;
  readonly violationPct: number;
  readonly costRatio: number | null;
  readonly unitHours: number;
  readonly actions: number;
  readonly actionsPerHour: number;
  readonly reversals: number;
  readonly reversalsPerDay: number;
  readonly peakUnits: number;
}

/**
 * The custom-metric variant: the diurnal scenario whose requests each open a WebSocket connection held
 * 90 s on average, sized on 1,500 connections per unit (the seed guide's "WebSocket connections >
 * 1,500 per Daphne instance"), through the simulator's websockets extension (sim/README.md).
 */
export const WEBSOCKETS_VARIANT = { base: 'synthetic-diurnal-flash.yaml', connectionSeconds: 90, connectionsPerUnit: 1500 };

export interface ConnectionRow {
  readonly policy: string;
  /** Share of steps, in percent, whose open connections per ready unit exceed the target per unit by more than 25%. */
  readonly abovePct: number;
  /** Most open connections per ready unit in any step. */
  readonly peakPerUnit: number;
}

function connectionRow(policy: string, world: World, perUnit: number): ConnectionRow {
  let above = 0;
  let peak = 0;
  for (let t = 0; t < world.steps; t++) {
    const per = world.connectionsAtStep[t] / Math.max(1, world.ready[t]);
    if (per > perUnit * 1.25) above++;
    peak = Math.max(peak, per);
  }
  return { policy, abovePct: (100 * above) / world.steps, peakPerUnit: peak };
}

/** The scenario rows of the websockets variant, and what each policy left per unit. */
export async function websocketsVariant(dir: string): Promise<{ rows: ScenarioRow[]; connections: ConnectionRow[]; seconds: number }> {
  const base = loadScenario(join(dir, WEBSOCKETS_VARIANT.base));
  const { connectionSeconds, connectionsPerUnit } = WEBSOCKETS_VARIANT;
  const scenario: Scenario = {
    ...base,
    name: `${base.name} + websockets`,
    workload: { ...base.workload, websockets: { connectionSeconds, connectionsPerUnit } },
    // The seeds' own rule on connections runs too, as a step rule on a custom metric.
    compare: [...new Set([...base.compare, 'autoscaler-step' as const])],
  };
  const run = await runScenario(scenario);
  const days = daysOf(scenario, run);
  return {
    rows: run.runs.map((r) => rowOf(scenario.name, r.name, r.score, days)),
    connections: run.runs.flatMap((r) => (r.world instanceof World ? [connectionRow(r.name, r.world, connectionsPerUnit)] : [])),
    seconds: run.seconds,
  };
}

/** Days a scenario's trace covers, from one of its runs (every kind's world counts its steps). */
function daysOf(scenario: Scenario, run: Awaited<ReturnType<typeof runScenario>>): number {
  const steps = run.runs[0]?.world.steps;
  return steps === undefined ? Number.NaN : traceDays(scenario, steps);
}

function rowOf(scenario: string, policy: string, score: Awaited<ReturnType<typeof runScenario>>['runs'][number]['score'], days: number): ScenarioRow {
  return {
    scenario,
    policy,
    violationPct: score.violationPct,
    costRatio: score.costRatio,
    unitHours: score.unitHours,
    actions: score.actions,
    actionsPerHour: score.actionsPerHour,
    reversals: score.reversals,
    reversalsPerDay: score.reversals / days,
    peakUnits: score.peakUnits,
  };
}

/** The row name of the clairvoyant queue reference (sim/clairvoyant.ts). */
export const CLAIRVOYANT = 'clairvoyant';

export async function scenarioTable(dir: string): Promise<{ rows: ScenarioRow[]; skipped: string[]; seconds: Record<string, number> }> {
  const rows: ScenarioRow[] = [];
  const skipped: string[] = [];
  const seconds: Record<string, number> = {};
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
  for (const file of files) {
    const scenario = loadScenario(join(dir, file));
    const run = await runScenario(scenario, { policies: [...policiesOf(scenario), ...PROJECT_POLICIES[scenario.workload.kind]] });
    seconds[scenario.name] = run.seconds;
    const days = daysOf(scenario, run);
    for (const r of run.runs) rows.push(rowOf(scenario.name, r.name, r.score, days));
    // The queue's cost reference beside the policies (the queue goal: cost at most its + 0.20).
    const world = run.runs[0]?.world;
    if (scenario.workload.kind === 'queue' && world instanceof World) {
      rows.push(rowOf(scenario.name, CLAIRVOYANT, clairvoyantQueue(scenario, { start: world.start, arrivals: world.arrivals }).score, days));
    }
    for (const [policy, why] of Object.entries(run.skipped)) skipped.push(`${scenario.name} / ${policy}: ${why}`);
  }
  return { rows, skipped, seconds };
}
