import { alarmRulePattern, allAlarms } from '../../../../lambdas/shared/alarms';
import { parseConfig, resourcesOf, type TargetConfig } from '../../../../lambdas/shared/config';
import { queueKeys, type RedisWorkersTarget, redisQueueMetrics } from '../../../../lambdas/shared/kinds/redis-workers';
import { configProblems } from '../../../support/config-problems';

const VPC = { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] };
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:celery/broker-AbCdEf';

function worker(extra: Record<string, unknown> = {}, broker: Record<string, unknown> = {}) {
  return {
    id: 'celery',
    kind: 'redis-workers',
    broker: { host: 'broker.abc123.ng.0001.euw1.cache.amazonaws.com', queues: ['celery'], vpc: VPC, ...broker },
    workers: { kind: 'ecs-service', cluster: 'celery', service: 'worker' },
    messagesPerSecondPerWorker: 2,
    ...extra,
  };
}

const problems = configProblems;
const oneTarget = (extra: Record<string, unknown> = {}, broker: Record<string, unknown> = {}) => problems({ prefix: 'shop', targets: [worker(extra, broker)] });
const parsed = (extra: Record<string, unknown> = {}, broker: Record<string, unknown> = {}) =>
  parseConfig({ prefix: 'shop', targets: [worker(extra, broker)] }).targets[0] as RedisWorkersTarget;

describe('redis-workers config', () => {
  test('documented defaults fill in what is not given: port 6379, TLS, database 0, no priorities, no AUTH', () => {
    expect(parsed()).toEqual({
      ...worker(),
      broker: { host: 'broker.abc123.ng.0001.euw1.cache.amazonaws.com', port: 6379, tls: true, database: 0, queues: ['celery'], priorities: false, vpc: VPC },
      workers: { kind: 'ecs-service', cluster: 'celery', service: 'worker', scaleInProtection: false, messagesInFlightPerWorker: 1 },
      maxWaitSeconds: 300,
      minCapacity: 0,
      maxCapacity: 10,
      idleSeconds: 300,
      warmupSeconds: 60,
      scaleInStabilizationSeconds: 60,
      reversalHoldWorkerMinutes: 70,
      scaleInCooldownSeconds: 60,
      maxStepDownRatio: 1,
      missingData: { lateAfterSeconds: 240 },
      dryRun: false,
    });
  });

  test('several queues, priorities, a database, an IP address, AUTH and an ASG fleet are accepted', () => {
    const t = parsed(
      { workers: { kind: 'asg', autoScalingGroupName: 'celery' } },
      {
        host: '10.0.3.17',
        port: 6380,
        tls: false,
        database: 2,
        queues: ['celery', 'trading', 'celery.priority~high:v2'],
        priorities: true,
        authSecretArn: SECRET,
      },
    );
    expect(t.broker).toMatchObject({ host: '10.0.3.17', port: 6380, database: 2, priorities: true, authSecretArn: SECRET });
  });

  test('a queue name that is a key pattern is refused with its path and value: the reader reads exact keys only', () => {
    for (const q of ['celery*', 'cel?ry', 'celery[0-9]']) {
      const lines = oneTarget({}, { queues: ['mail', q] });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('targets[0].broker.queues[1]');
      expect(lines[0]).toContain(JSON.stringify(q));
      expect(lines[0]).toContain('exact queue name');
      expect(lines[0]).toContain('never a pattern');
    }
  });

  test('an empty queue name, no queue, blanks and a queue named twice are refused', () => {
    expect(oneTarget({}, { queues: [''] })).toEqual([expect.stringMatching(/^targets\[0\]\.broker\.queues\[0\]: "" .*not empty/)]);
    expect(oneTarget({}, { queues: [] })).toEqual([expect.stringContaining('targets[0].broker.queues')]);
    expect(oneTarget({}, { queues: ['my queue'] })).toEqual([expect.stringContaining('without blanks')]);
    expect(oneTarget({}, { queues: ['celery', 'mail', 'celery'] })).toEqual(['targets[0].broker.queues[2]: "celery" is already broker.queues[0]']);
  });

  test('subnets and security groups must look like subnet-... and sg-...; at least one subnet', () => {
    expect(oneTarget({}, { vpc: { subnetIds: ['subnet-xyz'], securityGroupIds: VPC.securityGroupIds } })).toEqual([
      expect.stringMatching(/^targets\[0\]\.broker\.vpc\.subnetIds\[0\]: "subnet-xyz" .*subnet id/),
    ]);
    expect(oneTarget({}, { vpc: { subnetIds: VPC.subnetIds, securityGroupIds: ['vpc-0123456789abcdef0'] } })).toEqual([
      expect.stringMatching(/^targets\[0\]\.broker\.vpc\.securityGroupIds\[0\]: "vpc-0123456789abcdef0" .*security group id/),
    ]);
    expect(oneTarget({}, { vpc: { subnetIds: [], securityGroupIds: VPC.securityGroupIds } })).toEqual([
      'targets[0].broker.vpc.subnetIds: needs at least 1 entries, has 0',
    ]);
    expect(oneTarget({}, { vpc: { subnetIds: VPC.subnetIds } })).toEqual([expect.stringContaining('targets[0].broker.vpc.securityGroupIds')]);
  });

  test('unknown fields, a host with a scheme and a partial secret ARN are refused', () => {
    expect(oneTarget({}, { url: 'redis://x' })).toEqual(['targets[0].broker.url: unknown key']);
    expect(oneTarget({}, { vpc: { ...VPC, vpcId: 'vpc-1' } })).toEqual(['targets[0].broker.vpc.vpcId: unknown key']);
    expect(oneTarget({ queue: 'celery' })).toEqual(['targets[0].queue: unknown key']);
    expect(oneTarget({}, { host: 'rediss://broker:6379' })).toEqual([expect.stringMatching(/^targets\[0\]\.broker\.host: .*no scheme/)]);
    expect(oneTarget({}, { authSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:celery/broker' })).toEqual([
      expect.stringMatching(/^targets\[0\]\.broker\.authSecretArn: .*6-character suffix/),
    ]);
  });

  test('one reader per deployment: every redis-workers target names the same subnets and security groups', () => {
    const other = { subnetIds: ['subnet-0fedcba9876543210'], securityGroupIds: VPC.securityGroupIds };
    const lines = problems({
      prefix: 'shop',
      targets: [worker(), worker({ id: 'mail', workers: { kind: 'asg', autoScalingGroupName: 'mail' } }, { queues: ['mail'], vpc: other })],
    });
    expect(lines).toEqual([expect.stringMatching(/^targets\[1\]\.broker\.vpc: .*subnet-0fedcba9876543210.* differs from targets\[0\]\.broker\.vpc/)]);
    // The same ids in another order are the same place.
    const two = { subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'], securityGroupIds: VPC.securityGroupIds };
    const swapped = { ...two, subnetIds: [...two.subnetIds].reverse() };
    expect(
      problems({
        prefix: 'shop',
        targets: [worker({}, { vpc: two }), worker({ id: 'mail', workers: { kind: 'asg', autoScalingGroupName: 'mail' } }, { queues: ['mail'], vpc: swapped })],
      }),
    ).toEqual([]);
  });

  test('one queue, one target: the same queue in the same database of the same broker is refused, another database is not', () => {
    const twice = problems({ prefix: 'shop', targets: [worker(), worker({ id: 'again', workers: { kind: 'asg', autoScalingGroupName: 'g' } })] });
    expect(twice).toEqual([
      expect.stringMatching(/^targets\[1\]\.broker\.queues\[0\]: "celery" in database 0 of broker .* is already the queue of targets\[0\]/),
    ]);
    const apart = problems({
      prefix: 'shop',
      targets: [worker(), worker({ id: 'again', workers: { kind: 'asg', autoScalingGroupName: 'g' } }, { database: 1 })],
    });
    expect(apart).toEqual([]);
    expect(resourcesOf(parsed() as TargetConfig).map((r) => r.key)).toEqual([
      'redis:broker.abc123.ng.0001.euw1.cache.amazonaws.com:6379/0/celery',
      'ecs:celery/worker',
    ]);
  });
});

describe('redis-workers metrics and alarms', () => {
  test("kombu's keys: the queue's list, and with priorities its lists of steps 3, 6 and 9", () => {
    expect(queueKeys('celery', false)).toEqual(['celery']);
    expect(queueKeys('celery', true)).toEqual(['celery', 'celery\x06\x163', 'celery\x06\x166', 'celery\x06\x169']);
  });

  test("the backlog alarm reads the reader's total in <prefix>/Celery; the queue family's rule matches that namespace", () => {
    const config = parseConfig({ prefix: 'shop', targets: [worker()] });
    const [alarm] = allAlarms(config);
    expect(alarm).toMatchObject({
      name: 'shop/celery/backlog/high',
      metric: { namespace: 'shop/Celery', metricName: 'QueueDepth', dimensions: { Target: 'celery' }, stat: 'Maximum' },
      threshold: 600,
      treatMissingData: 'notBreaching',
    });
    expect(redisQueueMetrics('shop', config.targets[0] as RedisWorkersTarget).unacknowledged).toMatchObject({ metricName: 'UnackedMessages' });
    const pattern = JSON.stringify(alarmRulePattern('shop', 'queue'));
    expect(pattern).toContain('"shop/Celery"');
    expect(pattern).not.toContain('{prefix}');
  });
});
