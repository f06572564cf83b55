import { allAlarms } from '../../../../lambdas/shared/alarms';
import { parseConfig } from '../../../../lambdas/shared/config';
import { stepRulesOf } from '../../../../lambdas/shared/kinds/step-policy';
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
      expect(problems({ targets: [asg({ stepRules: [rule({ signal: 'memory' })] })] })).toEqual([
        'targets[0].stepRules[0].signal: "memory" is not a signal of this kind (cpu, requestCountPerTarget, responseTimeP95)',
      ]);
      expect(problems({ targets: [asg({ stepRules: [rule({ signal: 'responseTimeP95' })] })] })).toEqual([
        'targets[0].stepRules[0].signal: "responseTimeP95" is not available on this target: it needs targetGroup',
      ]);
      expect(problems({ targets: [queue({ policy: 'step', stepRules: [rule({})] })] })).toEqual([
        'targets[0].stepRules[0].signal: "cpu" is not a signal of this kind (visibleMessages, ageOfOldestMessage)',
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
