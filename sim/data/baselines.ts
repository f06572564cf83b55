/**
 * The data-tier baselines run on their worlds: each sees what it could see in AWS (the visible
 * datapoints, the group's shape, whether it is modifying) and sets a replica count or a shape.
 */
import { type BaselineConfig, baselineFor } from '../baselines';
import { cacheBaselineFor } from '../baselines/cache';
import { metricVisibility } from '../cloud/metric-faults';
import { type BaselineName, type Scenario, trackingUtilization } from '../scenario-model';
import type { Trace } from '../trace';
import { CacheWorld } from './cache-world';
import { DatabaseWorld } from './database-world';

/** The datapoints of a per-minute series at `minutes` (the visible ones, oldest first), NaN skipped. */
export function visibleSeries(series: Float64Array, minutes: readonly number[]): number[] {
  const out: number[] = [];
  for (const m of minutes) if (!Number.isNaN(series[m])) out.push(series[m]);
  return out;
}

/**
 * `seed-step` reads the "database CPU" (the busier of the source and the replicas' average), as the
 * seed rule's "PostgreSQL CPU"; `target-tracking` reads the replicas' average CPU, as Aurora Replicas
 * Auto Scaling's RDSReaderAverageCPUUtilization.
 */
export function runDatabaseBaseline(scenario: Scenario, trace: Trace, name: BaselineName, onStep?: () => void): DatabaseWorld {
  const baseline = baselineFor('database', name);
  const world = new DatabaseWorld(scenario, trace);
  const config: BaselineConfig = {
    minUnits: scenario.target.minUnits,
    maxUnits: scenario.target.maxUnits,
    targetUtilization: trackingUtilization(scenario),
    unitCapacity: scenario.workload.unitCapacity,
    stepSeconds: scenario.trace.stepSeconds,
  };
  const dbCpu = new Float64Array(world.minutes).fill(NaN);
  // Late and missing datapoints (the scenario's metric faults) reach the baselines as they reach the autoscaler.
  const visibility = metricVisibility(scenario.faults);
  let state = baseline.initial();
  for (let t = 0; t < world.steps; t++) {
    const last30 = visibility.visibleMinutes(world.now(), world.completeMinutes, 30);
    for (const m of last30) dbCpu[m] = world.databaseCpu(m);
    const cpu =
      name === 'seed-step' ? visibleSeries(dbCpu, last30) : visibleSeries(world.replicaCpu, visibility.visibleMinutes(world.now(), world.completeMinutes, 15));
    const desired = world.desired;
    const out = baseline.decide(config, state, { now: world.now(), ready: world.readyNow(), desired, cpu });
    state = out.state;
    if (out.desired !== desired) world.setDesired(out.desired);
    world.endStep();
    onStep?.();
  }
  return world;
}

export function runCacheBaseline(scenario: Scenario, trace: Trace, name: BaselineName, onStep?: () => void): CacheWorld {
  if (name === 'keda' || name === 'predictive') throw new Error(`${name} is not a cache baseline`);
  const baseline = cacheBaselineFor(name);
  const world = new CacheWorld(scenario, trace);
  const config = {
    nodeTypeLadder: world.workload.nodeTypeLadder,
    minShards: scenario.target.minUnits,
    maxShards: scenario.target.maxUnits,
    targetUtilization: trackingUtilization(scenario),
    stepSeconds: scenario.trace.stepSeconds,
  };
  const visibility = metricVisibility(scenario.faults);
  let state = baseline.initial();
  for (let t = 0; t < world.steps; t++) {
    const g = world.group();
    const memory = visibleSeries(world.memoryPct, visibility.visibleMinutes(world.now(), world.completeMinutes, 30));
    const out = baseline.decide(config, state, { now: world.now(), nodeType: g.nodeType, shards: g.shards, modifying: g.change !== undefined, memory });
    state = out.state;
    if (!g.change && (out.nodeType !== g.nodeType || out.shards !== g.shards)) world.startChange({ nodeType: out.nodeType, shards: out.shards });
    world.endStep();
    onStep?.();
  }
  return world;
}
