/**
 * The chaos table: every bundled scenario's autoscaler run clean and with the scenario `faults`
 * section (10% of the requests to the in-memory AWS throttled, under the SDK's retries as deployed;
 * 10% of deliveries duplicated; alarm events 2 minutes late).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runAutoscaler } from '../sim/policies/autoscaler';
import { runDataAutoscaler } from '../sim/policies/autoscaler-data';
import { scoreWorld } from '../sim/runner';
import { loadScenario, type ScenarioFaults } from '../sim/scenario';
import { loadTrace } from '../sim/trace';

export const CHAOS_FAULTS: ScenarioFaults = { throttleShare: 0.1, duplicateShare: 0.1, delaySeconds: 120, seed: 7 };

export interface ChaosRow {
  readonly scenario: string;
  readonly cleanViolationPct: number;
  readonly faultedViolationPct: number;
  readonly cleanCostRatio: number | null;
  readonly faultedCostRatio: number | null;
  readonly cleanActions: number;
  readonly faultedActions: number;
  readonly throttled: number;
  readonly duplicated: number;
  readonly delayed: number;
  /** Applied decisions per event id above one: an event that acted twice (must be 0). */
  readonly doubleActions: number;
  /** Desired counts set outside the scenario's bounds (must be 0). */
  readonly outOfBounds: number;
}

export async function chaosTable(dir: string): Promise<ChaosRow[]> {
  const rows: ChaosRow[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()) {
    const scenario = loadScenario(join(dir, file));
    const kind = scenario.workload.kind;
    const trace = loadTrace(scenario.trace.file, scenario.trace);
    const run = kind === 'database' || kind === 'cache' ? runDataAutoscaler : runAutoscaler;
    const clean = await run(scenario, trace);
    const faulted = await run({ ...scenario, faults: CHAOS_FAULTS }, trace);
    // The counts the autoscaler set: web on an Auto Scaling group, queue workers on ECS, replicas
    // (the billed count of each step), shards.
    const sets = {
      web: () => faulted.calls.of('autoscaling', 'SetDesiredCapacityCommand').map((c) => (c.input as { DesiredCapacity: number }).DesiredCapacity),
      queue: () => faulted.calls.of('ecs', 'UpdateServiceCommand').map((c) => (c.input as { desiredCount: number }).desiredCount),
      database: () => Array.from(faulted.world.billed),
      cache: () =>
        faulted.calls.of('elasticache', 'ModifyReplicationGroupShardConfigurationCommand').map((c) => (c.input as { NodeGroupCount: number }).NodeGroupCount),
    }[kind]();
    const targetId = { web: 'web', queue: 'workers', database: 'db', cache: 'cache' }[kind];
    const applied = (await faulted.state.listAudit(targetId, 0, Number.MAX_SAFE_INTEGER, 1_000_000)).filter((e) => e.outcome === 'applied');
    const perEvent = new Map<string, number>();
    for (const e of applied) perEvent.set(e.eventId ?? '', (perEvent.get(e.eventId ?? '') ?? 0) + 1);
    const a = scoreWorld(scenario, clean.world);
    const b = scoreWorld(scenario, faulted.world);
    rows.push({
      scenario: scenario.name,
      cleanViolationPct: a.violationPct,
      faultedViolationPct: b.violationPct,
      cleanCostRatio: a.costRatio,
      faultedCostRatio: b.costRatio,
      cleanActions: a.actions,
      faultedActions: b.actions,
      ...faulted.chaos,
      doubleActions: [...perEvent.values()].reduce((n, k) => n + Math.max(0, k - 1), 0),
      outOfBounds: sets.filter((n) => n < scenario.target.minUnits || n > scenario.target.maxUnits).length,
    });
  }
  return rows;
}
