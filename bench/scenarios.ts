/**
 * The scenario table: every bundled scenario x every policy, from the simulator's own runner, with the
 * project's other policies of the workload kind (`autoscaler-step`: the seed guides' rule as `policy: step`)
 * beside the autoscaler.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { policiesOf, runScenario } from '../sim/runner';
import { loadScenario, PROJECT_POLICIES } from '../sim/scenario';

export interface ScenarioRow {
  readonly scenario: string;
  readonly policy: string;
  readonly violationPct: number;
  readonly costRatio: number | null;
  readonly unitHours: number;
  readonly actionsPerHour: number;
  readonly reversals: number;
  readonly peakUnits: number;
}

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
    for (const r of run.runs) {
      rows.push({
        scenario: scenario.name,
        policy: r.name,
        violationPct: r.score.violationPct,
        costRatio: r.score.costRatio,
        unitHours: r.score.unitHours,
        actionsPerHour: r.score.actionsPerHour,
        reversals: r.score.reversals,
        peakUnits: r.score.peakUnits,
      });
    }
    for (const [policy, why] of Object.entries(run.skipped)) skipped.push(`${scenario.name} / ${policy}: ${why}`);
  }
  return { rows, skipped, seconds };
}
