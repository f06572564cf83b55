/**
 * The reactive reference of a web trace: how close to the web goals (scenarios/README.md, "Anchors beside
 * the baselines"; dominated by no anchor point, and the half-violation goal) a policy can get by reacting
 * to the load it has seen, on that trace.
 *
 * It is an oracle that knows each minute's load exactly as soon as CloudWatch would publish its datapoint
 * (the newest visible minute, two minutes late: World.newestVisibleMinute) and the exact capacity of a
 * unit, and asks for ceil(headroom x the highest ideal count over the last `windowMinutes` visible
 * minutes); what it asks for starts after the scenario's provisioning time, as for any policy. A policy
 * that learns its load from CloudWatch knows no more of the present than this oracle and less of a
 * unit's capacity; it can know more of the future only by forecasting it (a seasonal forecast), which
 * the oracle does not. Swept over windows (how long it holds a peak) and headrooms, its points show per
 * trace whether reacting can meet the goals at all, and from which cost ratio. When none of them does,
 * a reacting policy would have to do better than every one of them, or foresee the load.
 *
 * Only points within the anchors' cost range count (at most the dearest anchor point's cost ratio):
 * below the cheapest anchor the half-violation goal has nothing to halve, and far beyond the dearest
 * the comparison is with no anchor at all.
 */
import { type FrontierPoint, judgeAgainstFrontier } from './frontier';
import { scoreWorld } from './runner';
import type { Scenario } from './scenario';
import { idealUnits, type Score } from './score';
import type { Trace } from './trace';
import { World } from './world';

/** How long the oracle holds the highest count it has seen, minutes: none, a few minutes, up to an hour. */
export const REACTIVE_WINDOWS_MINUTES = [0, 5, 15, 30, 60] as const;
/** Headrooms over the ideal count, 1 to 4 in steps of 0.05: at 4 a 70% target runs at 17.5%, past the anchors' 30%. */
export const REACTIVE_HEADROOMS: readonly number[] = Array.from({ length: 61 }, (_, i) => 1 + i * 0.05);

export interface ReactiveOraclePoint {
  readonly windowMinutes: number;
  readonly headroom: number;
  readonly score: Score;
  /** The half-violation goal's bound at this point's cost ratio (judgeAgainstFrontier). */
  readonly bound: number;
}

export interface ReactiveReach {
  /** The cheapest point that meets both web goals within the anchors' cost range; none: no point does. */
  readonly cheapest?: ReactiveOraclePoint;
  /** The point of lowest violation over its bound within the anchors' cost range (the nearest miss when none meets the goals). */
  readonly closest?: ReactiveOraclePoint;
  /** Points run. */
  readonly points: number;
}

/**
 * One run of the oracle on a web scenario's trace, its world for the scorer. Minute m of the load is the
 * step that holds it (traces of steps longer than a minute repeat a step's load over its minutes).
 */
export function runReactiveOracle(scenario: Scenario, trace: Trace, windowMinutes: number, headroom: number): World {
  if (scenario.workload.kind !== 'web') throw new Error(`the reactive reference is a web policy; ${scenario.name} is a ${scenario.workload.kind} scenario`);
  const world = new World(scenario, trace);
  const ideal = Array.from(trace.arrivals, (a) => idealUnits(scenario, a));
  const stepOfMinute = (m: number) => Math.floor((m * 60) / scenario.trace.stepSeconds);
  const { minUnits, maxUnits } = scenario.target;
  for (let t = 0; t < world.steps; t++) {
    const seen = world.newestVisibleMinute();
    if (seen >= 0) {
      let peak = 0;
      for (let m = Math.max(0, seen - windowMinutes); m <= seen; m++) peak = Math.max(peak, ideal[stepOfMinute(m)]);
      const want = Math.min(maxUnits, Math.max(minUnits, Math.ceil(headroom * peak - 1e-9)));
      if (want !== world.desired) world.setDesired(want);
    }
    world.endStep();
  }
  return world;
}

/** The oracle swept over REACTIVE_WINDOWS_MINUTES x REACTIVE_HEADROOMS and judged against the anchors' frontier. */
export function reactiveReach(scenario: Scenario, trace: Trace, frontier: readonly FrontierPoint[]): ReactiveReach {
  const dearest = Math.max(...frontier.map((p) => p.score.costRatio ?? 0));
  let cheapest: ReactiveOraclePoint | undefined;
  let closest: ReactiveOraclePoint | undefined;
  let points = 0;
  for (const windowMinutes of REACTIVE_WINDOWS_MINUTES) {
    for (const headroom of REACTIVE_HEADROOMS) {
      const score = scoreWorld(scenario, runReactiveOracle(scenario, trace, windowMinutes, headroom));
      points++;
      const cost = score.costRatio;
      if (cost === null || cost > dearest) continue;
      const verdict = judgeAgainstFrontier(score, frontier);
      if (!Number.isFinite(verdict.bound)) continue;
      const point = { windowMinutes, headroom, score, bound: verdict.bound };
      if (!closest || score.violationPct / point.bound < closest.score.violationPct / closest.bound) closest = point;
      const meets = verdict.halfViolation && verdict.dominatedBy.length === 0;
      if (meets && (!cheapest || cost < (cheapest.score.costRatio ?? Number.POSITIVE_INFINITY))) cheapest = point;
    }
  }
  return { ...(cheapest ? { cheapest } : {}), ...(closest ? { closest } : {}), points };
}

/** The oracle in a few words, for the bench's tables. */
export const REACTIVE_REFERENCE_TEXT =
  "sim/reactive-reference.ts: each minute's load known exactly when CloudWatch publishes it, two minutes late, its peak held 0-60 minutes, times 1-4 headroom";

/** One table cell: `from 1.116 (5 min, x1.00)`, or `no: at best 1.45 x the bound`. */
export function reachText(reach: ReactiveReach): string {
  const p = reach.cheapest;
  if (p) return `from ${p.score.costRatio?.toFixed(3)} (${p.windowMinutes} min, x${p.headroom.toFixed(2)})`;
  const c = reach.closest;
  return c ? `no: at best ${(c.score.violationPct / c.bound).toFixed(2)} x the bound` : "no point in the anchors' cost range";
}
