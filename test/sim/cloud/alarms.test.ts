import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AlarmSpec, alarmRulePattern, allAlarms } from '../../../lambdas/shared/alarms';
import { parseConfig } from '../../../lambdas/shared/config';
import { AlarmEvaluator } from '../../../sim/cloud/alarms';
import { MetricStore } from '../../../sim/cloud/cloudwatch';
import { matchesPattern } from '../../../sim/cloud/event-pattern';
import { T0 } from '../helpers';

const metric = { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'g' }, stat: 'Average' };
const spec = (over: Partial<AlarmSpec>): AlarmSpec => ({
  name: 'autoscaler/web/cpu/high',
  targetId: 'web',
  signal: 'cpu',
  direction: 'high',
  metric,
  periodSeconds: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  threshold: 70,
  comparison: 'GreaterThanThreshold',
  treatMissingData: 'missing',
  description: 'test alarm',
  ...over,
});
const at = (minute: number) => T0 + minute * 60_000;

/** Publishes one datapoint per minute, each visible from the start of minute m + 2. */
function storeWith(values: number[]): MetricStore {
  const store = new MetricStore();
  for (const [m, v] of values.entries()) store.put(metric, at(m), v, at(m + 2));
  return store;
}

describe('AlarmEvaluator', () => {
  test('M of N on the visible datapoints; events only on state changes', () => {
    const ev = new AlarmEvaluator([spec({})], storeWith([80, 50, 90, 60, 60]), {}, T0);
    const states: string[] = [];
    const events = [];
    for (let minute = 0; minute <= 6; minute++) {
      const e = ev.evaluate(at(minute));
      events.push(...e);
      states.push(ev.stateOf('autoscaler/web/cpu/high')!);
    }
    // minute 0-1: nothing visible -> INSUFFICIENT_DATA (initial, no event);
    // minute 2: [80] -> OK; minute 3: [80, 50] -> OK; minute 4: [80, 50, 90] -> 2 of 3 -> ALARM;
    // minute 5: [50, 90, 60] -> OK; minute 6: [90, 60, 60] -> OK
    expect(states).toEqual(['INSUFFICIENT_DATA', 'INSUFFICIENT_DATA', 'OK', 'OK', 'ALARM', 'OK', 'OK']);
    expect(events.map((e) => `${e.detail.previousState.value}->${e.detail.state.value}`)).toEqual(['INSUFFICIENT_DATA->OK', 'OK->ALARM', 'ALARM->OK']);
  });

  test('the event has the shape of AWS "CloudWatch Alarm State Change"', () => {
    const ev = new AlarmEvaluator([spec({})], storeWith([80, 50, 90]), { region: 'eu-west-1', account: '111122223333' }, T0);
    for (let minute = 0; minute < 4; minute++) ev.evaluate(at(minute));
    const [e] = ev.evaluate(at(4));
    const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/cloudwatch-alarm-state-change.json'), 'utf8'));
    const keysDeep = (o: unknown): unknown =>
      o && typeof o === 'object' && !Array.isArray(o)
        ? Object.fromEntries(
            Object.keys(o)
              .sort()
              .map((k) => [k, keysDeep((o as Record<string, unknown>)[k])]),
          )
        : Array.isArray(o)
          ? o.map(keysDeep)
          : typeof o;
    // same fields, same types as the real event (dimension names differ by target)
    const shape = (x: any) => {
      const s = keysDeep(x) as any;
      s.detail.configuration.metrics[0].metricStat.metric.dimensions = 'object';
      return s;
    };
    expect(shape(e)).toEqual(shape(fixture));
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(e.time).toBe('2026-01-05T00:04:00Z');
    expect(e.resources).toEqual(['arn:aws:cloudwatch:eu-west-1:111122223333:alarm:autoscaler/web/cpu/high']);
    expect(e.detail.state.timestamp).toBe('2026-01-05T00:04:00.000+0000');
    expect(e.detail.state.reason).toBe(
      'Threshold Crossed: 2 out of the last 3 datapoints [90 (05/01/26 00:02:00), 50 (05/01/26 00:01:00), 80 (05/01/26 00:00:00)] were greater than the threshold (70.0) (minimum 2 datapoints for OK -> ALARM transition).',
    );
    const data = JSON.parse(e.detail.state.reasonData!);
    expect(data).toMatchObject({ version: '1.0', statistic: 'Average', period: 60, recentDatapoints: [80, 50, 90], threshold: 70 });
    expect(data.evaluatedDatapoints).toEqual([
      { timestamp: '2026-01-05T00:02:00.000+0000', sampleCount: 1, value: 90 },
      { timestamp: '2026-01-05T00:01:00.000+0000', sampleCount: 1, value: 50 },
      { timestamp: '2026-01-05T00:00:00.000+0000', sampleCount: 1, value: 80 },
    ]);
    expect(e.detail.configuration.metrics[0].metricStat).toEqual({
      metric: { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'g' } },
      period: 60,
      stat: 'Average',
    });
  });

  test('missing data: notBreaching goes OK, breaching goes ALARM, missing stays INSUFFICIENT_DATA, ignore keeps the state', () => {
    const empty = new MetricStore();
    const ev = new AlarmEvaluator(
      [
        spec({ name: 'a/nb', treatMissingData: 'notBreaching' }),
        spec({ name: 'a/b', treatMissingData: 'breaching' }),
        spec({ name: 'a/m', treatMissingData: 'missing' }),
        spec({ name: 'a/i', treatMissingData: 'ignore' }),
      ],
      empty,
      {},
      T0,
    );
    const events = ev.evaluate(at(5));
    expect(events.map((e) => `${e.detail.alarmName}:${e.detail.state.value}`)).toEqual(['a/nb:OK', 'a/b:ALARM']);
    expect(ev.stateOf('a/m')).toBe('INSUFFICIENT_DATA');
    expect(ev.stateOf('a/i')).toBe('INSUFFICIENT_DATA');
  });

  test('breaching fills only the missing datapoints it needs: one real low datapoint and two missing of 3-of-3', () => {
    const ev = new AlarmEvaluator([spec({ treatMissingData: 'breaching', datapointsToAlarm: 3 })], storeWith([10]), {}, T0);
    // at minute 2 only minute 0 is visible: 2 filled as breaching + 1 real not breaching = 2 of 3
    expect(ev.evaluate(at(2)).map((e) => e.detail.state.value)).toEqual(['OK']);
  });

  test('a datapoint not yet visible is not used: the newest period is skipped as CloudWatch would find it missing', () => {
    const ev = new AlarmEvaluator([spec({ evaluationPeriods: 1, datapointsToAlarm: 1 })], storeWith([10, 95]), {}, T0);
    expect(ev.evaluate(at(2)).map((e) => e.detail.state.value)).toEqual(['OK']);
    expect(ev.evaluate(at(3)).map((e) => e.detail.state.value)).toEqual(['ALARM']);
  });

  test("the project's alarms produce events that its capacity rule matches", () => {
    const config = parseConfig({ prefix: 'sim', targets: [{ id: 'web', kind: 'asg', autoScalingGroupName: 'sim-web' }] });
    const specs = allAlarms(config);
    const store = new MetricStore();
    for (let m = 0; m < 5; m++) store.put(specs[0].metric, at(m), 95, at(m + 2));
    const ev = new AlarmEvaluator(specs, store, {}, T0);
    const events = ev.evaluate(at(4));
    const high = events.find((e) => e.detail.alarmName === 'sim/web/cpu/high');
    expect(high?.detail.state.value).toBe('ALARM');
    for (const e of events) expect(matchesPattern(alarmRulePattern('sim', 'capacity'), e)).toBe(true);
  });

  test('DescribeAlarms view', () => {
    const ev = new AlarmEvaluator([spec({})], storeWith([80, 90]), {}, T0);
    ev.evaluate(at(3));
    expect(ev.describe()[0]).toMatchObject({
      AlarmName: 'autoscaler/web/cpu/high',
      StateValue: 'ALARM',
      StateUpdatedTimestamp: new Date(at(3)),
      Namespace: 'AWS/EC2',
      MetricName: 'CPUUtilization',
      Statistic: 'Average',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'g' }],
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 70,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'missing',
    });
  });
});
