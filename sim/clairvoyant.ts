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

import { scoreWorld } from './runner';
import type { Scenario } from './scenario';
import type { Score } from './score';
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

/** The first step of each block: a first block of `phase` steps (none when 0), then blocks of `blockSteps`. */
function blockStarts(steps: number, blockSteps: number, phase: number): number[] {
  const starts = phase > 0 ? [0] : [];
  for (let s = phase; s < steps; s += blockSteps) starts.push(s);
  return starts;
}

/**
 * Serves steps [s0, s1) with `perStep` messages of work a step, FIFO as World.serveQueue does: `queue[i]`
 * holds what is left of the arrivals of step `base + i`, `head` is the oldest index with any left. Returns
 * the new head and whether a message was taken after waiting more than `maxWait` seconds.
 */
function serveFifo(
  queue: Float64Array,
  base: number,
  head: number,
  arrivals: Float64Array,
  [s0, s1]: readonly [number, number],
  perStep: number,
  { stepSeconds, maxWait }: { readonly stepSeconds: number; readonly maxWait: number },
): { head: number; late: boolean } {
  let late = false;
  for (let t = s0; t < s1; t++) {
    queue[t - base] = arrivals[t];
    let capacity = perStep;
    while (capacity > EPS && head <= t - base) {
      const take = Math.min(capacity, queue[head]);
      if (take > EPS && (t - base - head) * stepSeconds > maxWait) late = true;
      queue[head] -= take;
      capacity -= take;
      if (queue[head] <= EPS) {
        queue[head] = 0;
        head++;
      }
    }
  }
  return { head, late };
}

/** The fewest ready workers per block that keep the FIFO queue on time with `slackSteps` of margin. */
function plan(scenario: Scenario, arrivals: Float64Array, blocks: readonly number[], slackSteps: number): number[] {
  const timing = { stepSeconds: scenario.trace.stepSeconds, maxWait: scenario.slo.maxWaitSeconds };
  const perWorker = scenario.workload.unitCapacity * timing.stepSeconds;
  const { minUnits, maxUnits } = scenario.target;
  const remaining = new Float64Array(arrivals.length);
  let head = 0;
  const counts: number[] = [];

  /** Serves the block with c workers on a copy; true when nothing is late and the slack holds at its end. */
  const feasible = (block: readonly [number, number], c: number): boolean => {
    const copy = remaining.slice(head, block[1]);
    const served = serveFifo(copy, head, 0, arrivals, block, c * perWorker, timing);
    if (served.late) return false;
    for (let i = served.head; i < copy.length; i++) {
      if (copy[i] > EPS && (block[1] - (head + i) + slackSteps) * timing.stepSeconds > timing.maxWait) return false;
    }
    return true;
  };

  for (let k = 0; k < blocks.length; k++) {
    const block = [blocks[k], k + 1 < blocks.length ? blocks[k + 1] : arrivals.length] as const;
    let lo = minUnits;
    let hi = maxUnits;
    if (!feasible(block, hi)) lo = hi;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (feasible(block, mid)) hi = mid;
      else lo = mid + 1;
    }
    counts.push(lo);
    head = serveFifo(remaining, 0, head, arrivals, block, lo * perWorker, timing).head;
  }
  return counts;
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
      const counts = plan(scenario, trace.arrivals, blocks, slackSteps);
      const world = runPlan(scenario, trace, counts, blocks);
      const s = scoreWorld(scenario, world);
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
