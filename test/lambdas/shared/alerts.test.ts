import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { alarmRulePattern, alertsForTarget, allAlerts, type Family } from '../../../lambdas/shared/alarms';
import { parseConfig } from '../../../lambdas/shared/config';
import { matchesPattern } from '../../../sim/cloud/event-pattern';
import { configProblems } from '../../support/config-problems';

const TG = { loadBalancerFullName: 'app/shop-alb/50dc6c495c0c9188', targetGroupFullName: 'targetgroup/shop-web/73e2d6bc24d8a067' };
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-default';
const FAMILIES: Family[] = ['capacity', 'cdn', 'database', 'queue'];

/** The seed's rule: `condition: CPU > 70%`, `window: 5m`, `count: 3`. */
const SEED_RULE = { name: 'high-cpu', signal: 'cpu', comparison: '>', threshold: 70, datapointsToAlarm: 3, evaluationPeriods: 5 };

const problems = configProblems;

const web = (alerts: unknown[], extra: Record<string, unknown> = {}) => ({ kind: 'asg', id: 'web', autoScalingGroupName: 'shop-web', alerts, ...extra });
const workers = (alerts: unknown[], extra: Record<string, unknown> = {}) => ({
  kind: 'queue-workers',
  id: 'celery',
  queueUrl: QUEUE,
  workers: { kind: 'ecs-service', cluster: 'celery', service: 'worker' },
  messagesPerSecondPerWorker: 2,
  alerts,
  ...extra,
});

describe('alerts config', () => {
  test('the seed rule "CPU > 70% for 5 minutes, 3 times" is 3 of 5 one-minute datapoints above 70 on the group CPU', () => {
    const config = parseConfig({ prefix: 'shop', targets: [web([SEED_RULE])] });
    expect(alertsForTarget(config.prefix, config.targets[0])).toEqual([
      expect.objectContaining({
        name: 'shop.alert/web/high-cpu',
        metric: { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'shop-web' }, stat: 'Average' },
        periodSeconds: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        threshold: 70,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'missing',
      }),
    ]);
  });

  test('without datapointsToAlarm every datapoint of the window must breach (M of M); no alerts by default', () => {
    const config = parseConfig({
      prefix: 'shop',
      targets: [web([{ name: 'slow', signal: 'responseTimeP95', comparison: '>=', threshold: 2, evaluationPeriods: 10 }], { targetGroup: TG }), workers([])],
    });
    const [slow] = allAlerts(config);
    expect(slow).toMatchObject({
      datapointsToAlarm: 10,
      evaluationPeriods: 10,
      comparison: 'GreaterThanOrEqualToThreshold',
      metric: { metricName: 'TargetResponseTime', stat: 'p95' },
    });
    expect(allAlerts(config)).toHaveLength(1);
    expect(parseConfig({ targets: [{ kind: 'asg', id: 'w', autoScalingGroupName: 'g' }] }).targets[0]).toMatchObject({ alerts: [] });
  });

  test('each kind offers its own signals: the queue its depth, age and dead letters', () => {
    const config = parseConfig({
      targets: [
        workers(
          [
            { name: 'backlog', signal: 'visibleMessages', comparison: '>', threshold: 1000, evaluationPeriods: 5 },
            { name: 'dlq', signal: 'deadLetterMessages', comparison: '>', threshold: 0, evaluationPeriods: 1 },
          ],
          { deadLetterQueueUrl: `${QUEUE}-dlq` },
        ),
      ],
    });
    expect(allAlerts(config).map((a) => [a.signal, a.metric.metricName, a.metric.dimensions.QueueName])).toEqual([
      ['visibleMessages', 'ApproximateNumberOfMessagesVisible', 'celery-default'],
      ['deadLetterMessages', 'ApproximateNumberOfMessagesVisible', 'celery-default-dlq'],
    ]);
  });

  test('a signal the kind does not offer, M above N, a duplicate name and a range over a day (1,440 minutes) are refused with path and value', () => {
    expect(
      problems({
        targets: [
          web([
            { ...SEED_RULE, signal: 'memory' },
            { ...SEED_RULE, name: 'slow', signal: 'responseTimeP95' },
            { ...SEED_RULE, name: 'bursty', datapointsToAlarm: 6 },
            { ...SEED_RULE, name: 'bursty' },
            { ...SEED_RULE, name: 'long', evaluationPeriods: 1441, datapointsToAlarm: 1 },
            { ...SEED_RULE, name: 'negative', threshold: -1 },
          ]),
          workers([
            { ...SEED_RULE, signal: 'deadLetterMessages' },
            { ...SEED_RULE, name: 'x', signal: 'cpu' },
          ]),
        ],
      }),
    ).toEqual([
      'targets[0].alerts[4].evaluationPeriods: 1441 is above the maximum 1440',
      'targets[0].alerts[0].signal: "memory" is not available on this target: EC2 publishes no memory metric; add a custom metric named memory with preset asg-memory (the CloudWatch agent)',
      'targets[0].alerts[1].signal: "responseTimeP95" is not available on this target: it needs targetGroup',
      'targets[0].alerts[2].datapointsToAlarm: 6 is more than evaluationPeriods 5: M of N datapoints needs M <= N',
      'targets[0].alerts[3].name: "bursty" is already the name of alerts[2]',
      'targets[0].alerts[5].threshold: -1 is below 0, which "cpu" never is',
      'targets[1].alerts[0].signal: "deadLetterMessages" is not available on this target: it needs deadLetterQueueUrl',
      'targets[1].alerts[1].signal: "cpu" is not a signal of this queue-workers target (visibleMessages, inFlightMessages, ageOfOldestMessage, deadLetterMessages)',
    ]);
  });

  test("the alert rules' former signal names are refused with the name that replaced them", () => {
    const old = (signal: string) => ({ ...SEED_RULE, name: signal.replace(/[^a-z]/g, ''), signal });
    expect(
      problems({
        targets: [
          web(['requests', 'request-count', 'latency', 'errors-5xx'].map(old), { targetGroup: TG }),
          workers(['visible', 'in-flight', 'age', 'dead-letters'].map(old), { deadLetterQueueUrl: `${QUEUE}-dlq` }),
        ],
      }),
    ).toEqual([
      'targets[0].alerts[0].signal: "requests" was renamed: write requestCountPerTarget instead (same metric)',
      'targets[0].alerts[1].signal: "request-count" was renamed: write requestCount instead (same metric)',
      'targets[0].alerts[2].signal: "latency" was renamed: write responseTimeP95 instead (same metric)',
      'targets[0].alerts[3].signal: "errors-5xx" was renamed: write target5xxCount instead (same metric)',
      'targets[1].alerts[0].signal: "visible" was renamed: write visibleMessages instead (same metric)',
      'targets[1].alerts[1].signal: "in-flight" was renamed: write inFlightMessages instead (same metric)',
      'targets[1].alerts[2].signal: "age" was renamed: write ageOfOldestMessage instead (same metric)',
      'targets[1].alerts[3].signal: "dead-letters" was renamed: write deadLetterMessages instead (same metric)',
    ]);
  });

  test('an alert may watch a custom metric by its name, a metric math one with its queries', () => {
    const errorRate = {
      name: 'error-rate',
      queries: [
        { id: 'errors', metric: { namespace: 'Shop', metricName: 'Errors', dimensions: { App: 'shop' }, stat: 'Sum' } },
        { id: 'requests', metric: { namespace: 'Shop', metricName: 'Requests', dimensions: { App: 'shop' }, stat: 'Sum' } },
        { id: 'rate', expression: '100 * errors / requests', returnData: true },
      ],
    };
    const config = parseConfig({
      prefix: 'shop',
      targets: [web([{ name: 'errors', signal: 'error-rate', comparison: '>', threshold: 5, evaluationPeriods: 3 }], { customMetrics: [errorRate] })],
    });
    const [alert] = allAlerts(config);
    expect(alert).toMatchObject({
      signal: 'error-rate',
      metric: { namespace: 'Shop', metricName: 'Errors' },
      math: [{ id: 'errors' }, { id: 'requests' }, { id: 'rate', returnData: true }],
    });
    expect(alert.description).toBe('web: error-rate > 5 in 3 of the last 3 datapoints (3 min); alert only, never scales');
  });

  test('a kind without alert signals refuses the key', () => {
    expect(problems({ targets: [{ kind: 'rds-storage', id: 'disk', instanceIdentifier: 'db', maxAllocatedGiB: 100, alerts: [] }] })).toEqual([
      'targets[0].alerts: unknown key',
    ]);
  });
});

describe('an alert never reaches a scaling function', () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/cloudwatch-alarm-state-change.json'), 'utf8'));
  const stateChange = (alarmName: string) => ({ ...fixture, detail: { ...fixture.detail, alarmName } });
  const config = parseConfig({ prefix: 'shop', targets: [web([SEED_RULE])] });
  const [alert] = allAlerts(config);

  test("the alert's state change (same metric as the cpu alarm) matches no family rule of its deployment", () => {
    // The same event under the target's own alarm name is taken by the capacity rule: only the name differs.
    expect(matchesPattern(alarmRulePattern('shop', 'capacity'), stateChange('shop/web/cpu/high'))).toBe(true);
    for (const family of FAMILIES) expect(matchesPattern(alarmRulePattern('shop', family), stateChange(alert.name))).toBe(false);
  });

  test("nor any other deployment's, whatever its prefix (a prefix holds no '.')", () => {
    const prefix = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,30}$/);
    fc.assert(
      fc.property(prefix, prefix, fc.constantFrom('', '-alert', '-alerts'), fc.boolean(), fc.constantFrom(...FAMILIES), (ours, other, suffix, same, family) => {
        // Theirs: ours, ours with a suffix (a neighbour deployment "shop-alert"), or any other.
        const theirs = same ? `${ours}${suffix}`.slice(0, 31) : other;
        const name = allAlerts(parseConfig({ prefix: ours, targets: [web([SEED_RULE])] }))[0].name;
        expect(matchesPattern(alarmRulePattern(theirs, family), stateChange(name))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
