/**
 * The set-capacity runbook (lambdas/runbooks/capacity.ts, lib/runbooks/definitions.ts), run locally: the
 * ASL from the synthesized template, the task served in-process by the real task handler, Auto Scaling,
 * ECS and SQS answered by the simulator's in-memory services. One synth for all.
 */
import { capacityPolicyOf, decideCapacity, type EngineMemory } from '../../lambdas/engine/capacity';
import { decideQueue, type QueueMemory, queuePolicyOf } from '../../lambdas/engine/queue';
import { type AsgTarget, parseConfig, type QueueWorkersTarget } from '../../lambdas/shared/config';
import { MemoryStateStore } from '../../lambdas/state/memory';
import type { StateStore } from '../../lambdas/state/store';
import { NOW, type World, world } from './context';
import { type SynthesizedRunbooks, synthesizeRunbooks } from './harness';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/celery-default';
const config = parseConfig({
  prefix: 'shop',
  targets: [
    { kind: 'asg', id: 'web', autoScalingGroupName: 'shop-web', minCapacity: 2, maxCapacity: 10 },
    { kind: 'ecs-service', id: 'api', cluster: 'shop', service: 'shop-api', minCapacity: 1, maxCapacity: 12 },
    { kind: 'asg', id: 'batch', autoScalingGroupName: 'shop-batch', minCapacity: 1, maxCapacity: 20 },
    {
      kind: 'queue-workers',
      id: 'celery',
      queueUrl: QUEUE,
      workers: { kind: 'asg', autoScalingGroupName: 'shop-workers' },
      messagesPerSecondPerWorker: 2,
      maxCapacity: 20,
    },
    { kind: 'rds-storage', id: 'disk', instanceIdentifier: 'orders-primary', maxAllocatedGiB: 500 },
  ],
  // Open at NOW (Monday 2026-11-23 12:00 UTC): batch may have at most 6.
  windows: [{ name: 'midday', target: 'batch', start: 'cron(0 11 * * ? *)', durationMinutes: 120, maxCapacity: 6 }],
});
let synthesized: SynthesizedRunbooks;
beforeAll(() => {
  synthesized = synthesizeRunbooks(config);
});

const setCapacity = (w: World, input: Record<string, unknown>, name = 'manual-1') => w.run('SetCapacity', { reason: 'launch at noon', ...input }, name);
const writes = (w: World) => w.fleetCalls.calls.filter((c) => /^(SetDesiredCapacity|UpdateService)/.test(c.command));
const errorName = (run: { error?: Error }) => (run.error as { cause?: { name?: string } } | undefined)?.cause?.name ?? run.error?.name;

describe('set-capacity runbook', () => {
  test('sets a web tier to N, records it as a change with the reason given, and tells the topic', async () => {
    const w = world(config, synthesized);

    const run = await setCapacity(w, { targetId: 'web', desired: 6 });

    expect(run.error).toBeUndefined();
    expect(run.calls.map((c) => c.state)).toEqual(['SetCapacity', 'Notify']);
    expect(writes(w).map((c) => c.input)).toEqual([expect.objectContaining({ AutoScalingGroupName: 'shop-web', DesiredCapacity: 6 })]);
    expect(w.fleets.get('web')!.desired).toBe(6);
    const [entry] = await w.store.listAudit('web', 0, Number.MAX_SAFE_INTEGER);
    expect(entry).toMatchObject({
      outcome: 'applied',
      previous: 4,
      desired: 6,
      direction: 'out',
      eventId: 'manual-1',
      reason: expect.stringContaining('set by hand 4 -> 6: "launch at noon"'),
    });
    expect(entry.reason).toContain('no scale-out for 60 s (scaleOutCooldownSeconds), no scale-in for 300 s (scaleInCooldownSeconds)');
    expect(w.notifications.at(-1)?.subject).toMatch(/^\[shop\] web: runbook done: set by hand 4 -> 6/);
    expect(run.output).toMatchObject({ outcome: 'succeeded', previous: 4, applied: 6 });
  });

  test('an ECS service is set with UpdateService', async () => {
    const w = world(config, synthesized);
    const run = await setCapacity(w, { targetId: 'api', desired: 3 });
    expect(run.error).toBeUndefined();
    expect(writes(w).map((c) => [c.command, c.input])).toEqual([
      ['UpdateServiceCommand', expect.objectContaining({ cluster: 'shop', service: 'shop-api', desiredCount: 3 })],
    ]);
  });

  test('the family function then leaves the count alone for its cooldowns: the engine holds a scale-in for scaleInCooldownSeconds', async () => {
    const w = world(config, synthesized);
    await setCapacity(w, { targetId: 'web', desired: 8 });
    const record = await w.store.getTarget('web');
    expect(record).toMatchObject({ lastActionAt: NOW, lastExecution: 'manual-1', lastDecision: { outcome: 'applied', previous: 4, desired: 8 } });
    const target = config.targets[0] as AsgTarget;
    // Idle: 0.4 busy units for a quarter of an hour (10% CPU of the 4 units before the change, 5% of the
    // 8 after it: the same load) wants far fewer than 8.
    const cpuAt = (at: number) => ({ at, value: at < NOW ? 10 : 5 });
    const decideAt = (now: number) =>
      decideCapacity({
        policy: capacityPolicyOf(target),
        current: { desired: 8, ready: 8 },
        observation: { periodSeconds: 60, cpu: Array.from({ length: 15 }, (_, i) => cpuAt(now - (15 - i) * 60_000)) },
        memory: record!.memory as unknown as EngineMemory,
        now,
      }).decision;
    expect(decideAt(NOW + 120_000)).toMatchObject({ desired: 8, heldBy: 'cooldown' });
    expect(decideAt(NOW + (target.scaleInCooldownSeconds + 1) * 1000).desired).toBeLessThan(8);
  });

  test('queue workers raised by hand: the engine does not reverse that scale-out within 600 s when holding is cheap, as after its own', async () => {
    const w = world(config, synthesized);
    const from = w.fleets.get('celery')!.desired;
    await setCapacity(w, { targetId: 'celery', desired: from + 3 });
    const record = await w.store.getTarget('celery');
    const target = config.targets[3] as QueueWorkersTarget;
    // the queue is empty: the engine wants one warm worker
    const decideAt = (now: number) =>
      decideQueue({
        policy: queuePolicyOf(target),
        fleet: { desired: from + 3, ready: from + 3 },
        observation: { visible: 0, notVisible: 0 },
        memory: record!.memory as unknown as QueueMemory,
        now,
      }).decision;
    expect(decideAt(NOW + 120_000)).toMatchObject({ desired: from + 3, heldBy: 'reversal' });
    expect(decideAt(NOW + 660_000).desired).toBeLessThan(from + 3);
  });

  test('beyond maxCapacity is clamped (never forced); the step is passed over only with force: true, audited', async () => {
    const w = world(config, synthesized);

    const refused = await setCapacity(w, { targetId: 'web', desired: 50 }, 'too-far');
    expect(errorName(refused)).toBe('TerminalError');
    expect(writes(w)).toEqual([]);
    expect((await w.store.listAudit('web', 0, Number.MAX_SAFE_INTEGER))[0]).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining('SetDesiredCapacity 4 -> 10 on "web" refused: 4 -> 10 adds 6: one scale-out adds at most 4 (maxStepUpRatio, maxStepUp)'),
    });

    const forced = await setCapacity(w, { targetId: 'web', desired: 50, force: true }, 'forced');
    expect(forced.error).toBeUndefined();
    expect(w.fleets.get('web')!.desired).toBe(10);
    // Every entry is at NOW: found by run and outcome.
    const entries = (await w.store.listAudit('web', 0, Number.MAX_SAFE_INTEGER)).filter((e) => e.eventId === 'forced');
    const done = entries.find((e) => e.outcome === 'applied')!;
    const control = entries.find((e) => e.outcome === 'control');
    expect(done.reason).toContain('50 clamped to 10 (minCapacity-maxCapacity 2-10)');
    expect(control).toMatchObject({ outcome: 'control', actor: 'runbook', reason: expect.stringContaining('forced (force: true) past step:') });
  });

  test("a capacity window's ceiling in force clamps it", async () => {
    const w = world(config, synthesized);
    const run = await setCapacity(w, { targetId: 'batch', desired: 8 });
    expect(run.error).toBeUndefined();
    expect(w.fleets.get('batch')!.desired).toBe(6);
    expect(run.output?.summary).toContain('8 clamped to 6 (window "midday" 1-6)');
  });

  test("an operator's override of the ceiling in force clamps it, over an open window's", async () => {
    const w = world(config, synthesized);
    await w.store.setOverride({ targetId: 'batch', max: 5, expiresAt: NOW + 3_600_000, setAt: NOW, setBy: 'ops' });
    const run = await setCapacity(w, { targetId: 'batch', desired: 8 });
    expect(run.error).toBeUndefined();
    expect(w.fleets.get('batch')!.desired).toBe(5);
    expect(run.output?.summary).toContain('8 clamped to 5');
  });

  test("the group's own MaxSize holds it (AWS would refuse more)", async () => {
    const w = world(config, synthesized);
    w.fleets.get('web')!.group!.maxSize = 5;
    const run = await setCapacity(w, { targetId: 'web', desired: 7 });
    expect(run.error).toBeUndefined();
    expect(w.fleets.get('web')!.desired).toBe(5);
    expect(run.output?.summary).toContain("held to the group's MaxSize 5");
  });

  test('a second change within the cooldown is refused, and goes with force: true', async () => {
    const w = world(config, synthesized);
    await setCapacity(w, { targetId: 'web', desired: 6 }, 'first');
    const again = await setCapacity(w, { targetId: 'web', desired: 5 }, 'second');
    expect(errorName(again)).toBe('TerminalError');
    expect(w.fleets.get('web')!.desired).toBe(6);
    const refused = (await w.store.listAudit('web', 0, Number.MAX_SAFE_INTEGER)).find((e) => e.eventId === 'second');
    expect(refused).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/the last change of "web" was 0 s ago: scaleInCooldownSeconds 300 s/) });
    const forced = await setCapacity(w, { targetId: 'web', desired: 5, force: true }, 'third');
    expect(forced.error).toBeUndefined();
    expect(w.fleets.get('web')!.desired).toBe(5);
  });

  test('busy workers stay: without scale-in protection, the workers the in-flight messages need; protected instances always', async () => {
    const w = world(config, synthesized);
    w.queues.get(QUEUE)!.notVisible = 3;
    const run = await setCapacity(w, { targetId: 'celery', desired: 2, force: true });
    expect(run.error).toBeUndefined();
    expect(w.fleets.get('celery')!.desired).toBe(3);
    expect(run.output?.summary).toContain('held at 3: 3 messages in flight need 3 workers');

    const web = world(config, synthesized);
    web.fleets.get('web')!.protectedCount = 4;
    const held = await setCapacity(web, { targetId: 'web', desired: 2, force: true });
    expect(held.error).toBeUndefined();
    expect(writes(web)).toEqual([]);
    expect(held.output?.summary).toContain('web already at 4; held at 4: 4 protected from scale-in');
  });

  test("the target's lease, held by the family function, is waited out (ResourceBusy) and then taken", async () => {
    const store = new MemoryStateStore();
    let refusals = 2;
    const gated = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'acquireLease') return async (...args: Parameters<StateStore['acquireLease']>) => (refusals-- > 0 ? false : target.acquireLease(...args));
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const w = world(config, synthesized, { store: gated });
    const run = await setCapacity(w, { targetId: 'web', desired: 5 });
    expect(run.error).toBeUndefined();
    expect(run.calls.map((c) => c.state)).toEqual(['SetCapacity', 'SetCapacity', 'SetCapacity', 'Notify']);
    expect(w.fleets.get('web')!.desired).toBe(5);
    // Given back: the family function takes it at once.
    expect(await store.acquireLease('web', 'capacity-fn', NOW, 90)).toBe(true);
  });

  test.each([
    [{ targetId: 'disk', desired: 3 }, 'set-capacity sets asg, ecs-service, queue-workers targets'],
    [{ targetId: 'nope', desired: 3 }, 'no target "nope"'],
    [{ targetId: 'web', desired: 3, reason: '  ' }, 'say why the count is set by hand'],
    [{ targetId: 'web', desired: -1 }, 'desired'],
  ])('bad input %j fails the run (%s), before any call', async (input, name) => {
    const w = world(config, synthesized);
    const run = await setCapacity(w, input);
    expect(run.error).toBeDefined();
    expect(w.fleetCalls.calls).toEqual([]);
    expect(run.calls.map((c) => c.state)).toEqual(['SetCapacity', 'NotifyFailure']);
    const [entry] = await w.store.listAudit(String(input.targetId), 0, Number.MAX_SAFE_INTEGER);
    if (input.targetId !== 'nope') expect(entry).toMatchObject({ outcome: 'failed', reason: expect.stringContaining(name) });
    else expect(run.error?.message).toContain(name);
  });
});
