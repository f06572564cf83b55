/**
 * What the database function and the replicas runbook see of a replica fleet, read from the in-memory
 * CloudWatch: lag in seconds whatever the metric's own unit (RDS ReplicaLag is in seconds, Aurora's
 * AuroraReplicaLagMaximum in milliseconds: Amazon Aurora User Guide, "Amazon CloudWatch metrics for
 * Amazon Aurora").
 */
import { CloudWatchAdapter } from '../../../../lambdas/adapters/cloudwatch';
import { combineByMinute, observeRedis, observeReplicas } from '../../../../lambdas/scalers/database/observe';
import { parseConfig, type RdsReplicasTarget, type RedisTarget } from '../../../../lambdas/shared/config';
import { replicaMetrics, replicaSourceMetrics } from '../../../../lambdas/shared/kinds/rds-replicas';
import { redisNodeMetrics } from '../../../../lambdas/shared/kinds/redis';
import { FakeCloudWatch, MetricStore } from '../../../../sim/cloud/cloudwatch';
import { CallLog } from '../../../../sim/cloud/recorder';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);

function target(fields: Record<string, unknown>): RdsReplicasTarget {
  return parseConfig({ prefix: 'shop', targets: [{ kind: 'rds-replicas', id: 'db', ...fields }] }).targets[0] as RdsReplicasTarget;
}

function cloudWatch(put: (store: MetricStore, at: number) => void): CloudWatchAdapter {
  const store = new MetricStore();
  for (let m = 1; m <= 5; m++) put(store, NOW - m * 60_000 - 60_000);
  return new CloudWatchAdapter(new FakeCloudWatch(store, new CallLog(() => NOW), () => NOW));
}

test('Aurora: AuroraReplicaLagMaximum in milliseconds is seen in seconds', async () => {
  const aurora = target({ clusterIdentifier: 'shop-aurora' });
  const src = replicaSourceMetrics(aurora);
  const cw = cloudWatch((store, at) => {
    store.put(src.cpu, at, 20, at);
    store.put(src.lag!, at, 2_500, at);
  });
  expect((await observeReplicas(cw, aurora, [], NOW)).maxLagSeconds).toBe(2.5);
});

test("RDS: each replica's ReplicaLag, in seconds already", async () => {
  const rds = target({ sourceInstanceIdentifier: 'shop-db' });
  const src = replicaSourceMetrics(rds);
  const cw = cloudWatch((store, at) => {
    store.put(src.cpu, at, 20, at);
    store.put(replicaMetrics('db-ro-1').lag, at, 40, at);
  });
  const replica = { id: 'db-ro-1', status: 'available' } as Parameters<typeof observeReplicas>[2][number];
  expect((await observeReplicas(cw, rds, [replica], NOW)).maxLagSeconds).toBe(40);
});

describe('combineByMinute', () => {
  const points = (...pairs: [number, number][]) => pairs.map(([at, value]) => ({ at, value }));

  test('one datapoint a minute, oldest first, from lists whose minutes differ', () => {
    const a = points([60_000, 1], [180_000, 5]);
    const b = points([0, 7], [60_000, 4], [120_000, 2]);
    expect(combineByMinute([a, b], Math.max)).toEqual(points([0, 7], [60_000, 4], [120_000, 2], [180_000, 5]));
  });

  test("a minute's values are combined in the order of the lists, a list's own repeats included", () => {
    const a = points([0, 1], [0, 2]);
    const b = points([0, 3]);
    const order: number[][] = [];
    const out = combineByMinute([a, b], (x, y) => {
      order.push([x, y]);
      return x * 10 + y;
    });
    expect(order).toEqual([
      [1, 2],
      [12, 3],
    ]);
    expect(out).toEqual(points([0, 123]));
  });

  test('no lists, or only empty ones: nothing', () => {
    expect(combineByMinute([], Math.max)).toEqual([]);
    expect(combineByMinute([[], []], Math.max)).toEqual([]);
  });
});

test('Redis: the fullest node and the evictions of all nodes, minute by minute, from their own datapoints after freshAfter', async () => {
  const redis = parseConfig({
    prefix: 'shop',
    targets: [{ kind: 'redis', id: 'cache', replicationGroupId: 'shop-cache', nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'] }],
  }).targets[0] as RedisTarget;
  const store = new MetricStore();
  const at = (m: number) => NOW - m * 60_000;
  const a = redisNodeMetrics('shop-cache-0001-001');
  const b = redisNodeMetrics('shop-cache-0002-001');
  // Node a: memory 50 in minutes 6..2 before now; node b only in minutes 4..2, 60 then 40.
  for (let m = 6; m >= 2; m--) {
    store.put(a.memory, at(m), 50, at(m));
    store.put(a.evictions, at(m), 1, at(m));
  }
  for (let m = 4; m >= 2; m--) {
    store.put(b.memory, at(m), m === 2 ? 40 : 60, at(m));
    store.put(b.evictions, at(m), 2, at(m));
  }
  const cw = new CloudWatchAdapter(new FakeCloudWatch(store, new CallLog(() => NOW), () => NOW));
  const seen = await observeRedis(cw, redis, ['shop-cache-0001-001', 'shop-cache-0002-001'], NOW, at(6));
  // minutes 5..2 count (minute 6 is not after freshAfter): the fullest node is 50, 60, 60, 50; evictions 1, 3, 3, 3
  expect(seen).toMatchObject({ memoryPercent: 50, memoryPeakPercent: 60, memoryWindowMinutes: 4, evictionsPerMinute: 1 });
  // The trend of the fullest node over the same minutes (50, 60, 60, 50): flat, the newest 50.
  expect(seen).toMatchObject({ memoryTrendMinutes: 4, memoryLatestPercent: 50 });
  expect(seen.memoryTrendPerMinute).toBeCloseTo(0, 9);
});
