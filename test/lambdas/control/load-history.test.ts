/**
 * A target's load read back from CloudWatch. CloudWatch has no local implementation: GetMetricData is
 * answered by aws-sdk-client-mock from per-metric series, in pages chained by NextToken as CloudWatch
 * pages them.
 */
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { badDays, LoadHistoryError, loadMetrics, MAX_HISTORY_DAYS, readLoadHistory } from '../../../lambdas/control/load-history';
import type { AsgTarget, EcsServiceTarget, QueueWorkersTarget } from '../../../lambdas/shared/config';
import { parseConfig } from '../../../lambdas/shared/config';

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 7, 0, 0, 30); // half a minute into 00:00: that minute is not complete
const TO = Date.UTC(2026, 0, 7);
const cw = mockClient(CloudWatchClient);
const client = new CloudWatchClient({ region: 'eu-west-1' });

const config = parseConfig(
  {
    prefix: 'shop',
    targets: [
      {
        kind: 'asg',
        id: 'web',
        autoScalingGroupName: 'shop-web',
        targetGroup: { loadBalancerFullName: 'app/shop-alb/50dc6c495c0c9188', targetGroupFullName: 'targetgroup/shop-web/73e2d6bc24d8a067' },
      },
      { kind: 'ecs-service', id: 'api', cluster: 'shop', service: 'shop-api' },
      {
        kind: 'queue-workers',
        id: 'workers',
        queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/shop-celery',
        workers: { kind: 'ecs-service', cluster: 'shop', service: 'shop-workers' },
        messagesPerSecondPerWorker: 2,
      },
    ],
  },
  'test',
);
const web = config.targets[0] as AsgTarget;
const api = config.targets[1] as EcsServiceTarget;
const workers = config.targets[2] as QueueWorkersTarget;

/** Series by metric name: epoch ms -> value. */
type Series = Record<string, Map<number, number>>;

/**
 * GetMetricData over `series`: each query's datapoints inside [StartTime, EndTime), oldest first, at
 * most `pageSize` datapoints a response, the rest behind NextToken (the offset into the answer).
 */
function answer(series: Series, pageSize: number): void {
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const start = (input.StartTime as Date).getTime();
    const end = (input.EndTime as Date).getTime();
    const all: { id: string; at: number; value: number }[] = [];
    for (const q of input.MetricDataQueries ?? []) {
      const points = series[q.MetricStat?.Metric?.MetricName ?? ''] ?? new Map();
      for (const [at, value] of [...points].sort((a, b) => a[0] - b[0])) if (at >= start && at < end) all.push({ id: q.Id as string, at, value });
    }
    const offset = Number(input.NextToken ?? 0);
    const page = all.slice(offset, offset + pageSize);
    const results = (input.MetricDataQueries ?? []).map((q) => {
      const mine = page.filter((p) => p.id === q.Id);
      return { Id: q.Id, Timestamps: mine.map((p) => new Date(p.at)), Values: mine.map((p) => p.value), StatusCode: 'Complete' as const };
    });
    return Promise.resolve({ MetricDataResults: results, ...(offset + pageSize < all.length ? { NextToken: String(offset + pageSize) } : {}) });
  });
}

/** A value every minute of the last `days` days before TO, `value(i)` for the i-th minute. */
function everyMinute(days: number, value: (i: number) => number, skip: (i: number) => boolean = () => false): Map<number, number> {
  const m = new Map<number, number>();
  const n = days * 1440;
  for (let i = 0; i < n; i++) if (!skip(i)) m.set(TO - (n - i) * MIN, value(i));
  return m;
}

beforeEach(() => cw.reset());

describe('readLoadHistory', () => {
  test('two days of ALB requests across NextToken pages: one row per minute, the last complete minute last', async () => {
    answer({ RequestCount: everyMinute(2, (i) => 100 + (i % 7)), HealthyHostCount: everyMinute(2, () => 4) }, 1000);
    const h = await readLoadHistory(client, web, 2, NOW);
    expect(h.times).toHaveLength(2880);
    expect(h.times[0]).toBe(Date.UTC(2026, 0, 5));
    expect(h.times[2879]).toBe(TO - MIN);
    expect(h.values.slice(0, 8)).toEqual([100, 101, 102, 103, 104, 105, 106, 100]);
    expect(h).toMatchObject({ from: Date.UTC(2026, 0, 5), to: TO });
    expect(h.source).toBe('CloudWatch ALB RequestCount of targetgroup/shop-web/73e2d6bc24d8a067 2026-01-05T00:00Z..2026-01-07T00:00Z');
    // 5,760 datapoints in pages of 1,000: six requests, each after the first with the previous page's token.
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(6);
    expect(calls.map((c) => c.args[0].input.NextToken)).toEqual([undefined, '1000', '2000', '3000', '4000', '5000']);
    const first = calls[0].args[0].input;
    expect(first.StartTime).toEqual(new Date(Date.UTC(2026, 0, 5)));
    expect(first.EndTime).toEqual(new Date(TO));
    expect(first.MetricDataQueries?.map((q) => [q.Id, q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat, q.MetricStat?.Period])).toEqual([
      ['arrivals', 'RequestCount', 'Sum', 60],
      ['coverage', 'HealthyHostCount', 'Maximum', 60],
    ]);
    expect(first.MetricDataQueries?.[0].MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'LoadBalancer', Value: 'app/shop-alb/50dc6c495c0c9188' },
      { Name: 'TargetGroup', Value: 'targetgroup/shop-web/73e2d6bc24d8a067' },
    ]);
  });

  test('a minute without requests but with healthy hosts is a quiet minute (0); a minute without either is missing', async () => {
    const quiet = (i: number) => i >= 100 && i < 160; // the ALB reports nothing while no request flows
    const lost = (i: number) => i >= 1000 && i < 1010; // nothing at all was published
    answer(
      {
        RequestCount: everyMinute(
          2,
          () => 50,
          (i) => quiet(i) || lost(i),
        ),
        HealthyHostCount: everyMinute(2, () => 2, lost),
      },
      100_800,
    );
    const h = await readLoadHistory(client, web, 2, NOW);
    expect(h.times).toHaveLength(2880 - 10);
    expect(h.values.slice(99, 161)).toEqual([50, ...Array(60).fill(0), 50]);
    const at = (i: number) => Date.UTC(2026, 0, 5) + i * MIN;
    const k = h.times.indexOf(at(999));
    expect(h.times[k + 1]).toBe(at(1010));
  });

  test('a queue: SQS NumberOfMessagesSent of the queue the config names, its visible messages as coverage', async () => {
    answer({ NumberOfMessagesSent: everyMinute(1, (i) => i % 3), ApproximateNumberOfMessagesVisible: everyMinute(1, () => 0) }, 100_800);
    const h = await readLoadHistory(client, workers, 1, NOW);
    expect(h.values.slice(0, 4)).toEqual([0, 1, 2, 0]);
    const q = cw.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries ?? [];
    expect(q.map((x) => [x.MetricStat?.Metric?.Namespace, x.MetricStat?.Metric?.MetricName, x.MetricStat?.Stat])).toEqual([
      ['AWS/SQS', 'NumberOfMessagesSent', 'Sum'],
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'Maximum'],
    ]);
    expect(q[0].MetricStat?.Metric?.Dimensions).toEqual([{ Name: 'QueueName', Value: 'shop-celery' }]);
  });

  test('nothing in CloudWatch: no rows', async () => {
    answer({}, 100_800);
    const h = await readLoadHistory(client, web, 14, NOW);
    expect(h).toMatchObject({ times: [], values: [], from: TO - 14 * 86_400_000, to: TO });
  });

  test('a web target without a target group has no request metric: a one-line error, no call', async () => {
    await expect(readLoadHistory(client, api, 14, NOW)).rejects.toThrow(
      new LoadHistoryError('target "api" has no targetGroup: its requests are read from the ALB\'s RequestCount; set targetGroup, or pass --trace FILE.csv'),
    );
    expect(() => loadMetrics(api)).toThrow(LoadHistoryError);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });

  test('more than the 15 days CloudWatch keeps at one minute is refused before any call', async () => {
    await expect(readLoadHistory(client, web, 16, NOW)).rejects.toThrow(/16 days is more than CloudWatch keeps at one minute \(15 days/);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });
});

test('badDays: whole days from 1 to 15', () => {
  expect(MAX_HISTORY_DAYS).toBe(15);
  expect(badDays(1)).toBeUndefined();
  expect(badDays(15)).toBeUndefined();
  expect(badDays(0)).toMatch(/not a whole number of days from 1 to 15/);
  expect(badDays(2.5)).toMatch(/not a whole number/);
  expect(badDays(16)).toMatch(/pass at most 15/);
});
