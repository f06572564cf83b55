/**
 * R22: the runbooks re-check the engine's rules when they act. Started by hand or late, a run is held
 * to one rung (or the engine's step) from where it started, the bounds, the cooldowns of the target's
 * record (the run the database function started is exempt from the cooldown its own start set, and
 * only that run), the node types AWS allows, the target's own settings, and before any move down the
 * engine's fit check on current metrics (GetMetricData at the write). `force: true` passes over the
 * step, cooldown and fit rules, never the others, and is audited and notified. set-capacity holds to the
 * capacity and queue engines' step and cooldowns the same way, and clamps its count to the bounds in
 * force, the group's own and the busy workers, forced or not. Through the synthesized
 * ASL with the real task handler; the database function is the real one where it starts the run.
 */

import {
  DecreaseReplicaCountCommand,
  IncreaseReplicaCountCommand,
  ModifyReplicationGroupCommand,
  ModifyReplicationGroupShardConfigurationCommand,
} from '@aws-sdk/client-elasticache';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { createDatabaseHandler } from '../../lambdas/scalers/database/handler';
import type { DatabaseResult } from '../../lambdas/scalers/database/service';
import { REEVALUATE_SOURCE } from '../../lambdas/shared/alarms';
import { parseConfig } from '../../lambdas/shared/config';
import { rdsInstanceMetrics } from '../../lambdas/shared/kinds/rds-instance';
import { replicaSourceMetrics } from '../../lambdas/shared/kinds/rds-replicas';
import { redisNodeMetrics } from '../../lambdas/shared/kinds/redis';
import { EXECUTION_TAG, MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import type { StateStore } from '../../lambdas/state/store';
import { FakeCloudWatch } from '../../sim/cloud/cloudwatch';
import { CallLog } from '../../sim/cloud/recorder';
import { NOW, type World, world } from '../runbooks/context';
import { awsError } from '../runbooks/fake-aws';
import { RDS_REPLICAS, RDS_STORAGE } from '../runbooks/fixtures';
import { type SynthesizedRunbooks, synthesizeRunbooks } from '../runbooks/harness';
import { lambdaContext } from './support';

const LADDER = ['cache.r7g.large', 'cache.r7g.xlarge', 'cache.r7g.2xlarge', 'cache.r7g.4xlarge'];
const CLASSES = ['db.r6g.large', 'db.r6g.xlarge', 'db.r6g.2xlarge', 'db.r6g.4xlarge'];
const config = parseConfig({
  prefix: 'shop',
  targets: [
    RDS_REPLICAS,
    {
      kind: 'redis',
      id: 'cache',
      replicationGroupId: 'shop-cache',
      nodeTypeLadder: LADDER,
      minShards: 1,
      maxShards: 8,
      minReplicasPerShard: 0,
      maxReplicasPerShard: 3,
    },
    RDS_STORAGE,
    { kind: 'rds-instance', id: 'billing-class', instanceIdentifier: 'billing-primary', instanceClassLadder: CLASSES },
    { kind: 'asg', id: 'web', autoScalingGroupName: 'shop-web', minCapacity: 2, maxCapacity: 10 },
    {
      kind: 'queue-workers',
      id: 'celery',
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/celery-default',
      workers: { kind: 'asg', autoScalingGroupName: 'shop-workers' },
      messagesPerSecondPerWorker: 2,
      maxCapacity: 20,
      // A step and a cooldown the runbook must hold to (the defaults are no step and one poll).
      maxStepDownRatio: 0.5,
      scaleInCooldownSeconds: 120,
    },
    { kind: 'ecs-service', id: 'batch', cluster: 'shop', service: 'batch', minCapacity: 1, maxCapacity: 20 },
  ],
  // Open at NOW (Monday 12:00 UTC): batch may have at most 6.
  windows: [{ name: 'midday', target: 'batch', start: 'cron(0 11 * * ? *)', durationMinutes: 120, maxCapacity: 6 }],
});
let synthesized: SynthesizedRunbooks;
beforeAll(() => {
  synthesized = synthesizeRunbooks(config);
});

const OURS = { [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: 'orders-db', [EXECUTION_TAG]: 'earlier' };

/** Every AWS write so far. */
function writes(w: World): string[] {
  return [
    ...[w.rds.mock, w.elastiCache.mock, w.ssm.mock, w.route53.mock].flatMap((m) =>
      m.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, '')),
    ),
    ...w.fleetCalls.calls.map((c) => c.command.replace(/Command$/, '')),
  ].filter((n) => !/^(Describe|Get|List)/.test(n));
}

/** The engine memory the family function leaves after its last change (capacity: scale-out and -in; queue: any change). */
async function engineMemory(store: StateStore, targetId: string, memory: Record<string, unknown>): Promise<void> {
  await store.acquireLease(targetId, 'seed', NOW, 60);
  await store.saveTarget({ targetId, memory: { recommendations: [], arrivals: [], ...memory } }, 'seed');
  await store.releaseLease(targetId, 'seed');
}

/** The reason the run's end recorded in the audit trail (the notify task's entry). */
async function endReason(w: World, targetId: string, execution: string): Promise<string> {
  const entries = await w.store.listAudit(targetId, 0, Number.MAX_SAFE_INTEGER);
  return entries.find((e) => e.eventId === execution && e.outcome !== 'control')?.reason ?? '(no entry)';
}

/** A Redis group in cluster mode: `nodeType`, `shards` of 1 + `replicas`; AWS allows every other type of the ladder. */
function redisGroup(w: World, shape: { nodeType: string; shards: number; replicas: number }): void {
  Object.assign(w.elastiCache.group, { ...shape, clusterMode: true });
  w.elastiCache.allowed = { up: LADDER.slice(LADDER.indexOf(shape.nodeType) + 1), down: LADDER.slice(0, LADDER.indexOf(shape.nodeType)) };
}

function replicasSource(w: World, ours: number): void {
  w.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge', allocatedGiB: 100 });
  for (let i = 1; i <= ours; i++) w.rds.add({ id: `orders-db-ro-${i}`, status: 'available', sourceId: 'orders-primary', tags: OURS });
}

/** The target's record as the database function leaves it after starting `execution` at `at`. */
async function lastAction(store: StateStore, targetId: string, at: number, execution: string): Promise<void> {
  await store.acquireLease(targetId, 'seed', at, 60);
  await store.saveTarget({ targetId, lastActionAt: at, lastExecution: execution }, 'seed');
  await store.releaseLease(targetId, 'seed');
}

/** Redis node 1 at `memory`% (the others quiet): the fullest node is what a move down is judged on. */
function hotMemory(w: World, memory: number): void {
  w.load(redisNodeMetrics('shop-cache-001').memory, memory, 60);
}

describe("R22 the issue's inputs", () => {
  test('redis {cache.r7g.large, 1 shard, 0 replicas} on a 4xlarge group of 4 shards: refused before any write, naming the rule', async () => {
    const w = world(config, synthesized);
    w.quiet();
    redisGroup(w, { nodeType: 'cache.r7g.4xlarge', shards: 4, replicas: 2 });

    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.large', shards: 1, replicasPerShard: 0 }, 'by-hand');

    expect(run.error).toBeDefined();
    expect(writes(w)).toEqual([]);
    const reason = await endReason(w, 'cache', 'by-hand');
    expect(reason).toContain('cache.r7g.large is 3 rungs below cache.r7g.4xlarge: one rung per run');
    expect(reason).toContain('shards 4 -> 1 removes 3: 1 fewer per run');
    expect(reason).toContain('replicas per shard 2 -> 0 removes 2: 1 fewer per run');
    expect(reason).toContain('(force: true to override)');
    expect(w.elastiCache.group).toMatchObject({ nodeType: 'cache.r7g.4xlarge', shards: 4, replicas: 2 });
  });

  test("rds-instance {applyImmediately: true} over the target's false: refused, the setting named; two rungs at once: refused by the step", async () => {
    const w = world(config, synthesized);
    w.rds.add({ id: 'billing-primary', status: 'available', instanceClass: 'db.r6g.large' });

    const run = await w.run('RdsInstance', { targetId: 'billing-class', instanceClass: 'db.r6g.2xlarge', applyImmediately: true }, 'now-by-hand');
    expect(run.error).toBeDefined();
    expect(await endReason(w, 'billing-class', 'now-by-hand')).toMatch(
      /applyImmediately true is not the setting of "billing-class" \(applyImmediately false\)/,
    );

    const skip = await w.run('RdsInstance', { targetId: 'billing-class', instanceClass: 'db.r6g.2xlarge' }, 'two-rungs');
    expect(skip.error).toBeDefined();
    expect(await endReason(w, 'billing-class', 'two-rungs')).toMatch(
      /db\.r6g\.2xlarge is 2 rungs above db\.r6g\.large: one rung per run \(force: true to override\)/,
    );
    expect(writes(w)).toEqual([]);
  });
});

describe('R22 the step, from where the run started', () => {
  const refused: [string, string, (w: World) => void, Record<string, unknown>, RegExp][] = [
    [
      'rds-replicas: two more',
      'RdsReplicas',
      (w) => replicasSource(w, 1),
      { targetId: 'orders-db', desiredReplicas: 3 },
      /replicas 1 -> 3 adds 2: 1 more per run/,
    ],
    [
      'rds-replicas: two fewer',
      'RdsReplicas',
      (w) => replicasSource(w, 3),
      { targetId: 'orders-db', desiredReplicas: 1 },
      /replicas 3 -> 1 removes 2: 1 fewer per run/,
    ],
    [
      'redis: two rungs up',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.large', shards: 2, replicas: 1 }),
      { targetId: 'cache', nodeType: 'cache.r7g.2xlarge' },
      /cache\.r7g\.2xlarge is 2 rungs above cache\.r7g\.large/,
    ],
    [
      'redis: two shards in',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.large', shards: 4, replicas: 1 }),
      { targetId: 'cache', shards: 2 },
      /shards 4 -> 2 removes 2: 1 fewer per run/,
    ],
    [
      'redis: two replicas per shard more',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.large', shards: 2, replicas: 1 }),
      { targetId: 'cache', replicasPerShard: 3 },
      /replicas per shard 1 -> 3 adds 2: 1 more per run/,
    ],
    [
      'rds-storage: more than one growth step',
      'RdsStorage',
      (w) => replicasSource(w, 0),
      { targetId: 'orders-disk', allocatedGiB: 200 },
      /200 GiB is more than one growth step above 100 GiB \(at most 120 GiB/,
    ],
    [
      'rds-instance: two rungs down',
      'RdsInstance',
      (w) => w.rds.add({ id: 'billing-primary', status: 'available', instanceClass: 'db.r6g.2xlarge' }),
      { targetId: 'billing-class', instanceClass: 'db.r6g.large' },
      /db\.r6g\.large is 2 rungs below db\.r6g\.2xlarge/,
    ],
    [
      'set-capacity: a web tier past one scale-out (maxStepUpRatio 1: 4 -> at most 8)',
      'SetCapacity',
      () => undefined,
      { targetId: 'web', desired: 9, reason: 'launch' },
      /4 -> 9 adds 5: one scale-out adds at most 4 \(maxStepUpRatio, maxStepUp\)/,
    ],
    [
      'set-capacity: a worker pool past one scale-in (maxStepDownRatio 0.5: 4 -> at least 2)',
      'SetCapacity',
      () => undefined,
      { targetId: 'celery', desired: 1, reason: 'incident' },
      /4 -> 1 removes 3: one scale-in removes at most 2 \(maxStepDownRatio\)/,
    ],
  ];

  test.each(refused)('%s: refused before any write, naming the rule', async (_name, machine, setup, input, rule) => {
    const w = world(config, synthesized);
    w.quiet();
    setup(w);
    const run = await w.run(machine, input, 'too-far');
    expect(run.error).toBeDefined();
    expect(writes(w)).toEqual([]);
    expect(await endReason(w, String(input.targetId), 'too-far')).toMatch(rule);
  });

  test.each(refused)('%s: with force: true, done, and the audit entry and notification say so', async (_name, machine, setup, input, rule) => {
    const w = world(config, synthesized);
    w.quiet();
    setup(w);
    const run = await w.run(machine, { ...input, force: true }, 'forced');
    expect(run.error).toBeUndefined();
    expect(writes(w).length).toBeGreaterThan(0);
    const entries = await w.store.listAudit(String(input.targetId), 0, Number.MAX_SAFE_INTEGER);
    expect(entries.find((e) => e.outcome === 'control')).toMatchObject({
      actor: 'runbook',
      eventId: 'forced',
      reason: expect.stringMatching(/forced \(force: true\) past step: /),
    });
    expect(entries.find((e) => e.outcome === 'applied')?.reason).toMatch(new RegExp(`forced \\(force: true\\) past: step: .*${rule.source}`));
    expect(w.notifications.at(-1)).toMatchObject({
      subject: expect.stringMatching(/runbook done \(forced\)/),
      body: expect.objectContaining({ forced: [expect.stringMatching(rule)] }),
    });
  });

  test('redis shards out go as far as the engine sizes them, up to maxShards, in one run', async () => {
    const w = world(config, synthesized);
    redisGroup(w, { nodeType: 'cache.r7g.4xlarge', shards: 2, replicas: 1 });
    const run = await w.run('Redis', { targetId: 'cache', shards: 6 }, 'shards-out');
    expect(run.error).toBeUndefined();
    expect(w.elastiCache.calls(ModifyReplicationGroupShardConfigurationCommand)).toEqual([expect.objectContaining({ NodeGroupCount: 6 })]);
  });
});

describe('R22 never passed over, not even with force', () => {
  const cases: [string, string, (w: World) => void, Record<string, unknown>, RegExp][] = [
    [
      'rds-replicas above maxReplicas',
      'RdsReplicas',
      (w) => replicasSource(w, 3),
      { targetId: 'orders-db', desiredReplicas: 4 },
      /desiredReplicas 4 is outside 1-3/,
    ],
    [
      'redis shards above maxShards',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.4xlarge', shards: 4, replicas: 1 }),
      { targetId: 'cache', shards: 9 },
      /shards 9 is outside 1-8/,
    ],
    [
      'redis replicas per shard above the maximum',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.large', shards: 2, replicas: 1 }),
      { targetId: 'cache', replicasPerShard: 4 },
      /outside 0-3/,
    ],
    [
      'redis node type off the ladder',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.large', shards: 2, replicas: 1 }),
      { targetId: 'cache', nodeType: 'cache.m7g.large' },
      /not on the ladder/,
    ],
    [
      'redis node type AWS does not allow',
      'Redis',
      (w) => {
        redisGroup(w, { nodeType: 'cache.r7g.large', shards: 2, replicas: 1 });
        w.elastiCache.allowed = { up: ['cache.r7g.2xlarge'], down: [] };
      },
      { targetId: 'cache', nodeType: 'cache.r7g.xlarge' },
      /not in ListAllowedNodeTypeModifications/,
    ],
    [
      'rds-storage above maxAllocatedGiB',
      'RdsStorage',
      (w) => replicasSource(w, 0),
      { targetId: 'orders-disk', allocatedGiB: 600 },
      /600 GiB is above maxAllocatedGiB 500/,
    ],
    [
      'rds-instance off the ladder',
      'RdsInstance',
      (w) => w.rds.add({ id: 'billing-primary', status: 'available', instanceClass: 'db.r6g.large' }),
      { targetId: 'billing-class', instanceClass: 'db.m7g.large' },
      /not on the ladder/,
    ],
    [
      'rds-instance applyImmediately against the target',
      'RdsInstance',
      (w) => w.rds.add({ id: 'billing-primary', status: 'available', instanceClass: 'db.r6g.large' }),
      { targetId: 'billing-class', instanceClass: 'db.r6g.xlarge', applyImmediately: true },
      /not the setting of "billing-class"/,
    ],
  ];
  test.each(cases)('%s', async (_name, machine, setup, input, rule) => {
    const w = world(config, synthesized);
    w.quiet();
    setup(w);
    const run = await w.run(machine, { ...input, force: true }, 'forced-past-bounds');
    expect(run.error).toBeDefined();
    expect(writes(w)).toEqual([]);
    expect(await endReason(w, String(input.targetId), 'forced-past-bounds')).toMatch(rule);
  });
});

describe('R22 what AWS allows, asked again at the write', () => {
  test('the type is no longer among ListAllowedNodeTypeModifications when the run comes to write (forced or not): refused, nothing written', async () => {
    const w = world(config, synthesized);
    redisGroup(w, { nodeType: 'cache.r7g.large', shards: 1, replicas: 1 });
    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.xlarge', force: true }, 'no-longer-allowed', (state) => {
      if (state === 'CheckPreconditions') w.elastiCache.allowed = { up: ['cache.r7g.2xlarge'], down: [] };
      return false;
    });
    expect(run.error).toBeDefined();
    expect(writes(w)).toEqual([]);
    expect(await endReason(w, 'cache', 'no-longer-allowed')).toMatch(
      /cannot move from cache\.r7g\.large to cache\.r7g\.xlarge: not in ListAllowedNodeTypeModifications/,
    );
  });
});

describe('R22 set-capacity clamps, forced or not: bounds in force, the group, busy workers', () => {
  const cases: [string, (w: World) => void, Record<string, unknown>, number, RegExp][] = [
    ['above maxCapacity', () => undefined, { targetId: 'web', desired: 50 }, 10, /50 clamped to 10 \(minCapacity-maxCapacity 2-10\)/],
    ['below minCapacity', () => undefined, { targetId: 'web', desired: 0 }, 2, /0 clamped to 2 \(minCapacity-maxCapacity 2-10\)/],
    ["above the open window's ceiling", () => undefined, { targetId: 'batch', desired: 8 }, 6, /8 clamped to 6 \(window "midday" 1-6\)/],
    [
      "above the group's MaxSize",
      (w) => {
        w.fleets.get('web')!.group!.maxSize = 5;
      },
      { targetId: 'web', desired: 8 },
      5,
      /held to the group's MaxSize 5/,
    ],
    [
      'below the workers the in-flight messages need',
      (w) => {
        w.queues.get('https://sqs.us-east-1.amazonaws.com/123456789012/celery-default')!.notVisible = 3;
      },
      { targetId: 'celery', desired: 0 },
      3,
      /held at 3: 3 messages in flight need 3 workers/,
    ],
    [
      'below the protected instances',
      (w) => {
        w.fleets.get('web')!.protectedCount = 3;
      },
      { targetId: 'web', desired: 2 },
      3,
      /held at 3: 3 protected from scale-in/,
    ],
  ];
  test.each(cases)('%s: clamped, with force: true too, and the audit entry says so', async (_name, setup, input, expected, why) => {
    const w = world(config, synthesized);
    setup(w);
    const run = await w.run('SetCapacity', { ...input, reason: 'by hand', force: true }, 'clamped');
    expect(run.error).toBeUndefined();
    expect(w.fleets.get(String(input.targetId))!.desired).toBe(expected);
    expect(await endReason(w, String(input.targetId), 'clamped')).toMatch(why);
  });
});

describe("R22 set-capacity cooldowns, from the engine's memory in the target's record", () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
    ['web tier, scale-out 30 s after one', { lastScaleOutAt: NOW - 30_000 }, { targetId: 'web', desired: 6 }, /was 30 s ago: scaleOutCooldownSeconds 60 s/],
    [
      'web tier, scale-in 200 s after a change',
      { lastScaleInAt: NOW - 200_000 },
      { targetId: 'web', desired: 3 },
      /was 200 s ago: scaleInCooldownSeconds 300 s/,
    ],
    [
      'worker pool, scale-in 60 s after a change',
      { lastChangeAt: NOW - 60_000 },
      { targetId: 'celery', desired: 3 },
      /was 60 s ago: scaleInCooldownSeconds 120 s/,
    ],
  ];
  test.each(cases)('%s: refused before any write; forced, done and audited', async (_name, memory, input, rule) => {
    const w = world(config, synthesized);
    await engineMemory(w.store, String(input.targetId), memory);
    const byHand = await w.run('SetCapacity', { ...input, reason: 'by hand' }, 'by-hand');
    expect(byHand.error).toBeDefined();
    expect(writes(w)).toEqual([]);
    expect(await endReason(w, String(input.targetId), 'by-hand')).toMatch(rule);
    const forced = await w.run('SetCapacity', { ...input, reason: 'by hand', force: true }, 'forced');
    expect(forced.error).toBeUndefined();
    expect(writes(w)).toHaveLength(1);
    expect(await endReason(w, String(input.targetId), 'forced')).toMatch(new RegExp(`forced \\(force: true\\) past: cooldown: .*${rule.source}`));
  });

  test('a worker pool scale-out is never held by a cooldown (the queue engine scales out at once)', async () => {
    const w = world(config, synthesized);
    await engineMemory(w.store, 'celery', { lastChangeAt: NOW - 10_000 });
    const run = await w.run('SetCapacity', { targetId: 'celery', desired: 8, reason: 'backlog' }, 'out');
    expect(run.error).toBeUndefined();
    expect(w.fleets.get('celery')!.desired).toBe(8);
  });
});

describe("R22 cooldowns, from the target's record", () => {
  test('rds-replicas: the run the database function started is not refused by the cooldown its own start set; a run by hand right after is', async () => {
    const w = world(config, synthesized);
    replicasSource(w, 1);
    w.load(replicaSourceMetrics(RDS_REPLICAS as never).cpu, 91, 15);
    // The real database function: decides (source CPU 91%) and starts the runbook, recording the execution.
    const sfn = new SFNClient({ region: 'us-east-1' });
    const starts = mockClient(sfn);
    starts
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:shop-rds-replicas:x', startDate: new Date(NOW) });
    const handle = createDatabaseHandler({
      config,
      store: w.store,
      rds: w.rds.client,
      elastiCache: w.elastiCache.client,
      cloudWatch: new FakeCloudWatch(w.metrics, new CallLog(() => NOW), () => NOW),
      stepFunctions: sfn,
      runbooks: { 'rds-replicas': 'arn:aws:states:us-east-1:123456789012:stateMachine:shop-rds-replicas' },
      now: () => NOW,
    });
    const result = (await handle(
      { source: REEVALUATE_SOURCE, action: 'reevaluate', family: 'database', scheduledTime: new Date(NOW).toISOString(), executionId: 'tick-1' },
      lambdaContext(),
    )) as DatabaseResult;
    const started = result.targets.find((t) => t.targetId === 'orders-db');
    expect(started).toMatchObject({ outcome: 'applied', execution: { status: 'started' } });
    const { name, input } = starts.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(await w.store.getTarget('orders-db')).toMatchObject({ lastActionAt: NOW, lastExecution: name });

    const own = await w.run('RdsReplicas', JSON.parse(input!), name!);
    expect(own.error).toBeUndefined();
    expect(writes(w)).toContain('CreateDBInstanceReadReplica');

    const created = writes(w).length;
    const byHand = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 3 }, 'by-hand-right-after');
    expect(byHand.error).toBeDefined();
    expect(writes(w)).toHaveLength(created);
    expect(await endReason(w, 'orders-db', 'by-hand-right-after')).toMatch(
      /the last change of "orders-db" was 0 s ago: scaleOutCooldownSeconds 1200 s \(force: true to override\)/,
    );
  });

  const cases: [string, string, (w: World) => void, Record<string, unknown>, string, RegExp][] = [
    [
      'rds-replicas removal',
      'RdsReplicas',
      (w) => replicasSource(w, 2),
      { targetId: 'orders-db', desiredReplicas: 1 },
      'orders-db',
      /scaleInCooldownSeconds 3600 s/,
    ],
    [
      'redis down one rung',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.xlarge', shards: 1, replicas: 1 }),
      { targetId: 'cache', nodeType: 'cache.r7g.large' },
      'cache',
      /scaleInCooldownSeconds 21600 s/,
    ],
    [
      'redis one shard in',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.xlarge', shards: 3, replicas: 1 }),
      { targetId: 'cache', shards: 2 },
      'cache',
      /scaleInCooldownSeconds 21600 s/,
    ],
    [
      'redis one replica per shard fewer',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.xlarge', shards: 2, replicas: 2 }),
      { targetId: 'cache', replicasPerShard: 1 },
      'cache',
      /scaleInCooldownSeconds 21600 s/,
    ],
    [
      "rds-storage (RDS's 6 hours)",
      'RdsStorage',
      (w) => replicasSource(w, 0),
      { targetId: 'orders-disk', allocatedGiB: 120 },
      'orders-disk',
      /RDS needs 6 hours between storage changes 21600 s/,
    ],
    [
      'rds-instance up one rung',
      'RdsInstance',
      (w) => w.rds.add({ id: 'billing-primary', status: 'available', instanceClass: 'db.r6g.large' }),
      { targetId: 'billing-class', instanceClass: 'db.r6g.xlarge' },
      'billing-class',
      /scaleOutCooldownSeconds 86400 s/,
    ],
    [
      'rds-instance down one rung',
      'RdsInstance',
      (w) => w.rds.add({ id: 'billing-primary', status: 'available', instanceClass: 'db.r6g.xlarge' }),
      { targetId: 'billing-class', instanceClass: 'db.r6g.large' },
      'billing-class',
      /scaleInCooldownSeconds 86400 s/,
    ],
  ];

  test.each(cases)(
    '%s: refused within the cooldown, unless the run is the one that action started, or forced',
    async (_name, machine, setup, input, targetId, rule) => {
      const w = world(config, synthesized);
      w.quiet();
      setup(w);
      await lastAction(w.store, targetId, NOW - 600_000, 'started-by-the-function');

      const byHand = await w.run(machine, input, 'by-hand');
      expect(byHand.error).toBeDefined();
      expect(writes(w)).toEqual([]);
      expect(await endReason(w, targetId, 'by-hand')).toMatch(new RegExp(`the last change of "${targetId}" was 600 s ago: ${rule.source}`));

      const own = await w.run(machine, input, 'started-by-the-function');
      expect(own.error).toBeUndefined();
      const done = writes(w).length;
      expect(done).toBeGreaterThan(0);
      expect(await endReason(w, targetId, 'started-by-the-function')).not.toMatch(/forced/);
    },
  );

  test('a forced run passes the cooldown and says so', async () => {
    const w = world(config, synthesized);
    w.rds.add({ id: 'billing-primary', status: 'available', instanceClass: 'db.r6g.large' });
    await lastAction(w.store, 'billing-class', NOW - 600_000, 'earlier-run');
    const run = await w.run('RdsInstance', { targetId: 'billing-class', instanceClass: 'db.r6g.xlarge', force: true }, 'forced-cooldown');
    expect(run.error).toBeUndefined();
    expect(await endReason(w, 'billing-class', 'forced-cooldown')).toMatch(
      /forced \(force: true\) past: cooldown: the last change of "billing-class" was 600 s ago/,
    );
  });
});

describe('R22 a move down is checked on current metrics (GetMetricData at the write)', () => {
  const cases: [string, string, (w: World) => void, (w: World) => void, Record<string, unknown>, RegExp, () => unknown][] = [
    [
      'redis one rung down, with the fullest node at 70% memory',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.xlarge', shards: 1, replicas: 1 }),
      (w) => hotMemory(w, 70),
      { targetId: 'cache', nodeType: 'cache.r7g.large' },
      /on current metrics: memory 70% is not below 30%/,
      () => ModifyReplicationGroupCommand,
    ],
    [
      'redis one shard in, with memory at 50%',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.xlarge', shards: 3, replicas: 1 }),
      (w) => hotMemory(w, 50),
      { targetId: 'cache', shards: 2 },
      /on current metrics: memory 50% is not below 30%/,
      () => ModifyReplicationGroupShardConfigurationCommand,
    ],
    [
      'redis one replica per shard fewer, with 4,000 connections per node',
      'Redis',
      (w) => redisGroup(w, { nodeType: 'cache.r7g.xlarge', shards: 1, replicas: 2 }),
      (w) => {
        for (let i = 1; i <= 3; i++) w.load(redisNodeMetrics(`shop-cache-00${i}`).connections, 4000, 10);
      },
      { targetId: 'cache', replicasPerShard: 1 },
      /on current metrics: 4000 connections per node would be 6000 on one replica fewer, not below half of 5000/,
      () => DecreaseReplicaCountCommand,
    ],
    [
      'rds-replicas one fewer, with the source at 60% CPU',
      'RdsReplicas',
      (w) => replicasSource(w, 2),
      (w) => w.load(replicaSourceMetrics(RDS_REPLICAS as never).cpu, 60, 10),
      { targetId: 'orders-db', desiredReplicas: 1 },
      /on current metrics: source CPU 60%, replica CPU n\/a: not both below 30%/,
      () => undefined,
    ],
    [
      'rds-instance one rung down, with CPU at 40%',
      'RdsInstance',
      (w) => w.rds.add({ id: 'billing-primary', status: 'available', instanceClass: 'db.r6g.xlarge' }),
      (w) => w.load(rdsInstanceMetrics({ instanceIdentifier: 'billing-primary' } as never).cpu, 40, 1500),
      { targetId: 'billing-class', instanceClass: 'db.r6g.large' },
      /on current metrics: CPU 40% at its peak is not below 20%/,
      () => undefined,
    ],
  ];

  test.each(cases)('%s: refused, nothing written; quiet, done; forced, done and audited', async (_name, machine, setup, hot, input, rule) => {
    const w = world(config, synthesized);
    w.quiet();
    setup(w);
    hot(w);
    const run = await w.run(machine, input, 'hot');
    expect(run.error).toBeDefined();
    expect(writes(w)).toEqual([]);
    expect(await endReason(w, String(input.targetId), 'hot')).toMatch(rule);

    const forced = await w.run(machine, { ...input, force: true }, 'hot-forced');
    expect(forced.error).toBeUndefined();
    expect(writes(w).length).toBeGreaterThan(0);
    expect(await endReason(w, String(input.targetId), 'hot-forced')).toMatch(new RegExp(`forced \\(force: true\\) past: fit: ${rule.source}`));

    const quiet = world(config, synthesized);
    quiet.quiet();
    setup(quiet);
    const ok = await quiet.run(machine, input, 'quiet');
    expect(ok.error).toBeUndefined();
    expect(writes(quiet).length).toBeGreaterThan(0);
  });

  test('a late run re-checks at the write: memory rose while it waited for the group (after its check)', async () => {
    const w = world(config, synthesized);
    w.quiet();
    redisGroup(w, { nodeType: 'cache.r7g.xlarge', shards: 1, replicas: 1 });
    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.large' }, 'late', (state) => {
      if (state === 'CheckPreconditions') hotMemory(w, 70);
      return false;
    });
    expect(run.error).toBeDefined();
    expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toHaveLength(0);
    expect(await endReason(w, 'cache', 'late')).toMatch(/ModifyReplicationGroup shop-cache to cache\.r7g\.large refused: on current metrics: memory 70%/);
  });

  test('a late run re-checks at the write: memory rose while it waited out ResourceBusy retries', async () => {
    const w = world(config, synthesized);
    w.quiet();
    redisGroup(w, { nodeType: 'cache.r7g.xlarge', shards: 1, replicas: 1 });
    // The first modification finds the group busy (a snapshot started); meanwhile the load grows.
    let attempts = 0;
    w.elastiCache.mock.on(ModifyReplicationGroupCommand).callsFake(() => {
      attempts++;
      hotMemory(w, 70);
      throw awsError('InvalidReplicationGroupStateFault', 'Replication group shop-cache is snapshotting');
    });
    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.large' }, 'late-busy');
    expect(attempts).toBe(1);
    expect(run.calls.filter((c) => c.state === 'ModifyGroup')).toHaveLength(2);
    expect(run.error).toBeDefined();
    expect(await endReason(w, 'cache', 'late-busy')).toMatch(/refused: on current metrics: memory 70%/);
    expect(w.elastiCache.group.nodeType).toBe('cache.r7g.xlarge');
  });
});

describe("R22 force on the issue's Redis input", () => {
  test('passes the step and the fit (never the bounds): done one change at a time, each audited, the end notified as forced', async () => {
    const w = world(config, synthesized);
    w.quiet();
    hotMemory(w, 20);
    redisGroup(w, { nodeType: 'cache.r7g.4xlarge', shards: 4, replicas: 2 });

    const run = await w.run('Redis', { targetId: 'cache', nodeType: 'cache.r7g.large', shards: 1, replicasPerShard: 0, force: true }, 'forced-down');

    expect(run.error).toBeUndefined();
    expect(w.elastiCache.group).toMatchObject({ nodeType: 'cache.r7g.large', shards: 1, replicas: 0 });
    expect(w.elastiCache.calls(ModifyReplicationGroupCommand)).toHaveLength(1);
    expect(w.elastiCache.calls(ModifyReplicationGroupShardConfigurationCommand)).toHaveLength(1);
    expect(w.elastiCache.calls(DecreaseReplicaCountCommand)).toHaveLength(1);
    expect(w.elastiCache.calls(IncreaseReplicaCountCommand)).toHaveLength(0);
    const control = (await w.store.listAudit('cache', 0, Number.MAX_SAFE_INTEGER)).filter((e) => e.outcome === 'control');
    expect(control.map((e) => e.reason).join('\n')).toMatch(/step: cache\.r7g\.large is 3 rungs below cache\.r7g\.4xlarge/);
    const end = await endReason(w, 'cache', 'forced-down');
    expect(end).toMatch(/forced \(force: true\) past: step: cache\.r7g\.large is 3 rungs below/);
    expect(w.notifications.at(-1)?.subject).toMatch(/runbook done \(forced\)/);
  });
});
