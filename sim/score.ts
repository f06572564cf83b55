/**
 * The scores of `/scenarios/README.md`, per policy. For step t of length d: arrivals a_t, demand
 * rate l_t = a_t / d, ready r_t, billed b_t.
 */
import type { CacheWorld } from './data/cache-world';
import { databaseIdeal } from './data/database-ideal';
import type { DatabaseWorld } from './data/database-world';
import type { Scenario } from './scenario-model';
import { type Action, World } from './world';

export interface Score {
  /** Web: share of requests above maxUtilization of ready capacity; queue: share of messages that waited too long. Percent. */
  readonly violationPct: number;
  /** sum(b_t) / sum(i_t); null when the ideal is zero throughout. */
  readonly costRatio: number | null;
  readonly unitHours: number;
  readonly actions: number;
  readonly actionsPerHour: number;
  /** Actions opposite to the previous one within 600 s of it. */
  readonly reversals: number;
  readonly peakUnits: number;
}

export const REVERSAL_WINDOW_SECONDS = 600;

export interface ScoreInput {
  readonly arrivals: ArrayLike<number>;
  readonly ready: ArrayLike<number>;
  readonly billed: ArrayLike<number>;
  readonly actions: readonly Action[];
  /** Queue: messages that waited longer than maxWaitSeconds, those still queued at the end included. */
  readonly violatedMessages?: number;
  /** Database: queries above maxUtilization of an instance; cache: keys evicted before their TTL (sim/data/README.md). */
  readonly violated?: number;
  /** The ideal per step when the arrivals alone do not give it (cache: it depends on the keys alive). */
  readonly ideal?: ArrayLike<number>;
}

/** The ideal units of one step: i_t (web, queue, database; a cache's depends on its memory: CacheWorld.ideal). */
export function idealUnits(scenario: Scenario, arrivals: number): number {
  if (scenario.workload.kind === 'database') return databaseIdeal(scenario, arrivals);
  if (scenario.workload.kind === 'cache') throw new Error('the ideal of a cache step depends on its memory, not its arrivals alone');
  const l = arrivals / scenario.trace.stepSeconds;
  const per = scenario.workload.kind === 'web' ? scenario.workload.unitCapacity * (scenario.target.targetUtilization / 100) : scenario.workload.unitCapacity;
  const i = Math.ceil(l / per - 1e-9);
  return Math.min(scenario.target.maxUnits, Math.max(scenario.target.minUnits, i));
}

export function score(scenario: Scenario, input: ScoreInput): Score {
  const d = scenario.trace.stepSeconds;
  const n = input.arrivals.length;
  const cap = scenario.workload.unitCapacity;
  let sumA = 0,
    sumB = 0,
    sumI = 0,
    excess = 0,
    peak = 0;
  for (let t = 0; t < n; t++) {
    const a = input.arrivals[t];
    const b = input.billed[t];
    sumA += a;
    sumB += b;
    sumI += input.ideal ? input.ideal[t] : idealUnits(scenario, a);
    if (b > peak) peak = b;
    if (scenario.workload.kind === 'web') {
      const over = a / d - scenario.slo.maxUtilization * input.ready[t] * cap;
      if (over > 0) excess += over * d;
    }
  }
  const kind = scenario.workload.kind;
  const violated = kind === 'web' ? excess : kind === 'queue' ? (input.violatedMessages ?? 0) : (input.violated ?? 0);
  let reversals = 0;
  for (let i = 1; i < input.actions.length; i++) {
    const prev = input.actions[i - 1],
      cur = input.actions[i];
    const opposite = Math.sign(cur.to - cur.from) === -Math.sign(prev.to - prev.from);
    if (opposite && cur.at - prev.at <= REVERSAL_WINDOW_SECONDS) reversals++;
  }
  const hours = (n * d) / 3600;
  return {
    violationPct: sumA > 0 ? (100 * violated) / sumA : 0,
    costRatio: sumI > 0 ? sumB / sumI : null,
    unitHours: (sumB * d) / 3600,
    actions: input.actions.length,
    actionsPerHour: hours > 0 ? input.actions.length / hours : 0,
    reversals,
    peakUnits: peak,
  };
}

/** The scores of one policy's run, from its world. */
export function scoreWorld(scenario: Scenario, world: World | DatabaseWorld | CacheWorld): Score {
  return score(scenario, {
    arrivals: world.arrivals,
    ready: world.ready,
    billed: world.billed,
    actions: world.actions,
    ...(world instanceof World ? { violatedMessages: world.violatedMessages } : { violated: world.violated }),
    ...(world.kind === 'cache' ? { ideal: world.ideal } : {}),
  });
}
