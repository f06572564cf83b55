import { ConfigError, parseConfig } from '../../../lambdas/shared/config';
import { parseConfigText } from '../../../lambdas/shared/config-file';

const asg = { id: 'web', kind: 'asg', autoScalingGroupName: 'django-web' };

function problems(input: unknown): string[] {
  try {
    parseConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('config was accepted');
}

describe('parseConfig', () => {
  test('fills every documented default', () => {
    const config = parseConfig({ targets: [asg] });
    expect(config.prefix).toBe('autoscaler');
    expect(config.dryRun).toBe(false);
    expect(config.maxEventAgeSeconds).toBe(600);
    expect(config.targets[0]).toMatchObject({
      minCapacity: 2,
      maxCapacity: 10,
      targetCpu: 70,
      cooldownSeconds: 300,
      scaleOutCooldownSeconds: 60,
      tolerance: 0.1,
      maxStepUpRatio: 1,
      maxStepDownRatio: 0.5,
      scaleInStabilizationSeconds: 300,
      warmupSeconds: 180,
      dryRun: false,
    });
  });

  test('an ECS service gets a memory target of 80 by default', () => {
    const config = parseConfig({ targets: [{ id: 'api', kind: 'ecs-service', cluster: 'django', service: 'api' }] });
    expect(config.targets[0]).toMatchObject({ kind: 'ecs-service', targetMemory: 80 });
  });

  test('maxCapacity below minCapacity names the path and both values', () => {
    expect(problems({ targets: [asg, asg, { ...asg, id: 'w3', minCapacity: 2, maxCapacity: 1 }] })).toContain(
      'targets[2].maxCapacity: 1 is below minCapacity 2',
    );
  });

  test('an unknown key is an error naming it', () => {
    expect(problems({ targets: [{ ...asg, maxCapacty: 5 }] })).toEqual(['targets[0].maxCapacty: unknown key']);
    expect(problems({ targets: [asg], extra: true })).toEqual(['extra: unknown key']);
  });

  test('an unknown kind names the value and the known kinds', () => {
    // Every kind of the schema is listed, in its order; the list grows with each new target kind.
    expect(problems({ targets: [{ ...asg, kind: 'lambda' }] })).toEqual([
      expect.stringMatching(/^targets\[0\]\.kind: "lambda" is not a known kind \(asg, ecs-service(, [a-z-]+)*\)$/),
    ]);
  });

  test('a wrong type names the value', () => {
    expect(problems({ targets: [{ ...asg, minCapacity: 'two' }] })).toEqual(['targets[0].minCapacity: "two" is not a number']);
  });

  test('a missing required field is named', () => {
    expect(problems({ targets: [{ id: 'web', kind: 'asg' }] })).toEqual(['targets[0].autoScalingGroupName: is required (string)']);
    expect(problems({})).toEqual(['targets: is required (array)']);
  });

  test('out-of-range numbers name the bound', () => {
    expect(problems({ targets: [{ ...asg, targetCpu: 120 }] })).toEqual(['targets[0].targetCpu: 120 is above the maximum 100']);
    expect(problems({ targets: [{ ...asg, minCapacity: -1 }] })).toEqual(['targets[0].minCapacity: -1 is below the minimum 0']);
  });

  test('duplicate target ids are rejected', () => {
    expect(problems({ targets: [asg, asg] })).toEqual(['targets[1].id: "web" is already the id of targets[0]']);
  });

  test('a malformed target group name says what it must look like', () => {
    const bad = { ...asg, targetGroup: { loadBalancerFullName: 'my-alb', targetGroupFullName: 'targetgroup/web/0123abcd' } };
    expect(problems({ targets: [bad] })).toEqual(['targets[0].targetGroup.loadBalancerFullName: "my-alb" must look like app/<name>/<id>']);
  });

  test('every problem is reported at once', () => {
    expect(problems({ prefix: '9', targets: [{ ...asg, foo: 1, targetCpu: 0 }] })).toHaveLength(3);
  });
});

describe('parseConfigText', () => {
  test('YAML syntax errors give the line', () => {
    expect(() => parseConfigText('targets:\n  - id: web\n   kind: asg\n', 'x.yaml')).toThrow(/x\.yaml: .*line 3/s);
  });

  test('duplicate YAML keys are errors, not silently merged', () => {
    expect(() => parseConfigText('prefix: a\nprefix: b\ntargets: []\n', 'x.yaml')).toThrow(ConfigError);
  });
});

describe('notifications', () => {
  test('default to no subscription; an email address is kept', () => {
    expect(parseConfig({ targets: [asg] }).notifications).toEqual({});
    expect(parseConfig({ targets: [asg], notifications: { email: 'ops@example.com' } }).notifications).toEqual({ email: 'ops@example.com' });
  });

  test('a malformed email and an unknown key are named', () => {
    expect(problems({ targets: [asg], notifications: { email: 'ops' } })).toEqual(['notifications.email: "ops" must be an email address']);
    expect(problems({ targets: [asg], notifications: { slack: '#ops' } })).toEqual(['notifications.slack: unknown key']);
  });
});
