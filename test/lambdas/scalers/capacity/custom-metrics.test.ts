/**
 * Custom metrics on the real path: the alarm of `allAlarms(config)` evaluated by the in-memory
 * CloudWatch on published datapoints, its state change matched by the capacity rule's pattern, the real
 * capacity handler reading the metrics with GetMetricData and setting the group's desired count.
 */
import type { Context } from 'aws-lambda';
import { createCapacityHandler } from '../../../../lambdas/scalers/capacity/handler';
import { alarmRulePattern, allAlarms } from '../../../../lambdas/shared/alarms';
import { parseConfig } from '../../../../lambdas/shared/config';
import { MemoryStateStore } from '../../../../lambdas/state/memory';
import { AlarmEvaluator } from '../../../../sim/cloud/alarms';
import { FakeAutoScaling } from '../../../../sim/cloud/capacity';
import { FakeCloudWatch, MetricStore } from '../../../../sim/cloud/cloudwatch';
import { matchesPattern } from '../../../../sim/cloud/event-pattern';
import { CallLog } from '../../../../sim/cloud/recorder';

const START = Date.UTC(2026, 0, 5, 12, 0, 0);
const MIN = 60_000;
const context = { awsRequestId: 'req-1', functionName: 'capacity', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const CPU = { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'django-web' } };
const zone = (az: string) => ({ namespace: 'Daphne', metricName: 'OpenConnections', dimensions: { AutoScalingGroupName: 'django-web', AvailabilityZone: az } });

function world(customMetrics: unknown[], extra: Record<string, unknown> = {}) {
  const config = parseConfig({
    prefix: 'shop',
    targets: [{ id: 'web', kind: 'asg', autoScalingGroupName: 'django-web', minCapacity: 2, maxCapacity: 40, customMetrics, ...extra }],
  });
  let now = START;
  let desired = 10;
  const clock = () => now;
  const calls = new CallLog(clock);
  const store = new MetricStore();
  const alarms = new AlarmEvaluator(allAlarms(config), store, {}, START);
  const backend = {
    get desired() {
      return desired;
    },
    setDesired: (n: number) => {
      desired = n;
    },
    units: () => Array.from({ length: desired }, (_, serial) => ({ serial, ready: true })),
  };
  const handler = createCapacityHandler({
    config,
    store: new MemoryStateStore(),
    autoScaling: new FakeAutoScaling([{ name: 'django-web', minSize: 2, maxSize: 40, backend }], calls),
    ecs: { send: async () => ({}) },
    cloudWatch: new FakeCloudWatch(store, calls, clock, alarms),
    now: clock,
    sleep: async () => undefined,
  });
  /** Publishes minute m's datapoints (visible a minute after it ends), evaluates the alarms and delivers what the rule matches. */
  async function minute(m: number, values: { cpu: number; a: number; b: number }) {
    const at = START + m * MIN;
    store.put(CPU, at, values.cpu, at + 2 * MIN);
    store.put(zone('eu-west-1a'), at, values.a, at + 2 * MIN);
    store.put(zone('eu-west-1b'), at, values.b, at + 2 * MIN);
    now = at + MIN;
    const events = alarms.evaluate(now).filter((e) => matchesPattern(alarmRulePattern('shop', 'capacity'), e));
    for (const e of events) await handler(JSON.parse(JSON.stringify(e)), context);
    return events.map((e) => `${e.detail.alarmName} ${e.detail.state.value}`);
  }
  return { minute, calls, desired: () => desired };
}

describe('capacity handler with custom metrics, on the in-memory CloudWatch', () => {
  test('connections over the target per unit raise the custom alarm, and the function sizes the group on them although CPU is below its target', async () => {
    const w = world([
      {
        name: 'websockets',
        queries: [
          { id: 'a', metric: { ...zone('eu-west-1a'), stat: 'Sum' } },
          { id: 'b', metric: { ...zone('eu-west-1b'), stat: 'Sum' } },
          { id: 'total', expression: 'a + b', returnData: true },
        ],
        targetPerUnit: 1500,
        aggregation: 'total',
      },
    ]);
    const seen: string[] = [];
    // 30,000 connections on 10 units at 66% CPU (between its alarms, so only the custom alarm can bring
    // the target up): 20 units at 1,500 each.
    for (let m = 0; m < 8; m++) seen.push(...(await w.minute(m, { cpu: 66, a: 2_000, b: 28_000 })));
    expect(seen.filter((s) => s.endsWith('ALARM'))).toEqual(['shop/web/custom-websockets/high ALARM']);
    expect(seen).toContain('shop/web/custom-websockets/high ALARM');
    expect(w.desired()).toBe(20);
    // The custom queries went to GetMetricData with their own ids and the expression renamed to them.
    const custom = w.calls
      .of('cloudwatch', 'GetMetricDataCommand')
      .map((c) => (c.input as { MetricDataQueries: { Id: string; Expression?: string; ReturnData: boolean }[] }).MetricDataQueries)
      .find((qs) => qs.some((q) => q.Expression));
    expect(custom?.map((q) => [q.Id, q.Expression, q.ReturnData])).toEqual([
      ['c0_a', undefined, false],
      ['c0_b', undefined, false],
      ['c0_total', 'c0_a + c0_b', true],
    ]);
  });

  test('CPU between its alarms and connections under the target: the custom alarm stays quiet and nothing changes', async () => {
    const w = world([{ name: 'websockets', metric: { ...zone('eu-west-1a'), stat: 'Sum' }, targetPerUnit: 1500, aggregation: 'total' }]);
    const seen: string[] = [];
    for (let m = 0; m < 8; m++) seen.push(...(await w.minute(m, { cpu: 66, a: 2_000, b: 0 })));
    expect(seen.filter((s) => s.includes('custom') && s.endsWith('ALARM'))).toEqual([]);
    expect(w.desired()).toBe(10);
  });
});

describe('a step rule on a custom metric, on the in-memory CloudWatch', () => {
  /** Connections per unit: the two zones' sum over the 10 units. */
  const perUnit = {
    name: 'websockets',
    queries: [
      { id: 'a', metric: { ...zone('eu-west-1a'), stat: 'Sum' } },
      { id: 'b', metric: { ...zone('eu-west-1b'), stat: 'Sum' } },
      { id: 'per', expression: '(a + b) / 10', returnData: true },
    ],
  };
  const rules = (threshold: number) => ({
    policy: 'step',
    stepRules: [
      { signal: 'websockets', direction: 'up', comparison: '>', threshold, change: { add: 2 }, cooldownSeconds: 300 },
      { signal: 'cpu', direction: 'down', comparison: '<', threshold: 30, change: { add: -1 }, cooldownSeconds: 0 },
    ],
  });

  test("its alarm on the metric math fires, and the function reads the rule's signal with the same math: up wins", async () => {
    const w = world([perUnit], rules(1500));
    const seen: string[] = [];
    // 20,000 connections on 10 units (2,000 each) at 20% CPU: both rules hold, the up rule wins.
    for (let m = 0; m < 4; m++) seen.push(...(await w.minute(m, { cpu: 20, a: 12_000, b: 8_000 })));
    expect(seen).toEqual(expect.arrayContaining(['shop/web/step-0/high ALARM', 'shop/web/step-1/low ALARM']));
    expect(w.desired()).toBe(12);
  });

  test('read through its expression, not as its first metric: 300 per unit does not hold although zone a alone has 2,000', async () => {
    const w = world([perUnit], rules(1500));
    const seen: string[] = [];
    for (let m = 0; m < 4; m++) seen.push(...(await w.minute(m, { cpu: 20, a: 2_000, b: 1_000 })));
    expect(seen).toContain('shop/web/step-1/low ALARM');
    expect(seen).not.toContain('shop/web/step-0/high ALARM');
    expect(w.desired()).toBe(9);
  });
});
