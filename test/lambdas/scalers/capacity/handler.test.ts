import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createCapacityHandler } from '../../../../lambdas/scalers/capacity/handler';
import { parseConfig } from '../../../../lambdas/shared/config';
import { RejectedEventError } from '../../../../lambdas/shared/errors';
import { MemoryStateStore } from '../../../../lambdas/state/memory';
import type { StateStore } from '../../../../lambdas/state/store';
import alarmFixture from '../../../fixtures/cloudwatch-alarm-state-change.json';
import scheduleFixture from '../../../fixtures/scheduler-reevaluate.json';

const EVENT_TIME = Date.parse(alarmFixture.time);
const context = { awsRequestId: 'req-1', functionName: 'capacity', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

const config = parseConfig({
  prefix: 'autoscaler',
  targets: [
    {
      id: 'web',
      kind: 'asg',
      autoScalingGroupName: 'django-web',
      minCapacity: 2,
      maxCapacity: 20,
      targetGroup: { loadBalancerFullName: 'app/django/0123456789abcdef', targetGroupFullName: 'targetgroup/web/0123456789abcdef' },
    },
    { id: 'api', kind: 'ecs-service', cluster: 'django', service: 'api', minCapacity: 2, maxCapacity: 12 },
  ],
});

const asg = mockClient(AutoScalingClient);
const ecs = mockClient(ECSClient);
const cw = mockClient(CloudWatchClient);

/** CloudWatch answers: CPU at `cpu`% over the last minutes, and the named alarms in ALARM. */
function cloudWatchSays(cpu: number, inAlarm: string[] = ['autoscaler/web/cpu/high']) {
  cw.on(GetMetricDataCommand).callsFake((input) => ({
    MetricDataResults: input.MetricDataQueries.map((q: { Id: string }) => ({
      Id: q.Id,
      Timestamps: [0, 1, 2, 3, 4].map((i) => new Date(EVENT_TIME - (6 - i) * 60_000)),
      Values: [0, 1, 2, 3, 4].map(() => (q.Id === 'cpu' ? cpu : q.Id === 'memory' ? 40 : NaN)).filter((v) => !Number.isNaN(v)),
      StatusCode: 'Complete',
    })),
  }));
  cw.on(DescribeAlarmsCommand).callsFake((input) => ({
    MetricAlarms: inAlarm
      .filter((n) => (input.AlarmNames ? input.AlarmNames.includes(n) : n.startsWith(input.AlarmNamePrefix ?? '')))
      .map((n) => ({ AlarmName: n, StateValue: 'ALARM' })),
  }));
}

function groupIs(desired: number) {
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: 'django-web',
        DesiredCapacity: desired,
        MinSize: 2,
        MaxSize: 20,
        Instances: Array.from({ length: desired }, (_, i) => ({ InstanceId: `i-${i}`, LifecycleState: 'InService', HealthStatus: 'Healthy' })),
      } as never,
    ],
  });
}

let store: StateStore;
function makeHandler(overrides: Partial<Parameters<typeof createCapacityHandler>[0]> = {}) {
  return createCapacityHandler({
    config,
    store,
    autoScaling: new AutoScalingClient({ region: 'eu-west-1' }),
    ecs: new ECSClient({ region: 'eu-west-1' }),
    cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
    now: () => EVENT_TIME + 20_000,
    sleep: async () => undefined,
    ...overrides,
  });
}

beforeEach(() => {
  asg.reset();
  ecs.reset();
  cw.reset();
  store = new MemoryStateStore();
});

test('a CPU alarm sets the desired capacity to an absolute, proportional value and records why', async () => {
  cloudWatchSays(91);
  groupIs(10);
  asg.on(SetDesiredCapacityCommand).resolves({});
  const result = await makeHandler()(alarmFixture, context);
  expect(result).toMatchObject({ status: 'evaluated', targets: [{ targetId: 'web', outcome: 'applied', previous: 10, desired: 13 }] });
  expect(asg.commandCalls(SetDesiredCapacityCommand)[0].args[0].input).toEqual({
    AutoScalingGroupName: 'django-web',
    DesiredCapacity: 13,
    HonorCooldown: false,
  });
  const audit = await store.listAudit('web', 0, Date.now() + 1e12);
  expect(audit).toHaveLength(1);
  expect(audit[0]).toMatchObject({ outcome: 'applied', previous: 10, desired: 13, eventId: `alarm:${alarmFixture.id}` });
  expect(audit[0].reason).toMatch(/CPU 91\.0%/);
});

test('the same event delivered twice acts once', async () => {
  cloudWatchSays(91);
  groupIs(10);
  asg.on(SetDesiredCapacityCommand).resolves({});
  const handler = makeHandler();
  const first = await handler(alarmFixture, context);
  const second = await handler(alarmFixture, context);
  expect(second).toEqual(first);
  expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(1);
});

test('a malformed event is rejected with no AWS call', async () => {
  await expect(makeHandler()({ ...alarmFixture, detail: { alarmName: 42 } }, context)).rejects.toThrow(RejectedEventError);
  await expect(makeHandler()({ hello: 'world' }, context)).rejects.toThrow(/event rejected/);
  expect(asg.calls()).toHaveLength(0);
  expect(cw.calls()).toHaveLength(0);
});

test('an alarm with the prefix but no such target is rejected and nothing is called', async () => {
  const event = { ...alarmFixture, id: 'other', detail: { ...alarmFixture.detail, alarmName: 'autoscaler/nope/cpu/high' } };
  await expect(makeHandler()(event, context)).resolves.toMatchObject({ status: 'rejected' });
  expect(asg.calls()).toHaveLength(0);
  expect(cw.calls()).toHaveLength(0);
});

test('a stale event is dropped', async () => {
  const result = await makeHandler({ now: () => EVENT_TIME + 11 * 60_000 })(alarmFixture, context);
  expect(result).toMatchObject({ status: 'ignored' });
  expect(asg.calls()).toHaveLength(0);
});

test('an ALARM event whose alarm is back to OK does nothing', async () => {
  cloudWatchSays(91, []);
  groupIs(10);
  const result = await makeHandler()(alarmFixture, context);
  expect(result).toMatchObject({ status: 'ignored' });
  expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
});

test('dry-run records the decision and changes nothing', async () => {
  cloudWatchSays(91);
  groupIs(10);
  await store.setSwitch('web', 'dryRun', true);
  const result = await makeHandler()(alarmFixture, context);
  expect(result).toMatchObject({ targets: [{ outcome: 'dry-run', desired: 13 }] });
  expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
  expect((await store.getTarget('web'))?.lastDecision).toMatchObject({ outcome: 'dry-run', desired: 13 });
});

test('a global pause stops every write', async () => {
  cloudWatchSays(91);
  groupIs(10);
  await store.setSwitch('*', 'paused', true);
  const result = await makeHandler()(alarmFixture, context);
  expect(result).toMatchObject({ targets: [{ outcome: 'paused' }] });
  expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
});

test('ScalingActivityInProgress is waited out with backoff', async () => {
  cloudWatchSays(91);
  groupIs(10);
  const busy = Object.assign(new Error('activity in progress'), { name: 'ScalingActivityInProgressFault' });
  asg.on(SetDesiredCapacityCommand).rejectsOnce(busy).rejectsOnce(busy).resolves({});
  const waits: number[] = [];
  const result = await makeHandler({ sleep: async (ms) => void waits.push(ms) })(alarmFixture, context);
  expect(result).toMatchObject({ targets: [{ outcome: 'applied' }] });
  expect(waits).toHaveLength(2);
  expect(waits[1]).toBeGreaterThanOrEqual(waits[0] / 2);
  expect(waits.every((w) => w >= 250)).toBe(true);
});

test('a terminal error is recorded once and not retried', async () => {
  cloudWatchSays(91);
  groupIs(10);
  asg.on(SetDesiredCapacityCommand).rejects(Object.assign(new Error('New SetDesiredCapacity value 13 is above max value 12'), { name: 'ValidationError' }));
  const result = await makeHandler()(alarmFixture, context);
  expect(result).toMatchObject({ targets: [{ outcome: 'failed' }] });
  expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(1);
  const audit = await store.listAudit('web', 0, Date.now() + 1e12);
  expect(audit[0]).toMatchObject({ outcome: 'failed' });
  expect(audit[0].reason).toMatch(/ValidationError/);
});

test('a missing Auto Scaling group is a terminal failure with no write', async () => {
  cloudWatchSays(91);
  asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
  await expect(makeHandler()(alarmFixture, context)).rejects.toThrow(/Auto Scaling group "django-web" not found/);
  expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
});

test('an ECS service alarm updates the desired count', async () => {
  cloudWatchSays(90, ['autoscaler/api/cpu/high']);
  ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'api', desiredCount: 4, runningCount: 4, pendingCount: 0, status: 'ACTIVE' }] });
  ecs.on(UpdateServiceCommand).resolves({});
  const event = { ...alarmFixture, id: 'ecs-1', detail: { ...alarmFixture.detail, alarmName: 'autoscaler/api/cpu/high' } };
  const result = await makeHandler()(event, context);
  expect(result).toMatchObject({ targets: [{ targetId: 'api', outcome: 'applied', desired: 6 }] });
  expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({ cluster: 'django', service: 'api', desiredCount: 6 });
});

test('the schedule re-evaluates targets whose alarm is still in ALARM', async () => {
  cloudWatchSays(91, ['autoscaler/web/cpu/high']);
  groupIs(10);
  asg.on(SetDesiredCapacityCommand).resolves({});
  const result = await makeHandler({ now: () => Date.parse(scheduleFixture.scheduledTime) + 1000 })(scheduleFixture, context);
  expect(result).toMatchObject({ status: 'evaluated', targets: [{ targetId: 'web', outcome: 'applied' }] });
  expect(ecs.calls()).toHaveLength(0);
});

test('a target busy under another invocation is left to it', async () => {
  cloudWatchSays(91);
  groupIs(10);
  await store.acquireLease('web', 'someone-else', EVENT_TIME, 90);
  const result = await makeHandler()(alarmFixture, context);
  expect(result).toMatchObject({ targets: [{ outcome: 'busy' }] });
  expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
});

test('a failing state table fails closed: no AWS write, the error is thrown for a retry', async () => {
  cloudWatchSays(91);
  groupIs(10);
  const broken = new MemoryStateStore();
  broken.acquireLease = async () => {
    throw Object.assign(new Error('table unavailable'), { name: 'InternalServerError' });
  };
  store = broken;
  await expect(makeHandler()(alarmFixture, context)).rejects.toThrow(/table unavailable/);
  expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
});
