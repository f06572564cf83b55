import {
  CreateReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
  IncreaseReplicaCountCommand,
  ModifyReplicationGroupShardConfigurationCommand,
} from '@aws-sdk/client-elasticache';
import { classifyElastiCacheError, ElastiCacheAdapter } from '../../../lambdas/adapters/elasticache';
import { check, modify, poll, type RedisState } from '../../../lambdas/runbooks/redis';
import { parseConfig } from '../../../lambdas/shared/config';
import { TerminalError } from '../../../lambdas/shared/errors';
import { ResourceBusyError } from '../../../lambdas/shared/runbook-errors';
import { dataCloud, runbookContext } from './data-fixtures';

describe('FakeElastiCache through ElastiCacheAdapter', () => {
  test('DescribeReplicationGroups shows the shape in effect, members and roles; unknown groups are not found', async () => {
    const cloud = dataCloud({ cache: { nodeType: 'cache.r7g.large', shards: 1, replicasPerShard: 1 } });
    const ec = new ElastiCacheAdapter(cloud.elastiCache);
    expect(await ec.replicationGroup('shop-cache')).toEqual({
      id: 'shop-cache',
      status: 'available',
      nodeType: 'cache.r7g.large',
      clusterMode: false,
      shards: 1,
      replicasPerShard: 1,
      snapshotting: false,
      memberClusters: ['shop-cache-001', 'shop-cache-002'],
      nodeGroupIds: ['0001'],
    });
    const raw = (await cloud.elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'shop-cache' }))).ReplicationGroups[0];
    expect(raw.NodeGroups[0].NodeGroupMembers.map((m: { CacheClusterId: string; CurrentRole: string }) => `${m.CacheClusterId}:${m.CurrentRole}`)).toEqual([
      'shop-cache-001:primary',
      'shop-cache-002:replica',
    ]);
    expect(raw.SnapshottingClusterId).toBeUndefined();
    expect(await ec.replicationGroup('other-cache')).toBeUndefined();
    await expect(cloud.elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: 'other-cache' }))).rejects.toMatchObject({
      name: 'ReplicationGroupNotFoundFault',
      message: 'Replication group other-cache not found.',
    });
  });

  test('ListAllowedNodeTypeModifications: larger types up, smaller down, the same size neither', async () => {
    const cloud = dataCloud({ cache: { nodeType: 'cache.r7g.large', shards: 1, replicasPerShard: 0 } });
    const { up, down } = await new ElastiCacheAdapter(cloud.elastiCache).allowedNodeTypes('shop-cache');
    expect(up).toEqual(expect.arrayContaining(['cache.r7g.xlarge', 'cache.r6g.xlarge', 'cache.m7g.2xlarge', 'cache.r7g.4xlarge']));
    // cache.m7g.xlarge holds 12.93 GiB, a little less than cache.r7g.large's 13.07.
    expect(down).toEqual(expect.arrayContaining(['cache.m7g.xlarge', 'cache.m7g.large', 'cache.t3.micro']));
    for (const same of ['cache.r7g.large', 'cache.r6g.large']) {
      expect(up).not.toContain(same);
      expect(down).not.toContain(same);
    }
    expect(up[0]).toBe('cache.m6g.2xlarge');
  });

  test('a node type change: modifying (old type in effect) until done; another change meanwhile is busy; the same type is terminal', async () => {
    const cloud = dataCloud({ provisioningSeconds: 900, cache: { nodeType: 'cache.r7g.large', shards: 1, replicasPerShard: 1 } });
    const ec = new ElastiCacheAdapter(cloud.elastiCache);
    const same = ec.setNodeType('shop-cache', 'cache.r7g.large');
    await expect(same).rejects.toBeInstanceOf(TerminalError);
    await expect(same).rejects.toMatchObject({ code: 'InvalidParameterCombinationException' });

    await ec.setNodeType('shop-cache', 'cache.r7g.xlarge');
    expect(cloud.group.started).toEqual([{ nodeType: 'cache.r7g.xlarge' }]);
    expect(await ec.replicationGroup('shop-cache')).toMatchObject({ status: 'modifying', nodeType: 'cache.r7g.large' });
    const again = ec.setNodeType('shop-cache', 'cache.r7g.2xlarge');
    await expect(again).rejects.toBeInstanceOf(ResourceBusyError);
    await expect(again).rejects.toThrow('Replication group shop-cache is not in available state.');
    await expect(ec.setReplicaCount('shop-cache', 1, 2)).rejects.toBeInstanceOf(ResourceBusyError);
    expect(cloud.group.started).toHaveLength(1);

    cloud.clock.advance(899);
    expect((await ec.replicationGroup('shop-cache'))?.status).toBe('modifying');
    cloud.clock.advance(1);
    expect(await ec.replicationGroup('shop-cache')).toMatchObject({ status: 'available', nodeType: 'cache.r7g.xlarge' });
    await expect(ec.setNodeType('shop-cache', 'cache.x9.huge')).rejects.toMatchObject({
      code: 'InvalidParameterValueException',
      message: expect.stringContaining('cache.x9.huge'),
    });
    await expect(ec.setNodeType('other-cache', 'cache.r7g.large')).rejects.toMatchObject({ code: 'ReplicationGroupNotFoundFault' });
  });

  test('shards: cluster mode only; a reduction names the node groups it removes', async () => {
    const cloud = dataCloud({ provisioningSeconds: 60, clusterMode: true, cache: { nodeType: 'cache.r7g.large', shards: 3, replicasPerShard: 1 } });
    const ec = new ElastiCacheAdapter(cloud.elastiCache);
    const g = (await ec.replicationGroup('shop-cache'))!;
    expect(g).toMatchObject({ clusterMode: true, shards: 3, replicasPerShard: 1, nodeGroupIds: ['0001', '0002', '0003'] });
    expect(g.memberClusters.slice(0, 3)).toEqual(['shop-cache-0001-001', 'shop-cache-0001-002', 'shop-cache-0002-001']);

    let refused: unknown;
    try {
      await cloud.elastiCache.send(
        new ModifyReplicationGroupShardConfigurationCommand({ ReplicationGroupId: 'shop-cache', NodeGroupCount: 2, ApplyImmediately: true }),
      );
    } catch (err) {
      refused = err;
    }
    expect(refused).toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('NodeGroupsToRemove') });
    expect(classifyElastiCacheError(refused, 'shards')).toBeInstanceOf(TerminalError);
    expect(cloud.group.started).toEqual([]);

    await ec.setShardCount('shop-cache', g.nodeGroupIds, 2);
    expect(cloud.log.of('elasticache', 'ModifyReplicationGroupShardConfigurationCommand').at(-1)?.input).toMatchObject({ NodeGroupsToRemove: ['0003'] });
    await expect(ec.setShardCount('shop-cache', g.nodeGroupIds, 4)).rejects.toBeInstanceOf(ResourceBusyError);
    cloud.clock.advance(60);
    expect(await ec.replicationGroup('shop-cache')).toMatchObject({ status: 'available', shards: 2, nodeGroupIds: ['0001', '0002'] });
    await ec.setShardCount('shop-cache', ['0001', '0002'], 4);
    expect(cloud.group.started).toEqual([{ shards: 2 }, { shards: 4 }]);

    const plain = dataCloud({ cache: { nodeType: 'cache.r7g.large', shards: 1, replicasPerShard: 1 } });
    await expect(new ElastiCacheAdapter(plain.elastiCache).setShardCount('shop-cache', ['0001'], 2)).rejects.toMatchObject({
      code: 'InvalidParameterValueException',
      message: expect.stringContaining('not cluster mode enabled'),
    });
  });

  test('replicas per shard: 0-5, up with Increase and down with Decrease', async () => {
    const cloud = dataCloud({ provisioningSeconds: 60, cache: { nodeType: 'cache.r7g.large', shards: 1, replicasPerShard: 1 } });
    const ec = new ElastiCacheAdapter(cloud.elastiCache);
    await expect(ec.setReplicaCount('shop-cache', 1, 6)).rejects.toMatchObject({
      code: 'InvalidParameterValueException',
      message: expect.stringContaining('got 6'),
    });
    // Increase to a count that is not more is refused, whatever the caller believed the count was.
    await expect(
      cloud.elastiCache.send(new IncreaseReplicaCountCommand({ ReplicationGroupId: 'shop-cache', NewReplicaCount: 1, ApplyImmediately: true })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await ec.setReplicaCount('shop-cache', 1, 2);
    cloud.clock.advance(60);
    expect(await ec.replicationGroup('shop-cache')).toMatchObject({
      replicasPerShard: 2,
      memberClusters: ['shop-cache-001', 'shop-cache-002', 'shop-cache-003'],
    });
    await ec.setReplicaCount('shop-cache', 2, 0);
    cloud.clock.advance(60);
    expect(await ec.replicationGroup('shop-cache')).toMatchObject({ replicasPerShard: 0, memberClusters: ['shop-cache-001'] });
    expect(cloud.group.started).toEqual([{ replicasPerShard: 2 }, { replicasPerShard: 0 }]);
  });

  test('unknown commands are named', async () => {
    const cloud = dataCloud();
    await expect(cloud.elastiCache.send(new CreateReplicationGroupCommand({ ReplicationGroupId: 'x', ReplicationGroupDescription: 'x' }))).rejects.toThrow(
      'in-memory ElastiCache does not implement CreateReplicationGroupCommand',
    );
  });
});

describe('the redis runbook tasks over FakeElastiCache', () => {
  test('check, modify and poll move the group one node type up', async () => {
    const config = parseConfig({
      prefix: 'shop',
      targets: [{ kind: 'redis', id: 'cache', replicationGroupId: 'shop-cache', nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge', 'cache.r7g.2xlarge'] }],
    });
    const cloud = dataCloud({ provisioningSeconds: 1200, cache: { nodeType: 'cache.r7g.large', shards: 1, replicasPerShard: 1 } });
    const ctx = runbookContext(config, cloud);

    let state: RedisState = await check(ctx, { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'manual');
    expect(state).toMatchObject({ step: 'modify', change: 'nodeType', before: { nodeType: 'cache.r7g.large', shards: 1, replicasPerShard: 1 } });
    state = await modify(ctx, state, 'manual');
    expect(cloud.group.started).toEqual([{ nodeType: 'cache.r7g.xlarge' }]);
    // A second run's check meanwhile finds the group busy.
    await expect(check(ctx, { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'manual')).rejects.toBeInstanceOf(ResourceBusyError);

    const looks: string[] = [];
    while (state.step === 'wait') {
      cloud.clock.advance(state.waitSeconds!);
      state = await poll(ctx, state);
      looks.push(`${cloud.clock.seconds}:${state.step}`);
    }
    // Done at 1200 s: looks at 30, 90, 210, 450, 750 and 1050 s find it modifying.
    expect(looks).toEqual(['30:wait', '90:wait', '210:wait', '450:wait', '750:wait', '1050:wait', '1350:check']);
    state = await check(ctx, state, 'manual');
    expect(state).toMatchObject({ step: 'done', summary: 'shop-cache: cache.r7g.large, 1 shard(s) of 1+1 -> cache.r7g.xlarge, 1 shard(s) of 1+1, available' });
    expect(state.actions).toEqual(['ModifyReplicationGroup shop-cache to cache.r7g.xlarge']);
    expect(cloud.log.of('elasticache', 'ModifyReplicationGroupCommand')).toHaveLength(1);
  });
});
