/**
 * R30: one target's failure never stops the others handled in the same invocation; GetMetricData is
 * split at 500 queries; a 150-node Redis cluster works. The in-memory CloudWatch refuses a request of
 * more than 500 queries as CloudWatch does (ValidationError). Each family's multi-target loop (the
 * database and capacity schedules, the cdn tick, the queue poll) tries every target, then fails the
 * invocation naming each target that failed, so Lambda retries it and the failure is seen.
 */
import { capacityMetrics } from '../../lambdas/shared/alarms';
import type { CapacityTarget } from '../../lambdas/shared/config';
import { TargetFailuresError } from '../../lambdas/shared/each-target';
import type { StateStore } from '../../lambdas/state/store';
import { MAX_METRIC_DATA_QUERIES } from '../../sim/cloud/cloudwatch';
import { scheduleEvent, useDynalite, withHarness } from './support';
import { cdnHarness } from './support-cdn';
import { type CacheGroupSpec, databaseHarness, ORDERS_DB } from './support-database';
import { pollEvent, queueHarness } from './support-queue';

const db = useDynalite();

/** A cluster-mode group of 30 shards of 5 nodes (a primary and 4 replicas): 150 nodes, 4 metrics each. */
const BIG: CacheGroupSpec = { id: 'big-cache', clusterMode: true, shards: 30, replicasPerShard: 4, nodeType: 'cache.r7g.large' };
const BIG_TARGET = { id: 'sessions', kind: 'redis', replicationGroupId: BIG.id, nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge', 'cache.r7g.2xlarge'] };

interface MetricDataInput {
  readonly MetricDataQueries: readonly {
    readonly Id: string;
    readonly MetricStat: { readonly Metric: { readonly Dimensions: readonly { readonly Value: string }[] } };
  }[];
}

test('R30 a 150-node Redis cluster (30 shards x 5 nodes) is evaluated: its 600 queries go in calls of at most 500, every node is read', async () => {
  const h = await databaseHarness({ db: db(), targets: [BIG_TARGET], groups: [BIG] });
  try {
    h.loadGroup(BIG.id, 92);
    const result = await h.handler(scheduleEvent(h.clock.now, 'database'));

    const gets = h.calls.of('cloudwatch', 'GetMetricDataCommand').map((c) => c.input as MetricDataInput);
    expect(gets.map((g) => g.MetricDataQueries.length)).toEqual([500, 100]);
    const nodes = new Set(gets.flatMap((g) => g.MetricDataQueries.map((q) => q.MetricStat.Metric.Dimensions[0].Value)));
    expect(nodes.size).toBe(150);
    expect(new Set(gets.flatMap((g) => g.MetricDataQueries.map((q) => q.Id))).size).toBe(600);
    // decided on the fullest node (92% > 80%), and acted through the redis runbook
    expect(result.targets).toEqual([
      expect.objectContaining({ targetId: 'sessions', outcome: 'applied', execution: expect.objectContaining({ status: 'started' }) }),
    ]);
    expect([...h.stepFunctions.executions.values()]).toEqual([
      expect.objectContaining({ stateMachineArn: h.runbook('redis'), input: expect.objectContaining({ targetId: 'sessions' }) }),
    ]);
    expect((await h.audit('sessions'))[0].reason).toMatch(/memory 92% > 80%/);
  } finally {
    h.restore();
  }
});

test(`R30 the in-memory CloudWatch refuses more than ${MAX_METRIC_DATA_QUERIES} queries in one GetMetricData, as CloudWatch does`, async () => {
  const h = await databaseHarness({ db: db(), targets: [BIG_TARGET], groups: [BIG] });
  try {
    const { FakeCloudWatch } = await import('../../sim/cloud/cloudwatch');
    const cw = new FakeCloudWatch(h.metrics, h.calls, () => h.clock.now);
    const query = (i: number) => ({
      Id: `q${i}`,
      MetricStat: { Metric: { Namespace: 'AWS/ElastiCache', MetricName: 'EngineCPUUtilization', Dimensions: [] }, Period: 60, Stat: 'Maximum' },
    });
    const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
    const ask = (n: number) =>
      cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(h.clock.now - 600_000),
          EndTime: new Date(h.clock.now),
          MetricDataQueries: Array.from({ length: n }, (_, i) => query(i)),
        }),
      );
    await expect(ask(500)).resolves.toMatchObject({ MetricDataResults: expect.any(Array) });
    await expect(ask(501)).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/less than or equal to 500/) });
  } finally {
    h.restore();
  }
});

test('R30 database schedule: a target whose describe throws does not stop the next ones; the invocation fails at the end, naming it', async () => {
  const broken: CacheGroupSpec = { id: 'broken-cache', clusterMode: false, shards: 1, replicasPerShard: 1, nodeType: 'cache.r7g.large' };
  const h = await databaseHarness({
    db: db(),
    targets: [{ ...BIG_TARGET, id: 'broken', replicationGroupId: broken.id }, BIG_TARGET, ORDERS_DB],
    groups: [broken, BIG],
    groupFaults: {
      [broken.id]: { errors: [{ command: 'DescribeReplicationGroupsCommand', error: 'InternalServerError', message: 'We encountered an internal error.' }] },
    },
  });
  try {
    h.loadGroup(BIG.id, 92);
    h.loadSource(91);
    const failure = await h.handler(scheduleEvent(h.clock.now, 'database')).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(TargetFailuresError);
    expect((failure as Error).message).toBe('1 of 3 database target(s) failed: broken: We encountered an internal error.');
    // the two after it were decided and acted on
    const started = [...h.stepFunctions.executions.values()].map((e) => [e.stateMachineArn, (e.input as { targetId: string }).targetId]);
    expect(started).toEqual([
      [h.runbook('redis'), 'sessions'],
      [h.runbook('rds-replicas'), 'orders-db'],
    ]);
    expect((await h.audit('sessions')).map((e) => e.outcome)).toEqual(['applied']);
    expect((await h.audit('orders-db')).map((e) => e.outcome)).toEqual(['applied']);
    expect(await h.audit('broken')).toEqual([]);
  } finally {
    h.restore();
  }
});

test('R30 capacity schedule: a target whose group is gone does not stop the next one; the invocation fails at the end, naming it', async () => {
  const gone = { id: 'gone', kind: 'asg', autoScalingGroupName: 'gone-web', minCapacity: 2, maxCapacity: 20 };
  await withHarness({ db: db(), others: [gone] }, async (h) => {
    const goneCpu = capacityMetrics(h.config.targets.find((t) => t.id === 'gone') as CapacityTarget).cpu;
    const end = Math.floor(h.clock.now / 60_000) * 60_000;
    for (let t = end - 15 * 60_000; t < end; t += 60_000) h.metrics.put(goneCpu, t, 92, t);
    h.load(92);
    h.evaluate();

    await expect(h.handler(scheduleEvent(h.clock.now))).rejects.toThrow(/^1 of 2 capacity target\(s\) failed: gone: Auto Scaling group "gone-web" not found/);
    expect(h.writes().map((c) => [c.command, (c.input as { AutoScalingGroupName: string }).AutoScalingGroupName])).toEqual([
      ['SetDesiredCapacityCommand', 'django-web'],
    ]);
    expect((await h.audit()).map((e) => e.outcome)).toEqual(['applied']);
  });
});

test('R30 cdn tick: a target whose state cannot be read does not stop the next distribution; the invocation fails at the end, naming it', async () => {
  const failing = (store: StateStore): StateStore =>
    new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'getSwitches') {
          return async (id: string) => {
            if (id === 'cdn') throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError' });
            return target.getSwitches(id);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const h = await cdnHarness({ db: db(), more: [{ id: 'assets', distributionId: 'E1ASSETS0000AB' }], wrapStore: failing });
  try {
    expect((await h.upload('app.css')).batches.map((b) => b.targetId)).toEqual(['cdn', 'assets']);
    h.clock.advance(60);
    await expect(h.tick()).rejects.toThrow(/^1 of 2 cdn target\(s\) failed: cdn: Internal server error$/);
    expect(h.writes().map((c) => (c.input as { DistributionId: string }).DistributionId)).toEqual(['E1ASSETS0000AB']);
    expect((await h.audit('assets')).map((e) => e.outcome)).toEqual(['applied']);
    // the failed target's batch is kept for the retry
    expect((await h.batches.openBatches('cdn', Math.floor(h.clock.now / 1000))).map((b) => b.paths)).toEqual([['/static/app.css']]);
  } finally {
    h.restore();
  }
});

test('R30 queue poll: a queue that cannot be read does not stop the next one; the invocation fails at the end, naming it', async () => {
  // a second target, before `workers`, on a queue the in-memory SQS does not have
  const gone = {
    id: 'gone',
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/celery-gone',
    workers: { kind: 'ecs-service', cluster: 'celery', service: 'gone-workers' },
  };
  const q = await queueHarness({ db: db(), more: [gone] });
  try {
    q.queue.visible = 3000;
    await expect(q.handler(pollEvent(q.clock.now))).rejects.toThrow(/^1 of 2 queue target\(s\) failed: gone: /);
    expect(q.writes().map((c) => c.command)).toEqual(['UpdateServiceCommand']);
    expect((await q.audit()).map((e) => e.outcome)).toEqual(['applied']);
  } finally {
    q.restore();
  }
});
