import { DescribeAlarmsCommand, GetMetricDataCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmSpec } from '../../../lambdas/shared/alarms';
import { AlarmEvaluator } from '../../../sim/cloud/alarms';
import { FakeCloudWatch, MetricStore } from '../../../sim/cloud/cloudwatch';
import { CallLog } from '../../../sim/cloud/recorder';
import { T0 } from '../helpers';

const cpu = { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'g' } };
const at = (minute: number) => T0 + minute * 60_000;

function setup(nowMinute: number) {
  const store = new MetricStore();
  for (const [m, v] of [10, 20, 30, 40, 50].entries()) store.put(cpu, at(m), v, at(m + 2));
  let now = at(nowMinute);
  const log = new CallLog(() => now);
  const spec: AlarmSpec = {
    name: 'p/web/cpu/high',
    targetId: 'web',
    signal: 'cpu',
    direction: 'high',
    metric: { ...cpu, stat: 'Average' },
    periodSeconds: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 25,
    comparison: 'GreaterThanThreshold',
    treatMissingData: 'missing',
    description: 'd',
  };
  const low: AlarmSpec = { ...spec, name: 'p/web/cpu/low', direction: 'low', threshold: 5, comparison: 'LessThanThreshold' };
  const alarms = new AlarmEvaluator([spec, low], store, {}, T0);
  const cw = new FakeCloudWatch(store, log, () => now, alarms);
  return { cw, log, alarms, setNow: (m: number) => (now = at(m)) };
}

const query = (Period: number, Stat: string, ScanBy?: 'TimestampAscending' | 'TimestampDescending') =>
  new GetMetricDataCommand({
    StartTime: new Date(at(0)),
    EndTime: new Date(at(10)),
    ScanBy,
    MetricDataQueries: [
      {
        Id: 'cpu',
        MetricStat: {
          Metric: { Namespace: cpu.namespace, MetricName: cpu.metricName, Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'g' }] },
          Period,
          Stat,
        },
      },
    ],
  });

describe('FakeCloudWatch.GetMetricData', () => {
  test('returns only datapoints visible now, newest first by default', async () => {
    const { cw } = setup(4); // minutes 0, 1, 2 visible
    const res = await cw.send(query(60, 'Average'));
    expect(res.MetricDataResults).toEqual([
      { Id: 'cpu', Label: 'CPUUtilization', Timestamps: [new Date(at(2)), new Date(at(1)), new Date(at(0))], Values: [30, 20, 10], StatusCode: 'Complete' },
    ]);
    expect(res.$metadata.httpStatusCode).toBe(200);
  });

  test('ScanBy TimestampAscending, longer periods and statistics', async () => {
    const { cw } = setup(7); // all five visible
    expect((await cw.send(query(60, 'Maximum', 'TimestampAscending'))).MetricDataResults[0].Values).toEqual([10, 20, 30, 40, 50]);
    const sum = (await cw.send(query(120, 'Sum', 'TimestampAscending'))).MetricDataResults[0];
    expect(sum.Values).toEqual([30, 70, 50]);
    expect(sum.Timestamps).toEqual([new Date(at(0)), new Date(at(2)), new Date(at(4))]);
    expect((await cw.send(query(300, 'Average'))).MetricDataResults[0].Values).toEqual([30]);
    expect((await cw.send(query(300, 'p95'))).MetricDataResults[0].Values).toEqual([50]);
  });

  test('1-minute datapoints are kept 15 days, 5-minute ones 63 (CloudWatch API Reference, GetMetricData)', async () => {
    const store = new MetricStore();
    const day = 86_400_000;
    for (const d of [20, 14]) store.put(cpu, at(0) - d * day, d, at(0) - d * day);
    const cw = new FakeCloudWatch(store, new CallLog(() => at(0)), () => at(0));
    const read = async (Period: number) => {
      const c = query(Period, 'Average', 'TimestampAscending');
      c.input.StartTime = new Date(at(0) - 30 * day);
      return (await cw.send(c)).MetricDataResults[0].Values;
    };
    expect(await read(60)).toEqual([14]);
    expect(await read(300)).toEqual([20, 14]);
  });

  test('an unknown metric gives an empty result', async () => {
    const { cw } = setup(7);
    const c = query(60, 'Average');
    c.input.MetricDataQueries![0].MetricStat!.Metric!.MetricName = 'MemoryUtilization';
    expect((await cw.send(c)).MetricDataResults[0]).toMatchObject({ Id: 'cpu', Timestamps: [], Values: [] });
  });
});

describe('FakeCloudWatch.DescribeAlarms', () => {
  test('filters by prefix, state and names', async () => {
    const { cw, alarms } = setup(4);
    alarms.evaluate(at(4)); // newest visible is minute 2 (30): high ALARM, low OK
    const inAlarm = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'p/', StateValue: 'ALARM' }));
    expect(inAlarm.MetricAlarms.map((a: { AlarmName: string }) => a.AlarmName)).toEqual(['p/web/cpu/high']);
    const named = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['p/web/cpu/low'] }));
    expect(named.MetricAlarms).toHaveLength(1);
    expect(named.MetricAlarms[0].StateValue).toBe('OK');
    expect((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'q/' }))).MetricAlarms).toEqual([]);
  });
});

describe('FakeCloudWatch', () => {
  test('records every call and rejects unknown commands by name', async () => {
    const { cw, log } = setup(4);
    await cw.send(query(60, 'Average'));
    await expect(cw.send(new PutMetricAlarmCommand({ AlarmName: 'x' } as never))).rejects.toThrow(/does not implement PutMetricAlarmCommand/);
    expect(log.calls.map((c) => `${c.service}:${c.command}`)).toEqual(['cloudwatch:GetMetricDataCommand', 'cloudwatch:PutMetricAlarmCommand']);
    expect(log.calls[0].at).toBe(at(4));
  });
});

describe('MetricStore.aggregate', () => {
  // A 1-minute period takes a shorter path than a longer one; both must give the same figures.
  test.each(['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'])('%s of one datapoint: the same over 1 minute as over 2', (stat) => {
    const store = new MetricStore();
    const key = 'AWS/EC2|CPUUtilization|AutoScalingGroupName=g';
    store.put(cpu, at(0), 30, at(0), 4);
    store.put(cpu, at(2), Number.NaN, at(2));
    store.put(cpu, at(4), -0, at(4));
    for (const m of [0, 2, 4]) {
      const one = store.aggregate(key, at(m), 60, stat, at(9));
      const two = store.aggregate(key, at(m), 120, stat, at(9));
      expect(one).toEqual(two);
      expect(Object.is(one?.value, two?.value)).toBe(true);
    }
    expect(store.aggregate(key, at(1), 60, stat, at(9))).toBeUndefined();
    expect(store.aggregate(key, at(0), 60, stat, at(0) - 1)).toBeUndefined();
  });
});
