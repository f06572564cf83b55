import { parseConfig } from '../../../../lambdas/shared/config';
import { configProblems } from '../../../support/config-problems';

const TARGETS: Record<string, Record<string, unknown>> = {
  asg: { kind: 'asg', id: 'web', autoScalingGroupName: 'shop-web' },
  'ecs-service': { kind: 'ecs-service', id: 'api', cluster: 'shop', service: 'shop-api' },
  'rds-replicas': { kind: 'rds-replicas', id: 'orders-db', sourceInstanceIdentifier: 'orders-primary' },
  'rds-instance': { kind: 'rds-instance', id: 'search-class', instanceIdentifier: 'search-db', instanceClassLadder: ['db.r6g.large', 'db.r6g.xlarge'] },
  redis: { kind: 'redis', id: 'cache', replicationGroupId: 'shop-cache', nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'] },
  'queue-workers': {
    kind: 'queue-workers',
    id: 'celery',
    queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/shop-default',
    workers: { kind: 'asg', autoScalingGroupName: 'shop-workers' },
    messagesPerSecondPerWorker: 2,
  },
};

const problems = configProblems;

describe('renamed cooldown fields', () => {
  test.each([
    ['asg', 'cooldownSeconds', 'scaleInCooldownSeconds'],
    ['ecs-service', 'cooldownSeconds', 'scaleInCooldownSeconds'],
    ['rds-replicas', 'cooldownSeconds', 'scaleOutCooldownSeconds'],
    ['rds-instance', 'cooldownSeconds', 'scaleOutCooldownSeconds \\(moves up\\) and scaleInCooldownSeconds \\(moves down\\)'],
    ['redis', 'scaleDownCooldownSeconds', 'scaleInCooldownSeconds'],
  ])('%s: the old name %s is refused, naming its path and the new name', (kind, old, now) => {
    const lines = problems({ targets: [TARGETS['queue-workers'], { ...TARGETS[kind], [old]: 600 }] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^targets\\[1\\]\\.${old}: "${old}" was renamed: write ${now} instead \\(same value and meaning\\)$`));
  });

  test('the new names are accepted with the old defaults', () => {
    const cfg = parseConfig({ targets: Object.values(TARGETS) });
    expect(
      cfg.targets.map((t) => [
        t.kind,
        'scaleOutCooldownSeconds' in t ? t.scaleOutCooldownSeconds : '-',
        'scaleInCooldownSeconds' in t ? t.scaleInCooldownSeconds : '-',
      ]),
    ).toEqual([
      ['asg', 60, 300],
      ['ecs-service', 60, 300],
      ['rds-replicas', 1200, 3600],
      ['rds-instance', 86400, 86400],
      ['redis', '-', 21600],
      ['queue-workers', '-', 60],
    ]);
  });

  test('an old name next to its new one is still refused; other unknown keys stay unknown keys', () => {
    expect(problems({ targets: [{ ...TARGETS.asg, cooldownSeconds: 300, scaleInCooldownSeconds: 300, cooldown: 1 }] })).toEqual([
      'targets[0].cooldownSeconds: "cooldownSeconds" was renamed: write scaleInCooldownSeconds instead (same value and meaning)',
      'targets[0].cooldown: unknown key',
    ]);
  });

  test("a name that was never the kind's, or a key below the target, is an unknown key", () => {
    expect(problems({ targets: [{ ...TARGETS['queue-workers'], cooldownSeconds: 60 }] })).toEqual(['targets[0].cooldownSeconds: unknown key']);
    expect(problems({ targets: [{ ...TARGETS['queue-workers'], workers: { kind: 'asg', autoScalingGroupName: 'w', cooldownSeconds: 60 } }] })).toEqual([
      'targets[0].workers.cooldownSeconds: unknown key',
    ]);
  });
});
