/**
 * The generated suite: traces from the trace generator (sim/generate.ts), built in memory from fixed
 * seeds, each run through the simulator's runner with every policy of its kind; per policy the median
 * and the worst of every score, and, on the web traces, the autoscaler against the anchors' frontier.
 */
import { clairvoyantQueue } from '../sim/clairvoyant';
import { type FrontierVerdict, judgeAgainstFrontier, runFrontier } from '../sim/frontier';
import { type GeneratedTrace, generateTrace, type Shape } from '../sim/generate';
import { REACTIVE_REFERENCE_TEXT, type ReactiveReach, reachText, reactiveReach } from '../sim/reactive-reference';
import { runScenario } from '../sim/runner';
import { parseScenario, type Scenario } from '../sim/scenario';
import { idealUnits, type Score } from '../sim/score';

/**
 * Seeds x shapes: 4 seeds of each of the 5 web shapes (20 web traces) and of the queue's batches.
 * Weekly traces hold a week (a weekend needs one); the others 4 days, which keeps the suite to about
 * a minute of CPU time and still gives predictive scaling three days of history.
 */
export const SUITE_SEEDS = [1, 2, 3, 4] as const;
export const SUITE_WEB_SHAPES: readonly Shape[] = ['diurnal', 'weekly', 'flash', 'bursty', 'step'];
export const SUITE_QUEUE_SHAPES: readonly Shape[] = ['batches'];
export const suiteDays = (shape: Shape) => (shape === 'weekly' ? 7 : 4);

/** The web workload of the bundled synthetic scenario: 40 requests/s per unit, 180 s to start one, 2 units at least, a 70% target. */
const WEB = { unitCapacity: 40, provisioningSeconds: 180, minUnits: 2, targetUtilization: 70 } as const;
/** The queue workload of the bundled celery-batches scenario: 2 messages/s per worker, 60 s to start one, 300 s wait SLO. */
const QUEUE = { unitCapacity: 2, provisioningSeconds: 60, minUnits: 0, maxWaitSeconds: 300 } as const;
/** maxUnits: twice the trace's peak ideal count (at least 10), a ceiling a user sets well clear of the need, so that overshoot shows. */
const MAX_OVER_PEAK_IDEAL = 2;

/** The scenario a generated trace runs in: the bundled scenarios' workload of its kind, every policy of the kind. */
export function suiteScenario(trace: GeneratedTrace): Scenario {
  const name = `${trace.shape}-${trace.seed}`;
  const per = trace.kind === 'web' ? WEB.unitCapacity * (WEB.targetUtilization / 100) : QUEUE.unitCapacity;
  const peakRate = Math.max(...trace.arrivals) / 60;
  const maxUnits = Math.max(10, MAX_OVER_PEAK_IDEAL * Math.ceil(peakRate / per));
  const raw =
    trace.kind === 'web'
      ? {
          name,
          trace: { file: `${name}.csv` },
          workload: { kind: 'web', unitCapacity: WEB.unitCapacity, provisioningSeconds: WEB.provisioningSeconds },
          target: { minUnits: WEB.minUnits, maxUnits, targetUtilization: WEB.targetUtilization },
          compare: ['seed-step', 'target-tracking', 'predictive'],
        }
      : {
          name,
          trace: { file: `${name}.csv` },
          workload: { kind: 'queue', unitCapacity: QUEUE.unitCapacity, provisioningSeconds: QUEUE.provisioningSeconds },
          slo: { maxWaitSeconds: QUEUE.maxWaitSeconds },
          target: { minUnits: QUEUE.minUnits, maxUnits },
        };
  return parseScenario(raw, `generated ${name}`, '.');
}

export interface SuiteScore extends Score {
  readonly reversalsPerDay: number;
  /** peakUnits over the highest ideal count of any step. */
  readonly peakRatio: number;
}

export interface SuiteRun {
  readonly trace: string;
  readonly kind: 'web' | 'queue';
  readonly scores: Record<string, SuiteScore>;
  /** Web: the autoscaler against target tracking and predictive at every frontier target. */
  readonly verdict?: FrontierVerdict;
  /** Web: how near the goals reacting gets on the trace (sim/reactive-reference.ts). */
  readonly reach?: ReactiveReach;
}

/** Days that `steps` of a scenario's trace cover. */
export function traceDays(scenario: Scenario, steps: number): number {
  return (steps * scenario.trace.stepSeconds) / 86_400;
}

function suiteScore(scenario: Scenario, arrivals: Float64Array, s: Score): SuiteScore {
  let peakIdeal = 0;
  for (const a of arrivals) peakIdeal = Math.max(peakIdeal, idealUnits(scenario, a));
  return { ...s, reversalsPerDay: s.reversals / traceDays(scenario, arrivals.length), peakRatio: s.peakUnits / Math.max(1, peakIdeal) };
}

export async function generatedSuite(onTrace?: (name: string) => void): Promise<{ runs: SuiteRun[]; seconds: number }> {
  const started = performance.now();
  const runs: SuiteRun[] = [];
  for (const shape of [...SUITE_WEB_SHAPES, ...SUITE_QUEUE_SHAPES]) {
    for (const seed of SUITE_SEEDS) {
      const trace = generateTrace({ shape, seed, days: suiteDays(shape) });
      const scenario = suiteScenario(trace);
      onTrace?.(scenario.name);
      const run = await runScenario(scenario, { trace });
      const scores = Object.fromEntries(run.runs.map((r) => [r.name, suiteScore(scenario, trace.arrivals, r.score)]));
      if (trace.kind === 'queue') scores.clairvoyant = suiteScore(scenario, trace.arrivals, clairvoyantQueue(scenario, trace).score);
      const own = run.runs.find((r) => r.name === 'autoscaler')?.score;
      const frontier = trace.kind === 'web' && own ? await runFrontier(scenario, trace) : undefined;
      const verdict = frontier && own ? judgeAgainstFrontier(own, frontier) : undefined;
      const reach = frontier ? reactiveReach(scenario, trace, frontier) : undefined;
      runs.push({ trace: scenario.name, kind: trace.kind, scores, ...(verdict ? { verdict } : {}), ...(reach ? { reach } : {}) });
    }
  }
  return { runs, seconds: (performance.now() - started) / 1000 };
}

/** The fields of the distribution table, each with how it is printed. */
export const SUITE_FIELDS: readonly { readonly key: keyof SuiteScore; readonly label: string; readonly digits: number }[] = [
  { key: 'violationPct', label: 'violation %', digits: 3 },
  { key: 'costRatio', label: 'cost ratio', digits: 3 },
  { key: 'actionsPerHour', label: 'actions/h', digits: 2 },
  { key: 'reversalsPerDay', label: 'reversals/day', digits: 1 },
  { key: 'peakRatio', label: 'peak ratio', digits: 2 },
];

/** The median (the mean of the middle two for an even count) and the largest value. */
export function medianAndWorst(values: readonly number[]): { median: number; worst: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, worst: sorted[sorted.length - 1] };
}

/** Markdown lines: the distribution per kind and policy, the autoscaler per trace. */
export function suiteLines(runs: readonly SuiteRun[]): string[] {
  const lines: string[] = [];
  lines.push(
    `| traces | policy | ${SUITE_FIELDS.map((f) => `${f.label} median / worst`).join(' | ')} |`,
    `| --- | --- | ${SUITE_FIELDS.map(() => '---:').join(' | ')} |`,
  );
  for (const kind of ['web', 'queue'] as const) {
    const ofKind = runs.filter((r) => r.kind === kind);
    if (!ofKind.length) continue;
    for (const policy of Object.keys(ofKind[0].scores)) {
      const cells = SUITE_FIELDS.map((f) => {
        const { median, worst } = medianAndWorst(ofKind.map((r) => (r.scores[policy][f.key] as number | null) ?? Number.NaN));
        return `${median.toFixed(f.digits)} / ${worst.toFixed(f.digits)}`;
      });
      lines.push(`| ${ofKind.length} ${kind} | ${policy} | ${cells.join(' | ')} |`);
    }
  }
  const web = runs.filter((r) => r.verdict);
  const undominated = web.filter((r) => r.verdict?.dominatedBy.length === 0).length;
  const half = web.filter((r) => r.verdict?.halfViolation).length;
  const reached = web.filter((r) => r.reach?.cheapest).length;
  const own = runs.filter((r) => r.scores.autoscaler);
  const calmOf = (kind: 'web' | 'queue') => {
    const of = own.filter((r) => r.kind === kind);
    return `${of.filter((r) => calmGoal(r.scores.autoscaler)).length} of ${of.length} ${kind} traces`;
  };
  lines.push(
    '',
    `Against the frontier of target tracking and predictive at 80-30% on each web trace: dominated by no anchor point on ${undominated} of ${web.length}; half-violation goal met on ${half} of ${web.length}.`,
    `The calm goal (at most ${CALM_GOAL.maxActionsPerHour} actions an hour and ${CALM_GOAL.maxReversalsPerDay} reversals a day) met on ${calmOf('web')} and ${calmOf('queue')}.`,
    `A reacting oracle (${REACTIVE_REFERENCE_TEXT}) meets both goals on ${reached} of ${web.length}, within the anchors' cost range; the last column gives the cost ratio it needs, or how far its nearest point misses the bound.`,
    '',
    'The autoscaler per trace:',
    '',
    `| trace | ${SUITE_FIELDS.map((f) => f.label).join(' | ')} | calm goal | dominated by | half-violation goal | a reacting oracle meets both |`,
    `| --- | ${SUITE_FIELDS.map(() => '---:').join(' | ')} | --- | --- | --- | --- |`,
  );
  for (const r of runs) {
    const s = r.scores.autoscaler;
    if (!s) continue;
    const cells = SUITE_FIELDS.map((f) => ((s[f.key] as number | null) ?? Number.NaN).toFixed(f.digits));
    const v = r.verdict;
    const dominated = v ? v.dominatedBy.map((p) => `${p.policy} ${p.target}`).join(', ') || 'none' : '';
    const goal = v ? `${v.halfViolation ? 'pass' : 'fail'}${Number.isFinite(v.bound) ? ` (bound ${v.bound.toFixed(3)})` : ''}` : '';
    lines.push(`| ${r.trace} | ${cells.join(' | ')} | ${calmGoal(s) ? 'pass' : 'fail'} | ${dominated} | ${goal} | ${r.reach ? reachText(r.reach) : ''} |`);
  }
  const queue = runs.filter((r) => r.kind === 'queue' && r.scores.autoscaler && r.scores.clairvoyant);
  if (queue.length) {
    lines.push(
      '',
      QUEUE_GOAL_TEXT,
      '',
      '| trace | autoscaler violation % | autoscaler cost ratio | clairvoyant cost ratio | difference | queue goal |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
    );
    for (const r of queue) {
      const { pass, difference } = queueGoal(r.scores.autoscaler, r.scores.clairvoyant);
      lines.push(
        `| ${r.trace} | ${r.scores.autoscaler.violationPct.toFixed(3)} | ${r.scores.autoscaler.costRatio?.toFixed(3)} | ${r.scores.clairvoyant.costRatio?.toFixed(3)} | ${difference.toFixed(3)} | ${pass ? 'pass' : 'fail'} |`,
      );
    }
  }
  return lines;
}

/** The calm goal on every trace, web and queue: at most 10 actions an hour and 24 reversals a day. */
export const CALM_GOAL = { maxActionsPerHour: 10, maxReversalsPerDay: 24 } as const;

export function calmGoal(s: Pick<SuiteScore, 'actionsPerHour' | 'reversalsPerDay'>): boolean {
  return s.actionsPerHour <= CALM_GOAL.maxActionsPerHour && s.reversalsPerDay <= CALM_GOAL.maxReversalsPerDay;
}

/** The queue goal: violation at most 1% and a cost ratio at most the clairvoyant reference's + 0.20. */
export const QUEUE_GOAL = { maxViolationPct: 1, maxCostOverClairvoyant: 0.2 } as const;
export const QUEUE_GOAL_TEXT =
  `The queue goal on each queue trace: violation at most ${QUEUE_GOAL.maxViolationPct}% and a cost ratio at most the clairvoyant reference's + ${QUEUE_GOAL.maxCostOverClairvoyant.toFixed(2)} ` +
  '(sim/clairvoyant.ts: every future arrival known, at most one change per 360 s block, the fewest workers that keep the wait SLO).';

export function queueGoal(own: Score, clairvoyant: Score): { pass: boolean; difference: number } {
  const difference = (own.costRatio ?? Number.NaN) - (clairvoyant.costRatio ?? Number.NaN);
  return { pass: own.violationPct <= QUEUE_GOAL.maxViolationPct && difference <= QUEUE_GOAL.maxCostOverClairvoyant, difference };
}
