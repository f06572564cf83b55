/**
 * `tags check`: with `permissions: by-tag`, IAM lets the deployment's functions act on a resource only
 * while it carries `autoscaler:scaled-by=<prefix>` (lib/targets/access.ts). This reads the tag of every
 * resource the config names and the by-tag statements condition on, with each service's own read call,
 * and prints one row per resource and the command that tags each one that is not ready. Reads the config
 * only (no stack): it is meant for before the deploy as much as after.
 */
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetDistributionCommand, ListTagsForResourceCommand as ListCloudFrontTagsCommand } from '@aws-sdk/client-cloudfront';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeReplicationGroupsCommand, ListTagsForResourceCommand as ListElastiCacheTagsCommand } from '@aws-sdk/client-elasticache';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { ListQueueTagsCommand } from '@aws-sdk/client-sqs';
import { type Command, CommanderError } from 'commander';
import type { TargetConfig } from '../../lambdas/shared/config';
import { awsErrorName } from '../../lambdas/shared/errors';
import { SCALED_BY_TAG } from '../../lambdas/shared/tags';
import { type CommandContext, readConfig } from '../deployment';
import type { CliDeps, OutputFormat } from '../deps';
import { rows } from '../format';

/** The kinds of resource a by-tag statement conditions on (lib/targets/access.ts). */
export type TaggedKind = 'asg' | 'ecs-service' | 'sqs-queue' | 'rds-instance' | 'elasticache-replication-group' | 'cloudfront-distribution';

/** One resource of one target that must carry the deployment's tag. */
export interface TaggedResource {
  readonly targetId: string;
  readonly kind: TaggedKind;
  /** Its name as the config gives it: the group's name, `cluster/service`, the queue URL, the identifier. */
  readonly name: string;
  /** The ECS service's cluster. */
  readonly cluster?: string;
}

export type TagStatus = 'ok' | 'missing' | 'other-prefix' | 'not-found';

export interface TagCheck extends TaggedResource {
  readonly status: TagStatus;
  /** The tag's value on the resource; undefined when it has none (or does not exist). */
  readonly value?: string;
  /** The command that tags it; undefined when it is tagged, or does not exist. */
  readonly fix?: string;
  /** Why it cannot be read or tagged, in a few words (a missing resource). */
  readonly problem?: string;
}

const NOUNS: Readonly<Record<TaggedKind, string>> = {
  asg: 'Auto Scaling group',
  'ecs-service': 'ECS service',
  'sqs-queue': 'SQS queue',
  'rds-instance': 'RDS instance',
  'elasticache-replication-group': 'ElastiCache replication group',
  'cloudfront-distribution': 'CloudFront distribution',
};

/** Every kind of resource the check reads; test/cli/commands/tags-template.test.ts holds it to what the stacks grant by tag. */
export const TAGGED_KINDS = Object.keys(NOUNS) as readonly TaggedKind[];

/**
 * The resources of a target that `permissions: by-tag` grants on by tag: every Auto Scaling group and
 * ECS service a family sets, every SQS queue (and dead-letter queue) a queue family reads, the RDS
 * instance of `rds-storage` and `rds-instance`, the ElastiCache replication group of `redis`, the
 * CloudFront distribution. `rds-replicas` is granted per target in either mode and needs no tag.
 */
export function taggedResources(t: TargetConfig): TaggedResource[] {
  const of = (kind: TaggedKind, name: string, cluster?: string): TaggedResource => ({ targetId: t.id, kind, name, ...(cluster ? { cluster } : {}) });
  const fleet = (w: { kind: 'asg'; autoScalingGroupName: string } | { kind: 'ecs-service'; cluster: string; service: string }) =>
    w.kind === 'asg' ? of('asg', w.autoScalingGroupName) : of('ecs-service', w.service, w.cluster);
  switch (t.kind) {
    case 'asg':
      return [of('asg', t.autoScalingGroupName)];
    case 'ecs-service':
      return [of('ecs-service', t.service, t.cluster)];
    case 'queue-workers':
      return [of('sqs-queue', t.queueUrl), ...(t.deadLetterQueueUrl ? [of('sqs-queue', t.deadLetterQueueUrl)] : []), fleet(t.workers)];
    case 'rabbitmq-workers':
    case 'redis-workers':
      return [fleet(t.workers)];
    case 'rds-instance':
    case 'rds-storage':
      return [of('rds-instance', t.instanceIdentifier)];
    case 'redis':
      return [of('elasticache-replication-group', t.replicationGroupId)];
    case 'cloudfront':
      return [of('cloudfront-distribution', t.distributionId)];
    case 'rds-replicas':
      return [];
    default: {
      const unknown: never = t;
      throw new Error(`no tagged resources stated for kind ${(unknown as TargetConfig).kind}`);
    }
  }
}

export function registerTags(program: Command, { deps, configFile, output }: CommandContext): void {
  const tags = program.command('tags').description(`the ${SCALED_BY_TAG} tag that permissions: by-tag asks for`);
  tags
    .command('check')
    .description(`read the ${SCALED_BY_TAG} tag of every resource the config names: OK, missing, or another deployment's; exit 1 unless all are OK`)
    .action(() => check(configFile(), deps, output()));
}

async function check(file: string, deps: CliDeps, format: OutputFormat): Promise<void> {
  const config = readConfig(file);
  if (config.permissions === 'per-target') {
    if (format === 'json') deps.stdout(`${JSON.stringify({ file, prefix: config.prefix, permissions: config.permissions, resources: [] }, null, 2)}\n`);
    else deps.stdout(`${file}: permissions: per-target: the roles name each resource by its ARN; no ${SCALED_BY_TAG} tag is needed\n`);
    return;
  }
  const resources = config.targets.flatMap(taggedResources);
  const checks = await readTags(resources, config.prefix, deps);
  const bad = checks.filter((c) => c.status !== 'ok');
  if (format === 'json') {
    deps.stdout(`${JSON.stringify({ file, prefix: config.prefix, permissions: config.permissions, resources: checks }, null, 2)}\n`);
  } else {
    const label = (c: TagCheck) => `${NOUNS[c.kind]} ${c.cluster ? `${c.cluster}/${c.name}` : c.name}`;
    const status = (c: TagCheck) =>
      c.status === 'ok' ? 'OK' : c.status === 'missing' ? 'missing' : c.status === 'not-found' ? 'not found' : `other deployment's ("${c.value}")`;
    deps.stdout(
      rows(
        format === 'text' ? 'text' : 'table',
        ['TARGET', 'RESOURCE', `TAG ${SCALED_BY_TAG}`, 'STATUS'],
        checks.map((c) => [c.targetId, label(c), c.value ?? '-', status(c)]),
      ),
    );
    if (format === 'table' && bad.length > 0) {
      const lines = bad.map((c) => (c.fix ? `# ${c.targetId}: ${label(c)}\n${c.fix}` : `# ${c.targetId}: ${label(c)} ${c.problem}: fix the config`));
      deps.stdout(`\n${bad.length} of ${checks.length} resource(s) not tagged ${SCALED_BY_TAG}=${config.prefix}:\n${lines.join('\n')}\n`);
    }
  }
  if (bad.length > 0) throw new CommanderError(1, 'autoscaler.untagged', 'untagged resources');
}

/** Each resource's tag, read with its service's own call; in the order given. */
export async function readTags(resources: readonly TaggedResource[], prefix: string, deps: CliDeps): Promise<TagCheck[]> {
  const region = await deps.region();
  const judge = (r: TaggedResource, found: { value?: string; fix: string } | undefined): TagCheck => {
    if (!found) return { ...r, status: 'not-found', problem: `does not exist in ${region}` };
    const { value, fix } = found;
    if (value === prefix) return { ...r, status: 'ok', value };
    return { ...r, status: value === undefined ? 'missing' : 'other-prefix', ...(value === undefined ? {} : { value }), fix };
  };
  const groups = await groupTags(
    resources.filter((r) => r.kind === 'asg').map((r) => r.name),
    deps,
  );
  const services = await serviceTags(
    resources.filter((r) => r.kind === 'ecs-service'),
    deps,
  );
  const out: TagCheck[] = [];
  for (const r of resources) {
    const found =
      r.kind === 'asg'
        ? groups.get(r.name) && { value: groups.get(r.name)!.value, fix: fixGroup(r.name, prefix) }
        : r.kind === 'ecs-service'
          ? services.get(`${r.cluster}/${r.name}`) && fixedService(services.get(`${r.cluster}/${r.name}`)!, prefix)
          : await readOne(r, prefix, deps);
    out.push(judge(r, found));
  }
  return out;
}

const tagged = (tags: readonly { Key?: string; Value?: string }[] | undefined) => tags?.find((t) => t.Key === SCALED_BY_TAG)?.Value;

/**
 * Tags of the named groups. DescribeAutoScalingGroups takes up to 50 names by default and returns each
 * group with its Tags (TagDescription: Key, Value); a name that matches no group is left out of the
 * answer, no error (Amazon EC2 Auto Scaling API Reference, DescribeAutoScalingGroups, TagDescription).
 */
async function groupTags(names: readonly string[], deps: CliDeps): Promise<Map<string, { value?: string }>> {
  const found = new Map<string, { value?: string }>();
  const unique = [...new Set(names)];
  for (let i = 0; i < unique.length; i += 50) {
    const res = await deps.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: unique.slice(i, i + 50), MaxRecords: 50 }));
    for (const g of res.AutoScalingGroups ?? []) {
      const value = tagged(g.Tags);
      found.set(g.AutoScalingGroupName ?? '', value === undefined ? {} : { value });
    }
  }
  return found;
}

/**
 * `aws autoscaling create-or-update-tags`: a tag of a group is ResourceId (the name), ResourceType
 * `auto-scaling-group`, Key, Value, PropagateAtLaunch (false: the instances need no tag). Keys are at
 * most 128 characters and values 256 (API Reference, Tag): `autoscaler:scaled-by` and a prefix fit.
 */
function fixGroup(name: string, prefix: string): string {
  return `aws autoscaling create-or-update-tags --tags ResourceId=${name},ResourceType=auto-scaling-group,Key=${SCALED_BY_TAG},Value=${prefix},PropagateAtLaunch=false`;
}

interface ServiceFound {
  readonly arn: string;
  readonly value?: string;
}

/**
 * Tags of the services, by `cluster/service`. DescribeServices takes up to 10 services of one cluster
 * and returns their tags with `include: ['TAGS']` (Amazon ECS API Reference, DescribeServices); a
 * service that does not exist comes back in `failures` (reason MISSING), a deleted one as INACTIVE, and
 * an unknown cluster throws ClusterNotFoundException.
 */
async function serviceTags(resources: readonly TaggedResource[], deps: CliDeps): Promise<Map<string, ServiceFound>> {
  const found = new Map<string, ServiceFound>();
  const byCluster = new Map<string, Set<string>>();
  for (const r of resources) byCluster.set(r.cluster!, (byCluster.get(r.cluster!) ?? new Set()).add(r.name));
  for (const [cluster, names] of byCluster) {
    const all = [...names];
    for (let i = 0; i < all.length; i += 10) {
      const describe = () => deps.ecs.send(new DescribeServicesCommand({ cluster, services: all.slice(i, i + 10), include: ['TAGS'] }));
      let res: Awaited<ReturnType<typeof describe>>;
      try {
        res = await describe();
      } catch (err) {
        if (awsErrorName(err) === 'ClusterNotFoundException') break;
        throw err;
      }
      for (const s of res.services ?? []) {
        if (s.status === 'INACTIVE' || !s.serviceName || !s.serviceArn) continue;
        const value = s.tags?.find((t: { key?: string }) => t.key === SCALED_BY_TAG)?.value;
        found.set(`${cluster}/${s.serviceName}`, { arn: s.serviceArn, ...(value === undefined ? {} : { value }) });
      }
    }
  }
  return found;
}

/**
 * `aws ecs tag-resource` on the service's ARN. Only the long ARN format
 * (`arn:aws:ecs:region:account:service/cluster-name/service-name`) can be tagged; a service with the
 * short one (`service/service-name`) must be migrated first, else InvalidParameterException (Amazon ECS
 * API Reference, TagResource).
 */
function fixedService(s: ServiceFound, prefix: string): { value?: string; fix: string } {
  const long = /:service\/[^/]+\/[^/]+$/.test(s.arn);
  const tag = `aws ecs tag-resource --resource-arn ${s.arn} --tags key=${SCALED_BY_TAG},value=${prefix}`;
  return {
    ...(s.value === undefined ? {} : { value: s.value }),
    fix: long ? tag : `# the service has the short ARN format, which cannot be tagged: migrate it to the long ARN format first, then\n${tag}`,
  };
}

/** Is this the service's answer for a resource that does not exist? */
function notFound(err: unknown, names: readonly string[]): boolean {
  return names.includes(awsErrorName(err));
}

/** A queue, an instance, a replication group or a distribution: its tag and fix, or undefined when it does not exist. */
async function readOne(r: TaggedResource, prefix: string, deps: CliDeps): Promise<{ value?: string; fix: string } | undefined> {
  const withValue = (value: string | undefined, fix: string) => ({ ...(value === undefined ? {} : { value }), fix });
  try {
    switch (r.kind) {
      case 'sqs-queue': {
        // ListQueueTags(QueueUrl) answers Tags as a map; an unknown queue is QueueDoesNotExist (Amazon SQS API Reference).
        const res = await deps.sqs.send(new ListQueueTagsCommand({ QueueUrl: r.name }));
        return withValue(res.Tags?.[SCALED_BY_TAG], `aws sqs tag-queue --queue-url ${r.name} --tags ${SCALED_BY_TAG}=${prefix}`);
      }
      case 'rds-instance': {
        // DescribeDBInstances returns each instance's TagList and ARN; an unknown one is DBInstanceNotFound (Amazon RDS API Reference).
        const db = (await deps.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: r.name }))).DBInstances?.[0];
        if (!db?.DBInstanceArn) return undefined;
        return withValue(tagged(db.TagList), `aws rds add-tags-to-resource --resource-name ${db.DBInstanceArn} --tags Key=${SCALED_BY_TAG},Value=${prefix}`);
      }
      case 'elasticache-replication-group': {
        // Tags are read by the group's ARN (ListTagsForResource ResourceName), which DescribeReplicationGroups gives (Amazon ElastiCache API Reference).
        const group = (await deps.elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: r.name }))).ReplicationGroups?.[0];
        if (!group?.ARN) return undefined;
        const res = await deps.elastiCache.send(new ListElastiCacheTagsCommand({ ResourceName: group.ARN }));
        return withValue(tagged(res.TagList), `aws elasticache add-tags-to-resource --resource-name ${group.ARN} --tags Key=${SCALED_BY_TAG},Value=${prefix}`);
      }
      case 'cloudfront-distribution': {
        // Tags are read by the distribution's ARN (ListTagsForResource Resource), which GetDistribution gives (Amazon CloudFront API Reference).
        const dist = (await deps.cloudFront.send(new GetDistributionCommand({ Id: r.name }))).Distribution;
        if (!dist?.ARN) return undefined;
        const res = await deps.cloudFront.send(new ListCloudFrontTagsCommand({ Resource: dist.ARN }));
        return withValue(tagged(res.Tags?.Items), `aws cloudfront tag-resource --resource ${dist.ARN} --tags 'Items=[{Key=${SCALED_BY_TAG},Value=${prefix}}]'`);
      }
      default:
        throw new Error(`${r.kind} is read in bulk`);
    }
  } catch (err) {
    if (
      notFound(err, [
        'QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
        'DBInstanceNotFound',
        'DBInstanceNotFoundFault',
        'ReplicationGroupNotFoundFault',
        'NoSuchDistribution',
      ])
    )
      return undefined;
    throw err;
  }
}
