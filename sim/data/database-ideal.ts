/**
 * The ideal of a database step (sim/data/README.md): the read replicas wanted at the target
 * utilization. Apart from the simulated database (./database-world.ts) so that the score
 * (sim/score.ts) reads it without loading the world, which a web or queue replay never runs.
 */
import type { Scenario } from '../scenario-model';

const EPS = 1e-9;

/** Replicas wanted in a step of `arrivals` queries at the target utilization (the score's ideal). */
export function databaseIdeal(scenario: Scenario, arrivals: number): number {
  const l = arrivals / scenario.trace.stepSeconds;
  const per = scenario.workload.unitCapacity * (scenario.target.targetUtilization / 100);
  // The source alone carries it all at the target: no replica is needed.
  const i = l <= per + EPS ? 0 : Math.ceil((l * (scenario.workload.database?.readShare ?? 0.8)) / per - EPS);
  return Math.min(scenario.target.maxUnits, Math.max(scenario.target.minUnits, i));
}
