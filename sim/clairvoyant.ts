/**
 * The clairvoyant queue reference: a policy that knows every future arrival, may change the worker count
 * at most once per block of 360 s (so at most 10 actions an hour, the calm goal), launches workers one
 * provisioning time ahead so they are ready when their block starts, and otherwise runs as few workers as
 * keep every message within the wait SLO. It is not a policy a deployment could run: it is the cost a
 * queue policy is judged against (the goal: cost ratio at most the clairvoyant's + 0.20).
 *
 * Per block it picks the fewest workers (binary search: more workers never serve later) such that, on a
 * FIFO copy of the queue served exactly as the simulator's World serves it, no message in the block is
 * served late and every message still queued at the block's end keeps at least `slack` seconds before
 * its deadline. A lazy schedule (slack 0) pushes work to the next block, which may then need a burst;
 * an eager one clears the queue early and pays for idle workers; which is cheaper depends on the trace,
 * so every slack from 0 to maxWaitSeconds in steps of the trace's step is tried, each schedule run
 * through the real World and scored by the contract's scorer, and the cheapest among those with the
 * fewest violations is kept; so is every phase of the blocks against the trace (the first block cut
 * short by 0 to 5 steps), since a batch that lands just after a block starts costs a whole block. Greedy per block, it is an upper bound on the true optimum within the
 * same action limit, close enough to judge a policy's distance to it.
 */
import type { Scenario } from './scenario';
import { type Score, score } from './score';
import type { Trace } from './trace';
import { World } from './world';

/** The calm goal's limit (issue: at most 10 actions an hour): one change per 360 s block. */
export const CLAIRVOYANT_BLOCK_SECONDS = 3600 / 10;

const EPS = 1e-9;

export interface ClairvoyantRun {
  readonly world: World;
  readonly score: Score;
  /** The slack (seconds before a message's deadline kept at each block's end) of the kept schedule. */
  readonly slackSeconds: number;
  /** Where the kept schedule's blocks start: the first block is this many seconds long (0: a whole block). */
  readonly phaseSeconds: number;
}

interface Plan {
  /** Workers ready in each block. */
  readonly counts: number[];
}

/** The first step of each block: a first block of `phase` steps (none when 0), then blocks of `blockSteps`. */
function blockStarts(steps: number, blockSteps: number, phase: number): number[] {
  const starts = phase > 0 ? [0] : [];
  for (let s = phase; s < steps; s += blockSteps) starts.push(s);
  return starts;
}

/** The fewest ready workers per block that keep the FIFO queue on time with `slackSteps` of margin. */
function plan(scenario: Scenario, arrivals: Float64Array, blocks: readonly number[], slackSteps: number): Plan {
  const d = scenario.trace.stepSeconds;
  const maxWait = scenario.slo.maxWaitSeconds;
  const perStep = scenario.workload.unitCapacity * d;
  const { minUnits, maxUnits } = scenario.target;
  const remaining = new Float64Array(arrivals.length);
  let head = 0;
  const counts: number[] = [];

  /** Serves steps [s0, s1) with c workers on a copy; true when nothing is late and the slack holds at s1. */
  const feasible = (s0: number, s1: number, c: number): boolean => {
    const rem = remaining.slice(head, s1);
    for (let t = s0; t < s1; t++) rem[t - head] = arrivals[t];
    let h = 0;
    for (let t = s0; t < s1; t++) {
      let capacity = c * perStep;
      while (capacity > EPS && h <= t - head) {
        const take = Math.min(capacity, rem[h]);
        if (take > EPS && (t - head - h) * d > maxWait) return false;
        rem[h] -= take;
        capacity -= take;
        if (rem[h] <= EPS) h++;
      }
    }
    for (let i = h; i < rem.length; i++) if (rem[i] > EPS && (s1 - (head + i) + slackSteps) * d > maxWait) return false;
    return true;
  };

  /** Serves steps [s0, s1) with c workers for real (as World.serveQueue does). */
  const serve = (s0: number, s1: number, c: number): void => {
    for (let t = s0; t < s1; t++) {
      remaining[t] = arrivals[t];
      let capacity = c * perStep;
      while (capacity > EPS && head <= t) {
        const take = Math.min(capacity, remaining[head]);
        remaining[head] -= take;
        capacity -= take;
        if (remaining[head] <= EPS) {
          remaining[head] = 0;
          head++;
        }
      }
      while (head <= t && remaining[head] <= EPS) head++;
    }
  };

  for (let k = 0; k < blocks.length; k++) {
    const s0 = blocks[k];
    const s1 = k + 1 < blocks.length ? blocks[k + 1] : arrivals.length;
    let lo = minUnits;
    let hi = maxUnits;
    if (!feasible(s0, s1, hi)) lo = hi;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (feasible(s0, s1, mid)) hi = mid;
      else lo = mid + 1;
    }
    counts.push(lo);
    serve(s0, s1, lo);
  }
  return { counts };
}

/** Runs a block plan through the simulator's World: each block's count is asked for one provisioning time ahead. */
function runPlan(scenario: Scenario, trace: Trace, counts: readonly number[], blocks: readonly number[]): World {
  const world = new World(scenario, trace);
  const leadSteps = Math.ceil(scenario.workload.provisioningSeconds / scenario.trace.stepSeconds - EPS);
  const blockOf = new Int32Array(world.steps);
  for (let k = 0; k < blocks.length; k++) blockOf.fill(k, blocks[k]);
  const countAt = (t: number) => counts[blockOf[t]];
  for (let t = 0; t < world.steps; t++) {
    const want = Math.max(countAt(t), t + leadSteps < world.steps ? countAt(t + leadSteps) : 0);
    if (want !== world.desired) world.setDesired(want);
    world.endStep();
  }
  return world;
}

/** The clairvoyant reference of a queue scenario on its trace. */
export function clairvoyantQueue(scenario: Scenario, trace: Trace): ClairvoyantRun {
  if (scenario.workload.kind !== 'queue')
    throw new Error(`the clairvoyant reference is a queue policy; ${scenario.name} is a ${scenario.workload.kind} scenario`);
  const d = scenario.trace.stepSeconds;
  const blockSteps = Math.max(1, Math.ceil(CLAIRVOYANT_BLOCK_SECONDS / d - EPS));
  let best: ClairvoyantRun | undefined;
  for (let phase = 0; phase < blockSteps; phase++) {
    const blocks = blockStarts(trace.arrivals.length, blockSteps, phase);
    for (let slackSteps = 0; slackSteps * d <= scenario.slo.maxWaitSeconds; slackSteps++) {
      const { counts } = plan(scenario, trace.arrivals, blocks, slackSteps);
      const world = runPlan(scenario, trace, counts, blocks);
      const s = score(scenario, {
        arrivals: world.arrivals,
        ready: world.ready,
        billed: world.billed,
        actions: world.actions,
        violatedMessages: world.violatedMessages,
      });
      const run = { world, score: s, slackSeconds: slackSteps * d, phaseSeconds: phase * d };
      if (
        !best ||
        s.violationPct < best.score.violationPct - EPS ||
        (Math.abs(s.violationPct - best.score.violationPct) <= EPS && s.unitHours < best.score.unitHours)
      )
        best = run;
    }
  }
  if (!best) throw new Error(`${scenario.name}: maxWaitSeconds must be at least 0`);
  return best;
}
