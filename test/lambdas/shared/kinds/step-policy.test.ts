import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alarmRulePattern, allAlarms, type Family } from '../../../../lambdas/shared/alarms';
import { parseConfig } from '../../../../lambdas/shared/config';
import { stepRulesOf } from '../../../../lambdas/shared/kinds/step-policy';
import { matchesPattern } from '../../../../sim/cloud/event-pattern';
import { configProblems } from '../../../support/config-problems';

const TG = { loadBalancerFullName: 'app/web/0123456789abcdef', targetGroupFullName: 'targetgroup/web/0123456789abcdef' };
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-default';

/** The seed guides' web rule: CPU above 70% for 5 minutes adds one, below 30% removes one, 300 s apart. */
const SEED_WEB = [
  { signal: 'cpu', direction: 'up', comparison: '>', threshold: 70, evaluationPeriods: 5, change: { add: 1 } },
  { signal: 'cpu', direction: 'down', comparison: '<', threshold: 30, evaluationPeriods: 5, change: { add: -1 } },
];

const asg = (extra: Record<string, unknown> = {}) => ({
  id: 'web',
  kind: 'asg',
  autoScalingGroupName: 'django-web',
  policy: 'step',
  stepRules: SEED_WEB,
  ...extra,
});
const ecs = (extra: Record<string, unknown> = {}) => ({ id: 'api', kind: 'ecs-service', cluster: 'django', service: 'api', policy: 'step', ...extra });
const queue = (extra: Record<string, unknown> = {}) => ({
  id: 'workers',
  kind: 'queue-workers',
  queueUrl: QUEUE,
  workers: { kind: 'ecs-service', cluster: 'celery', service: 'default-worker' },
  messagesPerSecondPerWorker: 2,
  ...extra,
});

const problems = configProblems;

const rule = (r: Record<string, unknown>) => ({ signal: 'cpu', direction: 'up', comparison: '>', threshold: 70, change: { add: 1 }, ...r });

describe('policy: step', () => {
  test("the seed guides' web rule is accepted, with each rule's defaults", () => {
    const t = parseConfig({ targets: [asg({ evaluationIntervalSeconds: 300 })] }).targets[0];
    expect(t).toMatchObject({ policy: 'step', evaluationIntervalSeconds: 300 });
    expect(stepRulesOf(t as never)).toEqual([
      {
        signal: 'cpu',
        direction: 'up',
        comparison: '>',
        threshold: 70,
        datapointsToAlarm: 5,
        evaluationPeriods: 5,
        periodSeconds: 60,
        change: { add: 1 },
        cooldownSeconds: 300,
      },
      {
        signal: 'cpu',
        direction: 'down',
        comparison: '<',
        threshold: 30,
        datapointsToAlarm: 5,
        evaluationPeriods: 5,
        periodSeconds: 60,
        change: { add: -1 },
        cooldownSeconds: 300,
      },
    ]);
  });

  test('a target without policy parses as before (no policy fields filled in)', () => {
    const t = parseConfig({ targets: [{ id: 'web', kind: 'asg', autoScalingGroupName: 'django-web' }] }).targets[0];
    expect(t).not.toHaveProperty('policy');
    expect(t).not.toHaveProperty('stepRules');
    expect(t).not.toHaveProperty('evaluationIntervalSeconds');
  });

  test('every signal of an ECS service with a target group, percent and set changes, M of N', () => {
    const c = parseConfig({
      targets: [
        ecs({
          targetGroup: TG,
          stepRules: [
            rule({ signal: 'memory', threshold: 85, datapointsToAlarm: 2, evaluationPeriods: 3, change: { percent: 50, minMagnitude: 2 } }),
            rule({ signal: 'memory', direction: 'down', comparison: '<=', threshold: 40, change: { percent: -10 } }),
            rule({ signal: 'requestCountPerTarget', comparison: '>=', threshold: 1000, change: { set: 8 } }),
            rule({ signal: 'responseTimeP95', threshold: 1, periodSeconds: 300, evaluationPeriods: 288, change: { add: 2 }, cooldownSeconds: 60 }),
          ],
        }),
      ],
    });
    expect(stepRulesOf(c.targets[0] as never).map((r) => r.change)).toEqual([{ percent: 50, minMagnitude: 2 }, { percent: -10 }, { set: 8 }, { add: 2 }]);
  });

  test("the seeds' Celery rule: more than 100 visible messages for 5 minutes, or more than 1,000", () => {
    const c = parseConfig({
      targets: [
        queue({
          policy: 'step',
          stepRules: [
            rule({ signal: 'visibleMessages', threshold: 100, evaluationPeriods: 5 }),
            rule({ signal: 'visibleMessages', threshold: 1000, change: { percent: 50, minMagnitude: 2 } }),
            rule({ signal: 'visibleMessages', direction: 'down', comparison: '<', threshold: 10, evaluationPeriods: 5, change: { add: -1 } }),
          ],
        }),
      ],
    });
    expect(c.targets[0]).toMatchObject({ policy: 'step' });
  });

  test('one alarm per rule, M of N at the rule period, named after the rule', () => {
    const config = parseConfig({
      prefix: 'shop',
      targets: [asg({ stepRules: [rule({ datapointsToAlarm: 3, evaluationPeriods: 5, comparison: '>=' }), SEED_WEB[1]] })],
    });
    expect(allAlarms(config)).toEqual([
      expect.objectContaining({
        name: 'shop/web/step-0/high',
        signal: 'step-0',
        metric: expect.objectContaining({ namespace: 'AWS/EC2', metricName: 'CPUUtilization' }),
        periodSeconds: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        threshold: 70,
        comparison: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'missing',
      }),
      expect.objectContaining({
        name: 'shop/web/step-1/low',
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        comparison: 'LessThanThreshold',
        treatMissingData: 'notBreaching',
      }),
    ]);
  });

  describe('a step rule on a custom metric, by its name', () => {
    /** The CA-DMS guide's connections: each instance's share of its pool in use, published every 10 s. */
    const connections = { name: 'connections', metric: { namespace: 'CA-DMS', metricName: 'PoolUsedPercent', dimensions: { ServiceName: 'api' }, period: 10 } };
    const errorRate = {
      name: 'error-rate',
      queries: [
        { id: 'errors', metric: { namespace: 'Shop', metricName: 'Errors', dimensions: { App: 'shop' }, stat: 'Sum' } },
        { id: 'requests', metric: { namespace: 'Shop', metricName: 'Requests', dimensions: { App: 'shop' }, stat: 'Sum' } },
        { id: 'rate', expression: '100 * errors / requests', returnData: true },
      ],
    };
    const on = (signal: string, r: Record<string, unknown> = {}) => rule({ signal, ...r });
    const down = (signal: string, r: Record<string, unknown> = {}) => rule({ signal, direction: 'down', comparison: '<', change: { add: -1 }, ...r });

    test("is an alarm on the custom metric (a metric math one's queries), at a high-resolution period where it is published so", () => {
      const config = parseConfig({
        prefix: 'shop',
        targets: [
          ecs({
            customMetrics: [connections, errorRate],
            stepRules: [
              on('connections', { threshold: 80, periodSeconds: 10, evaluationPeriods: 3 }),
              down('connections', { threshold: 20 }),
              on('error-rate', { threshold: 5 }),
            ],
          }),
        ],
      });
      expect(allAlarms(config)).toEqual([
        expect.objectContaining({
          name: 'shop/api/step-0/high',
          metric: { namespace: 'CA-DMS', metricName: 'PoolUsedPercent', dimensions: { ServiceName: 'api' }, stat: 'Average' },
          periodSeconds: 10,
          evaluationPeriods: 3,
          threshold: 80,
        }),
        expect.objectContaining({ name: 'shop/api/step-1/low', periodSeconds: 60, threshold: 20, comparison: 'LessThanThreshold' }),
        expect.objectContaining({
          name: 'shop/api/step-2/high',
          metric: expect.objectContaining({ metricName: 'Errors' }),
          math: [
            expect.objectContaining({ id: 'errors' }),
            expect.objectContaining({ id: 'requests' }),
            { id: 'rate', expression: '100 * errors / requests', returnData: true },
          ],
        }),
      ]);
    });

    test("its alarm reaches the capacity function, whatever the metric's namespace; a queue target's step alarm does not", () => {
      const fixture = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/cloudwatch-alarm-state-change.json'), 'utf8'));
      const stateChange = (alarmName: string, namespaces: string[]) => ({
        ...fixture,
        detail: {
          ...fixture.detail,
          alarmName,
          configuration: {
            metrics: [
              ...namespaces.map((namespace, i) => ({
                id: `m${i}`,
                metricStat: { metric: { namespace, name: 'M', dimensions: {} }, period: 60, stat: 'Sum' },
                returnData: false,
              })),
              { id: 'e', expression: 'm0 / m1', returnData: true },
            ],
          },
        },
      });
      const families = (event: unknown) =>
        (['capacity', 'cdn', 'database', 'queue'] as Family[]).filter((f) => matchesPattern(alarmRulePattern('shop', f), event));
      expect(families(stateChange('shop/api/step-0/high', ['CA-DMS']))).toEqual(['capacity']);
      expect(families(stateChange('shop/web/step-2/high', ['Sim/Daphne', 'AWS/AutoScaling']))).toEqual(['capacity']);
      expect(families(stateChange('shop/workers/step-0/high', ['AWS/SQS']))).toEqual(['queue']);
      expect(families(stateChange('other/api/step-0/high', ['CA-DMS']))).toEqual([]);
    });

    test('its thresholds may not overlap, its window must fit what CloudWatch keeps of its period, its period be one it is published at', () => {
      expect(
        problems({
          targets: [
            ecs({
              customMetrics: [connections],
              stepRules: [
                on('connections', { threshold: 20 }),
                down('connections', { threshold: 30 }),
                on('connections', { threshold: 90, periodSeconds: 10, evaluationPeriods: 1081, datapointsToAlarm: 1 }),
                on('connections', { threshold: 95, periodSeconds: 20, evaluationPeriods: 540 }),
              ],
            }),
          ],
        }),
      ).toEqual([
        'targets[0].stepRules[2].evaluationPeriods: 1081 x 10 s is 10810 s, longer than the 10800 s CloudWatch keeps datapoints of a 10 s period',
        'targets[0].stepRules[0].threshold: 20 is at or below the threshold 30 of the down rule stepRules[1] on "connections": up and down thresholds overlap',
      ]);
      const slow = { ...connections, metric: { ...connections.metric, period: 30 } };
      expect(problems({ targets: [ecs({ customMetrics: [slow], stepRules: [on('connections', { periodSeconds: 20 })] })] })).toEqual([
        'targets[0].stepRules[0].periodSeconds: 20 is below the 30 s at which CloudWatch stores "connections"; 10, 20 and 30 s periods are for high-resolution metrics',
      ]);
      expect(problems({ targets: [ecs({ customMetrics: [connections], stepRules: [on('connectionz')] })] })).toEqual([
        'targets[0].stepRules[0].signal: "connectionz" is not a signal of this ecs-service target (cpu, memory, requestCount, requestCountPerTarget, responseTimeP95, target5xxCount, connections)',
        'targets[0].customMetrics[0]: "connections" has neither targetPerUnit nor threshold, and no step rule or alert reads it',
      ]);
    });

    test('one read with SEARCH cannot be a rule (no alarm), nor take a built-in name; one with no goal must be read; targetPerUnit is not read by step rules', () => {
      const search = {
        name: 'busy',
        queries: [{ id: 'b', expression: 'SUM(SEARCH(\'{Shop,App} MetricName="Busy" App="shop"\', \'Average\', 60))', returnData: true }],
      };
      expect(
        problems({
          targets: [
            ecs({
              customMetrics: [
                search,
                { ...connections, name: 'cpu' },
                { ...connections, name: 'idle' },
                { ...connections, name: 'sized', targetPerUnit: 50, aggregation: 'perUnit' },
              ],
              stepRules: [on('busy')],
            }),
          ],
        }),
      ).toEqual([
        'targets[0].stepRules[0].signal: "busy" is not available on this target: it reads a SEARCH, which CloudWatch cannot alarm on',
        'targets[0].customMetrics[1].name: "cpu" is the name of a built-in signal of this kind; choose another',
        'targets[0].customMetrics[2]: "idle" has neither targetPerUnit nor threshold, and no step rule or alert reads it',
        'targets[0].customMetrics[3].targetPerUnit: 50 is only read with policy "target-tracking" (policy is "step")',
      ]);
    });
  });

  describe('bad input names its path and value', () => {
    test('overlapping up and down thresholds on one signal', () => {
      expect(problems({ targets: [asg({ stepRules: [rule({ threshold: 30 }), SEED_WEB[1]] })] })).toEqual([
        'targets[0].stepRules[0].threshold: 30 is at or below the threshold 30 of the down rule stepRules[1] on "cpu": up and down thresholds overlap',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ threshold: 20 }), SEED_WEB[1]] })] })).toEqual([
        'targets[0].stepRules[0].threshold: 20 is at or below the threshold 30 of the down rule stepRules[1] on "cpu": up and down thresholds overlap',
      ]);
      // Different signals do not overlap.
      expect(() => parseConfig({ targets: [ecs({ stepRules: [rule({ threshold: 20 }), { ...SEED_WEB[1], signal: 'memory' }] })] })).not.toThrow();
    });

    test('a window longer than a CloudWatch alarm evaluates', () => {
      expect(problems({ targets: [asg({ stepRules: [rule({ evaluationPeriods: 1441 })] })] })).toEqual([
        'targets[0].stepRules[0].evaluationPeriods: 1441 x 60 s is 86460 s, longer than the 86400 s a CloudWatch alarm evaluates with a period under one hour',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ periodSeconds: 3600, evaluationPeriods: 169 })] })] })).toEqual([
        'targets[0].stepRules[0].evaluationPeriods: 169 x 3600 s is 608400 s, longer than the 604800 s a CloudWatch alarm evaluates',
      ]);
    });

    test('a change of 0, none, two at once, or against the direction', () => {
      expect(problems({ targets: [asg({ stepRules: [rule({ change: { add: 0 } })] })] })).toEqual(['targets[0].stepRules[0].change.add: 0 changes nothing']);
      expect(problems({ targets: [asg({ stepRules: [rule({ change: { percent: 0 } })] })] })).toEqual([
        'targets[0].stepRules[0].change.percent: 0 changes nothing',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ change: {} })] })] })).toEqual([
        'targets[0].stepRules[0].change: needs exactly one of add, percent or set (none given)',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ change: { add: 1, set: 4 } })] })] })).toEqual([
        'targets[0].stepRules[0].change.set: needs exactly one of add, percent or set (add and set given)',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ change: { add: -1 } })] })] })).toEqual([
        'targets[0].stepRules[0].change.add: -1 does not fit an up rule (positive)',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ change: { set: 40 } })] })] })).toEqual([
        'targets[0].stepRules[0].change.set: 40 is outside minCapacity-maxCapacity (2-10)',
      ]);
    });

    test('M of N with M above N, a comparison against the direction, a period CloudWatch does not have', () => {
      expect(problems({ targets: [asg({ stepRules: [rule({ datapointsToAlarm: 6, evaluationPeriods: 5 })] })] })).toEqual([
        'targets[0].stepRules[0].datapointsToAlarm: 6 is more than evaluationPeriods 5: M of N needs M <= N',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ comparison: '<' })] })] })).toEqual([
        'targets[0].stepRules[0].comparison: "<" does not fit an up rule (">" or ">=")',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ periodSeconds: 90 })] })] })).toEqual([
        'targets[0].stepRules[0].periodSeconds: 90 is not a CloudWatch alarm period (10, 20, 30 or a multiple of 60)',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ periodSeconds: 10 })] })] })).toEqual([
        'targets[0].stepRules[0].periodSeconds: 10 is below the 60 s at which CloudWatch stores "cpu"; 10, 20 and 30 s periods are for high-resolution metrics',
      ]);
    });

    test('a signal the kind or the target does not have', () => {
      expect(problems({ targets: [asg({ stepRules: [rule({ signal: 'mem' })] })] })).toEqual([
        'targets[0].stepRules[0].signal: "mem" is not a signal of this asg target (cpu, memory, requestCount, requestCountPerTarget, responseTimeP95, target5xxCount)',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ signal: 'memory' })] })] })).toEqual([
        'targets[0].stepRules[0].signal: "memory" is not available on this target: EC2 publishes no memory metric; add a custom metric named memory with preset asg-memory (the CloudWatch agent)',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ signal: 'responseTimeP95' })] })] })).toEqual([
        'targets[0].stepRules[0].signal: "responseTimeP95" is not available on this target: it needs targetGroup',
      ]);
      expect(problems({ targets: [queue({ policy: 'step', stepRules: [rule({})] })] })).toEqual([
        'targets[0].stepRules[0].signal: "cpu" is not a signal of this queue-workers target (visibleMessages, inFlightMessages, ageOfOldestMessage)',
      ]);
      expect(
        problems({
          targets: [queue({ deadLetterQueueUrl: `${QUEUE}-dlq`, policy: 'step', stepRules: [rule({ signal: 'deadLetterMessages', threshold: 0 })] })],
        }),
      ).toEqual([
        'targets[0].stepRules[0].signal: "deadLetterMessages" is not for step rules: dead letters are messages that failed, not work more workers would take',
      ]);
    });

    test('policy step without rules, rules or an interval without policy step', () => {
      expect(problems({ targets: [asg({ stepRules: undefined })] })).toEqual(['targets[0].stepRules: is required with policy "step" (at least one rule)']);
      expect(problems({ targets: [asg({ policy: undefined })] })).toEqual([
        'targets[0].stepRules: is only read with policy "step" (policy is "target-tracking")',
      ]);
      expect(problems({ targets: [queue({ evaluationIntervalSeconds: 120 })] })).toEqual([
        'targets[0].evaluationIntervalSeconds: 120 is only read with policy "step"',
      ]);
      expect(problems({ targets: [asg({ policy: 'steps' })] })).toEqual([expect.stringMatching(/^targets\[0\]\.policy: "steps" /)]);
    });
  });
});
