/**
 * R15: scale-in never removes a protected or busy unit. Celery workers on an Auto Scaling group protect
 * their instance from scale-in while they work; the queue family's real handler (state on dynalite,
 * SQS, Auto Scaling and ECS answered at the SDK boundary, as the queue handler's own tests do) never
 * sets the group below its protected instances, whatever the backlog, the fleet and the protection do
 * from one poll to the next. On ECS, task scale-in protection is ECS's own: the autoscaler only lowers
 * desiredCount and never stops, or unprotects, a task itself.
 */

import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { createQueueHandler } from '../../lambdas/scalers/queue/handler';
import type { QueueResult } from '../../lambdas/scalers/queue/service';
import { parseConfig } from '../../lambdas/shared/config';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import { lambdaContext, scheduleEvent, T0, useDynalite } from './support';

const db = useDynalite();
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/celery-reports';
const MAX = 10;

/** One queue-workers target on the Auto Scaling group `celery-reports` (or the ECS service `celery/reports`). */
function config(workers: 'asg' | 'ecs-service') {
  return parseConfig({
    prefix: 'autoscaler',
    targets: [
      {
        id: 'reports',
        kind: 'queue-workers',
        queueUrl: QUEUE_URL,
        workers: workers === 'asg' ? { kind: 'asg', autoScalingGroupName: 'celery-reports' } : { kind: 'ecs-service', cluster: 'celery', service: 'reports' },
        messagesPerSecondPerWorker: 0.5,
        maxCapacity: MAX,
      },
    ],
  });
}

/** The queue's depth and the fleet, as AWS would report them; the handler's writes change the fleet. */
interface Cloud {
  visible: number;
  notVisible: number;
  desired: number;
  /** Instances protected from scale-in (busy workers): never more than the instances there are. */
  protectedCount: number;
  /** Each SetDesiredCapacity / UpdateService with the protected count AWS reported just before it. */
  sets: { desired: number; protectedAtDescribe: number }[];
}

async function world(workers: 'asg' | 'ecs-service', cloud: Cloud) {
  const sqs = new SQSClient({ region: 'us-east-1' });
  const autoScaling = new AutoScalingClient({ region: 'us-east-1' });
  const ecs = new ECSClient({ region: 'us-east-1' });
  const sqsMock = mockClient(sqs);
  const asgMock = mockClient(autoScaling);
  const ecsMock = mockClient(ecs);
  sqsMock.on(GetQueueAttributesCommand).callsFake(async () => ({
    Attributes: {
      ApproximateNumberOfMessages: String(cloud.visible),
      ApproximateNumberOfMessagesNotVisible: String(cloud.notVisible),
      ApproximateNumberOfMessagesDelayed: '0',
    },
  }));
  let protectedAtDescribe = 0;
  asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(async () => {
    protectedAtDescribe = cloud.protectedCount;
    return {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'celery-reports',
          DesiredCapacity: cloud.desired,
          MinSize: 0,
          MaxSize: MAX,
          Instances: Array.from({ length: cloud.desired }, (_, i) => ({
            InstanceId: `i-${i}`,
            LifecycleState: 'InService',
            HealthStatus: 'Healthy',
            ProtectedFromScaleIn: i < cloud.protectedCount,
          })),
        },
      ],
    };
  });
  asgMock.on(SetDesiredCapacityCommand).callsFake(async (input: { DesiredCapacity: number }) => {
    cloud.sets.push({ desired: input.DesiredCapacity, protectedAtDescribe });
    // Auto Scaling itself refuses to go below the protected instances it cannot terminate; the
    // autoscaler must never ask. Recorded above, applied as asked.
    cloud.desired = input.DesiredCapacity;
    cloud.protectedCount = Math.min(cloud.protectedCount, cloud.desired);
    return {};
  });
  ecsMock.on(DescribeServicesCommand).callsFake(async () => ({
    services: [{ serviceName: 'reports', status: 'ACTIVE', desiredCount: cloud.desired, runningCount: cloud.desired, pendingCount: 0 }],
    failures: [],
  }));
  ecsMock.on(UpdateServiceCommand).callsFake(async (input: { desiredCount: number }) => {
    cloud.sets.push({ desired: input.desiredCount, protectedAtDescribe: 0 });
    cloud.desired = input.desiredCount;
    return { service: { desiredCount: input.desiredCount } };
  });
  const clock = { now: T0 };
  const store = new DynamoStateStore({ tableName: await db().stateTable(), client: db().doc });
  const handler = createQueueHandler({
    config: config(workers),
    store,
    sqs,
    cloudWatch: { send: () => Promise.reject(new Error('a queue-workers target reads no CloudWatch')) },
    autoScaling,
    ecs,
    now: () => clock.now,
    sleep: async () => undefined,
  });
  let polls = 0;
  return {
    clock,
    ecsMock,
    asgMock,
    /** One scheduled poll, a minute after the last. */
    poll: async () => {
      clock.now += 60_000;
      return (await handler(scheduleEvent(clock.now, 'queue'), lambdaContext(`poll-${++polls}`))) as QueueResult;
    },
  };
}

const step = fc.record({
  /** Mostly an idle queue (scale-in is what is at stake), sometimes a burst. */
  visible: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 5000 }), weight: 1 }),
  notVisible: fc.integer({ min: 0, max: 10 }),
  /** The busy (protected) instances at this poll: unchanged, or a new random count (capped by the instances there are). */
  protectedCount: fc.option(fc.integer({ min: 0, max: MAX }), { freq: 3 }),
});

test('R15 scale-in never removes a protected or busy unit: an Auto Scaling group is never set below its protected instances (property over random protected counts)', async () => {
  let scaleIns = 0;
  let heldAtProtected = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: MAX }).chain((desired) => fc.record({ desired: fc.constant(desired), protectedCount: fc.integer({ min: 0, max: desired }) })),
      fc.array(step, { minLength: 6, maxLength: 10 }),
      async (start, steps) => {
        const cloud: Cloud = { visible: 0, notVisible: 0, desired: start.desired, protectedCount: start.protectedCount, sets: [] };
        const w = await world('asg', cloud);
        for (const s of steps) {
          cloud.visible = s.visible;
          cloud.notVisible = s.notVisible;
          if (s.protectedCount !== null) cloud.protectedCount = Math.min(cloud.desired, s.protectedCount);
          const before = cloud.desired;
          const result = await w.poll();
          expect(result.targets[0].outcome).not.toBe('error');
          if (cloud.desired < before) scaleIns++;
          if (cloud.desired < before && cloud.desired === cloud.protectedCount) heldAtProtected++;
        }
        for (const set of cloud.sets) expect(set.desired).toBeGreaterThanOrEqual(set.protectedAtDescribe);
        expect(cloud.desired).toBeGreaterThanOrEqual(cloud.protectedCount);
      },
    ),
    { numRuns: 15, seed: 1515 },
  );
  // the property was exercised where it matters: fleets were scaled in, some of them down to their busy workers
  expect(scaleIns).toBeGreaterThan(0);
  expect(heldAtProtected).toBeGreaterThan(0);
});

test('R15 scale-in never removes a protected or busy unit: 8 instances, 5 busy, an idle queue: down to the 5, lower only once they finish', async () => {
  const cloud: Cloud = { visible: 0, notVisible: 5, desired: 8, protectedCount: 5, sets: [] };
  const w = await world('asg', cloud);
  for (let i = 0; i < 15; i++) await w.poll();
  expect(cloud.sets.length).toBeGreaterThan(0);
  expect(Math.min(...cloud.sets.map((s) => s.desired))).toBe(5);
  expect(cloud.desired).toBe(5);

  cloud.protectedCount = 0;
  cloud.notVisible = 0;
  for (let i = 0; i < 15; i++) await w.poll();
  expect(cloud.desired).toBe(0);
});

test("R15 scale-in never removes a protected or busy unit: on ECS the autoscaler only lowers desiredCount (task protection is ECS's)", async () => {
  const cloud: Cloud = { visible: 0, notVisible: 0, desired: 6, protectedCount: 0, sets: [] };
  const w = await world('ecs-service', cloud);
  for (let i = 0; i < 15; i++) await w.poll();
  expect(cloud.desired).toBeLessThan(6);
  // its only write is UpdateService with desiredCount and nothing else: no StopTask, no UpdateTaskProtection,
  // no task chosen by the autoscaler (ECS picks which tasks go and skips the protected ones)
  const commands = new Set(w.ecsMock.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name));
  expect([...commands].sort()).toEqual(['DescribeServicesCommand', 'UpdateServiceCommand']);
  const updates = w.ecsMock.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input);
  expect(updates.length).toBeGreaterThan(0);
  for (const u of updates) expect(Object.keys(u).sort()).toEqual(['cluster', 'desiredCount', 'service']);
  expect(w.asgMock.calls()).toHaveLength(0);
});
