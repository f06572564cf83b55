/**
 * The data tier's runbooks (lib/runbooks/data.ts: rds-replicas, redis, rds-storage, rds-instance), run
 * locally: the ASL from the synthesized template, every task served in-process by the real task handler
 * (lambdas/runbooks/), RDS, ElastiCache, SSM and Route 53 answered at the SDK boundary. One synth for all.
 */

import {
  DecreaseReplicaCountCommand,
  IncreaseReplicaCountCommand,
  ListAllowedNodeTypeModificationsCommand,
  ModifyReplicationGroupCommand,
  ModifyReplicationGroupShardConfigurationCommand,
} from '@aws-sdk/client-elasticache';
import { CreateDBInstanceCommand, CreateDBInstanceReadReplicaCommand, DeleteDBInstanceCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { remove } from '../../lambdas/runbooks/replicas';
import { TerminalError } from '../../lambdas/shared/errors';
import { EXECUTION_TAG, MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { NOW, type World, world } from './context';
import { awsError } from './fake-aws';
import { dataConfig, RDS_INSTANCE } from './fixtures';
import { type SynthesizedRunbooks, synthesizeRunbooks } from './harness';

/** An instance whose class changes are applied now (the target says so; an input cannot). */
const RDS_INSTANCE_NOW = { ...RDS_INSTANCE, id: 'reports-class', instanceIdentifier: 'reports-primary', applyImmediately: true };
const config = dataConfig([RDS_INSTANCE, RDS_INSTANCE_NOW], {
  'orders-db': { route53: { hostedZoneId: 'Z0PRIVATE123', recordName: 'read.orders-db.internal' } },
  cache: { maxReplicasPerShard: 3, minReplicasPerShard: 1 },
});
let synthesized: SynthesizedRunbooks;
beforeAll(() => {
  synthesized = synthesizeRunbooks(config);
});

const OURS = (n: number) => ({ [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: 'orders-db', [EXECUTION_TAG]: `earlier-run-${n}` });
const PARAM = '/shop/orders-db/reader-endpoints';

function rdsSource(w: World, extra: { status?: string; backupRetentionPeriod?: number } = {}) {
  w.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge', ...extra });
}

function readers(w: World): string[] {
  return (JSON.parse(w.ssm.parameters.get(PARAM) ?? '{"readers":[]}') as { readers: { id: string }[] }).readers.map((r) => r.id);
}

async function audit(w: World) {
  return w.store.listAudit('orders-db', 0, Number.MAX_SAFE_INTEGER);
}

describe('rds-replicas runbook (RDS PostgreSQL source)', () => {
  test('adds one tagged replica with the next deterministic identifier, waits until available, publishes the readers', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    w.rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: OURS(1) });

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'orders-db-add-2-1');

    expect(run.error).toBeUndefined();
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toEqual([
      expect.objectContaining({
        DBInstanceIdentifier: 'orders-db-ro-2',
        SourceDBInstanceIdentifier: 'orders-primary',
        Tags: expect.arrayContaining([
          { Key: MANAGED_BY_TAG, Value: 'shop' },
          { Key: TARGET_TAG, Value: 'orders-db' },
          { Key: EXECUTION_TAG, Value: 'orders-db-add-2-1' },
        ]),
      }),
    ]);
    expect(w.rds.instances.get('orders-db-ro-2')?.status).toBe('available');
    // It waited (with backoff) before publishing, then published both readers.
    expect(run.calls.filter((c) => c.task === 'replicas.reconcile').length).toBeGreaterThanOrEqual(3);
    expect(readers(w)).toEqual(['orders-db-ro-1', 'orders-db-ro-2']);
    expect(run.output).toMatchObject({ outcome: 'succeeded' });
    expect((await audit(w))[0]).toMatchObject({ outcome: 'applied', eventId: 'orders-db-add-2-1' });
    expect(w.notifications).toEqual([expect.objectContaining({ subject: expect.stringMatching(/^\[shop\] orders-db: runbook done/) })]);
  });

  test("a new replica goes to the subnet group's zone with the fewest of the target's replicas, the source counted", async () => {
    const w = world(config, synthesized);
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
    w.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge', zone: 'us-east-1a', subnetZones: zones });
    w.rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: OURS(1), zone: 'us-east-1b', subnetZones: zones });
    // Someone else's replica is not the target's: it does not count.
    w.rds.add({ id: 'reporting-replica', status: 'available', sourceId: 'orders-primary', zone: 'us-east-1c', subnetZones: zones });

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'spread');

    expect(run.error).toBeUndefined();
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toEqual([
      expect.objectContaining({ DBInstanceIdentifier: 'orders-db-ro-2', AvailabilityZone: 'us-east-1c' }),
    ]);
    expect(w.rds.instances.get('orders-db-ro-2')?.zone).toBe('us-east-1c');
    expect((await audit(w))[0].reason).toMatch(/created orders-db-ro-2 in us-east-1c/);
  });

  test('a source described without its subnet group: no zone is asked for, RDS chooses', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'no-subnets');
    expect(run.error).toBeUndefined();
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toEqual([expect.not.objectContaining({ AvailabilityZone: expect.anything() })]);
  });

  test('removes the newest of its own replicas only, never one made by someone else', async () => {
    const w = world(config, synthesized);
    w.quiet();
    rdsSource(w);
    w.rds.add({ id: 'legacy-reader', status: 'available', sourceId: 'orders-primary' });
    w.rds.add({ id: 'orders-db-ro-2', status: 'available', sourceId: 'orders-primary', tags: OURS(2) });
    w.rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: OURS(1) });
    w.rds.add({ id: 'orders-db-ro-3', status: 'available', sourceId: 'orders-primary', tags: OURS(3) });

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'orders-db-remove-2-1');

    expect(run.error).toBeUndefined();
    // ro-3 was created last (createdAt), whatever the order of the slots.
    // A read replica gets no final snapshot (AWS refuses one); its automated backups are kept.
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([{ DBInstanceIdentifier: 'orders-db-ro-3', SkipFinalSnapshot: true, DeleteAutomatedBackups: false }]);
    expect([...w.rds.instances.keys()].sort()).toEqual(['legacy-reader', 'orders-db-ro-1', 'orders-db-ro-2', 'orders-primary']);
    expect(readers(w)).toEqual(['legacy-reader', 'orders-db-ro-1', 'orders-db-ro-2']);
  });

  test("with a Route 53 name: one weighted CNAME per available reader, and the removed replica's record deleted", async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    w.rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: OURS(1) });
    w.rds.add({ id: 'orders-db-ro-2', status: 'available', sourceId: 'orders-primary', tags: OURS(2) });
    await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'publish-2');
    w.quiet();
    const names = () => w.route53.records.map((r) => `${r.SetIdentifier}=${r.ResourceRecords?.[0]?.Value} w${r.Weight} ttl${r.TTL}`).sort();
    expect(names()).toEqual([
      'orders-db-ro-1=orders-db-ro-1.abc123.us-east-1.rds.amazonaws.com w1 ttl30',
      'orders-db-ro-2=orders-db-ro-2.abc123.us-east-1.rds.amazonaws.com w1 ttl30',
    ]);
    expect(w.route53.records.every((r) => r.Name === 'read.orders-db.internal.' && r.Type === 'CNAME')).toBe(true);

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'remove-to-1');

    expect(run.error).toBeUndefined();
    expect(names()).toEqual(['orders-db-ro-1=orders-db-ro-1.abc123.us-east-1.rds.amazonaws.com w1 ttl30']);
  });

  test('a goal already reached does nothing but publish: a second run of the same goal is harmless', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    w.rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: OURS(1) });
    await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'first');
    const again = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'second');
    expect(again.error).toBeUndefined();
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(1);
    expect(again.calls.map((c) => c.task)).toEqual(['replicas.reconcile', 'replicas.publish', 'notify']);
  });

  test('a source that is not available is waited out (ResourceBusy retried), then the replica is added', async () => {
    const w = world(config, synthesized);
    rdsSource(w, { status: 'modifying' });
    const source = w.rds.instances.get('orders-primary')!;
    Object.assign(source, { settlesIn: 3, settlesTo: 'available' });

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'busy-source');

    expect(run.error).toBeUndefined();
    expect(run.calls.filter((c) => c.state === 'Reconcile').length).toBeGreaterThanOrEqual(3);
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(1);
    expect(readers(w)).toEqual(['orders-db-ro-1']);
  });

  test('a source without automated backups is terminal: reported, nothing created, not retried', async () => {
    const w = world(config, synthesized);
    rdsSource(w, { backupRetentionPeriod: 0 });

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'no-backups');

    expect(run.error?.message).toMatch(/TerminalError/);
    expect(run.calls.map((c) => c.state)).toEqual(['Reconcile', 'NotifyFailure']);
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(0);
    const [entry] = await audit(w);
    expect(entry).toMatchObject({ outcome: 'failed' });
    expect(entry.reason).toMatch(/no automated backups \(BackupRetentionPeriod 0\)/);
    expect(w.notifications).toEqual([
      expect.objectContaining({ subject: expect.stringMatching(/runbook FAILED: TerminalError/), body: expect.objectContaining({ outcome: 'failed' }) }),
    ]);
  });

  test('a source already at 15 replicas is terminal (quota), whoever made them', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    for (let i = 1; i <= 15; i++) w.rds.add({ id: `other-reader-${i}`, status: 'available', sourceId: 'orders-primary' });

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'quota');

    expect(run.error).toBeDefined();
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(0);
    expect((await audit(w))[0].reason).toMatch(/already has 15 replicas/);
  });

  test('InsufficientDBInstanceCapacity is terminal: one attempt, reported', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    w.rds.faults.create = { error: awsError('InsufficientDBInstanceCapacityFault', 'Not enough db.r6g.xlarge capacity'), times: 99 };

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'no-capacity');

    expect(run.error).toBeDefined();
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(1);
    expect(run.calls.map((c) => c.state)).toEqual(['Reconcile', 'CreateReplica', 'NotifyFailure']);
    expect((await audit(w))[0].reason).toMatch(/InsufficientDBInstanceCapacityFault/);
  });

  test('InvalidDBInstanceState on create is waited out and the create retried', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    w.rds.faults.create = { error: awsError('InvalidDBInstanceStateFault', 'Instance orders-primary is being backed up'), times: 2 };

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'busy-create');

    expect(run.error).toBeUndefined();
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(3);
    expect(w.rds.instances.get('orders-db-ro-1')?.status).toBe('available');
  });

  test('a run killed right after creating: the next run adopts the replica instead of creating another', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    const killed = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'killed-run', (state) => state === 'CreateReplica');
    expect(killed.aborted).toBe(true);
    expect(w.rds.instances.get('orders-db-ro-1')?.status).toBe('creating');
    expect(w.ssm.parameters.has(PARAM)).toBe(false);

    const next = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'next-run');

    expect(next.error).toBeUndefined();
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(1);
    expect(w.rds.instances.get('orders-db-ro-1')?.tags?.[EXECUTION_TAG]).toBe('killed-run');
    expect(readers(w)).toEqual(['orders-db-ro-1']);
  });

  test('a replica a dead run left failed is deleted (it carries the tags) and replaced', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    w.rds.add({ id: 'orders-db-ro-1', status: 'failed', sourceId: 'orders-primary', tags: OURS(1) });

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'cleanup');

    expect(run.error).toBeUndefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([expect.objectContaining({ DBInstanceIdentifier: 'orders-db-ro-1' })]);
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toEqual([expect.objectContaining({ DBInstanceIdentifier: 'orders-db-ro-2' })]);
    expect(readers(w)).toEqual(['orders-db-ro-2']);
    expect(run.output?.actions).toEqual(expect.arrayContaining([expect.stringMatching(/deleted orders-db-ro-1 \(left failed/)]));
  });

  test('an instance that holds a replica identifier but is no replica of the source (promoted) is skipped, not adopted', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    w.rds.add({ id: 'orders-db-ro-1', status: 'available', tags: OURS(1) });

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'promoted');

    expect(run.error).toBeUndefined();
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toEqual([expect.objectContaining({ DBInstanceIdentifier: 'orders-db-ro-2' })]);
    expect(readers(w)).toEqual(['orders-db-ro-2']);
  });

  test('replicas that fail as soon as they are created are not replaced forever: the run stops, terminal', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    w.rds.settleTo = 'incompatible-parameters';

    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'keeps-failing');

    expect(run.error).toBeDefined();
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(3);
    expect((await audit(w))[0].reason).toMatch(/they keep failing/);
  });

  test('a goal outside minReplicas-maxReplicas is refused before anything is touched', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 0 }, 'below-min');
    expect(run.error).toBeDefined();
    expect((await audit(w))[0].reason).toMatch(/desiredReplicas 0 is outside 1-3/);
    expect(w.rds.calls(DeleteDBInstanceCommand)).toHaveLength(0);
  });

  test("an operator's override of the ceiling in force is the bound the run judges: beyond it is refused, before anything is touched", async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    await w.store.setOverride({ targetId: 'orders-db', max: 2, expiresAt: NOW + 3_600_000, setAt: NOW, setBy: 'ops' });
    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 3 }, 'over-override');
    expect(run.error).toBeDefined();
    expect((await audit(w))[0].reason).toMatch(/desiredReplicas 3 is outside 1-2 \(minReplicas-maxReplicas of "orders-db", override maxReplicas 2 until/);
    expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(0);
  });

  test('the delete task re-checks the tags in code: an untagged instance is never deleted', async () => {
    const w = world(config, synthesized);
    rdsSource(w);
    w.rds.add({ id: 'orders-db-ro-9', status: 'available', sourceId: 'orders-primary' });
    await expect(remove(w.ctx, { targetId: 'orders-db', desiredReplicas: 1, replicaId: 'orders-db-ro-9' }, 'manual')).rejects.toThrow(TerminalError);
    expect(w.rds.calls(DeleteDBInstanceCommand)).toHaveLength(0);
  });
});

describe('rds-replicas runbook (Aurora cluster)', () => {
  test('adds a reader into the cluster with CreateDBInstance, tagged, with the configured class', async () => {
    const w = world(config, synthesized);
    w.rds.clusters.set('reports-cluster', { id: 'reports-cluster', status: 'available', engine: 'aurora-postgresql', backupRetentionPeriod: 1 });
    w.rds.add({ id: 'reports-writer', status: 'available', clusterId: 'reports-cluster', engine: 'aurora-postgresql', tags: { role: 'writer' } });

    const run = await w.run('RdsReplicas', { targetId: 'reports-db', desiredReplicas: 1 }, 'aurora-add');

    expect(run.error).toBeUndefined();
    expect(w.rds.calls(CreateDBInstanceCommand)).toEqual([
      expect.objectContaining({
        DBInstanceIdentifier: 'reports-db-ro-1',
        DBClusterIdentifier: 'reports-cluster',
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.r6g.large',
        Tags: expect.arrayContaining([{ Key: MANAGED_BY_TAG, Value: 'shop' }]),
      }),
    ]);
    expect(JSON.parse(w.ssm.parameters.get('/shop/reports-db/reader-endpoints')!).readers.map((r: { id: string }) => r.id)).toEqual(['reports-db-ro-1']);
  });

  test("readers spread over the zones of the cluster volume in the subnet group, the writer's counted", async () => {
    const w = world(config, synthesized);
    w.rds.clusters.set('reports-cluster', {
      id: 'reports-cluster',
      status: 'available',
      engine: 'aurora-postgresql',
      backupRetentionPeriod: 1,
      availabilityZones: ['us-east-1b', 'us-east-1c', 'us-east-1d'],
    });
    w.rds.add({
      id: 'reports-writer',
      status: 'available',
      clusterId: 'reports-cluster',
      engine: 'aurora-postgresql',
      tags: { role: 'writer' },
      zone: 'us-east-1b',
      // us-east-1a has a subnet but no copy of the volume: never a candidate.
      subnetZones: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'],
    });

    for (const n of [1, 2]) {
      const run = await w.run('RdsReplicas', { targetId: 'reports-db', desiredReplicas: n }, `aurora-add-${n}`);
      expect(run.error).toBeUndefined();
    }
    expect(w.rds.calls(CreateDBInstanceCommand).map((c) => `${c.DBInstanceIdentifier}:${c.AvailabilityZone}`)).toEqual([
      'reports-db-ro-1:us-east-1c',
      'reports-db-ro-2:us-east-1d',
    ]);
  });
});

describe('redis runbook', () => {
  test('up one rung: ModifyReplicationGroup ApplyImmediately, waits while modifying, done when available on the new type', async () => {
    const w = world(config, synthesized);

    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'cache-up-1');

    expect(run.error).toBeUndefined();
    expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toEqual([
      { ReplicationGroupId: 'shop-cache', CacheNodeType: 'cache.r7g.xlarge', ApplyImmediately: true },
    ]);
    expect(run.calls.filter((c) => c.state === 'CheckChange').length).toBeGreaterThanOrEqual(2);
    expect(w.elastiCache.group).toMatchObject({ status: 'available', nodeType: 'cache.r7g.xlarge' });
    const [entry] = await w.store.listAudit('cache', 0, Number.MAX_SAFE_INTEGER);
    expect(entry).toMatchObject({ outcome: 'applied' });
    expect(entry.reason).toMatch(/cache\.r7g\.large, 1 shard\(s\) of 1\+1 -> cache\.r7g\.xlarge, 1 shard\(s\) of 1\+1, available/);
  });

  test('node type and replicas in one goal: one change at a time, each waited for, node type first', async () => {
    const w = world(config, synthesized);

    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge', replicasPerShard: 2 }, 'cache-both');

    expect(run.error).toBeUndefined();
    expect(run.calls.filter((c) => c.state === 'ModifyGroup')).toHaveLength(2);
    expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toHaveLength(1);
    expect(w.elastiCache.calls(IncreaseReplicaCountCommand)).toEqual([{ ReplicationGroupId: 'shop-cache', NewReplicaCount: 2, ApplyImmediately: true }]);
    expect(w.elastiCache.group).toMatchObject({ status: 'available', nodeType: 'cache.r7g.xlarge', replicas: 2 });
  });

  test('fewer replicas with DecreaseReplicaCount, never below minReplicasPerShard', async () => {
    const w = world(config, synthesized);
    w.quiet();
    w.elastiCache.group.replicas = 2;
    const run = await w.run('Redis', { targetId: 'cache', replicasPerShard: 1 }, 'cache-fewer');
    expect(run.error).toBeUndefined();
    expect(w.elastiCache.calls(DecreaseReplicaCountCommand)).toEqual([{ ReplicationGroupId: 'shop-cache', NewReplicaCount: 1, ApplyImmediately: true }]);
    const below = await w.run('Redis', { targetId: 'cache', replicasPerShard: 0 }, 'cache-none');
    expect(below.error).toBeDefined();
    const entries = await w.store.listAudit('cache', 0, Number.MAX_SAFE_INTEGER);
    expect(entries.find((e) => e.eventId === 'cache-none')?.reason).toMatch(/replicasPerShard 0 is outside 1-3/);
  });

  test('shards change only in cluster mode: a shard goal for a group without it is terminal', async () => {
    const w = world(config, synthesized);
    const refused = await w.run('Redis', { targetId: 'cache', shards: 2 }, 'cache-shards-refused');
    expect(refused.error).toBeDefined();
    expect(w.elastiCache.calls(ModifyReplicationGroupShardConfigurationCommand)).toHaveLength(0);

    w.elastiCache.group.clusterMode = true;
    const run = await w.run('Redis', { targetId: 'cache', shards: 3 }, 'cache-shards');
    expect(run.error).toBeUndefined();
    expect(w.elastiCache.calls(ModifyReplicationGroupShardConfigurationCommand)).toEqual([
      { ReplicationGroupId: 'shop-cache', NodeGroupCount: 3, ApplyImmediately: true, NodeGroupsToRemove: undefined },
    ]);
    expect(w.elastiCache.group.shards).toBe(3);
  });

  test('down one rung when AWS lists it as an allowed scale-down', async () => {
    const w = world(config, synthesized);
    w.quiet();
    w.elastiCache.group.nodeType = 'cache.r7g.xlarge';
    w.elastiCache.allowed = { up: ['cache.r7g.2xlarge'], down: ['cache.r7g.large'] };

    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.large' }, 'cache-down-1');

    expect(run.error).toBeUndefined();
    expect(w.elastiCache.group.nodeType).toBe('cache.r7g.large');
  });

  test('a type ListAllowedNodeTypeModifications does not allow is terminal: reported, never modified', async () => {
    const w = world(config, synthesized);
    w.elastiCache.allowed = { up: ['cache.r7g.2xlarge'], down: [] };

    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'cache-up-refused');

    expect(run.error).toBeDefined();
    expect(run.calls.map((c) => c.state)).toEqual(['CheckPreconditions', 'NotifyFailure']);
    expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toHaveLength(0);
    const [entry] = await w.store.listAudit('cache', 0, Number.MAX_SAFE_INTEGER);
    expect(entry.outcome).toBe('failed');
    expect(entry.reason).toMatch(/not in ListAllowedNodeTypeModifications/);
  });

  test('a type off the ladder is refused before AWS is asked', async () => {
    const w = world(config, synthesized);
    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.m7g.large' }, 'off-ladder');
    expect(run.error).toBeDefined();
    expect(w.elastiCache.calls(ListAllowedNodeTypeModificationsCommand)).toHaveLength(0);
  });

  test('InvalidReplicationGroupState is waited out and the modification retried', async () => {
    const w = world(config, synthesized);
    w.elastiCache.faults.modify = { error: awsError('InvalidReplicationGroupStateFault', 'Replication group is being modified'), times: 2 };

    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'busy-modify');

    expect(run.error).toBeUndefined();
    expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toHaveLength(3);
    expect(w.elastiCache.group.nodeType).toBe('cache.r7g.xlarge');
  });

  test('a snapshotting group is waited out before the check passes', async () => {
    const w = world(config, synthesized);
    w.elastiCache.snapshottingLooks = 3;

    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'snapshotting');

    expect(run.error).toBeUndefined();
    expect(run.calls.filter((c) => c.state === 'CheckPreconditions').length).toBeGreaterThanOrEqual(3);
    expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toHaveLength(1);
  });

  test('a run that died mid-resize: the next run waits for the group and finds the type in place', async () => {
    const w = world(config, synthesized);
    const killed = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'killed', (state) => state === 'ModifyGroup');
    expect(killed.aborted).toBe(true);
    expect(w.elastiCache.group.status).toBe('modifying');

    const next = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'next');

    expect(next.error).toBeUndefined();
    expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toHaveLength(1);
    expect(w.elastiCache.group).toMatchObject({ status: 'available', nodeType: 'cache.r7g.xlarge' });
  });
});

describe('rds-storage runbook', () => {
  test('grows the allocated storage to the goal and waits until it is allocated', async () => {
    const w = world(config, synthesized);
    w.rds.add({ id: 'orders-primary', status: 'available', allocatedGiB: 100 });

    const run = await w.run('RdsStorage', { targetId: 'orders-disk', allocatedGiB: 120 }, 'orders-disk-grow-120-1');

    expect(run.error).toBeUndefined();
    expect(w.rds.instances.get('orders-primary')).toMatchObject({ allocatedGiB: 120, status: 'storage-optimization' });
  });

  test('a size above maxAllocatedGiB is refused', async () => {
    const w = world(config, synthesized);
    w.rds.add({ id: 'orders-primary', status: 'available', allocatedGiB: 100 });
    const run = await w.run('RdsStorage', { targetId: 'orders-disk', allocatedGiB: 600 }, 'too-big');
    expect(run.error).toBeDefined();
    expect((await w.store.listAudit('orders-disk', 0, Number.MAX_SAFE_INTEGER))[0].reason).toMatch(/600 GiB is above maxAllocatedGiB 500/);
  });

  test('an instance still optimizing its last storage change is terminal (the 6-hour rule), not a loop', async () => {
    const w = world(config, synthesized);
    w.rds.add({ id: 'orders-primary', status: 'storage-optimization', allocatedGiB: 100 });
    const run = await w.run('RdsStorage', { targetId: 'orders-disk', allocatedGiB: 120 }, 'optimizing');
    expect(run.error).toBeDefined();
    expect(run.calls.map((c) => c.state)).toEqual(['CheckPreconditions', 'NotifyFailure']);
  });
});

describe('rds-instance runbook', () => {
  test('now: ModifyDBInstance ApplyImmediately, waits through modifying, done when available on the new class', async () => {
    const w = world(config, synthesized);
    w.rds.add({ id: 'reports-primary', status: 'available', instanceClass: 'db.r6g.large' });

    const run = await w.run('RdsInstance', { targetId: 'reports-class', instanceClass: 'db.r6g.xlarge' }, 'reports-class-up-1');

    expect(run.error).toBeUndefined();
    expect(w.rds.calls(ModifyDBInstanceCommand)).toEqual([
      { DBInstanceIdentifier: 'reports-primary', DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: true },
    ]);
    expect(run.calls.filter((c) => c.state === 'CheckClass').length).toBeGreaterThanOrEqual(2);
    expect(w.rds.instances.get('reports-primary')).toMatchObject({ status: 'available', instanceClass: 'db.r6g.xlarge' });
  });

  test("in the maintenance window (the target's default): the change is made pending, not waited for; a second run finds it pending", async () => {
    const w = world(config, synthesized);
    w.rds.add({ id: 'orders-primary', status: 'available', instanceClass: 'db.r6g.large' });

    const run = await w.run('RdsInstance', { targetId: 'orders-class', instanceClass: 'db.r6g.xlarge' }, 'window-1');
    expect(run.error).toBeUndefined();
    expect(w.rds.calls(ModifyDBInstanceCommand)).toEqual([
      { DBInstanceIdentifier: 'orders-primary', DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: false },
    ]);
    expect(run.calls.map((c) => c.state)).toEqual(['CheckPreconditions', 'ModifyClass', 'Notify']);

    const again = await w.run('RdsInstance', { targetId: 'orders-class', instanceClass: 'db.r6g.xlarge' }, 'window-2');
    expect(again.error).toBeUndefined();
    expect(w.rds.calls(ModifyDBInstanceCommand)).toHaveLength(1);
    expect(again.output?.summary).toMatch(/already waits for the maintenance window/);
  });

  test('a class off the ladder is terminal; InvalidDBInstanceState is waited out', async () => {
    const w = world(config, synthesized);
    w.rds.add({ id: 'orders-primary', status: 'available', instanceClass: 'db.r6g.large' });
    const off = await w.run('RdsInstance', { targetId: 'orders-class', instanceClass: 'db.m7g.large' }, 'off-ladder');
    expect(off.error).toBeDefined();
    expect(w.rds.calls(ModifyDBInstanceCommand)).toHaveLength(0);

    w.rds.add({ id: 'reports-primary', status: 'available', instanceClass: 'db.r6g.large' });
    w.rds.faults.modify = { error: awsError('InvalidDBInstanceStateFault', 'Database instance is in a state that cannot be modified: backing-up'), times: 2 };
    const busy = await w.run('RdsInstance', { targetId: 'reports-class', instanceClass: 'db.r6g.xlarge' }, 'busy');
    expect(busy.error).toBeUndefined();
    expect(w.rds.calls(ModifyDBInstanceCommand)).toHaveLength(3);
    expect(w.rds.instances.get('reports-primary')?.instanceClass).toBe('db.r6g.xlarge');
  });
});
