/**
 * The daily recommender's batch: each target's history from CloudWatch (no local implementation:
 * aws-sdk-client-mock answers GetMetricData), replayed through the simulator, and the latest
 * recommendation written to the state table on dynalite.
 */
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { monthlyCost, RECOMMENDER_DAYS, recommendBatch } from '../../../lambdas/recommender/service';
import { type AutoscalerConfig, parseConfig } from '../../../lambdas/shared/config';
import { pricePerUnitHour } from '../../../lambdas/shared/prices';
import { recommendedTargets } from '../../../lambdas/shared/recommendations';
import { DynamoStateStore } from '../../../lambdas/state/dynamo';
import { generateTrace } from '../../../sim/generate';
import type { Replay } from '../../../sim/recommend';
import { useDynalite } from '../../support/dynalite';

const MIN = 60_000;
const START = Date.UTC(2026, 0, 5);
const NOW = START + 86_400_000 + 45_000;
const TG = (name: string) => ({ loadBalancerFullName: 'app/shop-alb/50dc6c495c0c9188', targetGroupFullName: `targetgroup/${name}/73e2d6bc24d8a067` });

const config: AutoscalerConfig = parseConfig(
  {
    prefix: 'shop',
    targets: [
      { kind: 'ecs-service', id: 'no-group', cluster: 'shop', service: 'x' },
      {
        kind: 'ecs-service',
        id: 'api',
        cluster: 'shop',
        service: 'shop-api',
        minCapacity: 2,
        maxCapacity: 40,
        targetCpu: 50,
        scaleInStabilizationSeconds: 300,
        targetGroup: { ...TG('shop-api'), requestsPerTarget: 3000 },
        unitPrice: { fargate: { vcpu: 1, memoryGiB: 2 } },
      },
      {
        kind: 'queue-workers',
        id: 'workers',
        queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/shop-celery',
        workers: { kind: 'ecs-service', cluster: 'shop', service: 'shop-workers' },
        messagesPerSecondPerWorker: 2,
        maxCapacity: 60,
      },
      { kind: 'asg', id: 'quiet', autoScalingGroupName: 'shop-quiet', targetGroup: { ...TG('shop-quiet'), requestsPerTarget: 600 }, unitPrice: 0.05 },
      { kind: 'rds-replicas', id: 'db', sourceInstanceIdentifier: 'shop-db' },
    ],
  },
  'test',
);

const cw = mockClient(CloudWatchClient);
const dynamo = useDynalite();
const web = generateTrace({ shape: 'diurnal', seed: 3, days: 1 }).arrivals;
const batches = generateTrace({ shape: 'batches', seed: 3, days: 1 }).arrivals;

/** CloudWatch holding a day of the web trace for shop-api and of the batches for shop-celery, nothing for shop-quiet. */
function history(fail?: string): void {
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const dims = JSON.stringify(input.MetricDataQueries?.[0].MetricStat?.Metric?.Dimensions);
    if (fail && dims.includes(fail)) return Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const series = dims.includes('shop-api') ? web : dims.includes('shop-celery') ? batches : undefined;
    const start = (input.StartTime as Date).getTime();
    const end = (input.EndTime as Date).getTime();
    return Promise.resolve({
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const ts: Date[] = [];
        const vs: number[] = [];
        if (series)
          for (let i = 0; i < series.length; i++) {
            const at = START + i * MIN;
            if (at < start || at >= end) continue;
            ts.push(new Date(at));
            vs.push(q.Id === 'arrivals' ? series[i] : 1);
          }
        return { Id: q.Id, Timestamps: ts, Values: vs, StatusCode: 'Complete' as const };
      }),
    });
  });
}

async function store(): Promise<DynamoStateStore> {
  return new DynamoStateStore({ tableName: await dynamo().stateTable(), client: dynamo().doc });
}

beforeEach(() => cw.reset());

test('the targets replayed: web tiers with a target group and requestsPerTarget, queue workers; in config order', () => {
  expect(recommendedTargets(config).map((t) => t.id)).toEqual(['api', 'workers', 'quiet']);
  expect(RECOMMENDER_DAYS).toBe(14);
});

test('a batch: each target replayed on its own history, its latest recommendation stored with the date and span, the change in dollars a month', async () => {
  history();
  const s = await store();
  const deps = { config, cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }), store: s, now: () => NOW, days: 1 };
  expect(await recommendBatch([0, 1, 2], deps)).toEqual({ recommended: ['api', 'workers', 'quiet'], failed: [] });
  const [api, quiet, workers] = await s.listRecommendations();
  const span = { from: START, to: START + 86_400_000, steps: 1440, stepSeconds: 60 };
  expect(api).toMatchObject({
    targetId: 'api',
    kind: 'ecs-service',
    computedAt: NOW,
    trace: { ...span, source: expect.stringMatching(/^CloudWatch ALB RequestCount of targetgroup\/shop-api\//) },
  });
  expect(api.current?.settings).toEqual({ targetCpu: 50, scaleInStabilizationSeconds: 300 });
  // Target CPU 50 wastes units on this day: a change, and what it saves in dollars a month at a Fargate 1 vCPU / 2 GB task's price.
  expect(api.verdict).toBe('change');
  const perUnitHour = 0.04937; // 1 x 0.04048 + 2 x 0.004445
  expect(api.monthly?.price).toEqual({ perUnitHour, source: 'Fargate 1 vCPU 2 GB On-Demand, Linux/x86, us-east-1' });
  expect(api.monthly?.unitHours).toBeLessThan(0);
  expect(api.monthly?.unitHours).toBe(Math.round((api.recommended?.figures.unitHoursPerMonth as number) - (api.current?.figures.unitHoursPerMonth as number)));
  expect(api.monthly?.dollars).toBeCloseTo((api.monthly?.unitHours as number) * perUnitHour, 2);
  expect(workers).toMatchObject({
    targetId: 'workers',
    kind: 'queue-workers',
    trace: { ...span, source: 'CloudWatch SQS NumberOfMessagesSent of shop-celery 2026-01-05T00:00Z..2026-01-06T00:00Z' },
  });
  if (workers.verdict === 'change')
    expect(workers.monthly).toEqual({ unitHours: expect.any(Number), noPrice: expect.stringMatching(/^no unitPrice in the config/) });
  // Nothing in CloudWatch for it: a reason, no figure.
  expect(quiet).toMatchObject({ targetId: 'quiet', verdict: 'cannot-judge', reason: 'the trace has no rows: too short to judge (a day at least)' });
  expect(quiet).not.toHaveProperty('current');
  // The next run replaces a target's record.
  await recommendBatch([2], { ...deps, now: () => NOW + 86_400_000 });
  expect((await s.listRecommendations()).find((r) => r.targetId === 'quiet')?.computedAt).toBe(NOW + 86_400_000);
}, 120_000);

test('a target whose history cannot be read is recorded with the error; the batch goes on', async () => {
  history('shop-quiet');
  const s = await store();
  const deps = { config, cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }), store: s, now: () => NOW, days: 1 };
  const out = await recommendBatch([2], deps);
  expect(out).toEqual({ recommended: [], failed: [{ targetId: 'quiet', error: 'ThrottlingException: Rate exceeded' }] });
  expect(await s.listRecommendations()).toEqual([
    expect.objectContaining({
      targetId: 'quiet',
      verdict: 'cannot-judge',
      reason: 'the history could not be read or replayed: ThrottlingException: Rate exceeded',
    }),
  ]);
});

test('an index the config does not have is a mismatch between the state machine and the bundle: refused', async () => {
  const deps = { config, cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }), store: await store(), now: () => NOW };
  await expect(recommendBatch([3], deps)).rejects.toThrow('target index 3 is outside the 3 targets the recommender replays');
});

describe('monthlyCost', () => {
  const replay = (unitHoursPerMonth: number) =>
    ({ settings: {}, score: {}, figures: { violationPct: 0, costRatio: 1, actionsPerHour: 0, reversalsPerDay: 0, unitHoursPerMonth } }) as unknown as Replay;
  const target = (unitPrice?: unknown) => ({ ...recommendedTargets(config)[2], unitPrice }) as never;

  test('unit-hours saved times the price: a t3.large, a price given in dollars', () => {
    expect(monthlyCost(target({ instanceType: 't3.large' }), replay(2920), replay(2190))).toEqual({
      unitHours: -730,
      dollars: -60.74,
      price: { perUnitHour: 0.0832, source: 't3.large On-Demand, Linux, us-east-1' },
    });
    expect(monthlyCost(target(0.5), replay(100), replay(160.4))).toEqual({
      unitHours: 60,
      dollars: 30,
      price: { perUnitHour: 0.5, source: 'unitPrice in the config' },
    });
  });

  test('no price: the unit-hours and why there are no dollars', () => {
    expect(monthlyCost(target(), replay(100), replay(50))).toEqual({
      unitHours: -50,
      noPrice: 'no unitPrice in the config: give dollars an hour, an instance type or a Fargate task size',
    });
    expect(pricePerUnitHour({ instanceType: 'z9.huge' })).toBeUndefined();
  });
});
