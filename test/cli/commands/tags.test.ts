/**
 * `tags check` in-process: Auto Scaling, ECS, SQS, RDS, ElastiCache and CloudFront answered by
 * aws-sdk-client-mock (no local implementation of their tag reads), through the CLI's deps.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFrontClient, GetDistributionCommand, ListTagsForResourceCommand as ListCloudFrontTagsCommand } from '@aws-sdk/client-cloudfront';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeReplicationGroupsCommand, ElastiCacheClient, ListTagsForResourceCommand as ListElastiCacheTagsCommand } from '@aws-sdk/client-elasticache';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { ListQueueTagsCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { stringify } from 'yaml';
import { taggedResources } from '../../../cli/commands/tags';
import { type CliDeps, runCli } from '../../../cli/program';
import { ALL_KINDS_CONFIG } from '../../support/configs';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/shop-default`;
const serviceArn = (cluster: string, name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${cluster}/${name}`;

const CONFIG = (permissions: string) => `
prefix: shop
permissions: ${permissions}
targets:
  - { kind: asg, id: web, autoScalingGroupName: shop-web }
  - { kind: ecs-service, id: api, cluster: shop, service: shop-api }
  - kind: queue-workers
    id: celery
    queueUrl: ${QUEUE_URL}
    workers: { kind: ecs-service, cluster: shop, service: shop-worker }
    messagesPerSecondPerWorker: 2
    maxCapacity: 20
`;

const asg = mockClient(AutoScalingClient);
const ecs = mockClient(ECSClient);
const sqs = mockClient(SQSClient);
const rds = mockClient(RDSClient);
const elastiCache = mockClient(ElastiCacheClient);
const cloudFront = mockClient(CloudFrontClient);
const MOCKS = [asg, ecs, sqs, rds, elastiCache, cloudFront];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-tags-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  for (const m of MOCKS) m.reset();
});

const TAG = 'autoscaler:scaled-by';
type Tags = Readonly<Record<string, string | undefined>>;

/** Groups by name with their tag's value (undefined: untagged); a name not listed does not exist. */
function groups(tags: Tags) {
  asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames: string[] }) => ({
    AutoScalingGroups: input.AutoScalingGroupNames.filter((n) => n in tags).map((n) => ({
      AutoScalingGroupName: n,
      Tags: [{ Key: 'team', Value: 'web' }, ...(tags[n] === undefined ? [] : [{ Key: TAG, Value: tags[n] }])],
    })),
  }));
}

/** Services of cluster `shop` by name with their tag's value; a name not listed is MISSING. */
function services(tags: Tags) {
  ecs.on(DescribeServicesCommand).callsFake((input: { cluster: string; services: string[]; include?: string[] }) => ({
    services: input.services
      .filter((n) => n in tags)
      .map((n) => ({
        serviceName: n,
        serviceArn: serviceArn(input.cluster, n),
        status: 'ACTIVE',
        // Tags only when asked for, as ECS answers.
        ...(input.include?.includes('TAGS') && tags[n] !== undefined ? { tags: [{ key: TAG, value: tags[n] }] } : {}),
      })),
    failures: input.services.filter((n) => !(n in tags)).map((n) => ({ arn: serviceArn(input.cluster, n), reason: 'MISSING' })),
  }));
}

function deps(out: string[], err: string[]): CliDeps {
  const refuse = { send: async () => Promise.reject(new Error('tags check read the stack or the state')) };
  return {
    cloudFormation: refuse,
    cloudWatch: refuse,
    autoScaling: new AutoScalingClient({ region: REGION }),
    ecs: new ECSClient({ region: REGION }),
    sqs: new SQSClient({ region: REGION }),
    rds: new RDSClient({ region: REGION }),
    elastiCache: new ElastiCacheClient({ region: REGION }),
    cloudFront: new CloudFrontClient({ region: REGION }),
    sfn: refuse,
    sts: refuse,
    sns: refuse,
    region: async () => REGION,
    store: () => {
      throw new Error('tags check opened the state store');
    },
    now: () => 0,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  };
}

async function check(config: string, ...args: string[]) {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, config);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['tags', 'check', '--config', file, ...args], deps(out, err));
  return { code, stdout: out.join(''), stderr: err.join('') };
}

test('every resource tagged for the prefix: one OK row each, exit 0', async () => {
  groups({ 'shop-web': 'shop' });
  services({ 'shop-api': 'shop', 'shop-worker': 'shop' });
  sqs.on(ListQueueTagsCommand, { QueueUrl: QUEUE_URL }).resolves({ Tags: { [TAG]: 'shop' } });
  const r = await check(CONFIG('by-tag'));
  expect(r.stderr).toBe('');
  expect(r.stdout.split('\n').filter(Boolean)).toEqual([
    `TARGET  RESOURCE                                                                 TAG ${TAG}  STATUS`,
    'web     Auto Scaling group shop-web                                              shop                      OK',
    'api     ECS service shop/shop-api                                                shop                      OK',
    `celery  SQS queue ${QUEUE_URL}  shop                      OK`,
    'celery  ECS service shop/shop-worker                                             shop                      OK',
  ]);
  expect(r.code).toBe(0);
  // The services' tags come with DescribeServices itself.
  expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({ cluster: 'shop', services: ['shop-api', 'shop-worker'], include: ['TAGS'] });
});

test('one untagged and one tagged for another prefix: exit 1 and the command that tags each', async () => {
  groups({ 'shop-web': undefined });
  services({ 'shop-api': 'staging', 'shop-worker': 'shop' });
  sqs.on(ListQueueTagsCommand).resolves({ Tags: { [TAG]: 'shop' } });
  const r = await check(CONFIG('by-tag'));
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('web     Auto Scaling group shop-web');
  expect(r.stdout).toMatch(/web +Auto Scaling group shop-web +- +missing\n/);
  expect(r.stdout).toMatch(/api +ECS service shop\/shop-api +staging +other deployment's \("staging"\)\n/);
  expect(r.stdout).toContain(
    [
      `2 of 4 resource(s) not tagged ${TAG}=shop:`,
      '# web: Auto Scaling group shop-web',
      `aws autoscaling create-or-update-tags --tags ResourceId=shop-web,ResourceType=auto-scaling-group,Key=${TAG},Value=shop,PropagateAtLaunch=false`,
      '# api: ECS service shop/shop-api',
      `aws ecs tag-resource --resource-arn ${serviceArn('shop', 'shop-api')} --tags key=${TAG},value=shop`,
    ].join('\n'),
  );

  const json = await check(CONFIG('by-tag'), '-o', 'json');
  expect(json.code).toBe(1);
  const statuses = JSON.parse(json.stdout).resources.map((c: { targetId: string; status: string; value?: string }) => [c.targetId, c.status, c.value]);
  expect(statuses).toEqual([
    ['web', 'missing', undefined],
    ['api', 'other-prefix', 'staging'],
    ['celery', 'ok', 'shop'],
    ['celery', 'ok', 'shop'],
  ]);
});

test('permissions: per-target: no tag is needed, nothing is read, exit 0', async () => {
  const r = await check(CONFIG('per-target'));
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/permissions: per-target: the roles name each resource by its ARN; no autoscaler:scaled-by tag is needed\n$/);
  for (const m of MOCKS) expect(m.calls()).toHaveLength(0);
});

test('a resource that does not exist: one line naming it, exit 1', async () => {
  groups({});
  services({ 'shop-api': 'shop', 'shop-worker': 'shop' });
  sqs.on(ListQueueTagsCommand).rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));
  const r = await check(CONFIG('by-tag'));
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/web +Auto Scaling group shop-web +- +not found\n/);
  expect(r.stdout).toContain(`# web: Auto Scaling group shop-web does not exist in ${REGION}: fix the config\n`);
  expect(r.stdout).toContain(`# celery: SQS queue ${QUEUE_URL} does not exist in ${REGION}: fix the config\n`);
  expect(r.stdout).not.toContain('aws autoscaling create-or-update-tags');
});

test('every kind: the resources by-tag conditions on are read with their own calls; rds-replicas need none', async () => {
  const resources = ALL_KINDS_CONFIG.targets.flatMap(taggedResources);
  const kinds = new Set(resources.map((r) => r.kind));
  expect([...kinds].sort()).toEqual(['asg', 'cloudfront-distribution', 'ecs-service', 'elasticache-replication-group', 'rds-instance', 'sqs-queue']);
  for (const t of ALL_KINDS_CONFIG.targets) expect(taggedResources(t).length === 0).toBe(t.kind === 'rds-replicas');

  groups(Object.fromEntries(resources.filter((r) => r.kind === 'asg').map((r) => [r.name, 'shop'])));
  services(Object.fromEntries(resources.filter((r) => r.kind === 'ecs-service').map((r) => [r.name, 'shop'])));
  sqs.on(ListQueueTagsCommand).resolves({ Tags: { [TAG]: 'shop' } });
  rds.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier: string }) => ({
    DBInstances: [{ DBInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:${input.DBInstanceIdentifier}`, TagList: [{ Key: TAG, Value: 'shop' }] }],
  }));
  elastiCache.on(DescribeReplicationGroupsCommand).callsFake((input: { ReplicationGroupId: string }) => ({
    ReplicationGroups: [{ ARN: `arn:aws:elasticache:${REGION}:${ACCOUNT}:replicationgroup:${input.ReplicationGroupId}` }],
  }));
  elastiCache.on(ListElastiCacheTagsCommand).resolves({ TagList: [{ Key: TAG, Value: 'shop' }] });
  const distribution = (id: string) => `arn:aws:cloudfront::${ACCOUNT}:distribution/${id}`;
  cloudFront.on(GetDistributionCommand).callsFake((input: { Id: string }) => ({ Distribution: { ARN: distribution(input.Id) } }));
  // One distribution is another deployment's.
  cloudFront.on(ListCloudFrontTagsCommand).callsFake((input: { Resource: string }) => ({
    Tags: { Items: [{ Key: TAG, Value: input.Resource === distribution('E2QWRUHAPOMQZL') ? 'other' : 'shop' }] },
  }));

  const r = await check(stringify({ ...ALL_KINDS_CONFIG, permissions: 'by-tag' }), '-o', 'text');
  expect(r.code).toBe(1);
  const lines = r.stdout.split('\n').filter(Boolean);
  expect(lines).toHaveLength(resources.length);
  expect(lines.filter((l) => !l.endsWith('\tOK'))).toEqual([`cdn-web\tCloudFront distribution E2QWRUHAPOMQZL\tother\tother deployment's ("other")`]);
  // The group's and the distribution's tags are read by the ARN their describe call gives.
  expect(elastiCache.commandCalls(ListElastiCacheTagsCommand)[0].args[0].input.ResourceName).toMatch(/^arn:aws:elasticache:.*:replicationgroup:/);
  expect(cloudFront.commandCalls(ListCloudFrontTagsCommand).map((c) => c.args[0].input.Resource)).toContain(distribution('E2QWRUHAPOMQZL'));
});

test('an ECS service with the short ARN: the fix says to migrate it first; an unknown cluster: its services are not found', async () => {
  groups({ 'shop-web': 'shop' });
  sqs.on(ListQueueTagsCommand).resolves({ Tags: { [TAG]: 'shop' } });
  const shortArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/shop-api`;
  ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'shop-api', serviceArn: shortArn, status: 'ACTIVE' }], failures: [] });
  const r = await check(CONFIG('by-tag'));
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(
    `# the service has the short ARN format, which cannot be tagged: migrate it to the long ARN format first, then\naws ecs tag-resource --resource-arn ${shortArn} --tags key=${TAG},value=shop\n`,
  );

  ecs.reset();
  ecs.on(DescribeServicesCommand).rejects(Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' }));
  const gone = await check(CONFIG('by-tag'));
  expect(gone.code).toBe(1);
  expect(gone.stderr).toBe('');
  expect(gone.stdout).toContain(`# api: ECS service shop/shop-api does not exist in ${REGION}: fix the config\n`);
  expect(gone.stdout).toContain(`# celery: ECS service shop/shop-worker does not exist in ${REGION}: fix the config\n`);
});
