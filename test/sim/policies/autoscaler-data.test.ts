/**
 * The autoscaler on the data-tier workloads, end to end: alarms and the schedule into the real
 * database handler, the real runbook (synthesized ASL) started under its deterministic name and run
 * on simulated time, its real tasks calling the in-memory RDS, ElastiCache and SSM.
 */
import { MANAGED_BY_TAG, TARGET_TAG } from '../../../lambdas/shared/tags';
import type { CacheWorld } from '../../../sim/data/cache-world';
import { dataConfig, lowMarkFor, runDataAutoscaler, SIM_CACHE, SIM_SOURCE } from '../../../sim/policies/autoscaler-data';
import { scoreWorld } from '../../../sim/runner';
import { parseScenario } from '../../../sim/scenario';
import { T0, traceOf } from '../helpers';

const MIN = 60_000;

function scenario(workload: Record<string, unknown>, target: Record<string, unknown>) {
  return parseScenario({ name: 'test-data', trace: { file: 'x.csv' }, workload, target }, 'test', '/tmp');
}

describe('the autoscaler policy on a database scenario', () => {
  // 200 queries/s (180 reads) for 2 hours, then 20/s for 3 hours; one instance serves 100/s at 100% CPU.
  const db = scenario({ kind: 'database', unitCapacity: 100, readShare: 0.9, initialUnits: 1 }, { minUnits: 1, maxUnits: 4, targetUtilization: 80 });
  const trace = traceOf([...new Array(120).fill(12_000), ...new Array(180).fill(1_200)]);

  test("its config is an rds-replicas target on the source with the scenario's bounds and its target as the CPU high mark", () => {
    expect(dataConfig(db).targets[0]).toMatchObject({
      id: 'db',
      kind: 'rds-replicas',
      sourceInstanceIdentifier: SIM_SOURCE,
      minReplicas: 1,
      maxReplicas: 4,
      cpuHighPercent: 80,
      cpuLowPercent: 30,
    });
    const at70 = scenario({ kind: 'database', unitCapacity: 100 }, { maxUnits: 4 });
    expect(dataConfig(at70).targets[0]).toMatchObject({ cpuHighPercent: 70, cpuLowPercent: 30 });
    const at20 = scenario({ kind: 'database', unitCapacity: 100 }, { maxUnits: 4, targetUtilization: 20 });
    expect(dataConfig(at20).targets[0]).toMatchObject({ cpuHighPercent: 20, cpuLowPercent: 7.5 });
  });

  test('the low mark stays below the high one at any target', () => {
    for (const high of [1, 2, 10, 30, 31, 50, 80, 100]) {
      expect(lowMarkFor(high)).toBeLessThan(high);
      expect(lowMarkFor(high)).toBeGreaterThan(0);
    }
  });

  test('hot replicas get more, one runbook run at a time; quiet ones are removed down to the minimum', async () => {
    const run = await runDataAutoscaler(db, trace);
    expect(run.failures).toEqual([]);
    expect(run.executions.length).toBeGreaterThan(0);
    expect(run.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
    // Every change is one replica, never past the bounds.
    for (const a of run.world.actions) expect(Math.abs(a.to - a.from)).toBe(1);
    expect(Math.max(...run.world.billed)).toBe(3);
    expect(Math.min(...run.world.billed)).toBe(1);
    expect(run.world.billed[run.world.steps - 1]).toBe(1);
    // The first replica is asked for within minutes: the replicas' CPU is read every minute.
    const creates = run.calls.of('rds', 'CreateDBInstanceReadReplicaCommand');
    expect((creates[0].at - T0) / MIN).toBeLessThan(10);
    expect(creates.map((c) => (c.input as { DBInstanceIdentifier: string }).DBInstanceIdentifier)).toEqual(['db-ro-2', 'db-ro-3']);
    const tags = (creates[0].input as { Tags: { Key: string; Value: string }[] }).Tags;
    expect(tags).toEqual(
      expect.arrayContaining([
        { Key: MANAGED_BY_TAG, Value: 'sim' },
        { Key: TARGET_TAG, Value: 'db' },
      ]),
    );
    // Removals: the newest first, an hour apart (the scale-in cooldown).
    const deletes = run.calls.of('rds', 'DeleteDBInstanceCommand');
    expect(deletes.map((c) => (c.input as { DBInstanceIdentifier: string }).DBInstanceIdentifier)).toEqual(['db-ro-3', 'db-ro-2']);
    expect(deletes[1].at - deletes[0].at).toBeGreaterThanOrEqual(3600_000);
    // Each run published the readers for the Django router.
    const published = run.calls.of('ssm', 'PutParameterCommand').map((c) => JSON.parse((c.input as { Value: string }).Value).readers.length);
    expect(published).toContain(3);
    expect(published[published.length - 1]).toBe(1);
    // Reads overflowed the single replica until the others were ready, and not after.
    const score = scoreWorld(db, run.world);
    expect(score.violationPct).toBeGreaterThan(0);
    expect(score.violationPct).toBeLessThan(15);
  });
});

describe('the autoscaler policy on a cache scenario', () => {
  // 1 MiB keys that never expire, 100 a minute: 13.07 GiB nodes hold 10,035 of them (75% of memory),
  // filling 1% of it a minute: the 20% above the high mark last longer than noticing (5 minutes
  // sustained, 2 minutes of CloudWatch delay) and resizing (600 s) take.
  const cache = scenario(
    { kind: 'cache', unitCapacity: 100_000, itemBytes: 1024 * 1024, ttlSeconds: 10_000_000, nodeType: 'cache.r7g.large', provisioningSeconds: 600 },
    { minUnits: 1, maxUnits: 3, targetUtilization: 80, nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'] },
  );
  const trace = traceOf(new Array(400).fill(100));

  test('its config is a redis target on the group with the ladder, the shard bounds and its target as the memory high mark', () => {
    expect(dataConfig(cache).targets[0]).toMatchObject({
      id: 'cache',
      kind: 'redis',
      replicationGroupId: SIM_CACHE,
      minShards: 1,
      maxShards: 3,
      nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'],
      memoryHighPercent: 80,
      memoryLowPercent: 30,
    });
    const at70 = scenario(
      { kind: 'cache', unitCapacity: 100_000, nodeType: 'cache.r7g.large' },
      { maxUnits: 3, nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'] },
    );
    expect(dataConfig(at70).targets[0]).toMatchObject({ memoryHighPercent: 70, memoryLowPercent: 30 });
  });

  test('a filling cache takes the cheaper of more shards and a larger node, each change through the runbook', async () => {
    const run = await runDataAutoscaler(cache, trace);
    expect(run.failures).toEqual([]);
    expect(run.executions.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
    const changes = run.calls.calls.filter((c) => c.service === 'elasticache' && /^Modify/.test(c.command)).map((c) => c.command);
    // 2 x large (26.14 GiB) costs less than 1 x xlarge (26.32), 3 x large less than 2 x xlarge; at
    // maxShards only the node type can grow.
    expect(changes).toEqual([
      'ModifyReplicationGroupShardConfigurationCommand',
      'ModifyReplicationGroupShardConfigurationCommand',
      'ModifyReplicationGroupCommand',
    ]);
    // Never two changes at once: each starts after the previous one is done (600 s).
    const at = run.world.actions.map((a) => a.at);
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(600);
    const world = run.world as CacheWorld;
    expect(world.group()).toMatchObject({ nodeType: 'cache.r7g.xlarge', shards: 3 });
    // Decided ahead of full: nothing was evicted.
    expect(scoreWorld(cache, run.world).violationPct).toBe(0);
  });

  test('at maxShards, memory creeping above the high mark keeps the node type: eviction is beyond a resize away', async () => {
    // One shard: 75% in 75 minutes, then 0.05% a minute for 200 minutes (85%), then nothing. Above
    // the 80% mark memory grows 0.05% x 70 minutes = 3.5 points per resize (and noticing), far from
    // the critical 90%: the old rule moved up at 80% and doubled the node memory for nothing.
    const one = scenario(
      { kind: 'cache', unitCapacity: 100_000, itemBytes: 1024 * 1024, ttlSeconds: 10_000_000, nodeType: 'cache.r7g.large', provisioningSeconds: 600 },
      { minUnits: 1, maxUnits: 1, targetUtilization: 80, nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge'] },
    );
    const creeping = traceOf([...new Array(75).fill(100), ...new Array(200).fill(5), ...new Array(100).fill(0)]);
    const run = await runDataAutoscaler(one, creeping);
    expect(run.failures).toEqual([]);
    const world = run.world as CacheWorld;
    expect(Math.max(...Array.from(world.memoryPct).filter((m) => !Number.isNaN(m)))).toBeGreaterThan(84);
    expect(run.calls.calls.filter((c) => c.service === 'elasticache' && /^Modify/.test(c.command))).toEqual([]);
    expect(world.group()).toMatchObject({ nodeType: 'cache.r7g.large', shards: 1 });
    expect(scoreWorld(one, run.world).violationPct).toBe(0);
  });
});
