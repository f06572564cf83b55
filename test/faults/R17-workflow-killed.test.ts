/**
 * R17: a runbook execution killed midway (stopped, timed out, its task's function gone) leaves the
 * resource half-way; the next run of the same goal reconciles from what AWS reports. Through the real
 * runbook definitions, each run is killed after every task in turn, and after the next run nothing is
 * orphaned or untagged and nothing was done twice (asserted on the fake AWS's resources, tags and calls).
 */

import { DecreaseReplicaCountCommand, IncreaseReplicaCountCommand, ModifyReplicationGroupCommand } from '@aws-sdk/client-elasticache';
import { CreateDBInstanceReadReplicaCommand, DeleteDBInstanceCommand } from '@aws-sdk/client-rds';
import { EXECUTION_TAG, MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { type World, world } from '../runbooks/context';
import { dataConfig } from '../runbooks/fixtures';
import { type SynthesizedRunbooks, synthesizeRunbooks } from '../runbooks/harness';

const config = dataConfig([], { cache: { maxReplicasPerShard: 3, minReplicasPerShard: 1 } });
let synthesized: SynthesizedRunbooks;
beforeAll(() => {
  synthesized = synthesizeRunbooks(config);
});

const PARAM = '/shop/orders-db/reader-endpoints';

function replicasWorld(ours: number) {
  const w = world(config, synthesized);
  w.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge' });
  w.rds.add({ id: 'legacy-reader', status: 'available', sourceId: 'orders-primary' });
  for (let i = 1; i <= ours; i++) {
    w.rds.add({
      id: `orders-db-ro-${i}`,
      status: 'available',
      sourceId: 'orders-primary',
      tags: { [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: 'orders-db', [EXECUTION_TAG]: 'earlier' },
    });
  }
  return w;
}

/** The number of tasks a run of `goal` takes undisturbed. */
async function tasksOf(make: () => World, machine: string, goal: Record<string, unknown>): Promise<number> {
  const run = await make().run(machine, goal, 'undisturbed');
  expect(run.error).toBeUndefined();
  return run.calls.length;
}

/** Runs `goal` killed after its `k`-th task, then again to the end; returns the world and the two runs. */
async function killedThenRerun(make: () => World, machine: string, goal: Record<string, unknown>, k: number) {
  const w = make();
  let seen = 0;
  const killed = await w.run(machine, goal, `killed-${k}`, () => ++seen === k);
  expect(killed.aborted).toBe(true);
  const next = await w.run(machine, goal, `next-${k}`);
  return { w, killed, next };
}

/** The state after the reconciling run: exactly `ids` are our replicas, all available and tagged; the rest untouched. */
function reconciled(w: World, ids: string[]) {
  const replicas = [...w.rds.instances.values()].filter((i) => i.sourceId === 'orders-primary');
  expect(replicas.map((r) => r.id).sort()).toEqual(['legacy-reader', ...ids].sort());
  for (const r of replicas.filter((x) => x.id !== 'legacy-reader')) {
    expect(r.status).toBe('available');
    expect(r.tags).toMatchObject({ [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: 'orders-db', [EXECUTION_TAG]: expect.any(String) });
  }
  // every instance the runbook ever asked for is either one of the replicas kept or was deleted by it
  const created = w.rds.calls(CreateDBInstanceReadReplicaCommand).map((c) => c.DBInstanceIdentifier as string);
  const deleted = w.rds.calls(DeleteDBInstanceCommand).map((c) => c.DBInstanceIdentifier as string);
  for (const id of created) expect(ids.includes(id) || deleted.includes(id)).toBe(true);
  expect(deleted).not.toContain('legacy-reader');
  expect(new Set(deleted).size).toBe(deleted.length);
  const readers = (JSON.parse(w.ssm.parameters.get(PARAM) ?? '{"readers":[]}') as { readers: { id: string }[] }).readers.map((r) => r.id);
  expect(readers.sort()).toEqual(['legacy-reader', ...ids].sort());
  return { created, deleted };
}

test('R17 a replica workflow killed midway (after any of its tasks, adding two replicas): the next run reconciles; nothing orphaned, untagged or made twice', async () => {
  // Two at once is past the one-replica-per-run step: forced, so one run has every task of a longer convergence.
  const goal = { targetId: 'orders-db', desiredReplicas: 2, force: true };
  const n = await tasksOf(() => replicasWorld(0), 'RdsReplicas', goal);
  expect(n).toBeGreaterThanOrEqual(6);
  for (let k = 1; k < n; k++) {
    const { w, next } = await killedThenRerun(() => replicasWorld(0), 'RdsReplicas', goal, k);
    expect({ k, error: next.error?.message }).toEqual({ k, error: undefined });
    const { created, deleted } = reconciled(w, ['orders-db-ro-1', 'orders-db-ro-2']);
    expect({ k, created }).toEqual({ k, created: ['orders-db-ro-1', 'orders-db-ro-2'] });
    expect(deleted).toEqual([]);
  }
});

test('R17 a replica workflow killed midway (after any of its tasks, removing two replicas): the next run reconciles; only ours removed, none twice', async () => {
  const goal = { targetId: 'orders-db', desiredReplicas: 1, force: true };
  const n = await tasksOf(() => replicasWorld(3), 'RdsReplicas', goal);
  for (let k = 1; k < n; k++) {
    const { w, next } = await killedThenRerun(() => replicasWorld(3), 'RdsReplicas', goal, k);
    expect({ k, error: next.error?.message }).toEqual({ k, error: undefined });
    const { created, deleted } = reconciled(w, ['orders-db-ro-1']);
    expect(created).toEqual([]);
    expect({ k, deleted: [...deleted].sort() }).toEqual({ k, deleted: ['orders-db-ro-2', 'orders-db-ro-3'] });
  }
});

test('R17 a Redis workflow killed midway (after any of its tasks, node type and replicas): the next run reconciles; each change made once', async () => {
  const goal = { targetId: 'cache', nodeType: 'cache.r7g.xlarge', replicasPerShard: 2 };
  const n = await tasksOf(() => world(config, synthesized), 'Redis', goal);
  expect(n).toBeGreaterThanOrEqual(6);
  for (let k = 1; k < n; k++) {
    const { w, next } = await killedThenRerun(() => world(config, synthesized), 'Redis', goal, k);
    expect({ k, error: next.error?.message }).toEqual({ k, error: undefined });
    expect(w.elastiCache.group).toMatchObject({ status: 'available', nodeType: 'cache.r7g.xlarge', replicas: 2, shards: 1, pending: {} });
    expect({ k, modify: w.elastiCache.calls(ModifyReplicationGroupCommand).length }).toEqual({ k, modify: 1 });
    expect({ k, increase: w.elastiCache.calls(IncreaseReplicaCountCommand).length }).toEqual({ k, increase: 1 });
    expect(w.elastiCache.calls(DecreaseReplicaCountCommand)).toHaveLength(0);
    const audit = await w.store.listAudit('cache', 0, Number.MAX_SAFE_INTEGER);
    expect(audit.find((e) => e.eventId === `next-${k}`)).toMatchObject({ outcome: 'applied' });
  }
});
