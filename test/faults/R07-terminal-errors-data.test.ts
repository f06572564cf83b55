/**
 * R07 (data part): errors that fail the same way every time, through the real runbook definitions: a
 * source already at RDS's 15 read replicas, InsufficientDBInstanceCapacity, InvalidParameterCombination
 * and a Redis node type AWS does not allow. Each is reported once (one notification, one audit entry),
 * not retried (the task runs once), and leaves nothing half-done: no replica left behind untagged, no
 * second create, the group as it was.
 */

import { ModifyReplicationGroupCommand } from '@aws-sdk/client-elasticache';
import { CreateDBInstanceReadReplicaCommand, DeleteDBInstanceCommand } from '@aws-sdk/client-rds';
import { MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { type World, world } from '../runbooks/context';
import { awsError } from '../runbooks/fake-aws';
import { dataConfig } from '../runbooks/fixtures';
import { type SynthesizedRunbooks, synthesizeRunbooks } from '../runbooks/harness';

const config = dataConfig();
let synthesized: SynthesizedRunbooks;
beforeAll(() => {
  synthesized = synthesizeRunbooks(config);
});

function replicasWorld(others = 0) {
  const w = world(config, synthesized);
  w.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge' });
  for (let i = 1; i <= others; i++) w.rds.add({ id: `other-reader-${i}`, status: 'available', sourceId: 'orders-primary' });
  return w;
}

/** Reported once: one failed audit entry naming `reason`, one FAILED notification, and the run failed. */
async function reportedOnce(w: World, targetId: string, run: Awaited<ReturnType<World['run']>>, reason: RegExp) {
  expect(run.error?.message).toMatch(/TerminalError/);
  expect(run.calls.filter((c) => c.state === 'NotifyFailure')).toHaveLength(1);
  expect(run.calls.filter((c) => c.state === 'Notify')).toHaveLength(0);
  const audit = await w.store.listAudit(targetId, 0, Number.MAX_SAFE_INTEGER);
  expect(audit.map((e) => e.outcome)).toEqual(['failed']);
  expect(audit[0].reason).toMatch(reason);
  expect(w.notifications).toHaveLength(1);
  expect(w.notifications[0].subject).toMatch(/runbook FAILED/);
  expect(w.notifications[0].body).toMatchObject({ outcome: 'failed' });
}

/** Nothing half-done on RDS: the instances are exactly `ids`, every replica of ours carries our tags, nothing deleted. */
function nothingHalfDone(w: World, ids: string[]) {
  expect([...w.rds.instances.keys()].sort()).toEqual([...ids].sort());
  for (const i of w.rds.instances.values()) {
    if (i.id.startsWith('orders-db-ro-')) expect(i.tags).toMatchObject({ [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: 'orders-db' });
  }
  expect(w.rds.calls(DeleteDBInstanceCommand)).toHaveLength(0);
}

test('R07 replica quota: a source already at 15 read replicas is refused before any create; reported once, not retried', async () => {
  const w = replicasWorld(15);

  const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'orders-db-add-1-quota');

  await reportedOnce(w, 'orders-db', run, /already has 15 replicas/);
  expect(run.calls.map((c) => c.state)).toEqual(['Reconcile', 'NotifyFailure']);
  expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(0);
  nothingHalfDone(w, ['orders-primary', ...Array.from({ length: 15 }, (_, i) => `other-reader-${i + 1}`)]);
});

test('R07 InsufficientDBInstanceCapacity on create: one attempt, reported once, no replica left behind, no second create', async () => {
  const w = replicasWorld();
  w.rds.faults.create = { error: awsError('InsufficientDBInstanceCapacityFault', 'Cannot create a db.r6g.xlarge in us-east-1a'), times: 1000 };

  const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'orders-db-add-1-capacity');

  await reportedOnce(w, 'orders-db', run, /InsufficientDBInstanceCapacity/);
  expect(run.calls.map((c) => c.state)).toEqual(['Reconcile', 'CreateReplica', 'NotifyFailure']);
  expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(1);
  nothingHalfDone(w, ['orders-primary']);
});

test('R07 InvalidParameterCombination on create: one attempt, reported once, no replica left behind, no second create', async () => {
  const w = replicasWorld();
  w.rds.faults.create = { error: awsError('InvalidParameterCombination', 'The parameter combination is not valid for a read replica'), times: 1000 };

  const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'orders-db-add-1-params');

  await reportedOnce(w, 'orders-db', run, /InvalidParameterCombination/);
  expect(run.calls.map((c) => c.state)).toEqual(['Reconcile', 'CreateReplica', 'NotifyFailure']);
  expect(w.rds.calls(CreateDBInstanceReadReplicaCommand)).toHaveLength(1);
  nothingHalfDone(w, ['orders-primary']);
});

test('R07 InvalidParameterCombination on a Redis modification: one attempt, reported once, the group as it was', async () => {
  const w = world(config, synthesized);
  w.elastiCache.faults.modify = { error: awsError('InvalidParameterCombinationException', 'Cannot modify the node type with these parameters'), times: 1000 };

  const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'cache-up-params');

  await reportedOnce(w, 'cache', run, /InvalidParameterCombination/);
  expect(run.calls.map((c) => c.state)).toEqual(['CheckPreconditions', 'ModifyGroup', 'NotifyFailure']);
  expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toHaveLength(1);
  expect(w.elastiCache.group).toMatchObject({ status: 'available', nodeType: 'cache.r7g.large', shards: 1, replicas: 1 });
});

test('R07 a Redis node type ListAllowedNodeTypeModifications does not allow: reported once, never modified', async () => {
  const w = world(config, synthesized);
  w.elastiCache.allowed = { up: ['cache.r7g.2xlarge'], down: [] };

  const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'cache-up-not-allowed');

  await reportedOnce(w, 'cache', run, /not in ListAllowedNodeTypeModifications/);
  expect(run.calls.map((c) => c.state)).toEqual(['CheckPreconditions', 'NotifyFailure']);
  expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toHaveLength(0);
  expect(w.elastiCache.group).toMatchObject({ status: 'available', nodeType: 'cache.r7g.large' });
});
