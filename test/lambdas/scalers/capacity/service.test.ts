/** CapacityService's notifications: every action, refusal and failure is told; nothing else is. */

import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import { type Notification, type Notifier, SnsNotifier } from '../../../../lambdas/adapters/sns';
import { CapacityService } from '../../../../lambdas/scalers/capacity/service';
import { parseConfig } from '../../../../lambdas/shared/config';
import { CapacityEventSchema } from '../../../../lambdas/shared/events';
import { MemoryStateStore } from '../../../../lambdas/state/memory';
import alarmFixture from '../../../fixtures/cloudwatch-alarm-state-change.json';

const EVENT_TIME = Date.parse(alarmFixture.time);
const event = v.parse(CapacityEventSchema, alarmFixture);
const config = parseConfig({
  prefix: 'autoscaler',
  targets: [{ id: 'web', kind: 'asg', autoScalingGroupName: 'django-web', minCapacity: 2, maxCapacity: 20 }],
});

const asg = mockClient(AutoScalingClient);
const cw = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);

let store: MemoryStateStore;
let told: Notification[];
const recorder: Notifier = { notify: async (n) => void told.push(n) };

beforeEach(() => {
  asg.reset();
  cw.reset();
  sns.reset();
  store = new MemoryStateStore();
  told = [];
  cw.on(GetMetricDataCommand).callsFake((input) => ({
    MetricDataResults: input.MetricDataQueries.map((q: { Id: string }) => ({
      Id: q.Id,
      Timestamps: [0, 1, 2, 3, 4].map((i) => new Date(EVENT_TIME - (6 - i) * 60_000)),
      Values: q.Id === 'cpu' ? [cpuNow, cpuNow, cpuNow, cpuNow, cpuNow] : [],
    })),
  }));
  cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'autoscaler/web/cpu/high', StateValue: 'ALARM' }] });
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: 'django-web',
        DesiredCapacity: 10,
        MinSize: 2,
        MaxSize: 20,
        Instances: Array.from({ length: 10 }, (_, i) => ({ InstanceId: `i-${i}`, LifecycleState: 'InService', HealthStatus: 'Healthy' })),
      } as never,
    ],
  });
});

let cpuNow = 91;
function service(notifier?: Notifier) {
  return new CapacityService({
    config,
    store,
    autoScaling: new AutoScalingClient({ region: 'eu-west-1' }),
    ecs: new ECSClient({ region: 'eu-west-1' }),
    cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
    now: () => EVENT_TIME + 20_000,
    sleep: async () => undefined,
    notifier,
  });
}

test('an applied action is told once, with a readable subject and the decision as the body', async () => {
  cpuNow = 91;
  asg.on(SetDesiredCapacityCommand).resolves({});
  await service(recorder).handle(event, 'alarm:e-1');
  expect(told).toHaveLength(1);
  expect(told[0].subject).toBe('[autoscaler] web: scaled out 10 -> 13');
  expect(told[0].body).toMatchObject({ targetId: 'web', kind: 'asg', outcome: 'applied', previous: 10, desired: 13, eventId: 'alarm:e-1' });
});

test('a paused target that wanted a change is told as a refusal, and nothing is written to AWS', async () => {
  cpuNow = 91;
  await store.setSwitch('web', 'paused', true);
  await service(recorder).handle(event, 'alarm:e-1');
  expect(asg.commandCalls(SetDesiredCapacityCommand)).toHaveLength(0);
  expect(told.map((n) => n.subject)).toEqual(['[autoscaler] web: paused, wanted to scale out 10 -> 13']);
});

test('dry-run tells what it would have done', async () => {
  cpuNow = 91;
  await store.setSwitch('*', 'dryRun', true);
  await service(recorder).handle(event, 'alarm:e-1');
  expect(told.map((n) => n.body.outcome)).toEqual(['dry-run']);
});

test('a terminal failure is told with the error in the reason', async () => {
  cpuNow = 91;
  asg.on(SetDesiredCapacityCommand).rejects(Object.assign(new Error('bad group'), { name: 'ValidationError' }));
  await service(recorder).handle(event, 'alarm:e-1');
  expect(told).toHaveLength(1);
  expect(told[0].subject).toBe('[autoscaler] web: FAILED to scale out 10 -> 13');
  expect(String(told[0].body.reason)).toMatch(/ValidationError: bad group/);
});

test('a decision that changes nothing is not told', async () => {
  cpuNow = 63;
  await service(recorder).handle(event, 'alarm:e-1');
  const [entry] = await store.listAudit('web', 0, EVENT_TIME + 1e9);
  expect(entry.outcome).toBe('held');
  expect(told).toEqual([]);
});

test('a failed publish does not undo or fail the action: it stays applied and recorded', async () => {
  cpuNow = 91;
  asg.on(SetDesiredCapacityCommand).resolves({});
  sns.on(PublishCommand).rejects(Object.assign(new Error('throttled'), { name: 'Throttling' }));
  const result = await service(new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), 'arn:aws:sns:eu-west-1:1:t')).handle(event, 'alarm:e-1');
  expect(result.targets[0].outcome).toBe('applied');
  expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  expect((await store.listAudit('web', 0, EVENT_TIME + 1e9))[0].outcome).toBe('applied');
});

test('without a notifier (the simulator) decisions still apply', async () => {
  cpuNow = 91;
  asg.on(SetDesiredCapacityCommand).resolves({});
  const result = await service().handle(event, 'alarm:e-1');
  expect(result.targets[0].outcome).toBe('applied');
});
