/**
 * The frontier of the anchors (scenarios/README.md, "Anchors beside the baselines"): target tracking
 * and predictive scaling at several tracking targets draw violation against cost; a policy is better
 * than an anchor when no point of that frontier has both a lower violationPct and a lower costRatio.
 */
import { runScenario } from './runner';
import { type Scenario, withTrackingUtilization } from './scenario';
import type { Score } from './score';
import type { Trace } from './trace';

/** The tracking targets whose runs draw the frontier, percent. */
export const FRONTIER_TARGETS = [80, 70, 60, 50, 40, 30] as const;
/** The policies run at every frontier target on a web scenario. */
export const FRONTIER_POLICIES = ['target-tracking', 'predictive'] as const;
/**
 * The policies run at every frontier target, per workload kind: web has target tracking and
 * predictive scaling (its anchor); the data tier target tracking alone (the contract names no anchor
 * for database or cache workloads); a queue has no tracking target to vary (its reference is the
 * clairvoyant, sim/clairvoyant.ts).
 */
export const FRONTIER_POLICIES_OF: Readonly<Record<'web' | 'database' | 'cache', readonly string[]>> = {
  web: FRONTIER_POLICIES,
  database: ['target-tracking'],
  cache: ['target-tracking'],
};
/** Web's SLO allowance (scenarios/README.md, "Comparing policies"): a violation this low is within the SLO. */
export const WEB_ALLOWANCE_PCT = 0.5;

export interface FrontierPoint {
  readonly policy: string;
  /** The tracking target it ran at, percent. */
  readonly target: number;
  readonly score: Score;
}

/** The cost ratio as a number: an undefined one (an ideal of zero throughout) compares as the dearest. */
function cost(s: Score): number {
  return s.costRatio ?? Number.POSITIVE_INFINITY;
}

/** True when `a` has both a lower violationPct and a lower costRatio than `b`. */
export function dominates(a: Score, b: Score): boolean {
  return a.violationPct < b.violationPct && cost(a) < cost(b);
}

export interface FrontierVerdict {
  /** The frontier points that dominate the policy. */
  readonly dominatedBy: readonly FrontierPoint[];
  /**
   * The frontier points strictly cheaper at no more violation (dominatedBy's, and those that tie on
   * violation: on a trace where every point has none, the cheaper ones are better all the same).
   */
  readonly cheaperAtNoMoreViolation: readonly FrontierPoint[];
  /** The frontier point of lowest violation among those at the same or a lower cost ratio; none: no point that cheap. */
  readonly lowestAtCost?: FrontierPoint;
  /** The most violation the goal allows: half of lowestAtCost's, or the SLO allowance where that is higher. */
  readonly bound: number;
  /**
   * The half-violation goal: violationPct at most `bound`. With no frontier point at the same or a lower
   * cost ratio there is nothing to halve and it holds (the policy then pays more than every anchor point,
   * which `dominatedBy` does not catch; the table shows it).
   */
  readonly halfViolation: boolean;
}

/** Judges a policy's score against the frontier. */
export function judgeAgainstFrontier(policy: Score, frontier: readonly FrontierPoint[], allowance = WEB_ALLOWANCE_PCT): FrontierVerdict {
  const dominatedBy = frontier.filter((p) => dominates(p.score, policy));
  const cheaperAtNoMoreViolation = frontier.filter((p) => p.score.violationPct <= policy.violationPct && cost(p.score) < cost(policy));
  let lowestAtCost: FrontierPoint | undefined;
  for (const p of frontier) {
    if (cost(p.score) <= cost(policy) && (lowestAtCost === undefined || p.score.violationPct < lowestAtCost.score.violationPct)) lowestAtCost = p;
  }
  const bound = lowestAtCost === undefined ? Number.POSITIVE_INFINITY : Math.max(allowance, lowestAtCost.score.violationPct / 2);
  return { dominatedBy, cheaperAtNoMoreViolation, lowestAtCost, bound, halfViolation: policy.violationPct <= bound };
}

/** Runs every frontier policy of the scenario's kind at every frontier target (web, database, cache). */
export async function runFrontier(scenario: Scenario, trace?: Trace, targets: readonly number[] = FRONTIER_TARGETS): Promise<FrontierPoint[]> {
  const kind = scenario.workload.kind;
  if (kind === 'queue')
    throw new Error(`the frontier is drawn on web, database and cache scenarios; ${scenario.name} is a queue (its reference is the clairvoyant)`);
  const points: FrontierPoint[] = [];
  for (const target of targets) {
    const run = await runScenario(withTrackingUtilization(scenario, target), { trace, policies: [...FRONTIER_POLICIES_OF[kind]] });
    for (const r of run.runs) points.push({ policy: r.name, target, score: r.score });
  }
  return points;
}
