/**
 * R33 Late or missing metrics. CloudWatch publishes minutes late, or stops for a while. On the real
 * capacity handler (harness: DynamoDB on dynalite, the in-memory AWS, the alarm evaluator) and on the
 * real database handler (the in-memory RDS and CloudWatch, DynamoDB on dynalite), every minute as
 * AWS would run it: the minute's datapoints published (late, or never in a gap), the alarms evaluated
 * and their state changes delivered, then the 1-minute schedule.
 *
 * - 4 and 10 minutes late: the alarms sit in INSUFFICIENT_DATA (none reaches ALARM), yet the target
 *   is still decided on, on the newest datapoints there are: overload scales out, and while they keep
 *   arriving, low load scales in again; the operator is told once.
 * - a gap (CloudWatch silent for 30 minutes): no scale-in on the last datapoints, whatever they say;
 *   fallback hold keeps the count, fallback fixed raises it to its count; told once when it starts,
 *   once when it ends.
 * - the database family alike: no replica removed while the metrics are stalled, a replica added on
 *   10-minute-late overload, the fallback count kept, an alarm-driven target (rds-instance) found
 *   by the freshness probe.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Notification } from '../../lambdas/adapters/sns';
import { createDatabaseHandler } from '../../lambdas/scalers/database/handler';
import type { DatabaseResult } from '../../lambdas/scalers/database/service';
import { allAlarms, capacityMetrics } from '../../lambdas/shared/alarms';
import { parseConfig, type RdsReplicasTarget } from '../../lambdas/shared/config';
import { rdsInstanceMetrics } from '../../lambdas/shared/kinds/rds-instance';
import { replicaMetrics, replicaSourceMetrics } from '../../lambdas/shared/kinds/rds-replicas';
import { MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import { MemoryStateStore } from '../../lambdas/state/memory';
import { AlarmEvaluator } from '../../sim/cloud/alarms';
import { FakeCloudWatch, MetricStore } from '../../sim/cloud/cloudwatch';
import { FakeRds } from '../../sim/cloud/rds';
import { CallLog } from '../../sim/cloud/recorder';
import type { ReplicaBackend, ReplicaUnit } from '../../sim/data/backends';
import { runAutoscaler } from '../../sim/policies/autoscaler';
import { runBaseline } from '../../sim/runner';
import type { Scenario, ScenarioFaults } from '../../sim/scenario';
import type { World } from '../../sim/world';
import { queueScenario, traceOf, webScenario } from '../sim/helpers';
import { type Harness, lambdaContext, scheduleEvent, synthesize, T0, useDynalite, withHarness } from './support';

const db = useDynalite();
const MIN = 60_000;
/** Requests/s one web unit serves at 100% CPU. */
const UNIT_RATE = 28;

// ------------------------------------------------------------------------------------------ capacity

/** What a minute of the simulated web tier is: its demand (req/s), how late CloudWatch publishes it, or whether it is lost. */
interface Load {
  readonly demand: number;
  readonly delayMinutes?: number;
  readonly lost?: boolean;
}

/** Publishes the datapoints of the minute starting at `at` as CloudWatch would: visible from `at` + 2 minutes + the delay. */
function publish(h: Harness, at: number, load: Load): void {
  if (load.lost) return;
  const m = capacityMetrics(h.target);
  const ready = Math.max(1, h.fleet.units().filter((u) => u.ready).length);
  const visibleFrom = at + (2 + (load.delayMinutes ?? 0)) * MIN;
  h.metrics.put(m.cpu, at, Math.min(100, (100 * load.demand) / (ready * UNIT_RATE)), visibleFrom, 5);
  h.metrics.put(m.requestCount!, at, load.demand * 60, visibleFrom);
  h.metrics.put(m.requestCountPerTarget!, at, (load.demand * 60) / ready, visibleFrom);
}

interface Minute {
  readonly minute: number;
  readonly desired: number;
  readonly cpuHigh?: string;
  readonly cpuLow?: string;
  readonly reasons: string[];
}

/**
 * Runs minutes 0..n-1 of `load(minute)` from the harness's clock (minute 0 = T0): before them, 20
 * minutes of `load(-1)` as history; each minute, the datapoints of the minute that just ended, the
 * alarms evaluated and their changes delivered, then the schedule. Returns what each minute saw.
 */
async function runMinutes(h: Harness, n: number, load: (minute: number) => Load): Promise<Minute[]> {
  const t0 = h.clock.now;
  for (let m = -20; m < 0; m++) publish(h, t0 + m * MIN, load(-1));
  const out: Minute[] = [];
  for (let minute = 0; minute < n; minute++) {
    const reasons: string[] = [];
    if (minute > 0) publish(h, h.clock.now - MIN, load(minute - 1));
    for (const event of h.evaluate()) {
      const r = await h.handler(event);
      reasons.push(...r.targets.map((t) => t.reason));
    }
    const r = await h.handler(scheduleEvent(h.clock.now));
    reasons.push(...r.targets.map((t) => t.reason));
    out.push({
      minute,
      desired: h.fleet.desired,
      cpuHigh: h.alarms.stateOf('autoscaler/web/cpu/high'),
      cpuLow: h.alarms.stateOf('autoscaler/web/cpu/low'),
      reasons,
    });
    h.clock.advance(60);
  }
  return out;
}

const metricsNotes = (h: { notifications: Notification[] }) => h.notifications.filter((n) => /: metrics /.test(n.subject)).map((n) => n.subject);
/** Minutes whose desired count is below the one before. */
const scaleIns = (minutes: Minute[]) => minutes.filter((m, i) => i > 0 && m.desired < minutes[i - 1].desired).map((m) => m.minute);

describe('R33 capacity: CloudWatch 4 and 10 minutes late', () => {
  test.each([4, 10])('%i minutes late: no alarm reaches ALARM, yet overload scales out and low load scales in again; told once', async (delay) => {
    await withHarness({}, async (h) => {
      // 66% CPU on 10 units (no alarm), then 400 req/s (20 units' worth) for 25 minutes, then 100 req/s.
      const demand = (m: number) => (m < 15 ? 185 : m < 40 ? 400 : 100);
      const minutes = await runMinutes(h, 85, (m) => ({ demand: demand(m), delayMinutes: delay }));

      // the freeze's cause: with every datapoint late, the CPU alarm has nothing to evaluate
      expect(minutes.slice(5).every((m) => m.cpuHigh === 'INSUFFICIENT_DATA')).toBe(true);
      expect(minutes.some((m) => m.cpuHigh === 'ALARM' || m.cpuLow === 'ALARM')).toBe(false);
      // overload still seen, on the late datapoints: out within a few minutes of becoming visible
      const out = minutes.find((m) => m.desired > 10);
      expect(out).toBeDefined();
      expect(out!.minute).toBeLessThanOrEqual(15 + 2 + delay + 2);
      expect(Math.max(...minutes.map((m) => m.desired))).toBe(20);
      // datapoints keep arriving, late: decisions go on, and the load gone is scaled in
      expect(minutes.at(-1)!.desired).toBeLessThanOrEqual(7);
      expect(minutes.at(-1)!.reasons.join(' ')).toMatch(/metrics late \(newest datapoint \d+ s old, late after 240 s; still arriving\)/);
      // told once: late at the first minute (10 minutes: older than fallbackAfterSeconds, and whether
      // any arrive cannot be told yet, so missing) and never back
      const state = delay === 10 ? 'missing' : 'late';
      expect(metricsNotes(h)).toEqual([
        `[autoscaler] web: metrics ${state} (newest datapoint ${60 + 60 * delay} s old); decisions on the newest data, no scale-in while none new arrives; fallback hold`,
      ]);
      const record = await h.store.getTarget('web');
      expect(record?.metrics?.lateSince).toBe(T0);
    });
  });
});

describe('R33 capacity: CloudWatch silent for a while', () => {
  // 66% CPU on 10 units; 420 req/s for two minutes (a scale-out to 20), then 100 req/s; datapoints of
  // minutes 26-45 never published. The scale-in cooldown (900 s) ends inside the gap.
  const load =
    (lostFrom: number, lostTo: number) =>
    (m: number): Load => ({
      demand: m < 15 ? 185 : m < 17 ? 420 : 100,
      lost: m >= lostFrom && m < lostTo,
    });

  test('fallback hold: no scale-in on the last datapoints, however low; scale-in once they are back; told when it starts and when it ends (DynamoDB keeps the state)', async () => {
    await withHarness({ db: db(), target: { scaleInCooldownSeconds: 900, scaleInStabilizationSeconds: 300 } }, async (h) => {
      const minutes = await runMinutes(h, 65, load(26, 46));

      expect(minutes.find((m) => m.minute === 20)!.desired).toBe(20);
      // the last datapoints say 100 req/s (6 units' worth); nothing new arrives from minute 28 to 47
      const gap = minutes.filter((m) => m.minute >= 28 && m.minute < 48);
      expect(gap.every((m) => m.desired === 20)).toBe(true);
      expect(
        gap
          .filter((m) => m.minute >= 33)
          .every((m) => m.reasons.some((r) => /metrics (stalled|missing) .*no scale-in while metrics are stalled or missing, 20 kept/.test(r))),
      ).toBe(true);
      // the scale-in alarm does not fire on missing data (treatMissingData notBreaching)
      expect(gap.filter((m) => m.minute >= 32).every((m) => m.cpuLow === 'OK' && m.cpuHigh === 'INSUFFICIENT_DATA')).toBe(true);
      expect(scaleIns(minutes).filter((m) => m < 48)).toEqual([]);
      // back: decided on again, and scaled in
      expect(scaleIns(minutes).length).toBeGreaterThan(0);
      expect(minutes.at(-1)!.desired).toBeLessThanOrEqual(8);
      const notes = metricsNotes(h);
      expect(notes).toHaveLength(2);
      expect(notes[0]).toMatch(/^\[autoscaler\] web: metrics late \(newest datapoint 300 s old\)/);
      expect(notes[1]).toBe('[autoscaler] web: metrics back on time after 17 min');
      expect((await h.store.getTarget('web'))?.metrics?.lateSince).toBeUndefined();
    });
  });

  test('fallback fixed: at least its count once the metrics are missing, never lowered while they are; not a floor once they are back', async () => {
    await withHarness({ target: { missingData: { fallback: 'fixed', count: 14 } } }, async (h) => {
      // 66% CPU on 10 units throughout; the datapoints of minutes 5-44 are lost
      const minutes = await runMinutes(h, 70, (m) => ({ demand: 185, lost: m >= 5 && m < 45 }));

      // newest datapoint: minute 4, its period ended at minute 5; none new for 600 s at minute 15
      expect(minutes.find((m) => m.minute === 14)!.desired).toBe(10);
      expect(minutes.find((m) => m.minute === 15)!.desired).toBe(14);
      expect(minutes.find((m) => m.minute === 15)!.reasons.join(' ')).toMatch(/metrics missing .*fallback "fixed", at least 14; 10 -> 14/);
      expect(minutes.filter((m) => m.minute >= 15 && m.minute < 47).every((m) => m.desired === 14)).toBe(true);
      expect(h.notifications.map((n) => n.subject)).toContain('[autoscaler] web: scaled out 10 -> 14');
      // back on time: 185 req/s on 14 units is 47% CPU, and the count comes down again
      expect(minutes.at(-1)!.desired).toBeLessThan(14);
      const notes = metricsNotes(h);
      expect(notes).toHaveLength(2);
      expect(notes[0]).toMatch(/metrics late .*at least 14 once missing 600 s$/);
      expect(notes[1]).toMatch(/metrics back on time/);
    });
  });
});

describe('R33 capacity: a fleet with no unit in service', () => {
  test('publishes no CPU: its silence is not missing metrics, and nobody is told', async () => {
    await withHarness({ initial: 0, target: { minCapacity: 0, missingData: { fallback: 'fixed', count: 3 } } }, async (h) => {
      const minutes = await runMinutes(h, 15, () => ({ demand: 0, lost: true }));
      expect(minutes.every((m) => m.desired === 0 && m.cpuHigh === 'INSUFFICIENT_DATA')).toBe(true);
      expect(minutes.at(-1)!.reasons).toEqual([expect.stringMatching(/^no datapoints to decide on; desired unchanged/)]);
      expect(h.notifications).toEqual([]);
    });
  });
});

// ------------------------------------------------------------------------------------------ database

const START = Date.parse('2026-03-02T10:00:00Z');
const SOURCE = 'orders-primary';

class Replicas implements ReplicaBackend {
  readonly units: ReplicaUnit[] = [];
  constructor(private readonly clock: { now: number }) {}
  now(): number {
    return (this.clock.now - START) / 1000;
  }
  replicas(): readonly ReplicaUnit[] {
    return this.units;
  }
  addReplica(id: string, tags: Readonly<Record<string, string>>, instanceClass?: string): void {
    this.units.push({ id, createdAt: this.now(), readyAt: this.now() + 900, tags: { ...tags }, instanceClass });
  }
  removeReplica(id: string): void {
    this.units.splice(
      this.units.findIndex((u) => u.id === id),
      1,
    );
  }
}

/** The database handler on the in-memory RDS and CloudWatch, DynamoDB on dynalite, runbook starts recorded. */
async function databaseWorld(target: Record<string, unknown>, managedReplicas = 2, dynamo = false) {
  const config = parseConfig({ prefix: 'shop', targets: [target] });
  const clock = { now: START };
  const calls = new CallLog(() => clock.now);
  const replicas = new Replicas(clock);
  for (let i = 1; i <= managedReplicas; i++) {
    replicas.units.push({ id: `orders-db-ro-${i}`, createdAt: -86_400, readyAt: -85_500, tags: { [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: 'orders-db' } });
  }
  const rds = new FakeRds({
    source: { id: SOURCE, instanceClass: 'db.r6g.large', engine: 'postgres', engineVersion: '16.4', backupRetentionPeriod: 7, allocatedGiB: 100 },
    backend: replicas,
    log: calls,
    start: START,
  });
  const metrics = new MetricStore();
  const alarms = new AlarmEvaluator(allAlarms(config), metrics, {}, START - 3_600_000);
  const cloudWatch = new FakeCloudWatch(metrics, calls, () => clock.now, alarms);
  const started: { name: string; input: Record<string, unknown> }[] = [];
  // StartExecution as Step Functions answers it: a name already used is ExecutionAlreadyExists.
  const stepFunctions = {
    send: async (command: { input?: { name?: string; input?: string; stateMachineArn?: string } }) => {
      const { name = '', input = '{}', stateMachineArn = '' } = command.input ?? {};
      if (started.some((s) => s.name === name)) throw Object.assign(new Error(`Execution Already Exists: '${name}'`), { name: 'ExecutionAlreadyExists' });
      const parsed = JSON.parse(input) as { desiredReplicas?: number };
      started.push({ name, input: parsed });
      // what the rds-replicas runbook does, at once: replicas added (creating for 15 minutes) or removed
      for (let n = replicas.units.length; parsed.desiredReplicas !== undefined && n < parsed.desiredReplicas; n++) {
        replicas.addReplica(`orders-db-ro-${n + 1}`, { [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: 'orders-db' });
      }
      if (parsed.desiredReplicas !== undefined && parsed.desiredReplicas < replicas.units.length) replicas.units.splice(parsed.desiredReplicas);
      return { executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: new Date(clock.now) };
    },
  };
  const notifications: Notification[] = [];
  const store = dynamo
    ? new DynamoStateStore({ tableName: await db().stateTable(), client: db().doc as unknown as DynamoDBDocumentClient })
    : new MemoryStateStore();
  const handler = createDatabaseHandler({
    config,
    store,
    rds,
    elastiCache: { send: async () => Promise.reject(new Error('no ElastiCache here')) },
    cloudWatch,
    stepFunctions,
    runbooks: {
      'rds-replicas': 'arn:aws:states:us-east-1:123456789012:stateMachine:shop-rds-replicas',
      'rds-instance': 'arn:aws:states:us-east-1:123456789012:stateMachine:shop-rds-instance',
    },
    notifier: { notify: async (n) => void notifications.push(n) },
    now: () => clock.now,
  });
  const t = config.targets[0];
  /** Publishes the CPU of the minute starting at `at` (source, and each available replica), visible `delayMinutes` late; nothing when lost. */
  const publish = (at: number, load: { source: number; replicas?: number; delayMinutes?: number; lost?: boolean }) => {
    if (load.lost) return;
    const visibleFrom = at + (2 + (load.delayMinutes ?? 0)) * MIN;
    const sourceCpu = t.kind === 'rds-instance' ? rdsInstanceMetrics(t).cpu : replicaSourceMetrics(t as RdsReplicasTarget).cpu;
    metrics.put(sourceCpu, at, load.source, visibleFrom);
    for (const r of replicas.units.filter((u) => u.readyAt <= (at - START) / 1000)) {
      metrics.put(replicaMetrics(r.id).cpu, at, load.replicas ?? load.source, visibleFrom);
      metrics.put(replicaMetrics(r.id).lag, at, 0, visibleFrom);
    }
  };
  /** Runs minutes 0..n-1 (20 minutes of `load(-1)` before), as AWS would: datapoints, alarms, schedule. */
  const run = async (n: number, load: (minute: number) => Parameters<typeof publish>[1]) => {
    for (let m = -20; m < 0; m++) publish(clock.now + m * MIN, load(-1));
    const results: { minute: number; result: DatabaseResult; started: number }[] = [];
    for (let minute = 0; minute < n; minute++) {
      if (minute > 0) publish(clock.now - MIN, load(minute - 1));
      for (const event of alarms.evaluate(clock.now)) await handler(JSON.parse(JSON.stringify(event)), lambdaContext());
      const result = (await handler(scheduleEvent(clock.now, 'database'), lambdaContext())) as DatabaseResult;
      results.push({ minute, result, started: started.length });
      clock.now += MIN;
    }
    return results;
  };
  return { config, clock, store, started, notifications, alarms, run };
}

const REPLICAS = { id: 'orders-db', kind: 'rds-replicas', sourceInstanceIdentifier: SOURCE, minReplicas: 0, maxReplicas: 4 };

describe('R33 database: late and missing metrics', () => {
  test('the database function is deployed with the notification topic (it tells late metrics itself)', () => {
    const { template } = synthesize(parseConfig({ prefix: 'shop', targets: [REPLICAS] }));
    const fns = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => /database family/.test(String(f.Properties?.Description)));
    expect(fns).toHaveLength(1);
    expect(fns[0].Properties.Environment.Variables.TOPIC_ARN).toBeDefined();
  });

  test.each([4, 10])('rds-replicas, %i minutes late: overload on the late datapoints adds a replica; told once', async (delay) => {
    const w = await databaseWorld(REPLICAS);
    const minutes = await w.run(20, () => ({ source: 92, replicas: 90, delayMinutes: delay }));

    expect(w.started.map((s) => s.input)).toEqual([expect.objectContaining({ targetId: 'orders-db', desiredReplicas: 3 })]);
    expect(w.started[0].name).toMatch(/^orders-db-add-3-/);
    expect(minutes.find((m) => m.started > 0)!.minute).toBeLessThanOrEqual(2);
    // 10 minutes: older than fallbackAfterSeconds at the first check, which cannot tell whether any still arrive
    expect(w.notifications.map((n) => n.subject)).toEqual([
      `[shop] orders-db: metrics ${delay === 10 ? 'missing' : 'late'} (newest datapoint ${60 + 60 * delay} s old); decisions on the newest data, no replica removed while none new arrives; fallback hold`,
    ]);
  });

  test('rds-replicas, CloudWatch silent for 30 minutes after low CPU: no replica removed until datapoints arrive again; told when it starts and ends (DynamoDB keeps the state)', async () => {
    // overload before minute 0 (a replica added at minute 0), low CPU after; the datapoints of minutes
    // 15-44 are lost; a removal is allowed from minute 20 (scale-in cooldown 1200 s)
    const w = await databaseWorld({ ...REPLICAS, scaleInCooldownSeconds: 1200 }, 2, true);
    const minutes = await w.run(60, (m) => (m < 0 ? { source: 92, replicas: 90 } : { source: 12, replicas: 8, lost: m >= 15 && m < 45 }));

    expect(w.started[0].name).toMatch(/^orders-db-add-3-/);
    // the newest datapoint (minute 14) is visible at minute 16; none new until minute 47
    const silent = minutes.filter((m) => m.minute >= 20 && m.minute < 47);
    expect(silent.every((m) => m.started === 1)).toBe(true);
    expect(silent.every((m) => /metrics (stalled|missing) .*no move down while none new arrives/.test(m.result.targets[0].reason))).toBe(true);
    // datapoints again: the removal the low CPU asks for
    expect(w.started.map((s) => s.name)).toEqual([expect.stringMatching(/^orders-db-add-3-/), expect.stringMatching(/^orders-db-remove-2-/)]);
    expect(minutes.find((m) => m.started > 1)!.minute).toBe(47);
    const notes = w.notifications.map((n) => n.subject);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^\[shop\] orders-db: metrics late \(newest datapoint 300 s old\)/);
    expect(notes[1]).toBe('[shop] orders-db: metrics back on time after 27 min');
  });

  test("rds-replicas, fallback fixed: once missing, at least its count of the autoscaler's replicas; none removed", async () => {
    // nothing published at all: CloudWatch has no datapoint of this source
    const w = await databaseWorld({ ...REPLICAS, scaleInCooldownSeconds: 0, missingData: { fallback: 'fixed', count: 3 } });
    await w.run(30, () => ({ source: 12, replicas: 8, lost: true }));

    expect(w.started).toHaveLength(1);
    expect(w.started[0]).toMatchObject({ name: expect.stringMatching(/^orders-db-add-3-/), input: { targetId: 'orders-db', desiredReplicas: 3 } });
    expect(String(w.started[0].input.reason)).toMatch(/metrics missing .*fallback "fixed", at least 3 replicas: 2 -> 3/);
  });

  test('rds-instance (alarm-driven), 20 minutes late: its alarm cannot reach ALARM; the freshness probe finds it and the class moves up', async () => {
    const w = await databaseWorld(
      { id: 'orders-class', kind: 'rds-instance', instanceIdentifier: SOURCE, instanceClassLadder: ['db.r6g.large', 'db.r6g.xlarge'], applyImmediately: true },
      0,
    );
    const minutes = await w.run(30, () => ({ source: 95, delayMinutes: 20 }));

    // 6 of 6 five-minute periods above 80%: with the last 4 missing, never ALARM
    expect(w.alarms.stateOf('shop/orders-class/cpu/high')).toBe('OK');
    expect(w.started.map((s) => s.name)).toEqual([expect.stringMatching(/^orders-class-up-db-r6g-xlarge-|^orders-class-up-/)]);
    expect(minutes.find((m) => m.started > 0)!.minute).toBeLessThanOrEqual(2);
    expect(w.notifications).toHaveLength(1);
  });
});

// ------------------------------------------------------------------------------------------ simulator

describe('R33 simulator: the metric faults reach every policy', () => {
  // 10 req/s for 20 minutes (50% CPU on 2 units), then 100 req/s (15 units' worth) for 40 minutes
  const web = webScenario({ workload: { unitCapacity: 10, provisioningSeconds: 60 }, target: { minUnits: 2, maxUnits: 20 } });
  const webTrace = traceOf([...new Array(20).fill(600), ...new Array(40).fill(6000)]);
  const withFaults = (s: Scenario, faults: Partial<ScenarioFaults>): Scenario => ({
    ...s,
    faults: { throttleShare: 0, duplicateShare: 0, delaySeconds: 0, seed: 1, ...faults },
  });
  const firstOut = (w: { actions: readonly { step: number; from: number; to: number }[] }) => w.actions.find((a) => a.to > a.from)?.step;

  test('target tracking reads the same late datapoints: its first scale-out comes exactly the delay later', () => {
    const on = runBaseline(web, webTrace, 'target-tracking') as World;
    const late = runBaseline(withFaults(web, { metricDelayMinutes: 5 }), webTrace, 'target-tracking') as World;
    expect(firstOut(on)).toBe(24); // minute 20's datapoint visible at 22, three above target at 24
    expect(firstOut(late)).toBe(29);
  });

  test('the autoscaler, 10 minutes late: its alarms go to INSUFFICIENT_DATA, and it still scales out on the late datapoints', async () => {
    const on = await runAutoscaler(web, webTrace);
    const late = await runAutoscaler(withFaults(web, { metricDelayMinutes: 10 }), webTrace);
    expect(firstOut(on.world)).toBe(22);
    // on time the CPU alarm fires; 10 minutes late it never leaves INSUFFICIENT_DATA (no event at all), nothing fires
    expect(on.alarmEvents.some((e) => e.detail.alarmName === 'sim/web/cpu/high' && e.detail.state.value === 'ALARM')).toBe(true);
    expect(late.alarmEvents.filter((e) => e.detail.alarmName === 'sim/web/cpu/high')).toEqual([]);
    expect(late.alarmEvents.some((e) => e.detail.state.value === 'ALARM')).toBe(false);
    expect(firstOut(late.world)).toBe(32);
    expect(Math.max(...late.world.billed)).toBeGreaterThanOrEqual(15);
  });

  test('the queue family polls SQS, not CloudWatch: 10 minutes late, the same run to the unit', async () => {
    const q = queueScenario({ workload: { unitCapacity: 2, provisioningSeconds: 60 }, target: { minUnits: 0, maxUnits: 30 } });
    const trace = traceOf([...new Array(5).fill(0), 2000, 2000, ...new Array(20).fill(0)]);
    const on = await runAutoscaler(q, trace);
    const late = await runAutoscaler(withFaults(q, { metricDelayMinutes: 10 }), trace);
    expect(on.world.actions.length).toBeGreaterThan(0);
    expect([...late.world.billed]).toEqual([...on.world.billed]);
  });
});
