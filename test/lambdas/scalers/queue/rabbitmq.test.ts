/**
 * The queue service on a rabbitmq-workers target, on the real path: the engine, the decision loop and
 * the state store as deployed, the simulator's in-memory CloudWatch (datapoints visible from a given
 * time) and ECS. Beside it, a queue-workers target on the same numbers reads SQS and no CloudWatch.
 */
import type { Notification } from '../../../../lambdas/adapters/sns';
import type { QueueResult } from '../../../../lambdas/scalers/queue/service';
import { QueueService } from '../../../../lambdas/scalers/queue/service';
import type { RabbitmqWorkersTarget } from '../../../../lambdas/shared/config';
import { parseConfig } from '../../../../lambdas/shared/config';
import { rabbitmqQueueMetrics } from '../../../../lambdas/shared/kinds/rabbitmq-workers';
import { MemoryStateStore } from '../../../../lambdas/state/memory';
import { FakeAutoScaling, FakeEcs } from '../../../../sim/cloud/capacity';
import { FakeCloudWatch, MetricStore } from '../../../../sim/cloud/cloudwatch';
import { CallLog } from '../../../../sim/cloud/recorder';
import { FakeSqs } from '../../../../sim/cloud/sqs';
import { alarmEvent, Clock, Fleet, scheduleEvent } from '../../../faults/support';

const MIN = 60_000;
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/mail';
const SIZING = { messagesPerSecondPerWorker: 1, maxWaitSeconds: 300, warmupSeconds: 60, maxCapacity: 20 };

function world(options: { initial?: number; kind?: 'rabbitmq-workers' | 'queue-workers'; mu?: number; reversalHoldWorkerMinutes?: number } = {}) {
  const clock = new Clock();
  const log = new CallLog(() => clock.now);
  const store = new MetricStore();
  const fleet = new Fleet(clock, options.initial ?? 0, 60);
  const kind = options.kind ?? 'rabbitmq-workers';
  const sizing = {
    ...SIZING,
    messagesPerSecondPerWorker: options.mu ?? SIZING.messagesPerSecondPerWorker,
    ...(options.reversalHoldWorkerMinutes === undefined ? {} : { reversalHoldWorkerMinutes: options.reversalHoldWorkerMinutes }),
  };
  const config = parseConfig({
    prefix: 'shop',
    targets: [
      kind === 'rabbitmq-workers'
        ? { kind, id: 'mail', broker: 'shop-broker', queue: 'mail', workers: { kind: 'ecs-service', cluster: 'celery', service: 'mail' }, ...sizing }
        : { kind, id: 'mail', queueUrl: QUEUE_URL, workers: { kind: 'ecs-service', cluster: 'celery', service: 'mail' }, ...sizing },
    ],
  });
  const sqsQueue = { visible: 0, notVisible: 0, ageOfOldest: 0 };
  const state = new MemoryStateStore();
  const notifications: Notification[] = [];
  const service = new QueueService({
    config,
    store: state,
    sqs: new FakeSqs(new Map([[QUEUE_URL, () => sqsQueue]]), log),
    cloudWatch: new FakeCloudWatch(store, log, () => clock.now),
    autoScaling: new FakeAutoScaling([], log),
    ecs: new FakeEcs([{ cluster: 'celery', service: 'mail', backend: fleet }], log),
    now: () => clock.now,
    sleep: async () => undefined,
    notifier: { notify: async (n) => void notifications.push(n) },
  });
  const metrics = kind === 'rabbitmq-workers' ? rabbitmqQueueMetrics(config.targets[0] as RabbitmqWorkersTarget) : undefined;
  return {
    clock,
    log,
    fleet,
    state,
    notifications,
    sqsQueue,
    /** Publishes the minute starting at `minuteStart`: ready and unacknowledged, visible from its end plus 60 s (CloudWatch's usual lag). */
    publish(minuteStart: number, ready: number, unacked: number) {
      store.put(metrics!.ready, minuteStart, ready, minuteStart + 2 * MIN);
      store.put(metrics!.unacknowledged, minuteStart, unacked, minuteStart + 2 * MIN);
    },
    poll: async () => (await service.handle(scheduleEvent(clock.now, 'queue') as never, `poll-${clock.now}`)) as QueueResult,
    alarm: async (name: string) => (await service.handle(alarmEvent(name, clock.now), `alarm-${clock.now}`)) as QueueResult,
    last: async () => (await state.getTarget('mail'))!,
  };
}

describe('a rabbitmq-workers target on the queue service', () => {
  test('scales from zero on the newest datapoint, read from AWS/AmazonMQ by Broker, VirtualHost and Queue; never calls SQS', async () => {
    const w = world();
    w.publish(w.clock.now - 2 * MIN, 30, 0);
    const res = await w.poll();
    expect(res.targets[0]).toMatchObject({ outcome: 'applied', previous: 0, desired: 1 });
    expect(res.targets[0].reason).toMatch(/^backlog 30 visible \+ 0 in flight.*; observed 60 s ago$/);
    expect(w.log.of('sqs', 'GetQueueAttributesCommand')).toEqual([]);
    const [read] = w.log.of('cloudwatch', 'GetMetricDataCommand');
    const dims = (read.input as { MetricDataQueries: { MetricStat: { Metric: { Dimensions: unknown } } }[] }).MetricDataQueries[0].MetricStat.Metric.Dimensions;
    expect(dims).toEqual([
      { Name: 'Broker', Value: 'shop-broker' },
      { Name: 'VirtualHost', Value: '/' },
      { Name: 'Queue', Value: 'mail' },
    ]);
    expect((await w.last()).lastDecision?.figures).toMatchObject({ visible: 30, inFlight: 0, metricsAgeSeconds: 60 });
  });

  test("the datapoint's age shortens the wait SLO: 360 messages a minute old need 3 workers where SQS's 360 now need 2", async () => {
    const rabbit = world();
    rabbit.publish(rabbit.clock.now - 2 * MIN, 360, 0);
    expect((await rabbit.poll()).targets[0]).toMatchObject({ outcome: 'applied', desired: 3 });
    const sqs = world({ kind: 'queue-workers' });
    sqs.sqsQueue.visible = 360;
    expect((await sqs.poll()).targets[0]).toMatchObject({ outcome: 'applied', desired: 2 });
    expect(sqs.log.of('cloudwatch', 'GetMetricDataCommand')).toEqual([]);
  });

  test('a datapoint already decided on is not decided on again: the count is held until the next one', async () => {
    const w = world({ initial: 5, mu: 2 });
    w.publish(w.clock.now - 2 * MIN, 600, 5);
    await w.poll();
    const first = (await w.last()).lastDecision!;
    w.clock.advance(60); // no new datapoint (CloudWatch is late by a minute)
    const res = await w.poll();
    expect(res.targets[0]).toMatchObject({ outcome: 'held', previous: first.desired, desired: first.desired });
    expect(res.targets[0].reason).toMatch(/^held: no datapoint since the last decision's; metrics on time \(newest datapoint 120 s old\)/);
    // the engine's memory is the first decision's: nothing counted twice
    const memory = (await w.last()).memory as { lastPoll: { at: number } };
    expect(memory.lastPoll.at).toBe(first.at);
  });

  test('the workers a datapoint credits are those ready during its minute, not those ready at the decision', async () => {
    const w = world({ mu: 2 });
    const t0 = w.clock.now;
    // poll 0: 1,200 ready, no worker: scale out (ready a minute later)
    w.publish(t0 - 2 * MIN, 1200, 0);
    await w.poll();
    expect(w.fleet.desired).toBeGreaterThan(0);
    // poll 1: the workers are ready now, but the datapoint's minute had none
    w.clock.advance(60);
    w.publish(t0 - MIN, 1200, 0);
    await w.poll();
    // poll 2: the next minute had none either (they became ready at its end): no work done, no arrival
    w.clock.advance(60);
    w.publish(t0, 1200, 0);
    await w.poll();
    expect((await w.last()).lastDecision?.figures).toMatchObject({ visible: 1200, arrivalRate: 0 });
  });

  test('no datapoint at all: held, the metrics recorded as missing and the operator told once', async () => {
    const w = world({ initial: 2 });
    const res = await w.poll();
    expect(res.targets[0]).toMatchObject({ outcome: 'held', previous: 2, desired: 2 });
    expect(res.targets[0].reason).toMatch(/no datapoint of the queue's MessageReadyCount and MessageUnacknowledgedCount; metrics missing/);
    expect((await w.last()).metrics?.lateSince).toBe(w.clock.now);
    expect(w.fleet.history).toEqual([]);
    w.clock.advance(60);
    await w.poll();
    expect(w.notifications.filter((n) => /metrics/i.test(n.subject))).toHaveLength(1);
  });

  test('its backlog alarm evaluates the target at once; the event says nothing of an oldest message', async () => {
    const w = world();
    w.publish(w.clock.now - 2 * MIN, 30, 0);
    const res = await w.alarm('shop/mail/backlog/high');
    expect(res).toMatchObject({ status: 'evaluated', detail: 'alarm "shop/mail/backlog/high"' });
    expect(res.targets[0]).toMatchObject({ outcome: 'applied', desired: 1 });
  });

  test('a worker woken from zero is not stopped within 600 s of its scale-out when holding it is cheap, as on SQS; with reversalHoldWorkerMinutes 0 it goes after idleSeconds', async () => {
    /** Seconds from the scale-out from zero until the fleet is back at zero, each minute's datapoint empty after the first. */
    const backToZero = async (hold?: number) => {
      const w = world(hold === undefined ? {} : { reversalHoldWorkerMinutes: hold });
      const t0 = w.clock.now;
      w.publish(t0 - 2 * MIN, 30, 0);
      expect((await w.poll()).targets[0]).toMatchObject({ outcome: 'applied', desired: 1 });
      for (let i = 1; i <= 15; i++) {
        w.clock.advance(60);
        w.publish(w.clock.now - 2 * MIN, 0, 0);
        const res = await w.poll();
        if (w.fleet.desired === 0) return { seconds: (w.clock.now - t0) / 1000, reason: res.targets[0].reason };
      }
      throw new Error('the fleet never went back to zero');
    };
    const held = await backToZero();
    expect(held.seconds).toBe(660);
    expect(held.reason).toMatch(/1 -> 0/);
    // without the hold: idle for idleSeconds (300 s) from the first empty datapoint, well inside the 600 s
    expect((await backToZero(0)).seconds).toBeLessThan(600);
  });
});
