/** The data tier's members of the config schema (rds-replicas, rds-storage, redis) and their alarms. */
import { alarmsForTarget, familyOf, parseAlarmName } from '../../../lambdas/shared/alarms';
import { parseConfig } from '../../../lambdas/shared/config';
import { AURORA_REPLICAS, RDS_REPLICAS, RDS_STORAGE, REDIS } from '../../runbooks/fixtures';
import { configProblems } from '../../support/config-problems';

const problems = (targets: unknown[]): string[] => configProblems({ prefix: 'shop', targets });

describe('data tier config', () => {
  test('defaults follow the seed rules: add a replica above 80% CPU for 10 minutes, Redis up above 80% memory', () => {
    const cfg = parseConfig({ targets: [{ kind: 'rds-replicas', id: 'db', sourceInstanceIdentifier: 'main' }, REDIS, RDS_STORAGE] });
    expect(cfg.targets[0]).toMatchObject({
      minReplicas: 0,
      maxReplicas: 3,
      cpuHighPercent: 80,
      cpuHighMinutes: 10,
      scaleOutCooldownSeconds: 1200,
      scaleInCooldownSeconds: 3600,
    });
    expect(cfg.targets[1]).toMatchObject({ memoryHighPercent: 80, memoryLowPercent: 30, scaleDownHeadroom: 0.5, memoryCriticalPercent: 90, resizeMinutes: 60 });
    expect(cfg.targets[2]).toMatchObject({ usedHighPercent: 80, growRatio: 0.2 });
    expect(cfg.targets.map(familyOf)).toEqual(['database', 'database', 'database']);
  });

  test('rds-instance: a ladder of RDS classes, each larger than the one before, low below high', () => {
    expect(problems([{ kind: 'rds-instance', id: 'c', instanceIdentifier: 'db1', instanceClassLadder: ['db.r6g.large', 'db.r6g.large'] }])).toEqual([
      'targets[0].instanceClassLadder[1]: "db.r6g.large" is not larger than targets[0].instanceClassLadder[0] "db.r6g.large": a ladder goes from smallest to largest',
    ]);
    expect(
      problems([{ kind: 'rds-instance', id: 'c', instanceIdentifier: 'db1', instanceClassLadder: ['db.r6g.large', 'db.r6g.xlarge'], cpuLowPercent: 90 }]),
    ).toEqual(['targets[0].cpuLowPercent: 90 must be below cpuHighPercent 80']);
  });

  test('rds-replicas needs exactly one of a source instance and an Aurora cluster', () => {
    expect(problems([{ kind: 'rds-replicas', id: 'db' }])).toEqual([
      'targets[0]: needs exactly one of sourceInstanceIdentifier (RDS) and clusterIdentifier (Aurora)',
    ]);
    expect(problems([{ ...RDS_REPLICAS, clusterIdentifier: 'c' }])).toHaveLength(1);
  });

  test('bad values are named with their path', () => {
    expect(problems([{ ...RDS_REPLICAS, minReplicas: 4, maxReplicas: 2 }])).toEqual(['targets[0].maxReplicas: 2 is below minReplicas 4']);
    expect(problems([{ ...RDS_REPLICAS, maxReplicas: 16 }])).toEqual(['targets[0].maxReplicas: 16 is above the maximum 15']);
    expect(problems([{ ...RDS_REPLICAS, id: '9db' }])[0]).toMatch(/targets\[0\]\.id: "9db" names the replicas/);
    expect(problems([{ ...REDIS, nodeTypeLadder: ['cache.r7g.large', 'r7g.xlarge'] }])[0]).toMatch(
      /targets\[0\]\.nodeTypeLadder\[1\]: "r7g.xlarge" must be an ElastiCache node type/,
    );
    expect(problems([{ ...REDIS, nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.large'] }])).toEqual([
      'targets[0].nodeTypeLadder[1]: "cache.r7g.large" (13.07 GiB) is not larger than targets[0].nodeTypeLadder[0] "cache.r7g.large" (13.07 GiB): a ladder goes from smallest to largest',
    ]);
    expect(problems([{ ...RDS_STORAGE, maxAllocatedGiB: undefined }])).toEqual(['targets[0].maxAllocatedGiB: is required (number)']);
    expect(problems([{ ...RDS_STORAGE, surprise: 1 }])).toEqual(['targets[0].surprise: unknown key']);
    expect(problems([{ ...RDS_REPLICAS, route53: { hostedZoneId: 'Z0ABC', recordName: 'Read_Replicas' } }])[0]).toMatch(
      /targets\[0\]\.route53\.recordName: "Read_Replicas" must be a lowercase DNS name/,
    );
  });

  test('alarm names parse back to the target and signal, including replica-cpu', () => {
    const cfg = parseConfig({ prefix: 'shop', targets: [RDS_REPLICAS, AURORA_REPLICAS] });
    const names = cfg.targets.flatMap((t) => alarmsForTarget('shop', t)).map((a) => a.name);
    expect(names).toEqual([
      'shop/orders-db/cpu/high',
      'shop/orders-db/cpu/low',
      'shop/reports-db/cpu/high',
      'shop/reports-db/cpu/low',
      'shop/reports-db/replica-cpu/high',
    ]);
    expect(parseAlarmName('shop', 'shop/reports-db/replica-cpu/high')).toEqual({ targetId: 'reports-db', signal: 'replica-cpu', direction: 'high' });
  });
});
