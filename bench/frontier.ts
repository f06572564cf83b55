/**
 * The frontier table of each bundled web and data-tier scenario: target tracking (and on web,
 * predictive scaling) at every tracking target of FRONTIER_TARGETS, the autoscaler's point beside
 * them, which anchor points dominate it or are cheaper at no more violation, and the half-violation
 * goal (sim/frontier.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type FrontierPoint, type FrontierVerdict, judgeAgainstFrontier, runFrontier } from '../sim/frontier';
import { REACTIVE_REFERENCE_TEXT, type ReactiveReach, reachText, reactiveReach } from '../sim/reactive-reference';
import { loadScenario } from '../sim/scenario';
import type { Score } from '../sim/score';
import { loadTrace } from '../sim/trace';

export interface FrontierTable {
  readonly scenario: string;
  /** The scenario's own target, the autoscaler's and the cost ratio's. */
  readonly target: number;
  readonly points: readonly FrontierPoint[];
  readonly autoscaler: Score;
  readonly verdict: FrontierVerdict;
  /** Web: how near the goals reacting gets on this trace (sim/reactive-reference.ts). */
  readonly reach?: ReactiveReach;
  readonly seconds: number;
}

const f = (x: number | null, d = 3) => (x === null ? 'n/a' : x.toFixed(d));

/** The frontier of every bundled web, database and cache scenario, judged against the autoscaler's score there (by scenario name). */
export async function frontierTables(dir: string, autoscaler: (scenario: string) => Score | undefined): Promise<FrontierTable[]> {
  const tables: FrontierTable[] = [];
  const files = readdirSync(dir)
    .filter((file) => /\.(ya?ml|json)$/.test(file))
    .sort();
  for (const file of files) {
    const scenario = loadScenario(join(dir, file));
    const own = autoscaler(scenario.name);
    if (scenario.workload.kind === 'queue' || !own) continue;
    const started = performance.now();
    // Read once: every anchor run and the reactive reference replay the same trace.
    const trace = loadTrace(scenario.trace.file, scenario.trace);
    const points = await runFrontier(scenario, trace);
    tables.push({
      scenario: scenario.name,
      target: scenario.target.targetUtilization,
      points,
      autoscaler: own,
      verdict: judgeAgainstFrontier(own, points),
      ...(scenario.workload.kind === 'web' ? { reach: reactiveReach(scenario, trace, points) } : {}),
      seconds: (performance.now() - started) / 1000,
    });
  }
  return tables;
}

/** The verdict in words: dominated or not, and the half-violation goal with its bound. */
export function verdictText(own: Score, v: FrontierVerdict): string {
  const dominated = v.dominatedBy.length ? `dominated by ${v.dominatedBy.map((p) => `${p.policy} ${p.target}`).join(', ')}` : 'dominated by no anchor point';
  const ties = v.cheaperAtNoMoreViolation.filter((p) => !v.dominatedBy.includes(p));
  const cheaper = ties.length ? `; cheaper at the same violation: ${ties.map((p) => `${p.policy} ${p.target}`).join(', ')}` : '';
  const half = v.lowestAtCost
    ? `lowest anchor violation at a cost ratio of at most ${f(own.costRatio)}: ${f(v.lowestAtCost.score.violationPct)} (${v.lowestAtCost.policy} ${v.lowestAtCost.target}), bound ${f(v.bound)}`
    : `no anchor point at a cost ratio of at most ${f(own.costRatio)}`;
  return `${dominated}${cheaper}; half-violation goal: ${v.halfViolation ? 'pass' : 'fail'} (${half}; autoscaler ${f(own.violationPct)})`;
}

/** Markdown lines of one table. */
export function frontierLines(t: FrontierTable): string[] {
  const row = (policy: string, target: number, s: Score, dominates: string) =>
    `| ${policy} | ${target} | ${f(s.violationPct)} | ${f(s.costRatio)} | ${f(s.actionsPerHour, 2)} | ${s.reversals} | ${s.peakUnits} | ${dominates} |`;
  return [
    `### ${t.scenario}`,
    '',
    '| policy | tracking target % | violation % | cost ratio | actions/h | reversals | peak units | dominates the autoscaler |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...t.points.map((p) =>
      row(
        p.policy,
        p.target,
        p.score,
        t.verdict.dominatedBy.includes(p) ? 'yes' : t.verdict.cheaperAtNoMoreViolation.includes(p) ? 'cheaper, same violation' : 'no',
      ),
    ),
    row('**autoscaler**', t.target, t.autoscaler, ''),
    '',
    `${t.scenario}: ${verdictText(t.autoscaler, t.verdict)}.`,
    ...(t.reach ? ['', `A reacting oracle (${REACTIVE_REFERENCE_TEXT}) meets both goals here: ${reachText(t.reach)}.`] : []),
  ];
}
