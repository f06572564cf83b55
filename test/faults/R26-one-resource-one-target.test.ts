/**
 * R26: one resource, one target. Two targets acting on the same group, service, queue, database or
 * cache would each undo the other (two `asg` targets on one group flap it 4 -> 10 -> 4 every minute);
 * a name with `*` or `?` would reach every matching resource through IAM (`autoScalingGroupName: "*"`
 * synthesized SetDesiredCapacity on every group); a ladder that descends makes "one rung up" a move
 * down. Each is refused by `config validate` and by `cdk synth`, the line naming both paths or the value.
 */
import { parseConfig, resourcesOf, type TargetConfig, targetSchema } from '../../lambdas/shared/config';
import { parseConfigText } from '../../lambdas/shared/config-file';
import { configFile, STACK_TRACE, synth, validate } from './config-entries';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-default';

/** One target of every kind, with every name field the kind has. */
const TARGETS = {
  asg: { kind: 'asg', id: 'web', autoScalingGroupName: 'web-asg' },
  ecs: { kind: 'ecs-service', id: 'api', cluster: 'shop', service: 'api' },
  cdn: {
    kind: 'cloudfront',
    id: 'cdn',
    distributionId: 'E2QWRUHAPOMQZL',
    triggers: [{ ecsDeployment: { cluster: 'shop', service: 'api' } }, { codePipeline: { pipeline: 'shop-deploy' } }, { s3: { bucket: 'shop-static' } }],
  },
  replicas: {
    kind: 'rds-replicas',
    id: 'orders-db',
    sourceInstanceIdentifier: 'orders-primary',
    readerEndpointsParameter: '/shop/orders-db/readers',
    route53: { hostedZoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'read.orders-db.internal' },
  },
  aurora: { kind: 'rds-replicas', id: 'reports-db', clusterIdentifier: 'reports-cluster' },
  storage: { kind: 'rds-storage', id: 'orders-disk', instanceIdentifier: 'orders-primary', maxAllocatedGiB: 500 },
  klass: { kind: 'rds-instance', id: 'orders-class', instanceIdentifier: 'orders-primary', instanceClassLadder: ['db.r6g.large', 'db.r6g.xlarge'] },
  redis: { kind: 'redis', id: 'cache', replicationGroupId: 'shop-cache', nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'] },
  workers: {
    kind: 'queue-workers',
    id: 'default-workers',
    queueUrl: QUEUE,
    deadLetterQueueUrl: `${QUEUE}-dlq`,
    workers: { kind: 'asg', autoScalingGroupName: 'celery-asg' },
    messagesPerSecondPerWorker: 2,
  },
  ecsWorkers: {
    kind: 'queue-workers',
    id: 'report-workers',
    queueUrl: `${QUEUE.replace('default', 'reports')}`,
    workers: { kind: 'ecs-service', cluster: 'celery', service: 'reports' },
    messagesPerSecondPerWorker: 1,
  },
  rabbit: {
    kind: 'rabbitmq-workers',
    id: 'mail-workers',
    broker: 'shop-broker',
    queue: 'mail',
    workers: { kind: 'ecs-service', cluster: 'celery', service: 'mail' },
    messagesPerSecondPerWorker: 5,
  },
  redisWorkers: {
    kind: 'redis-workers',
    id: 'task-workers',
    broker: {
      host: 'broker.shop.internal',
      queues: ['celery', 'tasks'],
      vpc: { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
    },
    workers: { kind: 'ecs-service', cluster: 'celery', service: 'tasks' },
    messagesPerSecondPerWorker: 5,
  },
} as const;

type Target = Record<string, unknown>;

function problems(targets: readonly unknown[]): string[] {
  try {
    parseConfigText(JSON.stringify({ prefix: 'shop', targets }), 'shop.yaml');
  } catch (err) {
    return (err as { problems?: string[] }).problems ?? [String(err)];
  }
  return [];
}

const twin = (t: Target, extra: Target = {}) => ({ ...t, id: `${String(t.id)}-2`, ...extra });

test('R26 every target kind declares the resources it acts on (one table), and every example of each kind names one', () => {
  const kinds = targetSchema.options.map((o) => o.shape.kind.value).sort();
  const targets = parseConfig({ targets: Object.values(TARGETS) }).targets;
  expect([...new Set(targets.map((t) => t.kind))].sort()).toEqual(kinds);
  for (const t of targets) expect(resourcesOf(t as TargetConfig).filter((r) => r.key !== undefined).length).toBeGreaterThan(0);
});

test.each([
  [
    'two asg targets on one group',
    [TARGETS.asg, TARGETS.ecs, TARGETS.redis, twin(TARGETS.asg)],
    ['targets[3].autoScalingGroupName: "web-asg" is already the group of targets[0]'],
  ],
  [
    'an asg target and the workers of a queue-workers target on one group',
    [TARGETS.asg, { ...TARGETS.workers, workers: { kind: 'asg', autoScalingGroupName: 'web-asg' } }],
    ['targets[1].workers.autoScalingGroupName: "web-asg" is already the group of targets[0]'],
  ],
  [
    'an ecs-service target and the workers of a queue-workers target on one service',
    [TARGETS.ecs, { ...TARGETS.ecsWorkers, workers: { kind: 'ecs-service', cluster: 'shop', service: 'api' } }],
    ['targets[1].workers.service: "api" in cluster "shop" is already the service of targets[0]'],
  ],
  [
    'two queue-workers targets on one queue (one URL with the legacy host)',
    [TARGETS.workers, twin(TARGETS.ecsWorkers, { queueUrl: 'https://eu-west-1.queue.amazonaws.com/123456789012/celery-default' })],
    ['targets[1].queueUrl: "https://eu-west-1.queue.amazonaws.com/123456789012/celery-default" is already the queue of targets[0]'],
  ],
  [
    'two rabbitmq-workers targets on one queue of one virtual host and broker',
    [TARGETS.rabbit, twin(TARGETS.rabbit, { workers: { kind: 'asg', autoScalingGroupName: 'mail-asg' } })],
    ['targets[1].queue: "mail" in virtual host "/" of broker "shop-broker" is already the queue of targets[0]'],
  ],
  [
    'a queue-workers and a rabbitmq-workers target on one worker service',
    [TARGETS.ecsWorkers, { ...TARGETS.rabbit, workers: { kind: 'ecs-service', cluster: 'celery', service: 'reports' } }],
    ['targets[1].workers.service: "reports" in cluster "celery" is already the service of targets[0]'],
  ],
  [
    'two redis-workers targets sharing one queue of one database of one broker',
    [
      TARGETS.redisWorkers,
      twin(TARGETS.redisWorkers, {
        broker: { ...TARGETS.redisWorkers.broker, queues: ['other', 'tasks'] },
        workers: { kind: 'asg', autoScalingGroupName: 'tasks-asg' },
      }),
    ],
    ['targets[1].broker.queues[1]: "tasks" in database 0 of broker "broker.shop.internal:6379" is already the queue of targets[0]'],
  ],
  [
    'a rabbitmq-workers and a redis-workers target on one worker service',
    [TARGETS.rabbit, { ...TARGETS.redisWorkers, workers: { kind: 'ecs-service', cluster: 'celery', service: 'mail' } }],
    ['targets[1].workers.service: "mail" in cluster "celery" is already the service of targets[0]'],
  ],
  [
    'two rds-replicas targets on one source',
    [TARGETS.replicas, twin(TARGETS.replicas, { readerEndpointsParameter: undefined, route53: undefined })],
    ['targets[1].sourceInstanceIdentifier: "orders-primary" is already the source instance of targets[0]'],
  ],
  [
    'two rds-replicas targets on one Aurora cluster',
    [TARGETS.aurora, twin(TARGETS.aurora)],
    ['targets[1].clusterIdentifier: "reports-cluster" is already the Aurora cluster of targets[0]'],
  ],
  [
    'two rds-storage targets on one instance (identifiers are case-insensitive)',
    [TARGETS.storage, twin(TARGETS.storage, { instanceIdentifier: 'Orders-Primary' })],
    ['targets[1].instanceIdentifier: "Orders-Primary" is already the instance (storage) of targets[0]'],
  ],
  [
    'two rds-instance targets on one instance',
    [TARGETS.klass, twin(TARGETS.klass)],
    ['targets[1].instanceIdentifier: "orders-primary" is already the instance (class) of targets[0]'],
  ],
  [
    'two redis targets on one replication group',
    [TARGETS.redis, twin(TARGETS.redis)],
    ['targets[1].replicationGroupId: "shop-cache" is already the replication group of targets[0]'],
  ],
  [
    'two cloudfront targets on one distribution',
    [TARGETS.cdn, twin(TARGETS.cdn)],
    ['targets[1].distributionId: "E2QWRUHAPOMQZL" is already the distribution of targets[0]'],
  ],
  [
    'a queue-workers twin: its queue and its group both',
    [TARGETS.workers, twin(TARGETS.workers)],
    [
      'targets[1].queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/celery-default" is already the queue of targets[0]',
      'targets[1].workers.autoScalingGroupName: "celery-asg" is already the group of targets[0]',
    ],
  ],
])('R26 %s: refused, naming both paths', (_name, targets, expected) => {
  expect(problems(targets)).toEqual(expected);
});

test('R26 different aspects or different resources are not a conflict', () => {
  expect(
    problems([
      TARGETS.storage,
      TARGETS.klass, // the same instance: its storage and its class are different things
      TARGETS.replicas, // and its read replicas a third
      TARGETS.ecs,
      twin(TARGETS.ecs, { cluster: 'staging' }), // "api" of another cluster
      TARGETS.workers,
      twin(TARGETS.ecsWorkers, { deadLetterQueueUrl: `${QUEUE}-dlq` }), // a dead-letter queue is only read: it may be shared
      TARGETS.rabbit,
      twin(TARGETS.rabbit, { virtualHost: 'staging', workers: { kind: 'asg', autoScalingGroupName: 'mail-asg' } }), // "mail" of another virtual host
      TARGETS.redisWorkers,
      twin(TARGETS.redisWorkers, { broker: { ...TARGETS.redisWorkers.broker, database: 1 }, workers: { kind: 'asg', autoScalingGroupName: 'tasks-asg' } }), // the same queues in another database
    ]),
  ).toEqual([]);
});

test('R26 two asg targets on one group: `config validate` and `cdk synth` both exit 1 naming both paths', async () => {
  const file = configFile({ prefix: 'shop', targets: [TARGETS.asg, TARGETS.ecs, TARGETS.redis, twin(TARGETS.asg)] });
  const line = 'targets[3].autoScalingGroupName: "web-asg" is already the group of targets[0]';
  const cli = await validate(file);
  expect(cli).toMatchObject({ code: 1, stdout: '' });
  expect(cli.stderr.split('\n')).toContain(`  ${line}`);
  const cdk = synth(file);
  expect([cdk.code, cdk.escaped]).toEqual([1, undefined]);
  expect(cdk.stderr.split('\n')).toContain(`  ${line}`);
  expect(cdk.stderr).not.toMatch(STACK_TRACE);
});

/** Every name field of TARGETS, by target key and path. */
const NAME_FIELDS: [keyof typeof TARGETS, (string | number)[]][] = [
  ['asg', ['autoScalingGroupName']],
  ['ecs', ['cluster']],
  ['ecs', ['service']],
  ['cdn', ['distributionId']],
  ['cdn', ['triggers', 0, 'ecsDeployment', 'cluster']],
  ['cdn', ['triggers', 0, 'ecsDeployment', 'service']],
  ['cdn', ['triggers', 1, 'codePipeline', 'pipeline']],
  ['cdn', ['triggers', 2, 's3', 'bucket']],
  ['replicas', ['sourceInstanceIdentifier']],
  ['replicas', ['readerEndpointsParameter']],
  ['replicas', ['route53', 'hostedZoneId']],
  ['replicas', ['route53', 'recordName']],
  ['aurora', ['clusterIdentifier']],
  ['storage', ['instanceIdentifier']],
  ['klass', ['instanceIdentifier']],
  ['redis', ['replicationGroupId']],
  ['workers', ['queueUrl']],
  ['workers', ['deadLetterQueueUrl']],
  ['workers', ['workers', 'autoScalingGroupName']],
  ['ecsWorkers', ['workers', 'cluster']],
  ['ecsWorkers', ['workers', 'service']],
  ['rabbit', ['workers', 'cluster']],
  ['rabbit', ['workers', 'service']],
  ['redisWorkers', ['workers', 'service']],
];

const pathText = (p: (string | number)[]) => p.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');

test.each(NAME_FIELDS.flatMap(([key, at]) => ['*', '?'].map((wildcard) => [`${key}${pathText(at)}`, wildcard, key, at] as const)))(
  'R26 a name with a wildcard is refused with its value: %s with "%s"',
  (_name, wildcard, key, at) => {
    const target = structuredClone(TARGETS[key]) as Target;
    let parent: Record<string | number, unknown> = target;
    for (const part of at.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
    const field = at[at.length - 1];
    const value = `${String(parent[field])}${wildcard}`;
    parent[field] = value;
    expect(problems([target])).toEqual([
      `targets[0]${pathText(at)}: ${JSON.stringify(value)} must name one resource: "*" and "?" are wildcards in IAM and would match others`,
    ]);
  },
);

test('R26 `autoScalingGroupName: "*"`: no stack is built (and so no SetDesiredCapacity on every group); both entry points name the value', async () => {
  const file = configFile('prefix: shop\ntargets:\n  - kind: asg\n    id: web\n    autoScalingGroupName: "*"\n');
  const line = '  targets[0].autoScalingGroupName: "*" must name one resource: "*" and "?" are wildcards in IAM and would match others';
  const cli = await validate(file);
  expect(cli.code).toBe(1);
  expect(cli.stderr.split('\n')).toContain(line);
  const cdk = synth(file);
  expect([cdk.code, cdk.built, cdk.escaped]).toEqual([1, undefined, undefined]);
  expect(cdk.stderr.split('\n')).toContain(line);
});

describe('R26 ladders ascend strictly', () => {
  const redis = (nodeTypeLadder: string[]) => [{ ...TARGETS.redis, nodeTypeLadder }];
  const klass = (instanceClassLadder: string[]) => [{ ...TARGETS.klass, instanceClassLadder }];

  test('a rung not larger than the one before is refused, naming both', () => {
    expect(problems(redis(['cache.r7g.xlarge', 'cache.r7g.large']))).toEqual([
      'targets[0].nodeTypeLadder[1]: "cache.r7g.large" (13.07 GiB) is not larger than targets[0].nodeTypeLadder[0] "cache.r7g.xlarge" (26.32 GiB): a ladder goes from smallest to largest',
    ]);
    expect(problems(klass(['db.r6g.large', 'db.r6g.2xlarge', 'db.r6g.xlarge']))).toEqual([
      'targets[0].instanceClassLadder[2]: "db.r6g.xlarge" is not larger than targets[0].instanceClassLadder[1] "db.r6g.2xlarge": a ladder goes from smallest to largest',
    ]);
    expect(problems(klass(['db.r6g.large', 'db.m6g.large']))).toHaveLength(1); // the same size is not larger
  });

  test('ElastiCache types listed in the memory table compare by memory, across families', () => {
    // r7g.large (13.07 GiB) holds more than m7g.xlarge (12.93 GiB), although "xlarge" is the larger token.
    expect(problems(redis(['cache.r7g.large', 'cache.m7g.xlarge']))).toEqual([
      'targets[0].nodeTypeLadder[1]: "cache.m7g.xlarge" (12.93 GiB) is not larger than targets[0].nodeTypeLadder[0] "cache.r7g.large" (13.07 GiB): a ladder goes from smallest to largest',
    ]);
    expect(problems(redis(['cache.m7g.large', 'cache.r7g.large', 'cache.m7g.xlarge', 'cache.r7g.xlarge']))).toHaveLength(1);
    expect(problems(redis(['cache.t4g.micro', 'cache.t4g.small', 'cache.m7g.large', 'cache.r7g.large', 'cache.r7g.xlarge']))).toEqual([]);
  });

  test('other types compare by size token: nano < ... < xlarge < 2xlarge < ... < 48xlarge < metal', () => {
    expect(
      problems(
        klass(['db.t4g.micro', 'db.t4g.small', 'db.t4g.medium', 'db.r6g.large', 'db.r6g.xlarge', 'db.r6g.2xlarge', 'db.r6g.4xlarge', 'db.r6g.12xlarge']),
      ),
    ).toEqual([]);
    expect(problems(klass(['db.r6i.24xlarge', 'db.r6i.32xlarge', 'db.r6i.metal']))).toEqual([]);
    expect(problems(redis(['cache.r6gd.xlarge', 'cache.r6gd.2xlarge', 'cache.r6gd.16xlarge']))).toEqual([]);
    expect(problems(klass(['db.r6i.metal', 'db.r6i.48xlarge']))).toHaveLength(1);
    expect(problems(klass(['db.r6g.large', 'db.r6g.huge']))).toEqual([
      'targets[0].instanceClassLadder[1]: "db.r6g.huge" has a size that cannot be ordered (nano, micro, small, medium, large, xlarge, 2xlarge ... 48xlarge or metal)',
    ]);
  });
});
