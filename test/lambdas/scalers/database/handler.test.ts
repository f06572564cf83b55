/**
 * The database family's handler: alarm events and the 1-minute schedule to runbook executions under
 * deterministic names. RDS, ElastiCache, CloudWatch and Step Functions answered at the SDK boundary.
 */

import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeReplicationGroupsCommand, ElastiCacheClient, ListAllowedNodeTypeModificationsCommand } from '@aws-sdk/client-elasticache';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import * as v from 'valibot';
import { RedisInputSchema } from '../../../../lambdas/runbooks/redis';
import { createDatabaseHandler } from '../../../../lambdas/scalers/database/handler';
import { parseConfig } from '../../../../lambdas/shared/config';
import { MANAGED_BY_TAG, TARGET_TAG } from '../../../../lambdas/shared/tags';
import { MemoryStateStore } from '../../../../lambdas/state/memory';
import rdsAlarm from '../../../fixtures/cloudwatch-alarm-state-change-rds.json';
import { awsError } from '../../../runbooks/fake-aws';
import { RDS_INSTANCE, RDS_REPLICAS, RDS_STORAGE, REDIS } from '../../../runbooks/fixtures';

const EVENT_TIME = Date.parse(rdsAlarm.time);
const context = { awsRequestId: 'req-1', functionName: 'database', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const REPLICAS_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:shop-rds-replicas';
const REDIS_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:shop-redis';
const STORAGE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:shop-rds-storage';

const rds = mockClient(RDSClient);
const cache = mockClient(ElastiCacheClient);
const cw = mockClient(CloudWatchClient);
const sfn = mockClient(SFNClient);

function configWith(extra: Record<string, unknown> = {}, redis: Record<string, unknown> = {}) {
  return parseConfig({ prefix: 'shop', targets: [{ ...RDS_REPLICAS, ...extra }, { ...REDIS, ...redis }, RDS_STORAGE] });
}

/** Every metric at `values[id]` (default 50) for the last ten minutes; `inAlarm` alarms in ALARM. */
function cloudWatchSays(values: Record<string, number>, inAlarm: string[]) {
  cw.on(GetMetricDataCommand).callsFake((input) => ({
    MetricDataResults: input.MetricDataQueries.map((q: { Id: string }) => ({
      Id: q.Id,
      Timestamps: [1, 2, 3].map((i) => new Date(EVENT_TIME - i * 60_000)),
      Values: [1, 2, 3].map(() => values[q.Id] ?? values[q.Id.replace(/^n\d+/, '')] ?? values[q.Id.replace(/^r\d+/, 'replica')] ?? 50),
    })),
  }));
  cw.on(DescribeAlarmsCommand).callsFake((input) => ({
    MetricAlarms: inAlarm
      .filter((n) => (input.AlarmNames ? input.AlarmNames.includes(n) : n.startsWith(input.AlarmNamePrefix ?? '')))
      .map((n) => ({ AlarmName: n, StateValue: 'ALARM' })),
  }));
}

/** orders-primary with `replicas` replicas of the autoscaler's, in `status`. */
function fleet(replicas: number, status = 'available') {
  const ours = [
    { Key: MANAGED_BY_TAG, Value: 'shop' },
    { Key: TARGET_TAG, Value: 'orders-db' },
  ];
  const ids = Array.from({ length: replicas }, (_, i) => `orders-db-ro-${i + 1}`);
  rds.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier: string }) => {
    if (input.DBInstanceIdentifier === 'orders-primary') {
      return {
        DBInstances: [
          {
            DBInstanceIdentifier: 'orders-primary',
            DBInstanceStatus: 'available',
            AllocatedStorage: 100,
            BackupRetentionPeriod: 7,
            ReadReplicaDBInstanceIdentifiers: ids,
          },
        ],
      };
    }
    if (!ids.includes(input.DBInstanceIdentifier)) throw awsError('DBInstanceNotFoundFault');
    return {
      DBInstances: [
        { DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: status, ReadReplicaSourceDBInstanceIdentifier: 'orders-primary', TagList: ours },
      ],
    };
  });
}

let store: MemoryStateStore;
function makeHandler(config = configWith()) {
  return createDatabaseHandler({
    config,
    store,
    rds: new RDSClient({ region: 'eu-west-1' }),
    elastiCache: new ElastiCacheClient({ region: 'eu-west-1' }),
    cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
    stepFunctions: new SFNClient({ region: 'eu-west-1' }),
    runbooks: { 'rds-replicas': REPLICAS_ARN, redis: REDIS_ARN, 'rds-storage': STORAGE_ARN },
    now: () => EVENT_TIME + 15_000,
  });
}

beforeEach(() => {
  rds.reset();
  cache.reset();
  cw.reset();
  sfn.reset();
  store = new MemoryStateStore();
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `${REPLICAS_ARN}:${input.name}`, startDate: new Date() }));
});

const startCalls = () => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

describe('database handler', () => {
  test('source CPU above 80% for 10 minutes starts the rds-replicas runbook for one more replica, under a deterministic name', async () => {
    fleet(1);
    cloudWatchSays({ cpu: 91 }, ['shop/orders-db/cpu/high']);

    const result = await makeHandler()(rdsAlarm, context);

    const window = Math.floor((EVENT_TIME + 15_000) / 1000 / 1200);
    expect(result.targets).toEqual([
      expect.objectContaining({ targetId: 'orders-db', outcome: 'applied', execution: { name: `orders-db-add-2-${window}`, status: 'started' } }),
    ]);
    expect(startCalls()).toEqual([{ stateMachineArn: REPLICAS_ARN, name: `orders-db-add-2-${window}`, input: expect.any(String) }]);
    expect(JSON.parse(startCalls()[0].input!)).toEqual({ targetId: 'orders-db', desiredReplicas: 2, reason: 'source CPU 91% > 80%; 1 -> 2' });
    expect((await store.listAudit('orders-db', 0, Number.MAX_SAFE_INTEGER))[0]).toMatchObject({ outcome: 'applied' });
  });

  test('ExecutionAlreadyExists (a duplicate of an action already started) is success, not an error', async () => {
    fleet(1);
    cloudWatchSays({ cpu: 91 }, ['shop/orders-db/cpu/high']);
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 'Execution Already Exists'));

    const result = await makeHandler()(rdsAlarm, context);

    expect(result.targets[0]).toMatchObject({ outcome: 'applied', execution: { status: 'duplicate' } });
    expect(result.targets[0].reason).toMatch(/already started/);
  });

  test('the same event delivered twice starts one execution', async () => {
    fleet(1);
    cloudWatchSays({ cpu: 91 }, ['shop/orders-db/cpu/high']);
    const handler = makeHandler();
    await handler(rdsAlarm, context);
    await handler(rdsAlarm, context);
    expect(startCalls()).toHaveLength(1);
  });

  test('while a replica is being created nothing is started; the reason says why', async () => {
    fleet(2, 'creating');
    cloudWatchSays({ cpu: 95 }, ['shop/orders-db/cpu/high']);
    const result = await makeHandler()(rdsAlarm, context);
    expect(result.targets[0]).toMatchObject({ outcome: 'held' });
    expect(result.targets[0].reason).toMatch(/still being created or deleted/);
    expect(startCalls()).toHaveLength(0);
  });

  test('a dry-run target records what it would start and starts nothing', async () => {
    fleet(1);
    cloudWatchSays({ cpu: 91 }, ['shop/orders-db/cpu/high']);
    const result = await makeHandler(configWith({ dryRun: true }))(rdsAlarm, context);
    expect(result.targets[0].outcome).toBe('dry-run');
    expect(startCalls()).toHaveLength(0);
  });

  test('the schedule evaluates every Redis and storage target; memory of a node above 80% moves Redis up one rung', async () => {
    fleet(1);
    cloudWatchSays({ memory: 88, cpu: 40, evictions: 0, free: 50 * 1024 ** 3 }, []);
    cache.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        {
          ReplicationGroupId: 'shop-cache',
          Status: 'available',
          CacheNodeType: 'cache.r7g.large',
          MemberClusters: ['shop-cache-001', 'shop-cache-002'],
          NodeGroups: [{ NodeGroupMembers: [{}, {}] }],
        },
      ],
    });
    cache.on(ListAllowedNodeTypeModificationsCommand).resolves({ ScaleUpModifications: ['cache.r7g.xlarge', 'cache.r7g.2xlarge'], ScaleDownModifications: [] });
    const schedule = { source: 'autoscaler.scheduler', action: 'reevaluate', family: 'database', scheduledTime: '2026-11-23T12:10:00Z', executionId: 'e-1' };

    const result = await makeHandler()(schedule, context);

    const byId = Object.fromEntries(result.targets.map((t) => [t.targetId, t]));
    expect(byId.cache).toMatchObject({ outcome: 'applied' });
    expect(byId['orders-disk']).toMatchObject({ outcome: 'held' });
    expect(byId['orders-disk'].reason).toMatch(/50\.0% of 100 GiB used; not above 80%/);
    expect(startCalls()).toEqual([expect.objectContaining({ stateMachineArn: REDIS_ARN, name: expect.stringMatching(/^cache-up-cache_r7g_xlarge-\d+$/) })]);
    expect(JSON.parse(startCalls()[0].input!)).toMatchObject({ targetId: 'cache', nodeType: 'cache.r7g.xlarge' });
    // Metrics are read per member node (CacheClusterId), not per replication group.
    const queried = cw.commandCalls(GetMetricDataCommand).flatMap((c) => c.args[0].input.MetricDataQueries ?? []);
    const dims = queried.filter((q) => q.MetricStat?.Metric?.Namespace === 'AWS/ElastiCache').map((q) => q.MetricStat!.Metric!.Dimensions![0]);
    expect(new Set(dims.map((d) => `${d.Name}=${d.Value}`))).toEqual(new Set(['CacheClusterId=shop-cache-001', 'CacheClusterId=shop-cache-002']));
  });

  test("after a resize, Redis is judged on datapoints from after it: the old node type's full memory moves nothing", async () => {
    fleet(1);
    cloudWatchSays({ memory: 88, cpu: 40, evictions: 0, free: 50 * 1024 ** 3 }, []);
    const group = (status: string) => ({
      ReplicationGroups: [
        {
          ReplicationGroupId: 'shop-cache',
          Status: status,
          CacheNodeType: 'cache.r7g.large',
          MemberClusters: ['shop-cache-001'],
          NodeGroups: [{ NodeGroupMembers: [{}] }],
        },
      ],
    });
    cache.on(ListAllowedNodeTypeModificationsCommand).resolves({ ScaleUpModifications: ['cache.r7g.xlarge'], ScaleDownModifications: [] });
    const schedule = (minute: number) => ({
      source: 'autoscaler.scheduler',
      action: 'reevaluate',
      family: 'database',
      scheduledTime: `2026-11-23T12:${minute}:00Z`,
      executionId: `m-${minute}`,
    });
    // A tick while the group is modifying: remembered.
    cache.on(DescribeReplicationGroupsCommand).resolves(group('modifying'));
    const during = await makeHandler()(schedule(20), context);
    expect(during.targets.find((t) => t.targetId === 'cache')).toMatchObject({ outcome: 'held', reason: expect.stringMatching(/modifying/) });
    // Available again: every datapoint CloudWatch has (88%) is older than that tick.
    cache.on(DescribeReplicationGroupsCommand).resolves(group('available'));
    const after = await makeHandler()(schedule(21), context);
    expect(after.targets.find((t) => t.targetId === 'cache')).toMatchObject({ outcome: 'held', reason: expect.stringMatching(/memory n\/a/) });
    expect(startCalls()).toEqual([]);
  });

  test('the schedule evaluates an RDS replicas target with no alarm in ALARM: replicas running hot get one more', async () => {
    // Reads on the replicas leave the source cool: its alarm never fires, the replicas' CPU is no alarm.
    fleet(1);
    cloudWatchSays({ cpu: 20, replicacpu: 92, replicalag: 0, memory: 40, free: 50 * 1024 ** 3 }, []);
    cache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [] });
    const schedule = { source: 'autoscaler.scheduler', action: 'reevaluate', family: 'database', scheduledTime: '2026-11-23T12:14:00Z', executionId: 'e-6' };

    const result = await makeHandler()(schedule, context);

    expect(result.targets.find((t) => t.targetId === 'orders-db')).toMatchObject({ outcome: 'applied' });
    expect(startCalls().map((c) => JSON.parse(c.input!))).toEqual([{ targetId: 'orders-db', desiredReplicas: 2, reason: 'replica CPU 92% > 80%; 1 -> 2' }]);
  });

  test('Redis nodes carrying more connections than connectionsPerNodeHigh get one more replica per shard', async () => {
    fleet(1);
    cloudWatchSays({ memory: 50, cpu: 20, evictions: 0, connections: 1500, free: 50 * 1024 ** 3 }, []);
    cache.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        {
          ReplicationGroupId: 'shop-cache',
          Status: 'available',
          CacheNodeType: 'cache.r7g.large',
          MemberClusters: ['shop-cache-001', 'shop-cache-002'],
          NodeGroups: [{ NodeGroupId: '0001', NodeGroupMembers: [{}, {}] }],
        },
      ],
    });
    cache.on(ListAllowedNodeTypeModificationsCommand).resolves({ ScaleUpModifications: ['cache.r7g.xlarge'], ScaleDownModifications: [] });
    const schedule = { source: 'autoscaler.scheduler', action: 'reevaluate', family: 'database', scheduledTime: '2026-11-23T12:12:00Z', executionId: 'e-3' };

    const result = await makeHandler(configWith({}, { maxReplicasPerShard: 3, connectionsPerNodeHigh: 1000 }))(schedule, context);

    expect(result.targets.find((t) => t.targetId === 'cache')).toMatchObject({
      outcome: 'applied',
      reason: expect.stringMatching(/1500 connections per node > 1000; 1 -> 2/),
    });
    const redisStart = startCalls().find((c) => c.stateMachineArn === REDIS_ARN)!;
    expect(redisStart.name).toMatch(/^cache-replicas-up-2-\d+$/);
    expect(JSON.parse(redisStart.input!)).toMatchObject({ targetId: 'cache', replicasPerShard: 2 });
  });

  test('a cluster-mode Redis group hot at the top of its ladder gets more shards, sized to bring memory per shard to the target', async () => {
    fleet(1);
    cloudWatchSays({ memory: 88, cpu: 40, evictions: 0, free: 50 * 1024 ** 3 }, []);
    const clusterGroup = (clusterMode: boolean) => ({
      ReplicationGroups: [
        {
          ReplicationGroupId: 'shop-cache',
          Status: 'available',
          CacheNodeType: 'cache.r7g.2xlarge',
          ClusterEnabled: clusterMode,
          MemberClusters: ['shop-cache-0001-001', 'shop-cache-0001-002', 'shop-cache-0002-001', 'shop-cache-0002-002'],
          NodeGroups: [
            { NodeGroupId: '0001', NodeGroupMembers: [{}, {}] },
            { NodeGroupId: '0002', NodeGroupMembers: [{}, {}] },
          ],
        },
      ],
    });
    cache.on(DescribeReplicationGroupsCommand).resolves(clusterGroup(true));
    // cache.r7g.2xlarge is the top of the target's ladder.
    cache.on(ListAllowedNodeTypeModificationsCommand).resolves({ ScaleUpModifications: ['cache.r7g.4xlarge'], ScaleDownModifications: ['cache.r7g.xlarge'] });
    const schedule = { source: 'autoscaler.scheduler', action: 'reevaluate', family: 'database', scheduledTime: '2026-11-23T12:13:00Z', executionId: 'e-4' };

    const result = await makeHandler()(schedule, context);

    // 2 shards at 88% = 176 shard-percent; at 55% per shard (midway between 30% and 80%) that is 3.2: 4 shards.
    expect(result.targets.find((t) => t.targetId === 'cache')).toMatchObject({
      outcome: 'applied',
      reason: expect.stringMatching(
        /^memory 88% > 80%, and no larger type on the ladder is allowed .*; shards 2 -> 4; runbook cache-shards-out-4-\d+ started$/,
      ),
    });
    const redisStart = startCalls().find((c) => c.stateMachineArn === REDIS_ARN)!;
    expect(redisStart.name).toMatch(/^cache-shards-out-4-\d+$/);
    const runbookInput = JSON.parse(redisStart.input!);
    expect(runbookInput).toMatchObject({ targetId: 'cache', shards: 4 });
    expect(runbookInput.nodeType).toBeUndefined();
    // The goal is one the redis runbook accepts.
    expect(v.parse(RedisInputSchema, runbookInput).shards).toBe(4);

    // The same group without cluster mode holds, as before: no shards to add.
    sfn.resetHistory();
    cache.on(DescribeReplicationGroupsCommand).resolves(clusterGroup(false));
    // Another group's story: no action of its own yet.
    store = new MemoryStateStore();
    const again = await makeHandler()({ ...schedule, executionId: 'e-5' }, context);
    expect(again.targets.find((t) => t.targetId === 'cache')).toMatchObject({
      outcome: 'held',
      reason: expect.stringMatching(/no larger type on the ladder is allowed/),
    });
    expect(startCalls().filter((c) => c.stateMachineArn === REDIS_ARN)).toEqual([]);
  });

  test('storage above 80% used starts the rds-storage runbook for 20% more; a Redis group that is gone is reported, not in the way', async () => {
    fleet(1);
    cloudWatchSays({ free: 10 * 1024 ** 3 }, []);
    const schedule = { source: 'autoscaler.scheduler', action: 'reevaluate', family: 'database', scheduledTime: '2026-11-23T12:11:00Z', executionId: 'e-2' };
    cache.on(DescribeReplicationGroupsCommand).rejects(awsError('ReplicationGroupNotFoundFault'));
    const result = await makeHandler()(schedule, context);
    // Every storage, Redis and RDS replicas target is looked at, alarm or not.
    expect(result.targets).toHaveLength(3);
    expect(result.targets).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ targetId: 'orders-db', outcome: 'held' }),
        expect.objectContaining({ targetId: 'orders-disk', outcome: 'applied' }),
        expect.objectContaining({ targetId: 'cache', outcome: 'failed', reason: expect.stringMatching(/replication group "shop-cache" not found/) }),
      ]),
    );
    expect(JSON.parse(startCalls()[0].input!)).toMatchObject({ targetId: 'orders-disk', allocatedGiB: 120 });
  });

  test('rds-instance: CPU above the mark for the whole window starts the rds-instance runbook for the next class', async () => {
    fleet(1);
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [{ DBInstanceIdentifier: 'orders-primary', DBInstanceStatus: 'available', DBInstanceClass: 'db.r6g.large', PendingModifiedValues: {} }],
    });
    cw.on(GetMetricDataCommand).callsFake((input) => ({
      MetricDataResults: input.MetricDataQueries.map((q: { Id: string }) => ({
        Id: q.Id,
        Timestamps: [1, 2, 3, 4, 5, 6].map((i) => new Date(EVENT_TIME - i * 300_000)),
        Values: [1, 2, 3, 4, 5, 6].map(() => (q.Id === 'cpu' ? 91 : 8 * 1024 ** 3)),
      })),
    }));
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'shop/orders-class/cpu/high', StateValue: 'ALARM' }] });
    const config = parseConfig({ prefix: 'shop', targets: [RDS_INSTANCE] });
    const handler = createDatabaseHandler({
      config,
      store,
      rds: new RDSClient({ region: 'eu-west-1' }),
      elastiCache: new ElastiCacheClient({ region: 'eu-west-1' }),
      cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
      stepFunctions: new SFNClient({ region: 'eu-west-1' }),
      runbooks: { 'rds-instance': 'arn:aws:states:eu-west-1:123456789012:stateMachine:shop-rds-instance' },
      now: () => EVENT_TIME + 15_000,
    });
    const event = { ...rdsAlarm, id: 'instance-event', detail: { ...rdsAlarm.detail, alarmName: 'shop/orders-class/cpu/high' } };

    const result = await handler(event, context);

    expect(result.targets[0]).toMatchObject({
      outcome: 'applied',
      reason: expect.stringMatching(/CPU 91% > 80%; db.r6g.large -> db.r6g.xlarge in the maintenance window/),
    });
    expect(JSON.parse(startCalls()[0].input!)).toMatchObject({ targetId: 'orders-class', instanceClass: 'db.r6g.xlarge' });
  });

  test('an alarm of another deployment or a malformed event is refused', async () => {
    const foreign = { ...rdsAlarm, detail: { ...rdsAlarm.detail, alarmName: 'other/orders-db/cpu/high' } };
    expect((await makeHandler()(foreign, context)).status).toBe('rejected');
    await expect(makeHandler()({ hello: 'world' }, context)).rejects.toThrow(/event rejected/);
  });
});
