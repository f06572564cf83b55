import { type Candidate, choose, type Figures } from '../../sim/recommend-choice';

const BASE: Figures = { violationPct: 0.5, costRatio: 1.3, actionsPerHour: 4, reversalsPerDay: 10, unitHoursPerMonth: 20_000 };

function candidate(name: string, over: Partial<Figures> = {}): Candidate<string> {
  return { settings: name, figures: { ...BASE, ...over } };
}

describe('choose', () => {
  const current = candidate('current');

  test('the cheapest candidate no worse in violation is proposed', () => {
    const a = candidate('a', { costRatio: 1.2 });
    const b = candidate('b', { costRatio: 1.1, violationPct: 0.4 });
    const c = candidate('c', { costRatio: 1.15 });
    const choice = choose(current, [current, a, b, c]);
    expect(choice).toEqual({ verdict: 'change', current, best: b });
  });

  test('a cheaper candidate with more violations is never proposed', () => {
    const cheaperWorse = candidate('cheaper-worse', { costRatio: 0.9, violationPct: 0.51 });
    expect(choose(current, [current, cheaperWorse])).toEqual({ verdict: 'keep', current });
  });

  test('a candidate with fewer violations but a higher cost is never proposed', () => {
    const safer = candidate('safer', { costRatio: 1.31, violationPct: 0 });
    expect(choose(current, [current, safer])).toEqual({ verdict: 'keep', current });
  });

  test('of equal cost, fewer reversals a day wins; then a lower violation %', () => {
    const calmer = candidate('calmer', { reversalsPerDay: 4 });
    const calmest = candidate('calmest', { reversalsPerDay: 2, violationPct: 0.5 });
    const safer = candidate('safer', { violationPct: 0.1 });
    expect(choose(current, [current, safer, calmer, calmest])).toMatchObject({ verdict: 'change', best: calmest });
    expect(choose(current, [current, safer])).toMatchObject({ verdict: 'change', best: safer });
  });

  test('a cheaper candidate that reverses itself more often a day is never proposed', () => {
    const flapping = candidate('flapping', { costRatio: 1.1, violationPct: 0.4, reversalsPerDay: 10.1 });
    expect(choose(current, [current, flapping])).toEqual({ verdict: 'keep', current });
  });

  test('lower cost outranks fewer reversals', () => {
    const calm = candidate('calm', { reversalsPerDay: 0 });
    const cheap = candidate('cheap', { costRatio: 1.25, reversalsPerDay: 9 });
    expect(choose(current, [current, calm, cheap])).toMatchObject({ verdict: 'change', best: cheap });
  });

  test('figures are compared as printed: a difference the table does not show neither blocks nor earns a change', () => {
    // 1.2996 prints as 1.300: not cheaper; 0.504 prints as 0.50 and 10.04 as 10.0: no worse.
    const invisiblyCheaper = candidate('invisibly-cheaper', { costRatio: 1.2996, reversalsPerDay: 10.04 });
    expect(choose(current, [current, invisiblyCheaper])).toEqual({ verdict: 'keep', current });
    const invisiblyWorse = candidate('invisibly-worse', { costRatio: 1.2, violationPct: 0.504, reversalsPerDay: 10.04 });
    expect(choose(current, [current, invisiblyWorse])).toMatchObject({ verdict: 'change', best: invisiblyWorse });
  });

  test('more actions an hour alone do not block a cheaper candidate', () => {
    const busier = candidate('busier', { costRatio: 1.2, actionsPerHour: 9 });
    expect(choose(current, [current, busier])).toMatchObject({ verdict: 'change', best: busier });
  });

  test('of equal gain, the earlier candidate wins', () => {
    const first = candidate('first', { costRatio: 1.2 });
    const second = candidate('second', { costRatio: 1.2 });
    expect(choose(current, [current, first, second])).toMatchObject({ best: first });
  });

  test('without a cost ratio (an ideal of zero), unit-hours a month decide', () => {
    const idle = candidate('current', { costRatio: null, unitHoursPerMonth: 100 });
    const fewer = candidate('fewer', { costRatio: null, unitHoursPerMonth: 40 });
    const more = candidate('more', { costRatio: null, unitHoursPerMonth: 140, reversalsPerDay: 0 });
    expect(choose(idle, [idle, more, fewer])).toMatchObject({ verdict: 'change', best: fewer });
  });

  test('no candidate but the current settings: keep', () => {
    expect(choose(current, [current])).toEqual({ verdict: 'keep', current });
  });
});
