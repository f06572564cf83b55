import { batchQueries, CloudWatchAdapter, MAX_QUERIES_PER_CALL, type SeriesQuery } from '../../../lambdas/adapters/cloudwatch';
import { FakeCloudWatch, MetricStore } from '../../../sim/cloud/cloudwatch';
import { CallLog } from '../../../sim/cloud/recorder';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const MIN = 60_000;
const metric = (name: string) => ({ namespace: 'Daphne', metricName: name, dimensions: { AutoScalingGroupName: 'web' }, stat: 'Sum' });

describe('batchQueries', () => {
  test('at most 500 queries a request, and the queries of one expression never split across two', () => {
    const plain: SeriesQuery[] = Array.from({ length: 498 }, (_, i) => ({ id: `q${i}`, metric: metric('x') }));
    const group: SeriesQuery[] = [
      { id: 'a', metric: metric('a'), returnData: false, group: 'g' },
      { id: 'b', metric: metric('b'), returnData: false, group: 'g' },
      { id: 'e', expression: 'a + b', group: 'g' },
    ];
    const calls = batchQueries([...plain, ...group]);
    expect(calls.map((c) => c.length)).toEqual([498, 3]);
    expect(calls[1].map((q) => q.id)).toEqual(['a', 'b', 'e']);
    for (const c of calls) expect(c.length).toBeLessThanOrEqual(MAX_QUERIES_PER_CALL);
  });

  test('without groups the split is as before: 500, then the rest', () => {
    const plain: SeriesQuery[] = Array.from({ length: 1201 }, (_, i) => ({ id: `q${i}`, metric: metric('x') }));
    expect(batchQueries(plain).map((c) => c.length)).toEqual([500, 500, 201]);
  });
});

describe('CloudWatchAdapter.series with metric math, on the in-memory CloudWatch', () => {
  test('an expression over two metrics returns its series; the metrics it only reads return nothing', async () => {
    const store = new MetricStore();
    for (let m = 10; m > 1; m--) {
      store.put(metric('a'), NOW - m * MIN, 100, NOW - m * MIN);
      store.put(metric('b'), NOW - m * MIN, 50, NOW - m * MIN);
    }
    const calls = new CallLog(() => NOW);
    const cw = new CloudWatchAdapter(new FakeCloudWatch(store, calls, () => NOW));
    const out = await cw.series(
      [
        { id: 'a', metric: metric('a'), returnData: false, group: 'g' },
        { id: 'b', metric: metric('b'), returnData: false, group: 'g' },
        { id: 'e', expression: '(a + b) / 3', group: 'g' },
      ],
      NOW - 10 * MIN,
      NOW,
      60,
    );
    expect(Object.keys(out)).toEqual(['e']);
    expect(out.e.map((d) => d.value)).toEqual(Array(9).fill(50));
    expect(calls.of('cloudwatch', 'GetMetricDataCommand')).toHaveLength(1);
  });
});
