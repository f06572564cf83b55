/**
 * The queue family's function end to end: the real handler and service, the state store on dynalite
 * (a real DynamoDB implementation), SQS, ECS and Auto Scaling answered at the SDK boundary by
 * aws-sdk-client-mock (no local implementation exists), keeping a little fleet state between calls.
 */

import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Notification } from '../../../../lambdas/adapters/sns';
import { createQueueHandler, type QueueHandlerDeps } from '../../../../lambdas/scalers/queue/handler';
import type { QueueResult } from '../../../../lambdas/scalers/queue/service';
import { type AutoscalerConfigInput, parseConfig } from '../../../../lambdas/shared/config';
import { RejectedEventError } from '../../../../lambdas/shared/errors';
import { DynamoStateStore } from '../../../../lambdas/state/dynamo';
import alarmFixture from '../../../fixtures/sqs-age-alarm-state-change.json';
import { useDynalite } from '../../../support/dynalite';

const context = { awsRequestId: 'req-1', functionName: 'queue', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const T0 = Date.parse('2026-01-05T10:00:00Z');
const MIN = 60_000;
const DEFAULT_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-default';
const REPORTS_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-reports';
const REPORTS_DLQ = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-reports-dlq';

const baseConfig: AutoscalerConfigInput = {
  prefix: 'shop',
  targets: [
    {
      id: 'default-workers',
      kind: 'queue-workers',
      queueUrl: DEFAULT_URL,
      workers: { kind: 'ecs-service', cluster: 'celery', service: 'default-worker' },
      messagesPerSecondPerWorker: 2,
      maxCapacity: 20,
    },
    {
      id: 'report-workers',
      kind: 'queue-workers',
      queueUrl: REPORTS_URL,
      deadLetterQueueUrl: REPORTS_DLQ,
      workers: { kind: 'asg', autoScalingGroupName: 'celery-reports' },
      messagesPerSecondPerWorker: 0.5,
      maxCapacity: 10,
    },
  ],
};

// ---- dynalite ----
const local = useDynalite();
async function newStore(): Promise<DynamoStateStore> {
  return new DynamoStateStore({ tableName: await local().stateTable(), client: local().doc });
}

// ---- AWS at the SDK boundary, with a little state ----
const sqs = mockClient(SQSClient);
const ecs = mockClient(ECSClient);
const asg = mockClient(AutoScalingClient);

interface Cloud {
  queues: Record<string, { visible: number; notVisible: number }>;
  service: { desired: number; running: number };
  group: { desired: number; protectedCount: number; maxSize: number };
  inFlightCalls: number;
  maxInFlightCalls: number;
}
let cloud: Cloud;

function wireCloud() {
  sqs.reset();
  ecs.reset();
  asg.reset();
  sqs.on(GetQueueAttributesCommand).callsFake(async (input: { QueueUrl: string; AttributeNames: string[] }) => {
    cloud.inFlightCalls++;
    cloud.maxInFlightCalls = Math.max(cloud.maxInFlightCalls, cloud.inFlightCalls);
    await new Promise((r) => setImmediate(r));
    cloud.inFlightCalls--;
    const q = cloud.queues[input.QueueUrl];
    if (!q) throw Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist' });
    expect(input.AttributeNames).toEqual(expect.arrayContaining(['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']));
    return {
      Attributes: {
        ApproximateNumberOfMessages: String(q.visible),
        ApproximateNumberOfMessagesNotVisible: String(q.notVisible),
        ApproximateNumberOfMessagesDelayed: '0',
      },
    };
  });
  ecs.on(DescribeServicesCommand).callsFake(async (input: { services: string[] }) => ({
    services: input.services.map((s) => ({
      serviceName: s,
      status: 'ACTIVE',
      desiredCount: cloud.service.desired,
      runningCount: cloud.service.running,
      pendingCount: 0,
    })),
    failures: [],
  }));
  ecs.on(UpdateServiceCommand).callsFake(async (input: { desiredCount: number }) => {
    cloud.service.desired = input.desiredCount;
    return { service: { desiredCount: input.desiredCount } };
  });
  asg.on(DescribeAutoScalingGroupsCommand).callsFake(async () => ({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: 'celery-reports',
        DesiredCapacity: cloud.group.desired,
        MinSize: 0,
        MaxSize: cloud.group.maxSize,
        Instances: Array.from({ length: cloud.group.desired }, (_, i) => ({
          InstanceId: `i-${i}`,
          LifecycleState: 'InService',
          HealthStatus: 'Healthy',
          ProtectedFromScaleIn: i < cloud.group.protectedCount,
        })),
      },
    ],
  }));
  asg.on(SetDesiredCapacityCommand).callsFake(async (input: { DesiredCapacity: number }) => {
    cloud.group.desired = input.DesiredCapacity;
    return {};
  });
}

beforeEach(() => {
  cloud = {
    queues: { [DEFAULT_URL]: { visible: 0, notVisible: 0 }, [REPORTS_URL]: { visible: 0, notVisible: 0 }, [REPORTS_DLQ]: { visible: 0, notVisible: 0 } },
    service: { desired: 0, running: 0 },
    group: { desired: 0, protectedCount: 0, maxSize: 10 },
    inFlightCalls: 0,
    maxInFlightCalls: 0,
  };
  wireCloud();
});

function makeHandler(store: DynamoStateStore, clock: { now: number }, extra: Partial<QueueHandlerDeps> & { configInput?: AutoscalerConfigInput } = {}) {
  const { configInput, ...rest } = extra;
  return createQueueHandler({
    config: parseConfig(configInput ?? baseConfig),
    store,
    sqs: new SQSClient({ region: 'eu-west-1' }),
    cloudWatch: { send: () => Promise.reject(new Error('a queue-workers target reads no CloudWatch')) },
    ecs: new ECSClient({ region: 'eu-west-1' }),
    autoScaling: new AutoScalingClient({ region: 'eu-west-1' }),
    now: () => clock.now,
    sleep: async () => undefined,
    ...rest,
  });
}

function pollEvent(at: number) {
  return {
    source: 'autoscaler.scheduler',
    action: 'reevaluate',
    family: 'queue',
    scheduledTime: new Date(at).toISOString().replace('.000', ''),
    executionId: `poll-${at}`,
  };
}

describe('queue poller', () => {
  test('one poll reads every queue with GetQueueAttributes and sets each fleet absolutely (ECS desiredCount, ASG SetDesiredCapacity)', async () => {
    const store = await newStore();
    const clock = { now: T0 };
    cloud.queues[DEFAULT_URL] = { visible: 300, notVisible: 0 };
    cloud.queues[REPORTS_URL] = { visible: 40, notVisible: 0 };
    const result = (await makeHandler(store, clock)(pollEvent(T0), context)) as QueueResult;

    expect(result.status).toBe('evaluated');
    expect(result.targets.map((t) => [t.targetId, t.outcome])).toEqual([
      ['default-workers', 'applied'],
      ['report-workers', 'applied'],
    ]);
    expect(
      sqs
        .commandCalls(GetQueueAttributesCommand)
        .map((c) => c.args[0].input.QueueUrl)
        .sort(),
    ).toEqual([DEFAULT_URL, REPORTS_DLQ, REPORTS_URL].sort());
    expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: 'celery',
      service: 'default-worker',
      desiredCount: cloud.service.desired,
    });
    expect(cloud.service.desired).toBeGreaterThanOrEqual(1);
    expect(asg.commandCalls(SetDesiredCapacityCommand)[0].args[0].input).toMatchObject({
      AutoScalingGroupName: 'celery-reports',
      DesiredCapacity: cloud.group.desired,
    });
    // recorded in the state table: the decision with its numbers, and an audit entry
    const record = await store.getTarget('default-workers');
    expect(record?.lastDecision).toMatchObject({ outcome: 'applied', previous: 0, desired: cloud.service.desired });
    expect(record?.lastDecision?.figures).toMatchObject({ visible: 300, inFlight: 0, backlog: 300 });
    const audit = await store.listAudit('default-workers', T0 - 1, T0 + 1);
    expect(audit).toHaveLength(1);
  });

  test('scale from zero: the first message is acted on at the next poll, from the queue itself (no CloudWatch call)', async () => {
    const store = await newStore();
    const clock = { now: T0 };
    const handler = makeHandler(store, clock);
    await handler(pollEvent(T0), context);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(cloud.service.desired).toBe(0);

    // one message lands 5 s after the poll
    cloud.queues[DEFAULT_URL] = { visible: 1, notVisible: 0 };
    clock.now = T0 + MIN;
    await handler(pollEvent(clock.now), context);
    expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.desiredCount)).toEqual([1]);
    const record = await store.getTarget('default-workers');
    expect(record?.lastDecision?.at).toBe(T0 + MIN);
    expect(record?.lastDecision?.reason).toMatch(/0 -> 1/);
  });

  /** Wakes the fleet with 5 messages at T0, then polls an empty queue every minute from T0 + 2 min. */
  async function wakeThenIdle(configInput?: AutoscalerConfigInput): Promise<{ history: number[]; store: DynamoStateStore }> {
    const store = await newStore();
    const clock = { now: T0 };
    const handler = makeHandler(store, clock, { configInput });
    cloud.queues[DEFAULT_URL] = { visible: 5, notVisible: 0 };
    await handler(pollEvent(clock.now), context);
    expect(cloud.service.desired).toBe(1);
    cloud.service.running = 1;
    cloud.queues[DEFAULT_URL] = { visible: 0, notVisible: 1 };
    clock.now += MIN;
    await handler(pollEvent(clock.now), context);
    cloud.queues[DEFAULT_URL] = { visible: 0, notVisible: 0 };
    const history: number[] = [];
    for (let i = 0; i < 10; i++) {
      clock.now += MIN;
      await handler(pollEvent(clock.now), context);
      history.push(cloud.service.desired);
    }
    return { history, store };
  }

  test('back to zero only after idleSeconds of an empty queue with nothing in flight', async () => {
    const noHold = { ...baseConfig, targets: [{ ...baseConfig.targets[0], reversalHoldWorkerMinutes: 0 }] } as AutoscalerConfigInput;
    const { history } = await wakeThenIdle(noHold);
    // empty from the third poll on (T0 + 2 min); the default idle period is 300 s
    expect(history).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
  });

  test('by default the worker woken at T0 stays until 600 s after it was ordered: going to zero sooner would reverse that scale-out', async () => {
    const { history, store } = await wakeThenIdle();
    // idle for 300 s at T0 + 7 min, held (one idle worker for 4 minutes) until T0 + 10 min; zero at the first poll after
    expect(history).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    const record = await store.getTarget('default-workers');
    expect(record?.lastDecision?.reason).toMatch(/1 -> 0/);
  });

  test('R15 busy workers are never removed: an ASG is not set below its instances protected from scale-in', async () => {
    const store = await newStore();
    const clock = { now: T0 };
    const handler = makeHandler(store, clock);
    cloud.group = { desired: 8, protectedCount: 5, maxSize: 10 };
    cloud.queues[REPORTS_URL] = { visible: 0, notVisible: 5 };
    for (let i = 0; i < 15; i++) {
      await handler(pollEvent(clock.now), context);
      clock.now += MIN;
    }
    const asked = asg.commandCalls(SetDesiredCapacityCommand).map((c) => c.args[0].input.DesiredCapacity);
    expect(asked.length).toBeGreaterThan(0);
    expect(Math.min(...asked.map(Number))).toBe(5);
    expect(cloud.group.desired).toBe(5);
    // once they finish, the fleet may go lower
    cloud.group.protectedCount = 0;
    cloud.queues[REPORTS_URL] = { visible: 0, notVisible: 0 };
    for (let i = 0; i < 15; i++) {
      await handler(pollEvent(clock.now), context);
      clock.now += MIN;
    }
    expect(cloud.group.desired).toBe(0);
  });

  test('many queues in one invocation, at most five read at a time', async () => {
    const targets = Array.from({ length: 12 }, (_, i) => ({
      id: `q${i}`,
      kind: 'queue-workers' as const,
      queueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/q${i}`,
      // One service each: two targets on one service would be refused (one resource, one target).
      workers: { kind: 'ecs-service' as const, cluster: 'celery', service: `worker-${i}` },
      messagesPerSecondPerWorker: 1,
    }));
    for (const t of targets) cloud.queues[t.queueUrl] = { visible: 0, notVisible: 0 };
    const store = await newStore();
    const result = (await makeHandler(store, { now: T0 }, { configInput: { prefix: 'shop', targets } })(pollEvent(T0), context)) as QueueResult;
    expect(result.targets).toHaveLength(12);
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(12);
    expect(cloud.maxInFlightCalls).toBeGreaterThan(1);
    expect(cloud.maxInFlightCalls).toBeLessThanOrEqual(5);
  });

  test('a queue that fails does not hold the others back, and the invocation fails so it is retried', async () => {
    const store = await newStore();
    delete (cloud.queues as Record<string, unknown>)[REPORTS_URL];
    cloud.queues[DEFAULT_URL] = { visible: 50, notVisible: 0 };
    await expect(makeHandler(store, { now: T0 })(pollEvent(T0), context)).rejects.toThrow(/report-workers: GetQueueAttributes .*QueueDoesNotExist/);
    expect(cloud.service.desired).toBeGreaterThanOrEqual(1);
  });

  test('dead-letter queue depth is reported once per rise, never scaled on', async () => {
    const store = await newStore();
    const clock = { now: T0 };
    const sent: Notification[] = [];
    const handler = makeHandler(store, clock, { notifier: { notify: async (n) => void sent.push(n) } });
    cloud.queues[REPORTS_DLQ] = { visible: 3, notVisible: 0 };
    await handler(pollEvent(clock.now), context);
    clock.now += MIN;
    await handler(pollEvent(clock.now), context);
    const dlq = sent.filter((n) => /dead-letter/.test(n.subject));
    expect(dlq).toHaveLength(1);
    expect(dlq[0].subject).toBe('[shop] report-workers: 3 message(s) in the dead-letter queue');
    expect(dlq[0].body).toMatchObject({ depth: 3, deadLetterQueueUrl: REPORTS_DLQ });
    // the workers were not scaled for it
    expect(cloud.group.desired).toBe(0);
    cloud.queues[REPORTS_DLQ] = { visible: 5, notVisible: 0 };
    clock.now += MIN;
    await handler(pollEvent(clock.now), context);
    expect(sent.filter((n) => /dead-letter/.test(n.subject))).toHaveLength(2);
  });

  test('a capacity window sets the floor and ceiling in force (night: ceiling 2)', async () => {
    const store = await newStore();
    const configInput: AutoscalerConfigInput = {
      ...baseConfig,
      windows: [{ name: 'night', target: 'default-workers', start: 'cron(0 23 * * ? *)', end: 'cron(0 8 * * ? *)', timezone: 'Europe/Paris', maxCapacity: 2 }],
    };
    cloud.queues[DEFAULT_URL] = { visible: 20_000, notVisible: 0 };
    // 01:00 Paris
    const night = Date.parse('2026-01-06T00:00:00Z');
    await makeHandler(store, { now: night }, { configInput })(pollEvent(night), context);
    expect(cloud.service.desired).toBe(2);
    expect((await store.getTarget('default-workers'))?.lastDecision?.reason).toMatch(/window "night"/);
    // 09:00 Paris: the target's own ceiling
    const day = Date.parse('2026-01-06T08:00:00Z');
    await makeHandler(store, { now: day }, { configInput })(pollEvent(day), context);
    expect(cloud.service.desired).toBe(20);
  });

  test('a window schedule evaluates its target at once', async () => {
    const store = await newStore();
    const configInput: AutoscalerConfigInput = {
      ...baseConfig,
      windows: [
        {
          name: 'business',
          target: 'default-workers',
          start: 'cron(0 8 ? * MON-FRI *)',
          end: 'cron(0 18 ? * MON-FRI *)',
          timezone: 'Europe/Paris',
          minCapacity: 3,
        },
      ],
    };
    const at = Date.parse('2026-01-05T07:00:00Z'); // Monday 08:00 Paris
    const event = {
      source: 'autoscaler.scheduler',
      action: 'window',
      family: 'queue',
      window: 'business',
      edge: 'start',
      scheduledTime: '2026-01-05T07:00:00Z',
      executionId: 'w-1',
    };
    const result = (await makeHandler(store, { now: at }, { configInput })(event, context)) as QueueResult;
    expect(result.detail).toBe('window "business" start');
    expect(cloud.service.desired).toBe(3);
    expect(sqs.commandCalls(GetQueueAttributesCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([DEFAULT_URL]);
  });
});

describe('age-of-oldest-message alarm (fast path)', () => {
  test('an ALARM evaluates its target at once with the age the alarm saw', async () => {
    const store = await newStore();
    cloud.queues[DEFAULT_URL] = { visible: 4000, notVisible: 0 };
    cloud.service = { desired: 1, running: 1 };
    const at = Date.parse(alarmFixture.time) + 20_000;
    const result = (await makeHandler(store, { now: at })(alarmFixture, context)) as QueueResult;
    expect(result.status).toBe('evaluated');
    expect(result.detail).toMatch(/oldest message 212 s/);
    expect(result.targets[0]).toMatchObject({ targetId: 'default-workers', outcome: 'applied' });
    expect((await store.getTarget('default-workers'))?.lastDecision?.figures.ageSeconds).toBeGreaterThanOrEqual(212);
  });

  test('an alarm back to OK, a stale one and one of another deployment change nothing', async () => {
    const store = await newStore();
    const at = Date.parse(alarmFixture.time) + 20_000;
    const handler = makeHandler(store, { now: at });
    const ok = { ...alarmFixture, id: 'ok-1', detail: { ...alarmFixture.detail, state: { ...alarmFixture.detail.state, value: 'OK' } } };
    expect(((await handler(ok, context)) as QueueResult).status).toBe('ignored');
    const stale = makeHandler(store, { now: at + 3600_000 });
    expect(((await stale({ ...alarmFixture, id: 'stale-1' }, context)) as QueueResult).status).toBe('ignored');
    const foreign = { ...alarmFixture, id: 'foreign-1', detail: { ...alarmFixture.detail, alarmName: 'other/default-workers/age/high' } };
    expect(((await handler(foreign, context)) as QueueResult).status).toBe('rejected');
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(0);
  });
});

describe('events', () => {
  test('a malformed event is rejected before any AWS call', async () => {
    const store = await newStore();
    await expect(makeHandler(store, { now: T0 })({ source: 'autoscaler.scheduler', action: 'poll' }, context)).rejects.toThrow(RejectedEventError);
    expect(sqs.calls()).toHaveLength(0);
  });

  test('a redelivered poll returns the first result without acting twice', async () => {
    const store = await newStore();
    cloud.queues[DEFAULT_URL] = { visible: 100, notVisible: 0 };
    const handler = makeHandler(store, { now: T0 });
    const first = await handler(pollEvent(T0), context);
    const again = await handler(pollEvent(T0), context);
    expect(again).toEqual(first);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
  });
});
