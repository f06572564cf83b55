/**
 * The data tier's infrastructure from one synthesized stack (synth is the slow part): the runbooks
 * (lib/runbooks/data.ts), the target constructs (lib/targets/rds-replicas.ts, redis.ts, rds-storage.ts),
 * their IAM conditions, and cdk-nag.
 */
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../../lambdas/shared/config';
import { RUNBOOK_ARN_ENV } from '../../../lambdas/shared/kinds';
import { buildApp } from '../../../lib/app';
import { AURORA_REPLICAS, RDS_INSTANCE, RDS_REPLICAS, RDS_STORAGE, REDIS } from '../../runbooks/fixtures';
import { testApp, validationFindings } from '../helpers';

const { app, stack, autoscaler } = buildApp(
  parseConfig({
    prefix: 'shop',
    targets: [
      { ...RDS_REPLICAS, connectionsHigh: 400, route53: { hostedZoneId: 'Z0PRIVATE123', recordName: 'read.orders-db.internal' } },
      AURORA_REPLICAS,
      { ...REDIS, evictionsHigh: 100 },
      RDS_STORAGE,
      { ...RDS_INSTANCE, freeableMemoryLowMiB: 1024 },
    ],
  }),
  { app: testApp() },
);
const template = Template.fromStack(stack as Stack);

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, string>> };
/** Every statement of the stack's policies: inline, and managed (per-target statements are packed into those). */
function statements(template: Template): Statement[] {
  return ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].flatMap((type) =>
    Object.values(template.findResources(type)).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]),
  );
}
/** Reads, X-Ray, and the log delivery calls Step Functions logging needs: the only actions allowed on "*". */
const UNSCOPED_OK =
  /:(Describe|Get|List)\w*$|^xray:Put(TraceSegments|TelemetryRecords)$|^logs:\w*LogDelivery\w*$|^logs:(PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$/;
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const dbArn = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:db:${name}`]],
});

const all = statements(template);
const withAction = (a: string) => all.filter((s) => actions(s).includes(a));

describe('DataRunbooks', () => {
  test('one Standard state machine per data kind, named <prefix>-<runbook>, traced, logging ALL to its own log group', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    const names = Object.values(machines)
      .map((m) => m.Properties.StateMachineName)
      .sort();
    expect(names).toEqual(expect.arrayContaining(['shop-rds-replicas', 'shop-rds-storage', 'shop-redis', 'shop-rds-instance']));
    for (const name of ['shop-rds-replicas', 'shop-rds-storage', 'shop-redis', 'shop-rds-instance']) {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: name,
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      });
    }
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/shop-rds-replicas' });
  });

  test('the database function knows each runbook by its ARN', () => {
    const fn = autoscaler.functions.database!;
    const env = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: Match.objectLike({ [RUNBOOK_ARN_ENV['rds-replicas']]: Match.anyValue() }) } },
    });
    expect(Object.keys(env)).toEqual([stack.getLogicalId(fn.node.defaultChild as never)]);
  });

  test('the runbooks are registered for operators (stack outputs)', () => {
    expect(Object.keys(autoscaler.runbooks)).toEqual(expect.arrayContaining(['rds-replicas', 'redis', 'rds-storage', 'rds-instance']));
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['AutoscalerRunbookRdsReplicas', 'AutoscalerRunbookRedis', 'AutoscalerRunbookRdsStorage']));
  });

  test('cdk-nag AwsSolutions and CloudFormation validation: no unacknowledged finding', () => {
    expect(validationFindings(app)).toEqual([]);
  });
});

describe('RdsReplicasScalingTarget', () => {
  test('the seed rule as an alarm: source CPU above 80% for 10 minutes, and the scale-in and connections alarms', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/orders-db/cpu/high',
      Namespace: 'AWS/RDS',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'orders-primary' }],
      Threshold: 80,
      EvaluationPeriods: 10,
      DatapointsToAlarm: 10,
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/orders-db/cpu/low',
      Threshold: 30,
      EvaluationPeriods: 30,
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/orders-db/connections/high',
      MetricName: 'DatabaseConnections',
      Threshold: 400,
    });
    // Aurora: the writer's and the readers' CPU, by cluster and role.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/reports-db/replica-cpu/high',
      Dimensions: Match.arrayWith([{ Name: 'Role', Value: 'READER' }]),
    });
  });

  test("rds:DeleteDBInstance only on the target's replica names AND only when the resource carries the autoscaler's tags", () => {
    const deletes = all.filter((s) => actions(s).includes('rds:DeleteDBInstance'));
    expect(deletes).toHaveLength(2);
    for (const [s, id] of deletes.map((d, i) => [d, ['orders-db', 'reports-db'][i]] as const)) {
      expect(s.Resource).toEqual(dbArn(`${id}-ro-*`));
      expect(s.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/autoscaler:managed-by': 'shop', 'aws:ResourceTag/autoscaler:target': id } });
    }
  });

  test('replicas can only be created carrying the tags (aws:RequestTag), of the configured source, under the deterministic names', () => {
    const create = all.find((s) => actions(s).includes('rds:CreateDBInstanceReadReplica'))!;
    // The new replica, its source, and the option, parameter and subnet group it inherits (required resource types).
    expect(create.Resource).toHaveLength(5);
    expect(create.Resource).toEqual(expect.arrayContaining([dbArn('orders-primary'), dbArn('orders-db-ro-*')]));
    for (const type of ['og', 'pg', 'subgrp']) expect(JSON.stringify(create.Resource)).toContain(`:${type}:*`);
    expect(create.Condition).toEqual({ StringEquals: { 'aws:RequestTag/autoscaler:managed-by': 'shop', 'aws:RequestTag/autoscaler:target': 'orders-db' } });
    const aurora = all.find((s) => actions(s).includes('rds:CreateDBInstance'))!;
    expect(JSON.stringify(aurora.Resource)).toContain(':cluster:reports-cluster');
    expect(aurora.Condition?.StringEquals['aws:RequestTag/autoscaler:managed-by']).toBe('shop');
  });

  test('no wildcard actions anywhere, and no write action on "*"', () => {
    for (const s of all) {
      for (const a of actions(s)) expect(a).not.toMatch(/\*/);
      // On "*" only reads, X-Ray, and the log delivery Step Functions logging needs (no resource-level permissions).
      if (s.Resource === '*') for (const a of actions(s)) expect(a).toMatch(UNSCOPED_OK);
    }
  });

  test('the reader endpoints parameter is the only SSM parameter the tasks may write', () => {
    const put = all.filter((s) => actions(s).includes('ssm:PutParameter'));
    expect(put.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map((r) => JSON.stringify(r)))).toEqual([
      expect.stringContaining(':parameter/shop/orders-db/reader-endpoints'),
      expect.stringContaining(':parameter/shop/reports-db/reader-endpoints'),
    ]);
  });

  test("Route 53: CNAME changes only, only of the target's record name, only in the configured zone", () => {
    const [change] = withAction('route53:ChangeResourceRecordSets');
    expect(JSON.stringify(change.Resource)).toMatch(/:route53:::hostedzone\/Z0PRIVATE123"/);
    expect(change.Condition).toEqual({
      'ForAllValues:StringEquals': {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['read.orders-db.internal'],
        'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
      },
    });
  });

  test('the runbook task function may read metrics (a move down is checked on current metrics at the write)', () => {
    const roleOf = (fn: unknown) => stack.resolve((fn as { role: { roleName: string } }).role.roleName);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify(roleOf(autoscaler.dataRunbooks!.taskFunction))),
    );
    const granted = policies.flatMap((p) => (p.Properties.PolicyDocument.Statement as Statement[]).flatMap(actions));
    expect(granted).toContain('cloudwatch:GetMetricData');
  });

  test('the database function may start the runbook and nothing else in Step Functions', () => {
    const starts = all.filter((s) => actions(s).some((a) => a.startsWith('states:')));
    expect(starts.flatMap(actions).every((a) => a === 'states:StartExecution')).toBe(true);
    expect(starts.length).toBeGreaterThan(0);
  });
});

describe('RedisScalingTarget and RdsStorageScalingTarget', () => {
  test('Redis has no alarms: ElastiCache publishes per node, so the schedule reads every member node', () => {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties.AlarmName as string);
    expect(names.filter((n) => n.startsWith('shop/cache/'))).toEqual([]);
  });

  test('ModifyReplicationGroup only on the configured replication group', () => {
    for (const action of [
      'elasticache:ModifyReplicationGroup',
      'elasticache:ModifyReplicationGroupShardConfiguration',
      'elasticache:IncreaseReplicaCount',
      'elasticache:DecreaseReplicaCount',
    ]) {
      const [statement] = withAction(action);
      expect(JSON.stringify(statement.Resource)).toMatch(/:replicationgroup:shop-cache"\]\]\}$/);
    }
  });

  test('ModifyDBInstance only on the configured instance; storage alarm on FreeStorageSpace', () => {
    const modify = withAction('rds:ModifyDBInstance');
    expect(modify.length).toBeGreaterThan(0);
    for (const m of modify) expect(JSON.stringify(m.Resource)).toMatch(/:db:orders-primary"\]\]\}$/);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/orders-disk/storage/low',
      MetricName: 'FreeStorageSpace',
      ComparisonOperator: 'LessThanThreshold',
    });
  });
});

describe('RdsInstanceScalingTarget', () => {
  test('CPU alarms over long windows in 5-minute periods, and free memory low', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/orders-class/cpu/high',
      Period: 300,
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      Threshold: 80,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'shop/orders-class/cpu/low', Period: 300, EvaluationPeriods: 48, Threshold: 20 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'shop/orders-class/memory/low',
      MetricName: 'FreeableMemory',
      Threshold: 1024 * 1024 * 1024,
      ComparisonOperator: 'LessThanThreshold',
    });
  });
});
