/**
 * Which replayed settings `recommend` proposes: pure, over the figures of each replay (sim/recommend.ts
 * runs them). A candidate qualifies when its violation %, its cost and its reversals a day are no worse
 * than the current settings'; of those, the one that improves most wins: lower cost first, then fewer
 * reversals a day, then a lower violation %. None that improves: the current settings are best.
 *
 * Reversals bound the choice too, not only order it: on the bundled traces the cheapest candidate no
 * worse in violation shortened the scale-in stabilization or the idle time and undid its own scale-outs
 * four to eighteen times as often a day, the flapping the defaults were chosen to end.
 *
 * Figures are compared as they are printed (`PRECISION`), so a change is never proposed for a
 * difference the operator cannot see in the table.
 */
/** What one replay of the trace predicts for a month like it. */
export interface Figures {
  /** Web: share of requests above the SLO's utilization of ready capacity; queue: share of messages that waited too long. Percent. */
  readonly violationPct: number;
  /** Billed unit-hours over the ideal's (scenarios/README.md, `costRatio`); null when the ideal is zero throughout. */
  readonly costRatio: number | null;
  readonly actionsPerHour: number;
  /** Actions opposite to the previous one within 600 s of it, per day of trace. */
  readonly reversalsPerDay: number;
  /** Billed unit-hours scaled to a month of 730 hours. */
  readonly unitHoursPerMonth: number;
}

/** Decimal places each figure is printed and compared with. */
export const PRECISION: Readonly<Record<keyof Figures, number>> = {
  violationPct: 2,
  costRatio: 3,
  actionsPerHour: 2,
  reversalsPerDay: 1,
  unitHoursPerMonth: 0,
};

export interface Candidate<S> {
  readonly settings: S;
  readonly figures: Figures;
}

/** `change`: `best` is no worse than `current` in violation, cost and reversals, and better in one of them. */
export type Choice<S> =
  | { readonly verdict: 'change'; readonly current: Candidate<S>; readonly best: Candidate<S> }
  | { readonly verdict: 'keep'; readonly current: Candidate<S> };

/** A figure as printed. */
export function rounded(figures: Figures, key: keyof Figures): number {
  const value = figures[key];
  if (value === null) return Number.NaN;
  const f = 10 ** PRECISION[key];
  return Math.round(value * f) / f;
}

/**
 * Cost of `a` against `b`: negative when cheaper. By cost ratio; by unit-hours when either has no
 * ratio (an ideal of zero throughout). The ideal is the same for every replay of one trace, so the two
 * order the candidates alike.
 */
function compareCost(a: Figures, b: Figures): number {
  if (a.costRatio === null || b.costRatio === null) return rounded(a, 'unitHoursPerMonth') - rounded(b, 'unitHoursPerMonth');
  return rounded(a, 'costRatio') - rounded(b, 'costRatio');
}

/** Negative when `a` improves more than `b`: lower cost, then fewer reversals a day, then a lower violation %. */
function compareGain(a: Figures, b: Figures): number {
  return compareCost(a, b) || rounded(a, 'reversalsPerDay') - rounded(b, 'reversalsPerDay') || rounded(a, 'violationPct') - rounded(b, 'violationPct');
}

/**
 * The candidate to propose over `current`, or `keep`. Of equal gain, the earlier candidate wins (the
 * grid lists the settings nearest the current ones first).
 */
export function choose<S>(current: Candidate<S>, candidates: readonly Candidate<S>[]): Choice<S> {
  let best: Candidate<S> | undefined;
  for (const c of candidates) {
    if (c === current) continue;
    const noWorse =
      rounded(c.figures, 'violationPct') <= rounded(current.figures, 'violationPct') &&
      compareCost(c.figures, current.figures) <= 0 &&
      rounded(c.figures, 'reversalsPerDay') <= rounded(current.figures, 'reversalsPerDay');
    if (!noWorse || compareGain(c.figures, current.figures) >= 0) continue;
    if (!best || compareGain(c.figures, best.figures) < 0) best = c;
  }
  return best ? { verdict: 'change', current, best } : { verdict: 'keep', current };
}
