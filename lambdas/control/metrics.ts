/**
 * What the deciding functions saw: each target's figures at its last decision (the values it
 * observed, such as CPU, backlog, replica lag) and those of its recent decisions, from the state table
 * and its audit log. Nothing here reads CloudWatch: these are the numbers the decisions were made on.
 */
import type { TargetConfig } from '../shared/config';
import type { Outcome, StateStore } from '../state/store';

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

/** The target's figures now and at its last `recent` decisions (from the audit log, within its retention). */
export async function targetMetrics(store: StateStore, target: TargetConfig, now: number, recent: number): Promise<TargetMetrics> {
  const [record, audit] = await Promise.all([store.getTarget(target.id), store.listAudit(target.id, 0, now, recent)]);
  const last = record?.lastDecision;
  const figures = (e: { at: number; outcome: Outcome; previous: number; desired: number; figures?: Readonly<Record<string, number>> }) => ({
    at: new Date(e.at).toISOString(),
    outcome: e.outcome,
    previous: e.previous,
    desired: e.desired,
    figures: e.figures ?? {},
  });
  return {
    id: target.id,
    kind: target.kind,
    ...(last ? { current: figures(last) } : {}),
    recent: audit.flatMap((e) =>
      e.outcome === 'control' || e.previous === undefined || e.desired === undefined
        ? []
        : [figures({ ...e, outcome: e.outcome, previous: e.previous, desired: e.desired })],
    ),
  };
}
