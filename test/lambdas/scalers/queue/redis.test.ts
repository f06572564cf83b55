/**
 * A redis-workers target end to end, on the real path: a Redis that speaks the wire protocol
 * (test/support/resp-server.ts), the broker reader with its Redis client, the simulator's in-memory
 * CloudWatch (PutMetricData, GetMetricData) and alarm evaluator, then the queue service with the engine,
 * the decision loop and the state store as deployed, setting an ECS service's desired count.
 */
import { connectRedis } from '../../../../lambdas/publisher/handler';
import { publishDepths } from '../../../../lambdas/publisher/service';
import type { QueueResult } from '../../../../lambdas/scalers/queue/service';
import { QueueService } from '../../../../lambdas/scalers/queue/service';
import { allAlarms } from '../../../../lambdas/shared/alarms';
import { parseConfig, type RedisWorkersTarget } from '../../../../lambdas/shared/config';
import { MemoryStateStore } from '../../../../lambdas/state/memory';
import { AlarmEvaluator } from '../../../../sim/cloud/alarms';
import { FakeAutoScaling, FakeEcs } from '../../../../sim/cloud/capacity';
import { FakeCloudWatch, MetricStore } from '../../../../sim/cloud/cloudwatch';
import { CallLog } from '../../../../sim/cloud/recorder';
import { FakeSqs } from '../../../../sim/cloud/sqs';
import { Clock, Fleet, scheduleEvent } from '../../../faults/support';
import { RespServer } from '../../../support/resp-server';

let redis: RespServer & { port: number };
beforeEach(async () => {
  redis = await RespServer.start();
});
afterEach(() => redis.stop());

async function world(options: { initial?: number } = {}) {
  const clock = new Clock();
  const log = new CallLog(() => clock.now);
  const store = new MetricStore();
  const fleet = new Fleet(clock, options.initial ?? 0, 60);
  const config = parseConfig({
    prefix: 'shop',
    targets: [
      {
        kind: 'redis-workers',
        id: 'celery',
        broker: {
          host: '127.0.0.1',
          port: redis.port,
          tls: false,
          queues: ['celery'],
          priorities: true,
          vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
        },
        workers: { kind: 'ecs-service', cluster: 'celery', service: 'worker' },
        messagesPerSecondPerWorker: 1,
        maxWaitSeconds: 300,
        warmupSeconds: 60,
        maxCapacity: 20,
      },
    ],
  });
  const cloudWatch = new FakeCloudWatch(store, log, () => clock.now);
  const alarms = new AlarmEvaluator(allAlarms(config), store, {}, clock.now);
  const state = new MemoryStateStore();
  const service = new QueueService({
    config,
    store: state,
    sqs: new FakeSqs(new Map(), log),
    cloudWatch,
    autoScaling: new FakeAutoScaling([], log),
    ecs: new FakeEcs([{ cluster: 'celery', service: 'worker', backend: fleet }], log),
    now: () => clock.now,
    sleep: async () => undefined,
    notifier: { notify: async () => undefined },
  });
  return {
    clock,
    log,
    fleet,
    alarms,
    /** The broker reader's minute, as deployed: errors are the run's failure, not the test's. */
    read: async () =>
      publishDepths({
        prefix: config.prefix,
        targets: config.targets as RedisWorkersTarget[],
        connect: (broker, auth) => connectRedis(broker, auth, 2_000),
        secret: async () => '',
        cloudWatch,
        now: () => clock.now,
        log: { info: () => undefined, error: () => undefined },
      }).then(
        () => 'published',
        (err: Error) => err.message,
      ),
    poll: async () => (await service.handle(scheduleEvent(clock.now, 'queue') as never, `poll-${clock.now}`)) as QueueResult,
    onAlarm: async (event: unknown) => (await service.handle(event as never, `alarm-${clock.now}`)) as QueueResult,
    last: async () => (await state.getTarget('celery'))!,
    state,
  };
}

describe('a redis-workers target, from the broker to the desired count', () => {
  test("the reader's minute reaches the engine: waiting (priority lists included) and unacknowledged size the fleet", async () => {
    const w = await world();
    redis.list('celery', 300).list('celery\x06\x169', 60).hash('unacked', 4);
    expect(await w.read()).toBe('published');
    w.clock.advance(10);
    const res = await w.poll();
    expect(res.targets[0]).toMatchObject({ outcome: 'applied', previous: 0 });
    expect(w.fleet.desired).toBeGreaterThanOrEqual(2);
    expect((await w.last()).lastDecision?.figures).toMatchObject({ visible: 360, inFlight: 4 });
    const [read] = w.log.of('cloudwatch', 'GetMetricDataCommand');
    const metric = (read.input as { MetricDataQueries: { MetricStat: { Metric: unknown } }[] }).MetricDataQueries[0].MetricStat.Metric;
    expect(metric).toEqual({ Namespace: 'shop/Celery', MetricName: 'QueueDepth', Dimensions: [{ Name: 'Target', Value: 'celery' }] });
  });

  test('the backlog alarm fires on the published depth and its event scales the target at once', async () => {
    const w = await world();
    redis.list('celery', 400);
    await w.read();
    // An alarm evaluates whole periods: the minute of the datapoint, once it is over.
    w.clock.advance(60);
    const events = w.alarms.evaluate(w.clock.now);
    expect(events.map((e) => [e.detail.alarmName, e.detail.state.value])).toEqual([['shop/celery/backlog/high', 'ALARM']]);
    const res = await w.onAlarm(events[0]);
    expect(res).toMatchObject({ status: 'evaluated', detail: 'alarm "shop/celery/backlog/high"' });
    expect(res.targets[0]).toMatchObject({ outcome: 'applied', previous: 0 });
    expect(w.fleet.desired).toBeGreaterThan(0);
  });

  test('an unreachable broker publishes nothing, so the target holds its workers (never a scale-in on silence) until it is back', async () => {
    const w = await world({ initial: 6 });
    redis.list('celery', 600).hash('unacked', 6);
    await w.read();
    w.clock.advance(10);
    await w.poll();
    const sized = w.fleet.desired;
    expect(sized).toBeGreaterThanOrEqual(6);
    // The broker goes away for 15 minutes: every minute the reader fails and the queue function polls.
    await redis.stop();
    for (let minute = 0; minute < 15; minute++) {
      w.clock.advance(60);
      expect(await w.read()).toMatch(/queue depth not published for "celery" \(cannot connect/);
      const res = await w.poll();
      expect(res.targets[0]).toMatchObject({ outcome: 'held', desired: sized });
    }
    expect((await w.last()).lastDecision?.reason).toMatch(/^held: no datapoint/);
    expect(w.fleet.desired).toBe(sized);
    expect(w.fleet.history.filter((h) => h.desired < sized)).toEqual([]);
    // The backlog alarm does not fire on silence either.
    expect(w.alarms.evaluate(w.clock.now).filter((e) => e.detail.state.value === 'ALARM')).toEqual([]);
    // The broker is back, its queue drained: the next minute is read and decided on again.
    redis = await RespServer.start({ port: redis.port });
    w.clock.advance(60);
    expect(await w.read()).toBe('published');
    w.clock.advance(10);
    const res = await w.poll();
    expect(res.targets[0].reason).not.toMatch(/^held/);
    expect((await w.last()).lastDecision?.figures).toMatchObject({ visible: 0, inFlight: 0 });
  });

  test.each([
    ['paused', 'paused'],
    ['dryRun', 'dry-run'],
  ] as const)('the %s switch holds it as every target: the decision recorded, the count untouched', async (name, outcome) => {
    const w = await world({ initial: 1 });
    await w.state.setSwitch('celery', name, true);
    redis.list('celery', 900);
    await w.read();
    w.clock.advance(10);
    const res = await w.poll();
    expect(res.targets[0]).toMatchObject({ outcome, previous: 1 });
    expect(w.fleet.desired).toBe(1);
    expect(w.log.of('ecs', 'UpdateServiceCommand')).toEqual([]);
  });
});
