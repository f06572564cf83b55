/**
 * R24: the Redis replicas and shards a group had when the autoscaler first saw it are its floor,
 * recorded once in the target's state (a put-if-absent that needs no lease), unless the config sets a
 * lower `minReplicasPerShard` or `minShards` explicitly. The real database function decides on the
 * DynamoDB store (dynalite) and the simulator's in-memory CloudWatch; the real runbook (synthesized
 * ASL, real task handler) refuses a goal below the floor, even forced.
 */

import { DecreaseReplicaCountCommand, ModifyReplicationGroupShardConfigurationCommand } from '@aws-sdk/client-elasticache';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { createDatabaseHandler } from '../../lambdas/scalers/database/handler';
import type { DatabaseResult } from '../../lambdas/scalers/database/service';
import { REEVALUATE_SOURCE } from '../../lambdas/shared/alarms';
import { type AutoscalerConfig, parseConfig } from '../../lambdas/shared/config';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import { FakeCloudWatch } from '../../sim/cloud/cloudwatch';
import { CallLog } from '../../sim/cloud/recorder';
import { NOW, type World, world } from '../runbooks/context';
import { type SynthesizedRunbooks, synthesizeRunbooks } from '../runbooks/harness';
import { lambdaContext, useDynalite } from './support';

const db = useDynalite();
const REDIS = {
  kind: 'redis',
  id: 'cache',
  replicationGroupId: 'shop-cache',
  nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'],
  maxReplicasPerShard: 3,
  maxShards: 8,
};
/** No floor in the config: the shape first seen is the floor. */
const recorded = parseConfig({ prefix: 'shop', targets: [REDIS] });
/** Floors set lower, explicitly. */
const explicit = parseConfig({ prefix: 'shop', targets: [{ ...REDIS, minReplicasPerShard: 0, minShards: 1 }] });

let synthesized: SynthesizedRunbooks;
beforeAll(() => {
  synthesized = synthesizeRunbooks(recorded);
});

async function dynamoWorld(config: AutoscalerConfig, shape: { shards: number; replicas: number; clusterMode: boolean }): Promise<World> {
  const w = world(config, synthesized, { store: new DynamoStateStore({ tableName: await db().stateTable(), client: db().doc }) });
  w.quiet();
  Object.assign(w.elastiCache.group, shape);
  return w;
}

/** One minute of the real database function over the world: returns its result for the group and the runbook it started, if any. */
async function decide(w: World, config: AutoscalerConfig) {
  const sfn = new SFNClient({ region: 'us-east-1' });
  const starts = mockClient(sfn);
  starts.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:shop-redis:x', startDate: new Date(NOW) });
  const handle = createDatabaseHandler({
    config,
    store: w.store,
    rds: w.rds.client,
    elastiCache: w.elastiCache.client,
    cloudWatch: new FakeCloudWatch(w.metrics, new CallLog(() => NOW), () => NOW),
    stepFunctions: sfn,
    runbooks: { redis: 'arn:aws:states:us-east-1:123456789012:stateMachine:shop-redis' },
    now: () => NOW,
  });
  const result = (await handle(
    { source: REEVALUATE_SOURCE, action: 'reevaluate', family: 'database', scheduledTime: new Date(NOW).toISOString(), executionId: 'tick' },
    lambdaContext(),
  )) as DatabaseResult;
  const started = starts.commandCalls(StartExecutionCommand).map((c) => JSON.parse(c.args[0].input.input!) as Record<string, unknown>);
  return { target: result.targets[0], started };
}

describe('R24 the database function keeps the shape it first saw', () => {
  test('2 replicas per shard the user made, no minReplicasPerShard, few connections: recorded as the floor and kept', async () => {
    const w = await dynamoWorld(recorded, { shards: 1, replicas: 2, clusterMode: false });
    const { target, started } = await decide(w, recorded);
    expect(started).toEqual([]);
    expect(target).toMatchObject({ outcome: 'held', reason: expect.stringContaining('at minReplicasPerShard 2') });
    expect((await w.store.getTarget('cache'))?.firstSeen).toEqual({ at: NOW, values: { shards: 1, replicasPerShard: 2 } });
  });

  test('the same with minReplicasPerShard: 0 set explicitly: one replica fewer', async () => {
    const w = await dynamoWorld(explicit, { shards: 1, replicas: 2, clusterMode: false });
    const { target, started } = await decide(w, explicit);
    expect(target).toMatchObject({ outcome: 'applied' });
    expect(started).toEqual([expect.objectContaining({ targetId: 'cache', replicasPerShard: 1 })]);
  });

  test('3 shards in cluster mode, no minShards, memory low: no shard removed', async () => {
    const w = await dynamoWorld(recorded, { shards: 3, replicas: 1, clusterMode: true });
    const { target, started } = await decide(w, recorded);
    expect(started).toEqual([]);
    expect(target).toMatchObject({ outcome: 'held' });
    expect((await w.store.getTarget('cache'))?.firstSeen?.values).toEqual({ shards: 3, replicasPerShard: 1 });
  });

  test('the same with minShards: 1 set explicitly: one shard fewer', async () => {
    const w = await dynamoWorld(explicit, { shards: 3, replicas: 1, clusterMode: true });
    const { started } = await decide(w, explicit);
    expect(started).toEqual([expect.objectContaining({ targetId: 'cache', shards: 2 })]);
  });

  test('recorded once: a later shape (replicas the autoscaler added) does not move the floor', async () => {
    const w = await dynamoWorld(recorded, { shards: 1, replicas: 1, clusterMode: false });
    await decide(w, recorded);
    w.elastiCache.group.replicas = 3;
    const { target, started } = await decide(w, recorded);
    expect((await w.store.getTarget('cache'))?.firstSeen?.values).toEqual({ shards: 1, replicasPerShard: 1 });
    // 3 > the floor of 1, connections low: one fewer.
    expect(target).toMatchObject({ outcome: 'applied' });
    expect(started).toEqual([expect.objectContaining({ replicasPerShard: 2 })]);
  });
});

describe('R24 the runbook holds the same floor', () => {
  test('started by hand on a group it sees first: the shape is recorded, and a goal below it refused, even forced', async () => {
    const w = await dynamoWorld(recorded, { shards: 3, replicas: 2, clusterMode: true });
    const replicas = await w.run('Redis', { targetId: 'cache', replicasPerShard: 1, force: true }, 'fewer-replicas');
    const shards = await w.run('Redis', { targetId: 'cache', shards: 2, force: true }, 'fewer-shards');
    expect(replicas.error).toBeDefined();
    expect(shards.error).toBeDefined();
    expect(w.elastiCache.calls(DecreaseReplicaCountCommand)).toEqual([]);
    expect(w.elastiCache.calls(ModifyReplicationGroupShardConfigurationCommand)).toEqual([]);
    expect((await w.store.getTarget('cache'))?.firstSeen?.values).toEqual({ shards: 3, replicasPerShard: 2 });
    const audit = await w.store.listAudit('cache', 0, Number.MAX_SAFE_INTEGER);
    expect(audit.find((e) => e.eventId === 'fewer-replicas')?.reason).toMatch(
      /replicasPerShard 1 is outside 2-3 of "cache" \(the floor is the replicas per shard it had when first seen; set minReplicasPerShard to go lower\)/,
    );
    expect(audit.find((e) => e.eventId === 'fewer-shards')?.reason).toMatch(
      /shards 2 is outside 3-8 of "cache" \(the floor is the shards it had when first seen; set minShards to go lower\)/,
    );
  });

  test('with the floors set lower explicitly, the same goals are done', async () => {
    const w = await dynamoWorld(explicit, { shards: 3, replicas: 2, clusterMode: true });
    const replicas = await w.run('Redis', { targetId: 'cache', replicasPerShard: 1 }, 'fewer-replicas');
    const shards = await w.run('Redis', { targetId: 'cache', shards: 2 }, 'fewer-shards');
    expect(replicas.error).toBeUndefined();
    expect(shards.error).toBeUndefined();
    expect(w.elastiCache.group).toMatchObject({ shards: 2, replicas: 1 });
  });
});

describe('R24 config', () => {
  test('minReplicasPerShard and minShards are optional (unset: the recorded floor), explicit values are kept and still checked', () => {
    const t = recorded.targets[0] as { minReplicasPerShard?: number; minShards?: number };
    expect(t.minReplicasPerShard).toBeUndefined();
    expect(t.minShards).toBeUndefined();
    expect(explicit.targets[0]).toMatchObject({ minReplicasPerShard: 0, minShards: 1 });
    expect(() => parseConfig({ prefix: 'shop', targets: [{ ...REDIS, minShards: 9 }] })).toThrow(/maxShards.*8 is below minShards 9/s);
    expect(() => parseConfig({ prefix: 'shop', targets: [{ ...REDIS, minReplicasPerShard: 4 }] })).toThrow(
      /maxReplicasPerShard.*3 is below minReplicasPerShard 4/s,
    );
  });
});
