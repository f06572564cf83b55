/** Capacity windows on the web tier: the window's floor and ceiling reach the capacity engine on time. */

import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createCapacityHandler } from '../../../../lambdas/scalers/capacity/handler';
import type { CapacityResult } from '../../../../lambdas/scalers/capacity/service';
import { parseConfig } from '../../../../lambdas/shared/config';
import { MemoryStateStore } from '../../../../lambdas/state/memory';

const context = { awsRequestId: 'req-1', functionName: 'capacity', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
// Monday 5 January 2026, 08:00 in Paris
const OPEN = Date.parse('2026-01-05T07:00:00Z');

const config = parseConfig({
  prefix: 'autoscaler',
  targets: [{ id: 'web', kind: 'asg', autoScalingGroupName: 'django-web', minCapacity: 2, maxCapacity: 20 }],
  windows: [{ name: 'business-hours', target: 'web', start: 'cron(0 8 ? * MON-FRI *)', durationMinutes: 600, timezone: 'Europe/Paris', minCapacity: 6 }],
});

const asg = mockClient(AutoScalingClient);
const cw = mockClient(CloudWatchClient);
let desired: number;
let store: MemoryStateStore;

beforeEach(() => {
  asg.reset();
  cw.reset();
  store = new MemoryStateStore();
  desired = 2;
  asg.on(DescribeAutoScalingGroupsCommand).callsFake(async () => ({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: 'django-web',
        DesiredCapacity: desired,
        MinSize: 0,
        MaxSize: 30,
        Instances: Array.from({ length: desired }, (_, i) => ({ InstanceId: `i-${i}`, LifecycleState: 'InService', HealthStatus: 'Healthy' })),
      },
    ],
  }));
  asg.on(SetDesiredCapacityCommand).callsFake(async (input: { DesiredCapacity: number }) => {
    desired = input.DesiredCapacity;
    return {};
  });
  // a quiet tier: 20% CPU, no alarm in ALARM
  cw.on(GetMetricDataCommand).callsFake(async (input: { MetricDataQueries: { Id: string }[]; EndTime: Date }) => ({
    MetricDataResults: input.MetricDataQueries.map((q) => ({
      Id: q.Id,
      Timestamps: [5, 4, 3, 2].map((i) => new Date(new Date(input.EndTime).getTime() - i * 60_000)),
      Values: q.Id === 'cpu' ? [20, 20, 20, 20] : [],
      StatusCode: 'Complete',
    })),
  }));
  cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
});

function handler(now: number) {
  return createCapacityHandler({
    config,
    store,
    autoScaling: new AutoScalingClient({ region: 'eu-west-1' }),
    ecs: new ECSClient({ region: 'eu-west-1' }),
    cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
    now: () => now,
    sleep: async () => undefined,
  });
}

const reevaluate = (at: number) => ({
  source: 'autoscaler.scheduler',
  action: 'reevaluate',
  family: 'capacity',
  scheduledTime: new Date(at).toISOString().replace('.000', ''),
  executionId: `r-${at}`,
});

test("the window's start schedule raises the floor at once, with the window named in the reason", async () => {
  const event = {
    source: 'autoscaler.scheduler',
    action: 'window',
    family: 'capacity',
    window: 'business-hours',
    edge: 'start',
    scheduledTime: '2026-01-05T07:00:00Z',
    executionId: 'w-1',
  };
  const result = (await handler(OPEN + 5_000)(event, context)) as CapacityResult;
  expect(result).toMatchObject({
    status: 'evaluated',
    detail: 'window "business-hours" start',
    targets: [{ targetId: 'web', outcome: 'applied', previous: 2, desired: 6 }],
  });
  expect(result.targets[0].reason).toMatch(/window "business-hours" \(6-20\)/);
});

test('with no alarm in ALARM, the 1-minute schedule applies a window that opened and one that closed', async () => {
  // 07:59 Paris: nothing in force, nothing to do
  let result = (await handler(OPEN - 60_000)(reevaluate(OPEN - 60_000), context)) as CapacityResult;
  expect(result.targets).toHaveLength(0);
  // 08:00: the window opened
  result = (await handler(OPEN)(reevaluate(OPEN), context)) as CapacityResult;
  expect(result.targets[0]).toMatchObject({ outcome: 'applied', desired: 6 });
  // 08:01: already applied, not evaluated again
  result = (await handler(OPEN + 60_000)(reevaluate(OPEN + 60_000), context)) as CapacityResult;
  expect(result.targets).toHaveLength(0);
  // 18:00: the window closed; the floor is the target's own again and the quiet tier may come down
  const close = OPEN + 600 * 60_000;
  result = (await handler(close)(reevaluate(close), context)) as CapacityResult;
  expect(result.targets).toHaveLength(1);
  expect(result.targets[0].reason).not.toMatch(/window/);
  expect(desired).toBeLessThan(6);
});

test("a window with an override in force is not decided on again every minute, and one tick reads the target's record once for its window, override and metrics checks", async () => {
  // 08:00: the window opened and was applied; an override set before that decision is in force
  await store.setOverride({ targetId: 'web', max: 18, expiresAt: OPEN + 3_600_000, setAt: OPEN - 120_000, setBy: 'cli' });
  let result = (await handler(OPEN)(reevaluate(OPEN), context)) as CapacityResult;
  expect(result.targets[0]).toMatchObject({ outcome: 'applied', desired: 6 });
  // 08:01: nothing changed (the bounds in force are the window's with the override's ceiling, as the
  // last decision set them), so nothing is due; the checks read the record once between them
  const reads: string[] = [];
  const getTarget = store.getTarget.bind(store);
  store.getTarget = async (id: string) => {
    reads.push(id);
    return getTarget(id);
  };
  result = (await handler(OPEN + 60_000)(reevaluate(OPEN + 60_000), context)) as CapacityResult;
  expect(result.targets).toHaveLength(0);
  expect(reads).toEqual(['web']);
});
