/**
 * The step policy's decision engine: pure, no I/O, no clock.
 *
 * A step policy is a list of rules, each a signal, a comparison with a threshold held for M of the
 * last N datapoints (an "M of N" CloudWatch alarm), and a change of the desired count: +N, -N, a
 * percentage with a least magnitude, or an absolute count. `sustained` tells whether a rule holds on a
 * series of datapoints; `decideStep` turns the rules that hold into at most one change:
 *
 * - bounds first: a count outside minCapacity-maxCapacity (a window opened, someone set it by hand)
 *   comes back inside, and nothing else happens in that evaluation;
 * - the largest capacity wins (EC2 Auto Scaling's rule when several policies fire at once): any up rule
 *   that holds wins over every down rule, even while it waits out its cooldown, and of several rules
 *   of one direction the one that leaves the most units acts;
 * - one step per evaluation: exactly one rule's change is applied, clamped to the bounds;
 * - cooldowns per direction: an up rule waits its `cooldownSeconds` after the last scale-out; a down
 *   rule waits its `cooldownSeconds` after the last change of either direction (scale-in is slower
 *   than scale-out);
 * - the dead band: when no rule holds, the count is left as it is;
 * - late or missing metrics (`blind`): no scale-in; up rules still act on what can be read;
 * - a floor (workers that hold messages): a scale-in goes no lower.
 */
import type { Datapoint } from './capacity';

export type StepDirection = 'up' | 'down';
export type StepComparison = '>' | '>=' | '<' | '<=';

/** +N or -N units; a percentage of the current count (at least `minMagnitude` units); or N units. */
export type StepChange = { readonly add: number } | { readonly percent: number; readonly minMagnitude?: number } | { readonly set: number };

export interface StepRule {
  /** The signal the rule reads (a built-in signal of the target's kind). */
  readonly signal: string;
  readonly direction: StepDirection;
  readonly comparison: StepComparison;
  readonly threshold: number;
  /** M: datapoints of the last N that must breach. */
  readonly datapointsToAlarm: number;
  /** N: the datapoints looked at. */
  readonly evaluationPeriods: number;
  /** Length of one datapoint's period, seconds. */
  readonly periodSeconds: number;
  readonly change: StepChange;
  /** After a change of this rule's direction (down: of either direction), the rule waits this long. */
  readonly cooldownSeconds: number;
}

export interface StepPolicy {
  /** Bounds in force now (the active capacity window's, if any). */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly rules: readonly StepRule[];
}

/** One rule read on its datapoints. */
export interface RuleReading {
  /** M of N held. */
  readonly breaching: boolean;
  /** Breaching datapoints among those looked at. */
  readonly breached: number;
  /** Datapoints looked at (at most N). */
  readonly of: number;
  /** The newest datapoint's value; unset: none. */
  readonly newest?: number;
}

/** What the engine keeps between evaluations of one target. */
export interface StepMemory {
  readonly lastScaleOutAt?: number;
  readonly lastScaleInAt?: number;
}

export interface StepInput {
  readonly policy: StepPolicy;
  /** The desired count now. */
  readonly desired: number;
  /** Each rule read on its datapoints, in the policy's order (see `sustained`). */
  readonly readings: readonly RuleReading[];
  readonly memory: StepMemory;
  /** Epoch milliseconds. */
  readonly now: number;
  /** The metrics are stalled or missing: nothing says what the load is now, so no scale-in. @default false */
  readonly blind?: boolean;
  /** A scale-in goes no lower than this, for the reason given (workers holding messages). @default none */
  readonly floor?: { readonly units: number; readonly why: string };
}

export type StepHold = 'bounds' | 'cooldown' | 'dead-band' | 'late-metrics' | 'floor' | 'limit';

export interface StepDecision {
  readonly previous: number;
  readonly desired: number;
  readonly direction: 'out' | 'in' | 'none';
  /** The index of the rule whose change was applied. */
  readonly rule?: number;
  /** What held a change back, or why there was none. */
  readonly heldBy?: StepHold;
  /** One sentence with the numbers behind the decision. */
  readonly reason: string;
  readonly figures: Readonly<Record<string, number>>;
}

export function breaches(comparison: StepComparison, value: number, threshold: number): boolean {
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

/**
 * Whether a rule holds on a series (oldest first, one datapoint per period): at least M of the newest
 * N datapoints breach. As a CloudWatch alarm whose missing datapoints are left out (treatMissingData
 * `missing`), it looks at the newest N datapoints there are; how late they are is the staleness
 * check's to judge (lambdas/engine/staleness.ts).
 */
export function sustained(
  points: readonly Datapoint[],
  rule: Pick<StepRule, 'comparison' | 'threshold' | 'datapointsToAlarm' | 'evaluationPeriods'>,
): RuleReading {
  const window = points.slice(-rule.evaluationPeriods);
  const breached = window.filter((p) => breaches(rule.comparison, p.value, rule.threshold)).length;
  const newest = window.length ? window[window.length - 1].value : undefined;
  return { breaching: breached >= rule.datapointsToAlarm, breached, of: window.length, ...(newest !== undefined ? { newest } : {}) };
}

/**
 * Samples taken at any time (a poller's), as one datapoint per period: the highest sample of each
 * period (CloudWatch's `Maximum`), oldest first.
 */
export function perPeriod(samples: readonly Datapoint[], periodSeconds: number): Datapoint[] {
  const p = periodSeconds * 1000;
  const byPeriod = new Map<number, number>();
  for (const s of samples) {
    const at = Math.floor(s.at / p) * p;
    byPeriod.set(at, Math.max(byPeriod.get(at) ?? -Infinity, s.value));
  }
  return [...byPeriod.entries()].sort((a, b) => a[0] - b[0]).map(([at, value]) => ({ at, value }));
}

/** The count a rule's change asks for from `previous`, before the bounds. Up rules never lower it, down rules never raise it. */
export function applyChange(rule: Pick<StepRule, 'direction' | 'change'>, previous: number): number {
  const c = rule.change;
  const sign = rule.direction === 'up' ? 1 : -1;
  if ('set' in c) return rule.direction === 'up' ? Math.max(previous, c.set) : Math.min(previous, c.set);
  if ('add' in c) return previous + sign * Math.abs(c.add);
  // A share of the current count, at least one unit and at least minMagnitude; fractions round down.
  const exact = (previous * Math.abs(c.percent)) / 100;
  const magnitude = Math.max(exact < 1 ? 1 : Math.floor(exact), c.minMagnitude ?? 1);
  return previous + sign * magnitude;
}

export function describeRule(rule: StepRule): string {
  const c = rule.change;
  const change =
    'set' in c
      ? `set to ${c.set}`
      : 'add' in c
        ? `${rule.direction === 'up' ? '+' : '-'}${Math.abs(c.add)}`
        : `${rule.direction === 'up' ? '+' : '-'}${Math.abs(c.percent)}%${c.minMagnitude !== undefined ? ` (at least ${c.minMagnitude})` : ''}`;
  return `${rule.signal} ${rule.comparison} ${rule.threshold} for ${rule.datapointsToAlarm} of ${rule.evaluationPeriods} x ${rule.periodSeconds} s: ${change}`;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function decideStep(input: StepInput): { decision: StepDecision; memory: StepMemory } {
  const { policy, desired: previous, readings, memory, now } = input;
  const { minCapacity: min, maxCapacity: max } = policy;
  const figures: Record<string, number> = { previous };
  const read = policy.rules.map((rule, i) => ({ rule, i, reading: readings[i] }));
  read.forEach(({ i, reading }) => {
    if (reading?.newest !== undefined) figures[`rule${i}`] = reading.newest;
  });
  const holding = read.filter((r) => r.reading?.breaching);
  const text = holding.length
    ? holding
        .map(({ rule, i, reading }) => `rule ${i} (${describeRule(rule)}) holds: ${reading!.breached} of ${reading!.of}, newest ${fmt(reading!.newest ?? 0)}`)
        .join('; ')
    : 'no rule holds';
  const result = (desired: number, reason: string, heldBy?: StepHold, rule?: number) => {
    const direction = desired > previous ? 'out' : desired < previous ? 'in' : 'none';
    const next: StepMemory = {
      ...memory,
      ...(direction === 'out' ? { lastScaleOutAt: now } : {}),
      ...(direction === 'in' ? { lastScaleInAt: now } : {}),
    };
    return {
      decision: {
        previous,
        desired,
        direction,
        ...(rule !== undefined ? { rule } : {}),
        ...(heldBy ? { heldBy } : {}),
        reason,
        figures: { ...figures, desired },
      },
      memory: next,
    } as const;
  };

  if (previous < min || previous > max) {
    const d = Math.min(max, Math.max(min, previous));
    return result(d, `desired ${previous} is outside ${min}-${max}; set to ${d}`, 'bounds');
  }
  const bounded = (n: number) => Math.min(max, Math.max(min, n));
  const since = (at: number | undefined) => (at === undefined ? Infinity : (now - at) / 1000);
  const sinceOut = since(memory.lastScaleOutAt);
  const sinceAny = Math.min(sinceOut, since(memory.lastScaleInAt));

  const ups = holding.filter((r) => r.rule.direction === 'up');
  if (ups.length) {
    const ready = ups.filter((r) => sinceOut >= r.rule.cooldownSeconds);
    if (!ready.length) {
      const left = Math.min(...ups.map((r) => r.rule.cooldownSeconds - sinceOut));
      return result(previous, `${text}; scale-out cooldown, ${Math.ceil(left)} s left`, 'cooldown');
    }
    const best = ready.reduce((a, b) => (bounded(applyChange(b.rule, previous)) > bounded(applyChange(a.rule, previous)) ? b : a));
    const wanted = applyChange(best.rule, previous);
    const d = bounded(wanted);
    if (d === previous) return result(previous, `${text}; already at maxCapacity ${max}`, 'limit');
    return result(d, `${text}; rule ${best.i}: ${previous} -> ${d}${d < wanted ? ` (maxCapacity ${max})` : ''}`, undefined, best.i);
  }
  const downs = holding.filter((r) => r.rule.direction === 'down');
  if (!downs.length) return result(previous, `${text}; ${previous} unchanged`, 'dead-band');
  if (input.blind) return result(previous, `${text}; no scale-in while metrics are stalled or missing, ${previous} kept`, 'late-metrics');
  const ready = downs.filter((r) => sinceAny >= r.rule.cooldownSeconds);
  if (!ready.length) {
    const left = Math.min(...downs.map((r) => r.rule.cooldownSeconds - sinceAny));
    return result(previous, `${text}; scale-in cooldown, ${Math.ceil(left)} s left`, 'cooldown');
  }
  // Of several down rules, the one that leaves the most units (the largest capacity wins).
  const best = ready.reduce((a, b) => (bounded(applyChange(b.rule, previous)) > bounded(applyChange(a.rule, previous)) ? b : a));
  const wanted = applyChange(best.rule, previous);
  let d = bounded(wanted);
  let note = d > wanted ? ` (minCapacity ${min})` : '';
  const floor = input.floor;
  const floored = floor !== undefined && d < floor.units;
  if (floored) {
    figures.floor = floor.units;
    d = Math.min(previous, floor.units);
    note = ` (no lower than ${floor.units}: ${floor.why})`;
  }
  if (d === previous) return result(previous, `${text}; ${previous} kept${note || ` (minCapacity ${min})`}`, floored ? 'floor' : 'limit');
  return result(d, `${text}; rule ${best.i}: ${previous} -> ${d}${note}`, undefined, best.i);
}
