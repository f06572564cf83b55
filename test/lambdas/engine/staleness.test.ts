import { checkMetrics, describeMetrics, type MetricsMemory } from '../../../lambdas/engine/staleness';

const MIN = 60_000;
const T = Date.UTC(2026, 0, 5, 12, 0, 0);
const policy = { lateAfterSeconds: 240, fallbackAfterSeconds: 600 };

/** Checks one a minute from T, the newest datapoint's period ending `lags[i]` minutes before each; the last check's result. */
function run(lags: (number | undefined)[], p: { lateAfterSeconds: number; fallbackAfterSeconds?: number } = policy) {
  let memory: MetricsMemory | undefined;
  let check = checkMetrics(undefined, T, p);
  lags.forEach((lag, i) => {
    const now = T + i * MIN;
    check = checkMetrics(lag === undefined ? undefined : now - lag * MIN, now, p, memory);
    memory = check.memory;
  });
  return check;
}

test('on time: the newest minute ended a minute ago', () => {
  const c = run([1, 1, 1]);
  expect(c).toMatchObject({ freshness: 'fresh', ageSeconds: 60 });
  expect(c.memory.lateSince).toBeUndefined();
});

test('a steady lag of 4 or 10 minutes: late, but datapoints still arrive', () => {
  for (const lag of [5, 11]) {
    const c = run([lag, lag, lag]);
    expect(c).toMatchObject({ freshness: 'late', ageSeconds: lag * 60, stalledSeconds: 0, memory: { lateSince: T } });
  }
});

test('the first late check cannot tell a lag from a stall: stalled (missing beyond fallbackAfterSeconds)', () => {
  expect(run([5])).toMatchObject({ freshness: 'stalled', stalledSeconds: 300 });
  expect(run([11])).toMatchObject({ freshness: 'missing', stalledSeconds: 660 });
});

test('a stall: no new datapoint; stalled from the threshold, missing after fallbackAfterSeconds without one', () => {
  // on time, then CloudWatch stops: the newest stays the one that ended at T - 1 min
  const lags = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  expect(run(lags.slice(0, 4))).toMatchObject({ freshness: 'fresh' }); // 240 s: not beyond the threshold
  // first seen at the first check, taken to have arrived when its period ended (T - 1 min)
  expect(run(lags.slice(0, 5))).toMatchObject({ freshness: 'stalled', ageSeconds: 300, stalledSeconds: 300 });
  expect(run(lags.slice(0, 9))).toMatchObject({ freshness: 'stalled', stalledSeconds: 540 });
  expect(run(lags.slice(0, 10))).toMatchObject({ freshness: 'missing', ageSeconds: 600, stalledSeconds: 600 });
  // a datapoint first seen at a later check: the stall counts from that check
  expect(run([undefined, 1, 2, 3, 4, 5])).toMatchObject({ freshness: 'stalled', ageSeconds: 300, stalledSeconds: 240 });
});

test('a check long after the last one cannot tell either: stalled', () => {
  const first = checkMetrics(T - 11 * MIN, T, policy, { newestEnd: T - 20 * MIN, seenAt: T - 19 * MIN, checkedAt: T - 19 * MIN });
  expect(first).toMatchObject({ freshness: 'missing', stalledSeconds: 660 });
});

test('no datapoint at all: missing', () => {
  expect(run([undefined])).toMatchObject({ freshness: 'missing', memory: { lateSince: T } });
  expect(run([1, undefined, undefined])).toMatchObject({ freshness: 'missing', memory: { lateSince: T + MIN, newestEnd: T - MIN } });
});

test('without a fallback, stalled never turns into missing while a datapoint is read', () => {
  expect(run([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], { lateAfterSeconds: 240 })).toMatchObject({ freshness: 'stalled' });
});

test('late since stays the first late check; back a margin under the threshold (no flapping)', () => {
  expect(run([5, 5, 5]).memory.lateSince).toBe(T);
  expect(run([5, 4, 4]).freshness).toBe('late'); // 240 s is within the threshold, not within the margin
  const back = run([5, 4, 3]);
  expect(back.freshness).toBe('fresh');
  expect(back.memory.lateSince).toBeUndefined();
});

test('the reason names the state and its numbers', () => {
  expect(describeMetrics(run([5, 5]), policy)).toBe('metrics late (newest datapoint 300 s old, late after 240 s; still arriving)');
  expect(describeMetrics(run([5]), policy)).toBe('metrics stalled (newest datapoint 300 s old, none new for 300 s)');
  expect(describeMetrics(run([11]), policy)).toBe('metrics missing (newest datapoint 660 s old, none new for 660 s)');
  expect(describeMetrics(run([undefined]), policy)).toBe('metrics missing (no datapoint to read)');
});
