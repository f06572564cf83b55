import { z } from 'zod';
import { ConfigError, configSchema, formatPath, MAX_TARGETS, parseConfig } from '../../../lambdas/shared/config';
import { parseConfigText } from '../../../lambdas/shared/config-file';
import { configProblems } from '../../support/config-problems';

const asg = { id: 'web', kind: 'asg', autoScalingGroupName: 'django-web' };

const problems = configProblems;

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
      scaleInCooldownSeconds: 300,
      scaleOutCooldownSeconds: 60,
      tolerance: 0.1,
      maxStepUpRatio: 1,
      maxStepDownRatio: 0.5,
      scaleInStabilizationSeconds: 900,
      warmupSeconds: 180,
      dryRun: false,
      forecast: false,
    });
  });

  test('the seasonal forecast is turned on per web target, with a boolean', () => {
    expect(parseConfig({ targets: [{ ...asg, forecast: true }] }).targets[0]).toMatchObject({ forecast: true });
    expect(problems({ targets: [{ ...asg, forecast: 'yes' }] })).toEqual(['targets[0].forecast: "yes" is not a boolean']);
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
    expect(problems({ targets: [asg, { ...asg, autoScalingGroupName: 'django-web-2' }] })).toEqual(['targets[1].id: "web" is already the id of targets[0]']);
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

  test('a syntax error names the path of the value it is in, and its line and column', () => {
    expect(() => parseConfigText('prefix: a\ntargets:\n  - id: web\n    kind: "a\\qb"\n', 'x.yaml')).toThrow(
      /^x\.yaml: invalid autoscaler config:\n {2}targets\[0\]\.kind: line 4, column 13: Invalid escape sequence \\q$/,
    );
  });

  test('anchors and aliases that share settings are fine', () => {
    const config = parseConfigText(
      'targets:\n  - &web {kind: asg, id: web, autoScalingGroupName: web-asg, targetGroup: &tg {loadBalancerFullName: app/a/0a, targetGroupFullName: targetgroup/t/0b}}\n  - {kind: asg, id: web2, autoScalingGroupName: web2-asg, targetGroup: *tg}\n',
      'x.yaml',
    );
    expect(config.targets.map((t) => ('targetGroup' in t ? t.targetGroup?.loadBalancerFullName : undefined))).toEqual(['app/a/0a', 'app/a/0a']);
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

describe('upper bounds', () => {
  /** Every number, list and string of the schema's JSON Schema (input side), by path. */
  function leaves(schema: Record<string, unknown>, at = ''): { path: string; schema: Record<string, unknown> }[] {
    const out = [{ path: at, schema }];
    for (const [k, v] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) out.push(...leaves(v, `${at}.${k}`));
    if (schema.items) out.push(...leaves(schema.items as Record<string, unknown>, `${at}[]`));
    for (const key of ['anyOf', 'oneOf', 'allOf'])
      for (const [i, s] of ((schema[key] ?? []) as Record<string, unknown>[]).entries()) out.push(...leaves(s, `${at}<${i}>`));
    return out;
  }
  const all = leaves(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);

  test('every number of the schema has a maximum', () => {
    const numbers = all.filter((l) => l.schema.type === 'number' || l.schema.type === 'integer');
    expect(numbers.length).toBeGreaterThan(70);
    expect(numbers.filter((l) => l.schema.maximum === undefined && l.schema.exclusiveMaximum === undefined).map((l) => l.path)).toEqual([]);
  });

  test('every list of the schema has a most number of entries', () => {
    const lists = all.filter((l) => l.schema.type === 'array');
    expect(lists.length).toBeGreaterThanOrEqual(8);
    expect(lists.filter((l) => l.schema.maxItems === undefined).map((l) => l.path)).toEqual([]);
  });

  test('a number past its bound names the value and the bound; the defaults stay within', () => {
    expect(problems({ targets: [{ ...asg, maxCapacity: 50_000 }] })).toEqual(['targets[0].maxCapacity: 50000 is above the maximum 10000']);
    expect(problems({ targets: [asg], maxEventAgeSeconds: 90_000 })).toEqual(['maxEventAgeSeconds: 90000 is above the maximum 86400']);
    expect(() => parseConfig({ targets: [asg] })).not.toThrow();
  });

  test(`at most ${MAX_TARGETS} targets`, () => {
    const many = Array.from({ length: MAX_TARGETS + 1 }, (_, i) => ({ ...asg, id: `w${i}`, autoScalingGroupName: `g${i}` }));
    expect(problems({ targets: many })).toEqual([`targets: a list of ${MAX_TARGETS + 1} is above the maximum ${MAX_TARGETS}`]);
  });
});

describe('messages', () => {
  test('a path into a list at the root starts at (root)', () => {
    expect(formatPath([0, 'a', 1])).toBe('(root)[0].a[1]');
    expect(formatPath([])).toBe('(root)');
  });

  test('a value of a union of shapes (a cloudfront trigger) is described by the one shape its keys fit', () => {
    const cdn = { kind: 'cloudfront', id: 'cdn', distributionId: 'E2QWRUHAPOMQZL' };
    expect(problems({ targets: [{ ...cdn, triggers: [{ s3: { bucket: 'Not_A_Bucket' } }] }] })).toEqual([
      'targets[0].triggers[0].s3.bucket: "Not_A_Bucket" must be an S3 bucket name',
    ]);
    expect(problems({ targets: [{ ...cdn, triggers: [{ lambda: {} }] }] })).toEqual(['targets[0].triggers[0]: an object matches none of the allowed shapes']);
  });
});

describe('missingData (late or missing metrics)', () => {
  const replicas = { id: 'orders-db', kind: 'rds-replicas', sourceInstanceIdentifier: 'orders-primary', minReplicas: 1, maxReplicas: 4 };
  const redis = { id: 'cache', kind: 'redis', replicationGroupId: 'shop-cache', nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'] };

  test('defaults: late after 240 s, fallback hold, missing after 600 s; the data targets without a count only hold', () => {
    const config = parseConfig({ targets: [asg, replicas, redis] });
    expect(config.targets[0]).toMatchObject({ missingData: { lateAfterSeconds: 240, fallback: 'hold', fallbackAfterSeconds: 600 } });
    expect(config.targets[1]).toMatchObject({ missingData: { lateAfterSeconds: 240, fallback: 'hold', fallbackAfterSeconds: 600 } });
    expect(config.targets[2]).toMatchObject({ missingData: { lateAfterSeconds: 240 } });
  });

  test('fallback fixed needs a count within the target bounds, and only fixed takes one', () => {
    expect(problems({ targets: [{ ...asg, missingData: { fallback: 'fixed' } }] })).toEqual([
      'targets[0].missingData.count: is required with fallback "fixed" (the least count while the metrics are missing)',
    ]);
    expect(problems({ targets: [{ ...asg, missingData: { fallback: 'fixed', count: 11 } }] })).toEqual([
      'targets[0].missingData.count: 11 is outside minCapacity-maxCapacity (2-10)',
    ]);
    expect(problems({ targets: [{ ...asg, missingData: { count: 4 } }] })).toEqual([
      'targets[0].missingData.count: 4 is only used with fallback "fixed"; fallback "hold" keeps the current count',
    ]);
    expect(problems({ targets: [{ ...replicas, missingData: { fallback: 'fixed', count: 0 } }] })).toEqual([
      'targets[0].missingData.count: 0 is outside minReplicas-maxReplicas (1-4)',
    ]);
    expect(parseConfig({ targets: [{ ...asg, missingData: { fallback: 'fixed', count: 6 } }] }).targets[0]).toMatchObject({
      missingData: { fallback: 'fixed', count: 6 },
    });
  });

  test('the fallback comes no sooner than lateness; bounds and unknown keys are named', () => {
    expect(problems({ targets: [{ ...asg, missingData: { lateAfterSeconds: 300, fallbackAfterSeconds: 200 } }] })).toEqual([
      'targets[0].missingData.fallbackAfterSeconds: 200 is below lateAfterSeconds 300: metrics are missing only after they are late',
    ]);
    expect(problems({ targets: [{ ...asg, missingData: { lateAfterSeconds: 60 } }] })).toEqual([
      'targets[0].missingData.lateAfterSeconds: 60 is below the minimum 120',
    ]);
    expect(problems({ targets: [{ ...asg, missingData: { fallback: 'scale-in' } }] })).toEqual([
      'targets[0].missingData.fallback: "scale-in" is not one of "hold", "fixed"',
    ]);
    expect(problems({ targets: [{ ...redis, missingData: { fallback: 'fixed', count: 2 } }] })).toEqual([
      'targets[0].missingData.fallback: unknown key',
      'targets[0].missingData.count: unknown key',
    ]);
  });
});
