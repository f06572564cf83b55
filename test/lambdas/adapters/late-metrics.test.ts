import { LateAwareCloudWatch, MAX_LATE_MINUTES } from '../../../lambdas/adapters/late-metrics';
import type { MetricRef } from '../../../lambdas/shared/alarms';
import { FakeCloudWatch, MetricStore } from '../../../sim/cloud/cloudwatch';
import { CallLog } from '../../../sim/cloud/recorder';

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const CPU: MetricRef = { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'web' }, stat: 'Average' };

/** 60 minutes of CPU (value = minute index), each visible `lateMinutes` after CloudWatch's usual minute. */
function reader(lateMinutes: number | undefined) {
  const store = new MetricStore();
  if (lateMinutes !== undefined) {
    for (let m = 60; m >= 1; m--) store.put(CPU, NOW - m * MIN, 60 - m, NOW - m * MIN + (2 + lateMinutes) * MIN);
  }
  const calls = new CallLog(() => NOW);
  return { cw: new LateAwareCloudWatch(new FakeCloudWatch(store, calls, () => NOW)), calls };
}

test('on time: one read of the window asked for', async () => {
  const { cw, calls } = reader(0);
  cw.begin(240);
  const s = await cw.series([{ id: 'cpu', metric: CPU }], NOW - 15 * MIN, NOW, 60);
  expect(s.cpu.map((p) => (p.at - NOW) / MIN)).toEqual([-15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2]);
  expect(calls.calls).toHaveLength(1);
  expect(cw.newestEnd()).toBe(NOW - MIN);
});

test('10 minutes late: the window of the same length that ends at the newest datapoint, read over an hour more', async () => {
  const { cw, calls } = reader(10);
  cw.begin(240);
  const s = await cw.series([{ id: 'cpu', metric: CPU }], NOW - 15 * MIN, NOW, 60);
  expect(s.cpu.map((p) => (p.at - NOW) / MIN)).toEqual([-26, -25, -24, -23, -22, -21, -20, -19, -18, -17, -16, -15, -14, -13, -12]);
  expect(calls.calls).toHaveLength(2);
  expect(new Date((calls.calls[1].input as { StartTime: Date }).StartTime).getTime()).toBe(NOW - (15 + MAX_LATE_MINUTES) * MIN);
  expect(cw.newestEnd()).toBe(NOW - 11 * MIN);
});

test('nothing at all: undefined after a read, null before any (begin resets)', async () => {
  const { cw } = reader(undefined);
  cw.begin(240);
  expect(cw.newestEnd()).toBeNull();
  const s = await cw.series([{ id: 'cpu', metric: CPU }], NOW - 15 * MIN, NOW, 60);
  expect(s.cpu).toEqual([]);
  expect(cw.newestEnd()).toBeUndefined();
  cw.begin(240);
  expect(cw.newestEnd()).toBeNull();
});
