import { decisionNotification, metricsNotification } from '../../../lambdas/shared/notifications';
import type { DecisionSummary } from '../../../lambdas/state/store';

const AT = Date.UTC(2026, 0, 5, 10, 5, 0);
function decision(extra: Partial<DecisionSummary>): DecisionSummary {
  return { at: AT, previous: 4, desired: 6, direction: 'out', reason: 'CPU 91.0%; 4 -> 6', figures: { cpu: 91 }, outcome: 'applied', ...extra };
}
const base = { prefix: 'shop', targetId: 'web', kind: 'asg', eventId: 'alarm:e-1' };

test.each([
  [{ outcome: 'applied' }, '[shop] web: scaled out 4 -> 6'],
  [{ outcome: 'applied', previous: 6, desired: 4, direction: 'in' }, '[shop] web: scaled in 6 -> 4'],
  [{ outcome: 'dry-run' }, '[shop] web: dry-run, would scale out 4 -> 6'],
  [{ outcome: 'paused', previous: 6, desired: 4, direction: 'in' }, '[shop] web: paused, wanted to scale in 6 -> 4'],
  [{ outcome: 'failed' }, '[shop] web: FAILED to scale out 4 -> 6'],
] as const)('%o reads "%s"', (extra, subject) => {
  expect(decisionNotification({ ...base, decision: decision(extra as Partial<DecisionSummary>) })?.subject).toBe(subject);
});

test('the body carries the decision with its numbers, the time in ISO and the event id', () => {
  expect(decisionNotification({ ...base, decision: decision({}) })?.body).toEqual({
    prefix: 'shop',
    targetId: 'web',
    kind: 'asg',
    outcome: 'applied',
    previous: 4,
    desired: 6,
    direction: 'out',
    reason: 'CPU 91.0%; 4 -> 6',
    figures: { cpu: 91 },
    at: '2026-01-05T10:05:00.000Z',
    eventId: 'alarm:e-1',
  });
});

test('a held decision (nothing to change) is not worth a notification', () => {
  expect(decisionNotification({ ...base, decision: decision({ outcome: 'held', desired: 4, direction: 'none' }) })).toBeUndefined();
});

describe('metrics late, missing, back', () => {
  const since = AT - 12 * 60_000;
  const common = { prefix: 'shop', targetId: 'web', kind: 'asg', since, reason: 'r' };

  test('entering: how late, and what the target does meanwhile', () => {
    const n = metricsNotification({ ...common, change: 'late', ageSeconds: 300.4, at: since, meanwhile: 'no scale-in; fallback hold' });
    expect(n.subject).toBe('[shop] web: metrics late (newest datapoint 300 s old); no scale-in; fallback hold');
    expect(n.body).toEqual({
      prefix: 'shop',
      targetId: 'web',
      kind: 'asg',
      metrics: 'late',
      ageSeconds: 300,
      since: '2026-01-05T09:53:00.000Z',
      at: '2026-01-05T09:53:00.000Z',
      meanwhile: 'no scale-in; fallback hold',
      reason: 'r',
    });
    const stalled = metricsNotification({ ...common, change: 'stalled', ageSeconds: 300, at: since, meanwhile: 'm' });
    expect(stalled.subject).toBe('[shop] web: metrics late (newest datapoint 300 s old); m');
    expect(stalled.body.metrics).toBe('stalled');
    expect(metricsNotification({ ...common, change: 'missing', at: since, meanwhile: 'no scale-in; fallback fixed, at least 6' }).subject).toBe(
      '[shop] web: metrics missing (no datapoint); no scale-in; fallback fixed, at least 6',
    );
  });

  test('leaving: how long it lasted', () => {
    expect(metricsNotification({ ...common, change: 'back', ageSeconds: 60, at: AT, meanwhile: '' }).subject).toBe(
      '[shop] web: metrics back on time after 12 min',
    );
  });
});
