/**
 * The daily recommender's work for one batch of targets: each target's last RECOMMENDER_DAYS days of
 * load from CloudWatch (lambdas/control/load-history.ts), replayed exactly as `npx autoscaler recommend
 * TARGET --days N` replays them (sim/recommend.ts), and the latest recommendation written to the state
 * table with what the change costs a month, in dollars where the target's `unitPrice` gives a price.
 *
 * The one function that runs the simulator: the replay is the product (.dependency-cruiser.cjs lets
 * this directory, and only it, import sim/).
 */

import { judgeTrace, type Recommendation, type Replay, recommend } from '../../sim/recommend';
import type { SendClient } from '../adapters/types';
import { type HistoryTarget, type LoadHistory, readLoadHistory } from '../control/load-history';
import type { AutoscalerConfig } from '../shared/config';
import { pricePerUnitHour } from '../shared/prices';
import { recommendedTargets } from '../shared/recommendations';
import type { StateStore, StoredRecommendation, StoredReplay } from '../state/store';

/** Days of history each run replays: two weeks hold two weekly cycles, within the 15 days CloudWatch keeps at one minute. */
export const RECOMMENDER_DAYS = 14;

export interface RecommenderDeps {
  readonly config: AutoscalerConfig;
  readonly cloudWatch: SendClient;
  readonly store: StateStore;
  readonly now: () => number;
  /** Days of history replayed. @default RECOMMENDER_DAYS */
  readonly days?: number;
}

/** What one batch did: the targets recommended, and those whose history could not be read (recorded as such). */
export interface BatchResult {
  readonly recommended: readonly string[];
  readonly failed: readonly { readonly targetId: string; readonly error: string }[];
}

const replayOf = (r: Replay): StoredReplay => ({ settings: { ...r.settings }, figures: { ...r.figures } });

/** What the change costs a month: unit-hours recommended minus current, and dollars when the unit's price is known. */
export function monthlyCost(target: HistoryTarget, current: Replay, recommended: Replay): NonNullable<StoredRecommendation['monthly']> {
  const unitHours = Math.round(recommended.figures.unitHoursPerMonth - current.figures.unitHoursPerMonth);
  const price = pricePerUnitHour(target.unitPrice);
  if (!price) {
    return {
      unitHours,
      noPrice:
        target.unitPrice === undefined
          ? 'no unitPrice in the config: give dollars an hour, an instance type or a Fargate task size'
          : 'the instance type has no price in the table',
    };
  }
  return { unitHours, dollars: Math.round(unitHours * price.perUnitHour * 100) / 100, price };
}

/** The record of one target's recommendation, as the state table keeps it. */
export function storedRecommendation(target: HistoryTarget, r: Recommendation, history: LoadHistory, computedAt: number): StoredRecommendation {
  return {
    targetId: target.id,
    kind: target.kind,
    computedAt,
    trace: { from: history.from, to: history.to, steps: r.trace.steps, stepSeconds: r.trace.stepSeconds, source: history.source },
    verdict: r.verdict,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.current ? { current: replayOf(r.current) } : {}),
    ...(r.recommended ? { recommended: replayOf(r.recommended) } : {}),
    ...(r.current && r.recommended ? { monthly: monthlyCost(target, r.current, r.recommended) } : {}),
    ...(r.notes.length ? { notes: [...r.notes] } : {}),
  };
}

/**
 * Recommends for the targets at `indices` of recommendedTargets(config) (what the state machine fans
 * out), one after the other. A target whose history cannot be read is recorded as `cannot-judge` with
 * the error, and the batch goes on.
 */
export async function recommendBatch(indices: readonly number[], deps: RecommenderDeps): Promise<BatchResult> {
  const targets = recommendedTargets(deps.config);
  const days = deps.days ?? RECOMMENDER_DAYS;
  const recommended: string[] = [];
  const failed: { targetId: string; error: string }[] = [];
  for (const i of indices) {
    const target = targets[i];
    if (!target)
      throw new Error(`target index ${i} is outside the ${targets.length} targets the recommender replays: the state machine and the bundled config disagree`);
    const computedAt = deps.now();
    let record: StoredRecommendation;
    try {
      const history = await readLoadHistory(deps.cloudWatch, target, days, computedAt);
      const result = await recommend({ target, replay: judgeTrace(history.source, history) });
      record = storedRecommendation(target, result, history, computedAt);
      recommended.push(target.id);
    } catch (err) {
      const error = `${(err as Error).name}: ${(err as Error).message}`;
      failed.push({ targetId: target.id, error });
      const to = Math.floor(computedAt / 60_000) * 60_000;
      record = {
        targetId: target.id,
        kind: target.kind,
        computedAt,
        trace: { from: to - days * 86_400_000, to, steps: 0, stepSeconds: 60, source: 'CloudWatch' },
        verdict: 'cannot-judge',
        reason: `the history could not be read or replayed: ${error}`,
      };
    }
    await deps.store.putRecommendation(record);
  }
  return { recommended, failed };
}
