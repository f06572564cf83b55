/**
 * What the deciding functions saw: each target's figures at its last decision (the values it
 * observed, such as CPU, backlog, replica lag) and those of its recent decisions, from the state table
 * and its audit log. Nothing here reads CloudWatch: these are the numbers the decisions were made on.
 */
import type { AutoscalerConfig, TargetConfig } from '../shared/config';
import type { Outcome, StateStore } from '../state/store';
import { type HistoryCursor, historyPage } from './history';

/** One decision's numbers. */
export interface DecisionFigures {
  readonly at: string;
  readonly outcome: Outcome;
  readonly previous: number;
  readonly desired: number;
  readonly figures: Readonly<Record<string, number>>;
}

export interface TargetMetrics {
  readonly id: string;
  readonly kind: string;
  /** The last decision's figures: the current values as the target's function last observed them. */
  readonly current?: DecisionFigures;
  /** The recent decisions' figures, newest first. */
  readonly recent: DecisionFigures[];
}

/** Pages of the audit log read at most for one target's recent decisions (control actions between them are skipped). */
const MAX_PAGES = 5;

/** The target's figures now and at its last `recent` decisions (from the audit log, within its retention). */
export async function targetMetrics(config: AutoscalerConfig, store: StateStore, target: TargetConfig, now: number, recent: number): Promise<TargetMetrics> {
  const figures = (e: { at: number; outcome: Outcome; previous: number; desired: number; figures?: Readonly<Record<string, number>> }): DecisionFigures => ({
    at: new Date(e.at).toISOString(),
    outcome: e.outcome,
    previous: e.previous,
    desired: e.desired,
    figures: e.figures ?? {},
  });
  const record = await store.getTarget(target.id);
  const decisions: DecisionFigures[] = [];
  let after: HistoryCursor | undefined;
  for (let page = 0; page < MAX_PAGES && decisions.length < recent; page++) {
    const { entries, next } = await historyPage(config, store, { targetId: target.id, from: 0, to: now, limit: recent, after });
    for (const e of entries)
      if (e.outcome !== 'control' && e.previous !== undefined && e.desired !== undefined && decisions.length < recent)
        decisions.push(figures({ ...e, outcome: e.outcome, previous: e.previous, desired: e.desired }));
    if (!next) break;
    after = next;
  }
  const last = record?.lastDecision;
  return { id: target.id, kind: target.kind, ...(last ? { current: figures(last) } : {}), recent: decisions };
}
