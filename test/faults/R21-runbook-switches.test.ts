/**
 * R21: pause and dry-run, in every runbook, at every task. Every runbook (rds-replicas on an RDS source
 * and on Aurora, redis, rds-storage, rds-instance, invalidate, set-capacity on a web tier and on a
 * worker pool) runs from the synthesized ASL with the
 * real task handler; every switch (pause for all and for the target, dry-run by switch, by the config,
 * by the target; pause and dry-run by an operator's override) is either on when the run starts, or turned on after the k-th task for every k. Then
 * no AWS write happens after the switch is on, and a run that still had work to do ends with the clear
 * status: FAILED with the error `Paused`, or SUCCEEDED with the outcome `dry-run`, recorded and notified
 * with what it would have done. The rds-replicas runbook runs on the DynamoDB state store (dynalite),
 * its switches flipped through the store.
 */

import { CloudFrontClient, CreateInvalidationCommand, GetDistributionCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { CreateDBInstanceReadReplicaCommand } from '@aws-sdk/client-rds';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Notification } from '../../lambdas/adapters/sns';
import { createCdnHandler } from '../../lambdas/scalers/cdn/handler';
import { type AutoscalerConfig, parseConfig } from '../../lambdas/shared/config';
import { SWITCH_STOP_ERRORS } from '../../lambdas/shared/runbook-errors';
import { EXECUTION_TAG, MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import { MemoryInvalidationStore } from '../../lambdas/state/invalidations';
import { MemoryStateStore } from '../../lambdas/state/memory';
import type { StateStore } from '../../lambdas/state/store';
import { NOW, type World, world } from '../runbooks/context';
import { awsError } from '../runbooks/fake-aws';
import { AURORA_REPLICAS, RDS_INSTANCE, RDS_REPLICAS, RDS_STORAGE, REDIS } from '../runbooks/fixtures';
import { functionArn, type RunResult, runLocally, type SynthesizedRunbooks, synthesizeRunbooks } from '../runbooks/harness';
import { useDynalite } from './support';

const db = useDynalite();

const base = parseConfig({
  prefix: 'shop',
  targets: [
    { ...RDS_REPLICAS, route53: { hostedZoneId: 'Z0PRIVATE123', recordName: 'read.orders-db.internal' } },
    AURORA_REPLICAS,
    { ...REDIS, minReplicasPerShard: 1, maxReplicasPerShard: 3 },
    RDS_STORAGE,
    { ...RDS_INSTANCE, instanceIdentifier: 'reports-primary', applyImmediately: true },
    { kind: 'cloudfront', id: 'cdn', distributionId: 'E2QWRUHAPOMQZL', triggers: [{ s3: { bucket: 'shop-static' } }] },
    { kind: 'asg', id: 'web', autoScalingGroupName: 'shop-web', minCapacity: 2, maxCapacity: 10 },
    {
      kind: 'queue-workers',
      id: 'celery',
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/celery-default',
      workers: { kind: 'ecs-service', cluster: 'shop', service: 'celery-workers' },
      messagesPerSecondPerWorker: 2,
    },
  ],
});
let synthesized: SynthesizedRunbooks;
beforeAll(() => {
  synthesized = synthesizeRunbooks(base);
});

type Mode =
  | 'pause (all targets)'
  | 'pause (the target)'
  | 'pause (override)'
  | 'dry-run (switch)'
  | 'dry-run (override)'
  | 'dry-run (config)'
  | 'dry-run (target)';
const MODES: Mode[] = [
  'pause (all targets)',
  'pause (the target)',
  'pause (override)',
  'dry-run (switch)',
  'dry-run (override)',
  'dry-run (config)',
  'dry-run (target)',
];
/** An operator's override of the target, in force for the whole run (lambdas/shared/overrides.ts). */
const override = (targetId: string, field: 'paused' | 'dryRun') => ({ targetId, [field]: true, expiresAt: NOW + 6 * 86_400_000, setAt: NOW, setBy: 'ops' });
const paused = (m: Mode) => m.startsWith('pause');

/** One runbook on its own world: runs it, lists the AWS writes made so far, turns a switch on. */
interface Rig {
  run(name: string, abortAfter?: (state: string, output: unknown) => boolean): Promise<RunResult>;
  /** Every write call so far (`Command target`), in order. */
  writes(): string[];
  switchOn(mode: Mode): Promise<void>;
  readonly store: StateStore;
  readonly notifications: Notification[];
}

const isWrite = (command: string) => !/^(Describe|Get|List)/.test(command);
const named = (calls: { args: [{ constructor: { name: string } }] }[]) => calls.map((c) => c.args[0].constructor.name.replace(/Command$/, '')).filter(isWrite);

/** A data runbook's world whose config is its own copy (a deploy may turn dryRun on while a run waits). */
function dataRig(
  machine: string,
  targetId: string,
  input: Record<string, unknown>,
  setup: (w: World) => void,
  store: StateStore = new MemoryStateStore(),
): Rig {
  const config = structuredClone(base) as AutoscalerConfig & { dryRun: boolean };
  const w = world(config, synthesized, { store });
  setup(w);
  return {
    run: (name, abortAfter) => w.run(machine, input, name, abortAfter),
    writes: () => [
      ...[w.rds.mock, w.elastiCache.mock, w.ssm.mock, w.route53.mock].flatMap((m) => named(m.calls() as never)),
      ...w.fleetCalls.calls.map((c) => c.command.replace(/Command$/, '')).filter(isWrite),
    ],
    switchOn: (mode) => switchOn(mode, config, targetId, store),
    store,
    notifications: w.notifications,
  };
}

async function switchOn(mode: Mode, config: AutoscalerConfig & { dryRun: boolean }, targetId: string, store: StateStore): Promise<void> {
  switch (mode) {
    case 'pause (all targets)':
      return store.setSwitch('*', 'paused', true);
    case 'pause (the target)':
      return store.setSwitch(targetId, 'paused', true);
    case 'pause (override)':
      return store.setOverride(override(targetId, 'paused'));
    case 'dry-run (override)':
      return store.setOverride(override(targetId, 'dryRun'));
    case 'dry-run (switch)':
      return store.setSwitch(targetId, 'dryRun', true);
    case 'dry-run (config)':
      config.dryRun = true;
      return;
    case 'dry-run (target)':
      (config.targets.find((t) => t.id === targetId) as { dryRun: boolean }).dryRun = true;
  }
}

const ours = (targetId: string) => ({ [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: targetId, [EXECUTION_TAG]: 'earlier' });

/** The invalidate runbook on the real cdn handler, CloudFront answered at the SDK boundary. */
function invalidateRig(store: StateStore = new MemoryStateStore()): Rig {
  const config = structuredClone(base) as AutoscalerConfig & { dryRun: boolean };
  const client = new CloudFrontClient({ region: 'us-east-1' });
  const cf = mockClient(client);
  let polls = 0;
  cf.on(GetDistributionCommand).resolves({ Distribution: { Id: 'E2QWRUHAPOMQZL', DomainName: 'd111111abcdef8.cloudfront.net' } as never });
  cf.on(CreateInvalidationCommand).resolves({ Invalidation: { Id: 'I1', Status: 'InProgress' } as never });
  cf.on(GetInvalidationCommand).callsFake(() => ({ Invalidation: { Id: 'I1', Status: ++polls >= 2 ? 'Completed' : 'InProgress' } }));
  const notifications: Notification[] = [];
  const handler = createCdnHandler({
    config,
    store,
    batches: new MemoryInvalidationStore(),
    cloudFront: client,
    notifier: { notify: async (n) => void notifications.push(n) },
    now: () => NOW,
    sleep: async () => undefined,
  });
  const context = { awsRequestId: 'req', functionName: 'cdn', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
  const handlers = {
    [functionArn(synthesized.logicalId(synthesized.autoscaler.functions.cdn!))]: (event: unknown) => handler(event, context) as Promise<unknown>,
  };
  return {
    run: (name, abortAfter) =>
      runLocally(synthesized.definition('InvalidateRunbook'), handlers, { targetId: 'cdn', paths: ['/index.html', '/static/*'] }, { name, abortAfter }),
    writes: () => named(cf.calls() as never),
    switchOn: (mode) => switchOn(mode, config, 'cdn', store),
    store,
    notifications,
  };
}

interface Case {
  readonly name: string;
  readonly targetId: string;
  make(store?: StateStore): Rig;
}

const CASES: Case[] = [
  {
    name: 'rds-replicas (RDS source): clean up a broken replica, add one, publish to SSM and Route 53',
    targetId: 'orders-db',
    make: (store) =>
      dataRig(
        'RdsReplicas',
        'orders-db',
        { targetId: 'orders-db', desiredReplicas: 2 },
        (w) => {
          w.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge' });
          w.rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: ours('orders-db') });
          w.rds.add({ id: 'orders-db-ro-2', status: 'failed', sourceId: 'orders-primary', tags: ours('orders-db') });
        },
        store,
      ),
  },
  {
    name: 'rds-replicas (RDS source): remove one, publish',
    targetId: 'orders-db',
    make: (store) =>
      dataRig(
        'RdsReplicas',
        'orders-db',
        { targetId: 'orders-db', desiredReplicas: 1 },
        (w) => {
          w.quiet();
          w.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge' });
          w.rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: ours('orders-db') });
          w.rds.add({ id: 'orders-db-ro-2', status: 'available', sourceId: 'orders-primary', tags: ours('orders-db') });
        },
        store,
      ),
  },
  {
    name: 'rds-replicas (Aurora): add a reader, publish',
    targetId: 'reports-db',
    make: (store) =>
      dataRig(
        'RdsReplicas',
        'reports-db',
        { targetId: 'reports-db', desiredReplicas: 1 },
        (w) => {
          w.rds.clusters.set('reports-cluster', { id: 'reports-cluster', status: 'available', engine: 'aurora-postgresql', backupRetentionPeriod: 1 });
          w.rds.add({ id: 'reports-writer', status: 'available', clusterId: 'reports-cluster', engine: 'aurora-postgresql', tags: { role: 'writer' } });
        },
        store,
      ),
  },
  {
    name: 'redis: one rung up, then one replica per shard more',
    targetId: 'cache',
    make: (store) => dataRig('Redis', 'cache', { targetId: 'cache', nodeType: 'cache.r7g.xlarge', replicasPerShard: 2 }, () => undefined, store),
  },
  {
    name: 'rds-storage: one growth step',
    targetId: 'orders-disk',
    make: (store) =>
      dataRig(
        'RdsStorage',
        'orders-disk',
        { targetId: 'orders-disk', allocatedGiB: 120 },
        (w) => void w.rds.add({ id: 'orders-primary', status: 'available', allocatedGiB: 100 }),
        store,
      ),
  },
  {
    name: 'rds-instance: one rung up, now',
    targetId: 'orders-class',
    make: (store) =>
      dataRig(
        'RdsInstance',
        'orders-class',
        { targetId: 'orders-class', instanceClass: 'db.r6g.xlarge' },
        (w) => void w.rds.add({ id: 'reports-primary', status: 'available', instanceClass: 'db.r6g.large' }),
        store,
      ),
  },
  { name: 'invalidate: CreateInvalidation', targetId: 'cdn', make: (store) => invalidateRig(store) },
  {
    name: 'set-capacity (web tier): SetDesiredCapacity',
    targetId: 'web',
    make: (store) => dataRig('SetCapacity', 'web', { targetId: 'web', desired: 6, reason: 'launch' }, () => undefined, store),
  },
  {
    name: 'set-capacity (worker pool): UpdateService down, no message in flight',
    targetId: 'celery',
    make: (store) => dataRig('SetCapacity', 'celery', { targetId: 'celery', desired: 2, reason: 'incident' }, () => undefined, store),
  },
];

/** The error name a failed run ended with (the Fail state's error). */
const errorName = (run: RunResult) => (run.error as { cause?: { name?: string } } | undefined)?.cause?.name ?? run.error?.name;

/** The run stopped on `mode`: FAILED: Paused, or SUCCEEDED with the outcome dry-run; recorded and announced with what it would have done. */
async function expectStopped(rig: Rig, run: RunResult, mode: Mode, targetId: string, name: string): Promise<void> {
  if (paused(mode)) {
    expect({ name, error: errorName(run) }).toEqual({ name, error: 'Paused' });
  } else {
    expect({ name, error: run.error?.message, outcome: run.output?.outcome }).toEqual({ name, error: undefined, outcome: 'dry-run' });
  }
  const entry = (await rig.store.listAudit(targetId, 0, Number.MAX_SAFE_INTEGER)).find((e) => e.eventId === name);
  expect(entry).toMatchObject({
    outcome: paused(mode) ? 'paused' : 'dry-run',
    reason: expect.stringMatching(paused(mode) ? /paused: .*stopped before \w+/ : /dry-run: dry-run \(.+\) .*would \w+/),
  });
  expect(rig.notifications.at(-1)?.subject).toMatch(paused(mode) ? /runbook PAUSED/ : /runbook DRY-RUN/);
}

describe.each(CASES)('R21 $name', (c) => {
  let undisturbed: { tasks: number; writes: string[] };
  beforeAll(async () => {
    const rig = c.make();
    const run = await rig.run('undisturbed');
    expect(run.error).toBeUndefined();
    undisturbed = { tasks: run.calls.length, writes: rig.writes() };
    expect(undisturbed.writes.length).toBeGreaterThan(0);
  });

  test.each(MODES)('%s on when the run starts: no AWS write at all, and the clear status', async (mode) => {
    const rig = c.make();
    await rig.switchOn(mode);
    const run = await rig.run('switched-before');
    expect(rig.writes()).toEqual([]);
    await expectStopped(rig, run, mode, c.targetId, 'switched-before');
  });

  test.each(MODES)('%s turned on after each task in turn: no AWS write after it', async (mode) => {
    for (let k = 1; k < undisturbed.tasks; k++) {
      const rig = c.make();
      let seen = 0;
      let writesAtSwitch: number | undefined;
      const run = await rig.run(`switched-after-${k}`, () => {
        if (++seen === k) {
          writesAtSwitch = rig.writes().length;
          void rig.switchOn(mode);
        }
        return false;
      });
      // The memory store's setSwitch takes effect at once: it is on before the next task starts.
      expect({ k, writesAfter: rig.writes().slice(writesAtSwitch) }).toEqual({ k, writesAfter: [] });
      if (writesAtSwitch! < undisturbed.writes.length) await expectStopped(rig, run, mode, c.targetId, `switched-after-${k}`);
      else expect({ k, error: run.error?.message }).toEqual({ k, error: undefined });
    }
  });
});

describe('R21 on the DynamoDB state store (dynalite)', () => {
  const store = async () => new DynamoStateStore({ tableName: await db().stateTable(), client: db().doc });

  test.each(MODES.filter((m) => !m.includes('(config)') && !m.includes('(target)')))(
    'rds-replicas: %s set through the store after each task in turn: no AWS write after it',
    async (mode) => {
      const c = CASES[0];
      const n = (await c.make().run('count')).calls.length;
      for (let k = 1; k < n; k++) {
        // The operator's UpdateItem lands before the next task reads the switches (the hook cannot await it).
        const real = await store();
        let flipped: Promise<void> = Promise.resolve();
        const gated = new Proxy(real, {
          get(target, prop, receiver) {
            if (prop === 'getSwitches' || prop === 'getOverride')
              return async (id: string) => {
                await flipped;
                return target[prop](id);
              };
            const value = Reflect.get(target, prop, receiver);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
        const rig = c.make(gated);
        let seen = 0;
        let writesAtSwitch: number | undefined;
        const run = await rig.run(`dynamo-${k}`, () => {
          if (++seen === k) {
            writesAtSwitch = rig.writes().length;
            flipped = rig.switchOn(mode);
          }
          return false;
        });
        expect({ k, writesAfter: rig.writes().slice(writesAtSwitch) }).toEqual({ k, writesAfter: [] });
        const stored = { ...(await real.getSwitches('orders-db')), ...(await real.getOverride('orders-db')) };
        expect(stored[paused(mode) ? 'paused' : 'dryRun']).toBe(true);
        if (writesAtSwitch! < 4) await expectStopped(rig, run, mode, 'orders-db', `dynamo-${k}`);
      }
    },
  );

  test('a run waiting in ResourceBusy retries stops acting once paused: the retry reads the switch and stops', async () => {
    const s = await store();
    const busyWorld = world(structuredClone(base), synthesized, { store: s });
    busyWorld.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge' });
    busyWorld.rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: ours('orders-db') });
    // Every CreateDBInstanceReadReplica finds the source busy; the operator pauses during the first one.
    let attempts = 0;
    busyWorld.rds.mock.on(CreateDBInstanceReadReplicaCommand).callsFake(async () => {
      if (++attempts === 1) await s.setSwitch('*', 'paused', true);
      throw awsError('InvalidDBInstanceStateFault', 'Instance orders-primary is backing-up');
    });

    const run = await busyWorld.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'busy-then-paused');

    expect(attempts).toBe(1);
    expect(errorName(run)).toBe('Paused');
    expect(run.calls.map((c) => c.state)).toEqual(['Reconcile', 'CreateReplica', 'CreateReplica', 'NotifyStopped']);
    const [entry] = await s.listAudit('orders-db', 0, Number.MAX_SAFE_INTEGER);
    expect(entry).toMatchObject({
      outcome: 'paused',
      reason: expect.stringContaining('stopped before CreateDBInstanceReadReplica orders-db-ro-2 of orders-primary'),
    });
  });
});

describe('R21 one mechanism in every runbook', () => {
  test.each(['RdsReplicas', 'Redis', 'RdsStorage', 'RdsInstance', 'InvalidateRunbook', 'SetCapacity'])(
    '%s: every task but the notify ones catches Paused and DryRun first, to the one stop chain; no Retry matches them',
    (machine) => {
      const definition = synthesized.definition(machine);
      const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
      expect(tasks.length).toBeGreaterThan(2);
      for (const [name, state] of tasks) {
        const s = state as { Retry?: { ErrorEquals: string[] }[]; Catch?: { ErrorEquals: string[]; Next: string }[] };
        for (const r of s.Retry ?? []) {
          for (const e of [...SWITCH_STOP_ERRORS, 'States.ALL', 'States.TaskFailed'])
            expect({ name, retries: r.ErrorEquals.includes(e) }).toEqual({ name, retries: false });
        }
        if (/^Notify/.test(name)) continue;
        const first = (s.Catch ?? []).find((c) => SWITCH_STOP_ERRORS.some((e) => c.ErrorEquals.includes(e)) || c.ErrorEquals.includes('States.ALL'));
        expect({ name, catch: first }).toEqual({ name, catch: expect.objectContaining({ ErrorEquals: [...SWITCH_STOP_ERRORS], Next: 'NotifyStopped' }) });
      }
      const stop = definition.States.NotifyStopped as { Next?: string };
      const choice = definition.States[stop.Next!] as { Type: string; Choices: { StringEquals: string; Next: string }[]; Default: string };
      expect(choice.Type).toBe('Choice');
      expect(definition.States[choice.Choices[0].Next].Type).toBe('Succeed');
      expect(definition.States[choice.Default]).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error' });
    },
  );
});
