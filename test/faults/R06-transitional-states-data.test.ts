/**
 * R06 (data part): InvalidDBInstanceState and InvalidReplicationGroupState are transitional states of
 * RDS and ElastiCache (backing-up, modifying, snapshotting). Through the real runbook definitions (ASL
 * from the synthesized template, run by aws-local-stepfunctions, every task the real task handler), they
 * are waited out with the state machine's ResourceBusy backoff and the change is then made once; one
 * that outlasts every retry fails the run, reported once, with nothing made.
 */

import { ModifyReplicationGroupCommand } from '@aws-sdk/client-elasticache';
import { CreateDBInstanceReadReplicaCommand } from '@aws-sdk/client-rds';
import { EXECUTION_TAG, MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { BUSY_RETRY } from '../../lib/runbooks/runbook';
import { world } from '../runbooks/context';
import { awsError } from '../runbooks/fake-aws';
import { dataConfig } from '../runbooks/fixtures';
import { type SynthesizedRunbooks, synthesizeRunbooks } from '../runbooks/harness';

const config = dataConfig();
let synthesized: SynthesizedRunbooks;
beforeAll(() => {
  synthesized = synthesizeRunbooks(config);
});

const BACKING_UP = () => awsError('InvalidDBInstanceStateFault', 'Instance orders-primary is currently backing-up');
const MODIFYING = () => awsError('InvalidReplicationGroupStateFault', 'Replication group shop-cache is not in available state');

function replicasWorld() {
  const w = world(config, synthesized);
  w.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge' });
  return w;
}

test('R06 InvalidDBInstanceState is waited out (ResourceBusy backoff in the state machine), then one tagged replica is made', async () => {
  const w = replicasWorld();
  w.rds.faults.create = { error: BACKING_UP(), times: 3 };

  const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'orders-db-add-1-busy');

  expect(run.error).toBeUndefined();
  // the same task state was retried by the state machine (not looped in the handler): 3 refusals, 1 success
  expect(run.calls.filter((c) => c.state === 'CreateReplica')).toHaveLength(4);
  expect(w.rds.calls(CreateDBInstanceReadReplicaCommand).map((c) => c.DBInstanceIdentifier)).toEqual(Array(4).fill('orders-db-ro-1'));
  const replicas = [...w.rds.instances.values()].filter((i) => i.sourceId === 'orders-primary');
  expect(replicas).toHaveLength(1);
  expect(replicas[0]).toMatchObject({ id: 'orders-db-ro-1', status: 'available' });
  expect(replicas[0].tags).toMatchObject({ [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: 'orders-db', [EXECUTION_TAG]: 'orders-db-add-1-busy' });
  const audit = await w.store.listAudit('orders-db', 0, Number.MAX_SAFE_INTEGER);
  expect(audit.map((e) => e.outcome)).toEqual(['applied']);
  expect(w.notifications).toHaveLength(1);
  expect(w.notifications[0].subject).toMatch(/runbook done/);
});

test('R06 InvalidDBInstanceState that outlasts every retry fails the run once: reported once, no replica made', async () => {
  const w = replicasWorld();
  w.rds.faults.create = { error: BACKING_UP(), times: 1000 };

  const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'orders-db-add-1-stuck');

  expect(run.error).toBeDefined();
  expect(run.calls.filter((c) => c.state === 'CreateReplica')).toHaveLength(BUSY_RETRY.maxAttempts + 1);
  expect(run.calls.at(-1)?.state).toBe('NotifyFailure');
  expect([...w.rds.instances.keys()]).toEqual(['orders-primary']);
  const audit = await w.store.listAudit('orders-db', 0, Number.MAX_SAFE_INTEGER);
  expect(audit.map((e) => e.outcome)).toEqual(['failed']);
  expect(audit[0].reason).toMatch(/InvalidDBInstanceState/);
  expect(w.notifications).toHaveLength(1);
  expect(w.notifications[0].subject).toMatch(/FAILED/);
});

test('R06 InvalidReplicationGroupState is waited out (ResourceBusy backoff in the state machine), then the node type is changed once', async () => {
  const w = world(config, synthesized);
  w.elastiCache.faults.modify = { error: MODIFYING(), times: 3 };

  const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'cache-up-busy');

  expect(run.error).toBeUndefined();
  expect(run.calls.filter((c) => c.state === 'ModifyGroup')).toHaveLength(4);
  expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toEqual(
    Array(4).fill({ ReplicationGroupId: 'shop-cache', CacheNodeType: 'cache.r7g.xlarge', ApplyImmediately: true }),
  );
  expect(w.elastiCache.group).toMatchObject({ status: 'available', nodeType: 'cache.r7g.xlarge', replicas: 1, shards: 1 });
  const audit = await w.store.listAudit('cache', 0, Number.MAX_SAFE_INTEGER);
  expect(audit.map((e) => e.outcome)).toEqual(['applied']);
  expect(w.notifications).toHaveLength(1);
});

test('R06 InvalidReplicationGroupState that outlasts every retry fails the run once: reported once, the group unchanged', async () => {
  const w = world(config, synthesized);
  w.elastiCache.faults.modify = { error: MODIFYING(), times: 1000 };

  const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge' }, 'cache-up-stuck');

  expect(run.error).toBeDefined();
  expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toHaveLength(BUSY_RETRY.maxAttempts + 1);
  expect(w.elastiCache.group).toMatchObject({ status: 'available', nodeType: 'cache.r7g.large' });
  const audit = await w.store.listAudit('cache', 0, Number.MAX_SAFE_INTEGER);
  expect(audit.map((e) => e.outcome)).toEqual(['failed']);
  expect(w.notifications).toHaveLength(1);
  expect(w.notifications[0].subject).toMatch(/FAILED/);
});
