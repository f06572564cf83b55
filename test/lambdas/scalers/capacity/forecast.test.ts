/**
 * The capacity service's history read for the seasonal forecast, on the in-memory CloudWatch: at most
 * once an hour per target, kept in the target's state, and a failed read leaves the reactive engine
 * deciding as it does without it.
 */
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import * as v from 'valibot';
import type { EngineMemory } from '../../../../lambdas/engine/capacity';
import { CapacityService, FORECAST_READ_SECONDS } from '../../../../lambdas/scalers/capacity/service';
import { capacityMetrics, REEVALUATE_SOURCE } from '../../../../lambdas/shared/alarms';
import { parseConfig } from '../../../../lambdas/shared/config';
import { CapacityEventSchema } from '../../../../lambdas/shared/events';
import type { AsgTarget } from '../../../../lambdas/shared/kinds/schemas/asg';
import { MemoryStateStore } from '../../../../lambdas/state/memory';
import { FakeAutoScaling } from '../../../../sim/cloud/capacity';
import { FakeCloudWatch, MetricStore } from '../../../../sim/cloud/cloudwatch';
import { CallLog } from '../../../../sim/cloud/recorder';

const MIN = 60_000;
const DAY = 1440;
const START = Date.UTC(2026, 0, 5, 0, 0, 0);
const targetGroup = { loadBalancerFullName: 'app/shop/0123456789abcdef', targetGroupFullName: 'targetgroup/web/0123456789abcdef' };

/** Requests a minute: a daily sine between 6,000 and 54,000 (100 to 900 a second). */
const requests = (m: number) => 30_000 + 24_000 * Math.sin((2 * Math.PI * m) / DAY);

function world(options: { forecast?: boolean; failHistory?: boolean } = {}) {
  const config = parseConfig({
    prefix: 'shop',
    targets: [{ id: 'web', kind: 'asg', autoScalingGroupName: 'web', minCapacity: 2, maxCapacity: 100, targetGroup, forecast: options.forecast ?? true }],
  });
  const metrics = capacityMetrics(config.targets[0] as AsgTarget);
  let now = START;
  const clock = () => now;
  const calls = new CallLog(clock);
  const store = new MetricStore();
  let desired = 20;
  const cloudWatch = new FakeCloudWatch(store, calls, clock, { describe: () => [{ AlarmName: 'shop/web/cpu/high', StateValue: 'ALARM' }] });
  // A history read (over a day long) that fails, as a throttled or refused call would after the SDK's retries.
  const client = {
    send: async (command: GetMetricDataCommand) => {
      const start = command.input?.StartTime;
      if (options.failHistory && command instanceof GetMetricDataCommand && start instanceof Date && clock() - start.getTime() > DAY * MIN) {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return cloudWatch.send(command);
    },
  };
  const state = new MemoryStateStore();
  const service = new CapacityService({
    config,
    store: state,
    autoScaling: new FakeAutoScaling(
      [
        {
          name: 'web',
          minSize: 2,
          maxSize: 100,
          backend: {
            get desired() {
              return desired;
            },
            setDesired: (n: number) => {
              desired = n;
            },
            units: () => Array.from({ length: desired }, (_, serial) => ({ serial, ready: true })),
          },
        },
      ],
      calls,
    ),
    ecs: { send: async () => ({}) },
    cloudWatch: client,
    now: clock,
    sleep: async () => undefined,
  });
  const publish = (m: number) => {
    const at = START + m * MIN;
    const rate = requests(m);
    store.put(metrics.requestCount!, at, rate, at + 2 * MIN);
    store.put(metrics.requestCountPerTarget!, at, rate / desired, at + 2 * MIN);
    store.put(metrics.cpu, at, Math.min(100, (100 * rate) / 60 / (desired * 40)), at + 2 * MIN);
  };
  // Two days of history, then the schedule every minute of the third day's first hours.
  for (let m = 0; m < 2 * DAY; m++) publish(m);
  async function tick(m: number) {
    publish(m);
    now = START + (m + 1) * MIN;
    const event = v.parse(CapacityEventSchema, {
      source: REEVALUATE_SOURCE,
      action: 'reevaluate',
      family: 'capacity',
      scheduledTime: new Date(now).toISOString(),
      executionId: `run-${m}`,
    });
    await service.handle(event, `schedule:${m}`);
  }
  const historyReads = () =>
    calls.of('cloudwatch', 'GetMetricDataCommand').filter((c) => c.at - (c.input as { StartTime: Date }).StartTime.getTime() > DAY * MIN);
  const memory = async () => (await state.getTarget('web'))?.memory as EngineMemory | undefined;
  return { tick, historyReads, memory, state, desired: () => desired };
}

describe('the history read for the seasonal forecast', () => {
  test('at most once an hour per target, kept in its state between decisions', async () => {
    const w = world();
    for (let m = 2 * DAY; m < 2 * DAY + 150; m++) await w.tick(m);
    const reads = w.historyReads();
    expect(reads.length).toBe(3);
    for (let i = 1; i < reads.length; i++) expect(reads[i].at - reads[i - 1].at).toBeGreaterThanOrEqual(FORECAST_READ_SECONDS * 1000);
    // one request of one metric: 14 days and 4 hours of 1-minute datapoints
    const input = reads[0].input as { StartTime: Date; EndTime: Date; MetricDataQueries: unknown[] };
    expect(input.MetricDataQueries).toHaveLength(1);
    expect((input.EndTime.getTime() - input.StartTime.getTime()) / MIN).toBe(14 * DAY + 240);
    const memory = await w.memory();
    expect(memory?.forecastReadAt).toBe(reads[reads.length - 1].at);
    expect(memory?.forecast?.values.length).toBeGreaterThan(60);
  }, 60_000);

  test('a failed read: logged, no throw, the decisions go on without a forecast', async () => {
    const w = world({ failHistory: true });
    for (let m = 2 * DAY; m < 2 * DAY + 10; m++) await w.tick(m);
    const audit = await w.state.listAudit('web', 0, Number.MAX_SAFE_INTEGER, 100);
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((e) => e.outcome !== 'failed')).toBe(true);
    expect(audit.every((e) => e.figures?.forecastPeak === undefined)).toBe(true);
    const memory = await w.memory();
    expect(memory?.forecast).toBeUndefined();
    // tried once, not every minute
    expect(memory?.forecastReadAt).toBe(START + (2 * DAY + 1) * MIN);
  }, 60_000);

  test('forecast: false reads no history', async () => {
    const w = world({ forecast: false });
    for (let m = 2 * DAY; m < 2 * DAY + 5; m++) await w.tick(m);
    expect(w.historyReads()).toEqual([]);
    expect((await w.memory())?.forecastReadAt).toBeUndefined();
  }, 60_000);
});
