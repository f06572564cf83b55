/**
 * R23: replica removal touches only an instance that is, right before the delete, still a read replica
 * of the configured source (Aurora: a reader of the configured cluster, not its writer), tagged by this
 * deployment and this target, and `available`; never a promoted one (its tags survive promotion). Each
 * case changes the chosen replica between the reconcile task that chose it and the delete task, through
 * the synthesized ASL with the real task handler. A read replica gets no final snapshot (AWS refuses
 * one for a replica); its automated backups are kept unless the target says otherwise.
 */
import { DeleteDBInstanceCommand } from '@aws-sdk/client-rds';
import { parseConfig } from '../../lambdas/shared/config';
import { EXECUTION_TAG, MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { type World, world } from '../runbooks/context';
import type { FakeInstance } from '../runbooks/fake-aws';
import { AURORA_REPLICAS, RDS_REPLICAS } from '../runbooks/fixtures';
import { type SynthesizedRunbooks, synthesizeRunbooks } from '../runbooks/harness';

const config = parseConfig({
  prefix: 'shop',
  targets: [RDS_REPLICAS, AURORA_REPLICAS, { ...RDS_REPLICAS, id: 'events-db', sourceInstanceIdentifier: 'events-primary', deleteAutomatedBackups: true }],
});
let synthesized: SynthesizedRunbooks;
beforeAll(() => {
  synthesized = synthesizeRunbooks(config);
});

const ours = (targetId: string) => ({ [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: targetId, [EXECUTION_TAG]: 'earlier' });

/** orders-primary with ro-1 and ro-2, both ours and available; quiet metrics, so one may go. */
function twoReplicas(): World {
  const w = world(config, synthesized);
  w.quiet();
  w.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge' });
  w.rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: ours('orders-db') });
  w.rds.add({ id: 'orders-db-ro-2', status: 'available', sourceId: 'orders-primary', tags: ours('orders-db') });
  return w;
}

/** Runs the removal to 1, changing the replica the reconcile task chose before the delete task looks; stops after the delete task. */
async function removeWith(w: World, change: (replica: FakeInstance) => void, machineTarget = 'orders-db') {
  let chosen: string | undefined;
  const run = await w.run('RdsReplicas', { targetId: machineTarget, desiredReplicas: machineTarget === 'reports-db' ? 0 : 1 }, 'remove-one', (state, out) => {
    const o = out as { step?: string; replicaId?: string };
    if (state === 'Reconcile' && o.step === 'remove' && !chosen) {
      chosen = o.replicaId!;
      change(w.rds.instances.get(chosen)!);
    }
    return state === 'DeleteReplica';
  });
  expect(chosen).toBeDefined();
  const audit = await w.store.listAudit(machineTarget, 0, Number.MAX_SAFE_INTEGER);
  return { run, chosen: chosen!, reason: audit.find((e) => e.eventId === 'remove-one')?.reason ?? '' };
}

describe('R23 the delete task re-describes the replica and checks every condition', () => {
  test('promoted to a standalone instance between reconcile and remove (its tags survive): not deleted, the run fails saying so', async () => {
    const w = twoReplicas();
    const { run, chosen, reason } = await removeWith(w, (r) => (r.sourceId = undefined));
    expect(run.error).toBeDefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([]);
    expect(w.rds.instances.get(chosen)).toMatchObject({ status: 'available', tags: ours('orders-db') });
    expect(reason).toMatch(new RegExp(`${chosen} is no longer a read replica of orders-primary \\(it was promoted to a standalone instance\\): not deleted`));
  });

  test('untagged meanwhile: not deleted', async () => {
    const w = twoReplicas();
    const { run, reason } = await removeWith(w, (r) => (r.tags = {}));
    expect(run.error).toBeDefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([]);
    expect(reason).toMatch(/does not carry autoscaler:managed-by=shop and autoscaler:target=orders-db: not the autoscaler's to delete/);
  });

  test('tagged by another deployment: not deleted', async () => {
    const w = twoReplicas();
    const { run } = await removeWith(w, (r) => (r.tags = { ...r.tags, [MANAGED_BY_TAG]: 'staging' }));
    expect(run.error).toBeDefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([]);
  });

  test('tagged for another target of this deployment: not deleted', async () => {
    const w = twoReplicas();
    const { run } = await removeWith(w, (r) => (r.tags = { ...r.tags, [TARGET_TAG]: 'events-db' }));
    expect(run.error).toBeDefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([]);
  });

  test('a replica of another source: not deleted', async () => {
    const w = twoReplicas();
    w.rds.add({ id: 'events-primary', status: 'available', engine: 'postgres' });
    const { run, reason } = await removeWith(w, (r) => (r.sourceId = 'events-primary'));
    expect(run.error).toBeDefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([]);
    expect(reason).toMatch(/is no longer a read replica of orders-primary \(its source is events-primary\)/);
  });

  test('not available (modifying): not deleted now; the run goes back to waiting', async () => {
    const w = twoReplicas();
    const { run, chosen } = await removeWith(w, (r) => (r.status = 'modifying'));
    expect(run.aborted).toBe(true);
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([]);
    const last = run.calls.at(-1)!;
    expect(last.state).toBe('DeleteReplica');
    expect(w.rds.instances.get(chosen)?.status).toBe('modifying');
  });

  test('Aurora: a reader that a failover made the writer meanwhile: not deleted', async () => {
    const w = world(config, synthesized);
    w.quiet();
    w.rds.clusters.set('reports-cluster', { id: 'reports-cluster', status: 'available', engine: 'aurora-postgresql', backupRetentionPeriod: 1 });
    w.rds.add({ id: 'reports-writer', status: 'available', clusterId: 'reports-cluster', engine: 'aurora-postgresql', tags: { role: 'writer' } });
    w.rds.add({ id: 'reports-db-ro-1', status: 'available', clusterId: 'reports-cluster', engine: 'aurora-postgresql', tags: ours('reports-db') });
    const { run, reason } = await removeWith(
      w,
      (r) => {
        r.tags = { ...r.tags, role: 'writer' };
        w.rds.instances.get('reports-writer')!.tags = {};
      },
      'reports-db',
    );
    expect(run.error).toBeDefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([]);
    expect(reason).toMatch(/reports-db-ro-1 is the writer of Aurora cluster reports-cluster/);
  });

  test('Aurora: an instance moved out of the configured cluster: not deleted', async () => {
    const w = world(config, synthesized);
    w.quiet();
    w.rds.clusters.set('reports-cluster', { id: 'reports-cluster', status: 'available', engine: 'aurora-postgresql', backupRetentionPeriod: 1 });
    w.rds.add({ id: 'reports-writer', status: 'available', clusterId: 'reports-cluster', engine: 'aurora-postgresql', tags: { role: 'writer' } });
    w.rds.add({ id: 'reports-db-ro-1', status: 'available', clusterId: 'reports-cluster', engine: 'aurora-postgresql', tags: ours('reports-db') });
    const { run, reason } = await removeWith(w, (r) => (r.clusterId = 'restored-cluster'), 'reports-db');
    expect(run.error).toBeDefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([]);
    expect(reason).toMatch(/is not an instance of Aurora cluster reports-cluster \(it is in restored-cluster\)/);
  });
});

describe('R23 what the delete keeps', () => {
  test('a read replica: no final snapshot (AWS refuses one for a replica), its automated backups kept', async () => {
    const w = twoReplicas();
    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'remove');
    expect(run.error).toBeUndefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([{ DBInstanceIdentifier: 'orders-db-ro-2', SkipFinalSnapshot: true, DeleteAutomatedBackups: false }]);
  });

  test('a target with deleteAutomatedBackups: true has them deleted', async () => {
    const w = world(config, synthesized);
    w.quiet();
    w.rds.add({ id: 'events-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge' });
    w.rds.add({ id: 'events-db-ro-1', status: 'available', sourceId: 'events-primary', tags: ours('events-db') });
    w.rds.add({ id: 'events-db-ro-2', status: 'available', sourceId: 'events-primary', tags: ours('events-db') });
    const run = await w.run('RdsReplicas', { targetId: 'events-db', desiredReplicas: 1 }, 'remove');
    expect(run.error).toBeUndefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([{ DBInstanceIdentifier: 'events-db-ro-2', SkipFinalSnapshot: true, DeleteAutomatedBackups: true }]);
  });

  test('an Aurora reader: SkipFinalSnapshot only (its data is the cluster volume, which stays)', async () => {
    const w = world(config, synthesized);
    w.quiet();
    w.rds.clusters.set('reports-cluster', { id: 'reports-cluster', status: 'available', engine: 'aurora-postgresql', backupRetentionPeriod: 1 });
    w.rds.add({ id: 'reports-writer', status: 'available', clusterId: 'reports-cluster', engine: 'aurora-postgresql', tags: { role: 'writer' } });
    w.rds.add({ id: 'reports-db-ro-1', status: 'available', clusterId: 'reports-cluster', engine: 'aurora-postgresql', tags: ours('reports-db') });
    const run = await w.run('RdsReplicas', { targetId: 'reports-db', desiredReplicas: 0 }, 'remove');
    expect(run.error).toBeUndefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([{ DBInstanceIdentifier: 'reports-db-ro-1', SkipFinalSnapshot: true }]);
  });

  test('the broken-replica cleanup deletes only ours in a broken state, with the same checks', async () => {
    const w = world(config, synthesized);
    w.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge' });
    w.rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: ours('orders-db') });
    w.rds.add({ id: 'orders-db-ro-2', status: 'incompatible-parameters', sourceId: 'orders-primary', tags: ours('orders-db') });
    w.rds.add({ id: 'legacy-broken', status: 'failed', sourceId: 'orders-primary' });
    const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 1 }, 'cleanup');
    expect(run.error).toBeUndefined();
    expect(w.rds.calls(DeleteDBInstanceCommand)).toEqual([{ DBInstanceIdentifier: 'orders-db-ro-2', SkipFinalSnapshot: true, DeleteAutomatedBackups: false }]);
  });
});
