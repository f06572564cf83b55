/**
 * Everything read from synthesized stacks: R20 IAM, the security of every resource, and the template
 * half of R04. The dead-letter queue's wiring and alarm are R11's and R32's.
 *
 * R20: IAM, read from the templates of two configs: the example config and one with every target kind
 * wired every way (test/support/configs.ts: RDS and Aurora, Route 53, Redis with and without cluster
 * mode, ASG and ECS workers, each deploy trigger, windows). Every function role's every statement is
 * walked, so target kinds added later are checked without touching this file: no `*` actions; `*`
 * resources only for the few actions that support no resource-level permissions; every write scoped to
 * the stack's own resources or to ARNs naming a configured resource; and every destructive action
 * (deletes, and what removes data or capacity: DecreaseReplicaCount, shard removal, record deletion)
 * counted and held to one of the three guards below.
 */

import { LEASE_SECONDS } from '../../lambdas/scalers/capacity/service';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { logger } from '../../lambdas/shared/powertools';
import alarmFixture from '../fixtures/cloudwatch-alarm-state-change.json';
import { EXAMPLE_CONFIG, validationFindings } from '../lib/helpers';
import { ALL_KINDS_CONFIG } from '../support/configs';
import { alarmEvent, scheduleEvent, synthesize, withHarness } from './support';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

const config = loadConfigFile(EXAMPLE_CONFIG);
const { app, template } = synthesize(config);
const resources = template.toJSON().Resources as Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** The configs whose IAM is checked, each synthesized once (the example's synth is the one above). */
const STACKS: readonly { name: string; config: AutoscalerConfig; resources: Resources }[] = [
  { name: 'the example config', config, resources },
  { name: 'every target kind', config: ALL_KINDS_CONFIG, resources: synthesize(ALL_KINDS_CONFIG).template.toJSON().Resources as Resources },
];

/** Actions that support no resource-level permissions (AWS's service authorization reference), each read-only or telemetry. */
const UNSCOPABLE = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'cloudwatch:GetMetricData',
  'autoscaling:DescribeAutoScalingGroups',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
]);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** Every statement of every policy attached to a role that a Lambda function runs as, by role. */
function functionStatements(resources: Resources) {
  const roles = new Set<string>();
  for (const r of Object.values(resources)) {
    if (r.Type === 'AWS::Lambda::Function') roles.add(r.Properties.Role['Fn::GetAtt'][0]);
  }
  const out: { role: string; policy: string; statement: Statement }[] = [];
  for (const [id, r] of Object.entries(resources)) {
    // Inline policies, and the stack's own managed policies attached through their `Roles` (the
    // rds-replicas statements are packed into those: lib/shared/packed-policy.ts).
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      for (const role of (r.Properties.Roles ?? []).map((x: { Ref: string }) => x.Ref)) {
        if (roles.has(role)) for (const statement of r.Properties.PolicyDocument.Statement) out.push({ role, policy: id, statement });
      }
    }
    if (r.Type === 'AWS::IAM::Role' && roles.has(id)) {
      expect(r.Properties.ManagedPolicyArns ?? []).toEqual([]);
      for (const p of r.Properties.Policies ?? [])
        for (const statement of p.PolicyDocument.Statement) out.push({ role: id, policy: `${id}/${p.PolicyName}`, statement });
    }
  }
  return { roles, statements: out };
}

const isRead = (action: string) => /^[a-z0-9-]+:(Describe|Get|List|BatchGet|Query|Scan)/.test(action);

/**
 * What removes something: a delete of any kind, and the actions that remove data or capacity without
 * the word (replicas of a Redis shard, shards of a group, DNS records). DynamoDB items of the stack's
 * own tables (the lease, the CloudFront batches) are the autoscaler's bookkeeping, not a resource.
 */
const REMOVES_WITHOUT_THE_WORD = new Set([
  'elasticache:DecreaseReplicaCount',
  'elasticache:ModifyReplicationGroupShardConfiguration',
  'route53:ChangeResourceRecordSets',
]);
const isDestructive = (action: string) =>
  (/^[a-z0-9-]+:(Delete|Remove|Terminate|Destroy|Deregister|Detach|Revoke)/.test(action) && action !== 'dynamodb:DeleteItem') ||
  REMOVES_WITHOUT_THE_WORD.has(action);

/**
 * Destructive actions on a resource the autoscaler did not create (the user's Redis group): IAM cannot
 * tell what the autoscaler added from what the user made, so the grant names that one resource and the
 * code holds the floor. Each with the guarantee and the test that proves the code's side.
 */
const GUARDED_IN_CODE: Readonly<Record<string, string>> = {
  'elasticache:DecreaseReplicaCount':
    'R24 (the replicas first seen are the floor), R22 (one step, cooldown, fit on current metrics), R21 (switches): test/faults/R24-redis-floor, R22-runbook-rules, R21-runbook-switches',
  'elasticache:ModifyReplicationGroupShardConfiguration':
    'R24 (the shards first seen are the floor), R22 (one shard in, fit on current metrics), R21: test/faults/R24-redis-floor, R22-runbook-rules, R21-runbook-switches',
};

/** Every name the config gives a resource (group, cluster, service, distribution, database, replication group, queue, parameter, target id). */
function configuredNames(config: AutoscalerConfig): Set<string> {
  const names = new Set<string>([config.prefix]);
  const walk = (v: unknown, key?: string) => {
    if (typeof v === 'string') {
      if (key === 'kind' || key === 'timezone') return;
      const queue = /\/(\d{12})\/([^/]+)$/.exec(v);
      if (queue) names.add(queue[2]);
      if (v.length >= 2) names.add(v);
      return;
    }
    if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(config.targets);
  return names;
}

/** A resource is the stack's own (a Ref/GetAtt, possibly inside a Join), or an ARN string that names a configured resource. */
function scopedToConfig(resource: unknown, names: Set<string>, own: Set<string>): boolean {
  const json = JSON.stringify(resource);
  const refs = [...json.matchAll(/"(?:Ref|Fn::GetAtt)":\s*\[?"([A-Za-z0-9]+)"/g)].map((m) => m[1]);
  if (refs.length) return refs.every((r) => own.has(r) || r.startsWith('AWS::'));
  if (typeof resource !== 'string' || !resource.startsWith('arn:')) return false;
  const segments = resource.split(/[:/]/).filter(Boolean);
  return segments.some((s) => names.has(s) || [...names].some((n) => s.startsWith(`${n}-`) && /^[a-z0-9-]*\*?$/.test(s.slice(n.length))));
}

/** The ARN names exactly one configured resource: its last segment is a configured name, no wildcard anywhere. */
function exactlyConfigured(resource: unknown, names: Set<string>): boolean {
  const json = typeof resource === 'string' ? resource : JSON.stringify(resource);
  if (json.includes('*')) return false;
  const last =
    json
      .replace(/["\]}]+$/, '')
      .split(/[:/]/)
      .pop() ?? '';
  return names.has(last);
}

/**
 * A statement whose conditions confine it where AWS allows no narrower resource: only requests that
 * carry the autoscaler's own tags (the groups a new RDS replica inherits), only what an AWS service
 * asks for the caller (a customer managed key's grants, kms:ViaService), only the deployment's own
 * metric namespace (`cloudwatch:namespace` under `<prefix>/`), or only network interfaces in configured
 * subnets (`ec2:Subnet`: the broker reader's, which Lambda manages).
 */
const confined = (s: Statement, config: AutoscalerConfig, names: Set<string>) =>
  Object.values(s.Condition ?? {}).some((c) =>
    Object.entries(c).some(
      ([k, v]) =>
        k === 'aws:RequestTag/autoscaler:managed-by' ||
        k === 'kms:ViaService' ||
        (k === 'cloudwatch:namespace' && list(v as string | string[]).every((n) => n.startsWith(`${config.prefix}/`))) ||
        (k === 'ec2:Subnet' && inConfiguredSubnets(v, names)),
    ),
  );

/** Every value is the ARN of a configured subnet (the last segment of each ARN, tokens resolved by the stack). */
const inConfiguredSubnets = (v: unknown, names: Set<string>) => {
  const arns = list(v as unknown[]).map((a) => JSON.stringify(a));
  return arns.length > 0 && arns.every((a) => /:subnet\/(subnet-[0-9a-f]+)"/.test(a) && names.has(/:subnet\/(subnet-[0-9a-f]+)"/.exec(a)![1]));
};

const conditionKeys = (s: Statement) => Object.values(s.Condition ?? {}).flatMap((c) => Object.keys(c));

/**
 * Why a destructive grant is safe, or undefined: (1) tag-held, only on resources carrying this
 * deployment's managed-by tag (what it created); (2) record-held, Route 53 changes only to the
 * configured record names and types; (3) one named resource whose floor the code holds (GUARDED_IN_CODE).
 */
function destructiveGuard(action: string, s: Statement, config: AutoscalerConfig, names: Set<string>): string | undefined {
  const managedBy = Object.values(s.Condition ?? {})
    .map((c) => c['aws:ResourceTag/autoscaler:managed-by'])
    .find((v) => v !== undefined);
  if (managedBy !== undefined) return managedBy === config.prefix ? 'tag' : undefined;
  if (action === 'route53:ChangeResourceRecordSets') {
    const keys = conditionKeys(s);
    const recordNames = Object.values(s.Condition ?? {}).flatMap((c) => list((c['route53:ChangeResourceRecordSetsNormalizedRecordNames'] ?? []) as string[]));
    const configured = new Set(
      config.targets.flatMap((t) => (t.kind === 'rds-replicas' && t.route53 ? [t.route53.recordName.replace(/\.$/, '').toLowerCase()] : [])),
    );
    const held = keys.includes('route53:ChangeResourceRecordSetsRecordTypes') && recordNames.length > 0 && recordNames.every((n) => configured.has(n));
    return held ? 'records' : undefined;
  }
  if (GUARDED_IN_CODE[action] && list(s.Resource).every((r) => exactlyConfigured(r, names))) return 'one resource, floor in code';
  // The network interfaces Lambda manages for the broker reader: only those in the configured subnets.
  if (action === 'ec2:DeleteNetworkInterface' && inConfiguredSubnets(s.Condition?.ArnEquals?.['ec2:Subnet'], names)) return 'configured subnets';
  return undefined;
}

describe.each(STACKS)('R20 IAM of $name', ({ config, resources }) => {
  const own = new Set(Object.keys(resources));
  const names = configuredNames(config);
  const { roles, statements } = functionStatements(resources);

  test('every function has a role of its own with statements to check', () => {
    expect(roles.size).toBeGreaterThan(0);
    expect(statements.length).toBeGreaterThan(roles.size);
    expect(statements.every((s) => s.statement.Effect === 'Allow')).toBe(true);
  });

  test('no "*" actions, in any role of the stack', () => {
    for (const r of Object.values(resources)) {
      const docs =
        r.Type === 'AWS::IAM::Policy'
          ? [r.Properties.PolicyDocument]
          : r.Type === 'AWS::IAM::Role'
            ? (r.Properties.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument)
            : [];
      for (const doc of docs) {
        for (const s of doc.Statement as Statement[]) {
          for (const a of list(s.Action)) expect(a).not.toMatch(/^\*$|:\*$/);
        }
      }
    }
  });

  test('"*" resources only for actions that support no resource-level permissions', () => {
    const offenders = statements
      .filter(({ statement }) => list(statement.Resource).includes('*') && !confined(statement, config, names))
      .flatMap(({ policy, statement }) =>
        list(statement.Action)
          .filter((a) => !UNSCOPABLE.has(a))
          .map((a) => `${policy}: ${a}`),
      );
    expect(offenders).toEqual([]);
  });

  test("every write is scoped to the stack's own resources or to configured ones", () => {
    const offenders: string[] = [];
    for (const { policy, statement } of statements) {
      const writes = list(statement.Action).filter((a) => !isRead(a) && !UNSCOPABLE.has(a));
      if (!writes.length) continue;
      for (const resource of list(statement.Resource)) {
        if (!scopedToConfig(resource, names, own) && !confined(statement, config, names))
          offenders.push(`${policy}: ${writes.join(',')} on ${JSON.stringify(resource)}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  test('every destructive action is held by the tag of what it created, by the configured records, or to one resource whose floor the code keeps', () => {
    const offenders: string[] = [];
    for (const { policy, statement } of statements) {
      for (const action of list(statement.Action).filter(isDestructive)) {
        if (!destructiveGuard(action, statement, config, names))
          offenders.push(`${policy}: ${action} on ${JSON.stringify(statement.Resource)} ${JSON.stringify(statement.Condition ?? {})}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

test('R20 IAM: the destructive actions granted across the configs, counted: a new one must be classified here first', () => {
  const counted = new Map<string, Set<string>>();
  for (const { config, resources } of STACKS) {
    const names = configuredNames(config);
    for (const { statement } of functionStatements(resources).statements) {
      for (const action of list(statement.Action).filter(isDestructive)) {
        const guard = destructiveGuard(action, statement, config, names) ?? 'UNGUARDED';
        counted.set(action, (counted.get(action) ?? new Set()).add(guard));
      }
    }
  }
  const summary = Object.fromEntries([...counted].sort(([a], [b]) => a.localeCompare(b)).map(([a, g]) => [a, [...g].sort()]));
  expect(summary).toEqual({
    'ec2:DeleteNetworkInterface': ['configured subnets'],
    'elasticache:DecreaseReplicaCount': ['one resource, floor in code'],
    'elasticache:ModifyReplicationGroupShardConfiguration': ['one resource, floor in code'],
    'rds:DeleteDBInstance': ['tag'],
    'route53:ChangeResourceRecordSets': ['records'],
  });
});

test('R20 IAM: the checks above do catch what they are for', () => {
  const names = configuredNames(config);
  const own = new Set(Object.keys(resources));
  expect(scopedToConfig('arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/someone-elses', names, own)).toBe(false);
  expect(scopedToConfig('*', names, own)).toBe(false);
  expect(scopedToConfig({ 'Fn::GetAtt': ['NotInThisStack', 'Arn'] }, names, own)).toBe(false);
  expect(isDestructive('rds:DeleteDBInstance')).toBe(true);
  expect(isDestructive('elasticache:DecreaseReplicaCount')).toBe(true);
  expect(isDestructive('dynamodb:DeleteItem')).toBe(false);
  expect(isRead('rds:DeleteDBInstance')).toBe(false);
  // A delete without the tag, with another deployment's tag, on a wildcard, or on records of any name: refused.
  const del = (Condition?: Statement['Condition'], Resource: unknown = 'arn:aws:rds:eu-west-1:123456789012:db:orders-db-ro-*'): Statement => ({
    Effect: 'Allow',
    Action: 'rds:DeleteDBInstance',
    Resource,
    Condition,
  });
  expect(destructiveGuard('rds:DeleteDBInstance', del(), config, names)).toBeUndefined();
  expect(
    destructiveGuard('rds:DeleteDBInstance', del({ StringEquals: { 'aws:ResourceTag/autoscaler:managed-by': 'someone-else' } }), config, names),
  ).toBeUndefined();
  expect(destructiveGuard('rds:DeleteDBInstance', del({ StringEquals: { 'aws:ResourceTag/autoscaler:managed-by': config.prefix } }), config, names)).toBe(
    'tag',
  );
  const decrease = (Resource: unknown): Statement => ({ Effect: 'Allow', Action: 'elasticache:DecreaseReplicaCount', Resource });
  const group = (config.targets.find((t) => t.kind === 'redis') as { replicationGroupId: string }).replicationGroupId;
  expect(
    destructiveGuard('elasticache:DecreaseReplicaCount', decrease(`arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:${group}`), config, names),
  ).toBe('one resource, floor in code');
  expect(
    destructiveGuard('elasticache:DecreaseReplicaCount', decrease('arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:*'), config, names),
  ).toBeUndefined();
  expect(
    destructiveGuard('elasticache:DecreaseReplicaCount', decrease('arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:someone-elses'), config, names),
  ).toBeUndefined();
  // The broker reader's confinements: its own namespace and the configured subnets, nothing else.
  const put = (namespace: string): Statement => ({
    Effect: 'Allow',
    Action: 'cloudwatch:PutMetricData',
    Resource: '*',
    Condition: { StringEquals: { 'cloudwatch:namespace': namespace } },
  });
  expect(confined(put(`${ALL_KINDS_CONFIG.prefix}/Celery`), ALL_KINDS_CONFIG, configuredNames(ALL_KINDS_CONFIG))).toBe(true);
  expect(confined(put('AWS/EC2'), ALL_KINDS_CONFIG, configuredNames(ALL_KINDS_CONFIG))).toBe(false);
  expect(confined(put('other-app/Celery'), ALL_KINDS_CONFIG, configuredNames(ALL_KINDS_CONFIG))).toBe(false);
  const eni = (subnets: string[]): Statement => ({
    Effect: 'Allow',
    Action: 'ec2:DeleteNetworkInterface',
    Resource: 'arn:aws:ec2:eu-west-1:123456789012:network-interface/*',
    Condition: { ArnEquals: { 'ec2:Subnet': subnets.map((s) => `arn:aws:ec2:eu-west-1:123456789012:subnet/${s}`) } },
  });
  const allNames = configuredNames(ALL_KINDS_CONFIG);
  expect(destructiveGuard('ec2:DeleteNetworkInterface', eni(['subnet-0aaa1111bbbb2222c']), ALL_KINDS_CONFIG, allNames)).toBe('configured subnets');
  expect(
    destructiveGuard('ec2:DeleteNetworkInterface', eni(['subnet-0aaa1111bbbb2222c', 'subnet-0123456789abcdef9']), ALL_KINDS_CONFIG, allNames),
  ).toBeUndefined();
  expect(destructiveGuard('ec2:DeleteNetworkInterface', eni([]), ALL_KINDS_CONFIG, allNames)).toBeUndefined();
  const records = (c: Statement['Condition']): Statement => ({
    Effect: 'Allow',
    Action: 'route53:ChangeResourceRecordSets',
    Resource: 'arn:aws:route53:::hostedzone/Z1',
    Condition: c,
  });
  expect(destructiveGuard('route53:ChangeResourceRecordSets', records(undefined), ALL_KINDS_CONFIG, configuredNames(ALL_KINDS_CONFIG))).toBeUndefined();
  expect(
    destructiveGuard(
      'route53:ChangeResourceRecordSets',
      records({
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['www.example.com'],
          'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
        },
      }),
      ALL_KINDS_CONFIG,
      configuredNames(ALL_KINDS_CONFIG),
    ),
  ).toBeUndefined();
});

// ------------------------------------------------------------------ security of every resource

/** Whether a resource policy of `type` denies every request to `id` made without TLS. */
function tlsOnly(policyType: string, listKey: string, id: string): boolean {
  return ofType(policyType).some(
    ([, p]) =>
      JSON.stringify(p.Properties[listKey]).includes(`"${id}"`) &&
      p.Properties.PolicyDocument.Statement.some(
        (s: { Effect: string; Condition?: { Bool?: Record<string, string> } }) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
  );
}

test('security: every queue is encrypted at rest and refuses requests without TLS', () => {
  const queues = ofType('AWS::SQS::Queue');
  expect(queues.length).toBeGreaterThan(0);
  for (const [id, q] of queues) {
    expect(q.Properties.SqsManagedSseEnabled === true || q.Properties.KmsMasterKeyId !== undefined).toBe(true);
    expect(tlsOnly('AWS::SQS::QueuePolicy', 'Queues', id)).toBe(true);
  }
});

test('security: every topic is KMS-encrypted and refuses requests without TLS', () => {
  const topics = ofType('AWS::SNS::Topic');
  expect(topics.length).toBeGreaterThan(0);
  for (const [id, t] of topics) {
    expect(t.Properties.KmsMasterKeyId).toBeDefined();
    expect(tlsOnly('AWS::SNS::TopicPolicy', 'Topics', id)).toBe(true);
  }
  for (const [, key] of ofType('AWS::KMS::Key')) expect(key.Properties.EnableKeyRotation).toBe(true);
});

test('security: every table is encrypted at rest', () => {
  const tables = ofType('AWS::DynamoDB::Table');
  expect(tables.length).toBeGreaterThanOrEqual(2);
  for (const [, t] of tables) expect(t.Properties.SSESpecification?.SSEEnabled).toBe(true);
});

test('security: every function is traced and logs to a log group with a retention', () => {
  const functions = ofType('AWS::Lambda::Function');
  expect(functions.length).toBeGreaterThan(0);
  for (const [, fn] of functions) {
    expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    const group = resources[fn.Properties.LoggingConfig?.LogGroup?.Ref];
    expect(group?.Type).toBe('AWS::Logs::LogGroup');
    expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
  }
});

test('security: every state machine is traced and logs to a log group with a retention', () => {
  for (const [, sm] of ofType('AWS::StepFunctions::StateMachine')) {
    expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
    const destination = sm.Properties.LoggingConfiguration?.Destinations?.[0]?.CloudWatchLogsLogGroup?.LogGroupArn;
    const group = resources[destination?.['Fn::GetAtt']?.[0]];
    expect(group?.Type).toBe('AWS::Logs::LogGroup');
    expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
  }
  for (const [, g] of ofType('AWS::Logs::LogGroup')) expect(g.Properties.RetentionInDays).toBeGreaterThan(0);
});

test('security: no function is configured to log whole events, and none carries a secret in its environment', () => {
  for (const [, fn] of ofType('AWS::Lambda::Function')) {
    const env: Record<string, unknown> = fn.Properties.Environment?.Variables ?? {};
    expect(env.POWERTOOLS_LOGGER_LOG_EVENT).toBeUndefined();
    for (const [k, v] of Object.entries(env)) {
      expect(k).not.toMatch(/SECRET|PASSWORD|TOKEN|ACCESS_KEY/i);
      expect(JSON.stringify(v)).not.toMatch(/AKIA[0-9A-Z]{16}/);
    }
  }
});

test('security: cdk-nag (AwsSolutions) and CloudFormation validation report nothing unacknowledged', () => {
  expect(validationFindings(app)).toEqual([]);
});

test('R04 lease expiry: a lease outlives every invocation of any function (Lambda ends it at its timeout first)', () => {
  const functions = ofType('AWS::Lambda::Function');
  expect(functions.find(([id]) => /Capacity/.test(id))).toBeDefined();
  for (const [, fn] of functions) expect(fn.Properties.Timeout).toBeLessThan(LEASE_SECONDS);
});

test('security: the handler logs neither the event nor any credential', async () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  process.env.AWS_SECRET_ACCESS_KEY = secret;
  process.env.AWS_SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLETOKEN';
  const lines: unknown[][] = [];
  const spies = (['debug', 'info', 'warn', 'error', 'critical'] as const).map((level) =>
    jest.spyOn(logger, level).mockImplementation((...args: unknown[]) => void lines.push(args)),
  );
  try {
    await withHarness({}, async (h) => {
      h.load(92);
      const events = [
        ...h.evaluate(),
        alarmFixture,
        alarmEvent('autoscaler/nope/cpu/high', h.clock.now),
        { ...alarmFixture, detail: { alarmName: 42, password: secret } },
        scheduleEvent(h.clock.now),
      ];
      for (const e of events) await h.handler(e).catch(() => undefined);
    });
    expect(lines.length).toBeGreaterThan(0);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('EXAMPLETOKEN');
    // no whole event: neither the alarm's reason data nor the event's resources list appear
    expect(text).not.toContain('reasonData');
    expect(text).not.toContain('evaluatedDatapoints');
    expect(text).not.toContain('"resources"');
  } finally {
    for (const s of spies) s.mockRestore();
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.AWS_SESSION_TOKEN;
  }
});
