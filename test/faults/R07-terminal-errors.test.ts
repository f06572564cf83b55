/**
 * R07 (capacity part): errors that will fail the same way every time (validation, access, a missing
 * or inactive service) are recorded and reported once, not retried, and leave nothing half-done: the
 * desired count, the cooldown and the engine's memory are as they were.
 */
import { FAILED_HOLD_SECONDS } from '../../lambdas/scalers/capacity/service';
import { eventOf, scheduleEvent, useDynalite, withHarness } from './support';

const db = useDynalite();

const CASES = [
  { kind: 'asg', command: 'SetDesiredCapacityCommand', error: 'ValidationError' },
  { kind: 'asg', command: 'SetDesiredCapacityCommand', error: 'AccessDenied' },
  { kind: 'asg', command: 'SetDesiredCapacityCommand', error: 'ServiceLinkedRoleFailure' },
  { kind: 'ecs-service', command: 'UpdateServiceCommand', error: 'InvalidParameterException' },
  { kind: 'ecs-service', command: 'UpdateServiceCommand', error: 'ServiceNotFoundException' },
  { kind: 'ecs-service', command: 'UpdateServiceCommand', error: 'ServiceNotActiveException' },
  { kind: 'ecs-service', command: 'UpdateServiceCommand', error: 'ClusterNotFoundException' },
  { kind: 'ecs-service', command: 'UpdateServiceCommand', error: 'AccessDeniedException' },
  { kind: 'ecs-service', command: 'UpdateServiceCommand', error: 'UnsupportedFeatureException' },
] as const;

for (const c of CASES) {
  test(`R07 terminal error: ${c.error} on ${c.command.replace('Command', '')} is reported once, not retried, nothing half-done`, async () => {
    const client = c.kind === 'asg' ? 'autoScaling' : 'ecs';
    await withHarness({ db: db(), kind: c.kind, faults: { [client]: { errors: [{ command: c.command, error: c.error }] } } }, async (h) => {
      h.load(92);
      const event = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
      const result = await h.handler(event);
      expect(result.targets[0]).toMatchObject({ outcome: 'failed', previous: 10 });
      expect(result.targets[0].reason).toContain(c.error);

      const attempts = (h.clients[client] as unknown as { faults: { attempted: { command: string }[] } }).faults.attempted.filter(
        (x) => x.command === c.command,
      );
      expect(attempts).toHaveLength(1);
      expect(h.sleeps).toEqual([]);
      expect(h.fleet.history).toEqual([]);
      expect(h.fleet.desired).toBe(10);
      const audit = await h.audit();
      expect(audit.map((e) => e.outcome)).toEqual(['failed']);
      expect(h.notifications).toHaveLength(1);
      expect(h.notifications[0].subject).toMatch(/FAILED/);
      const record = await h.store.getTarget('web');
      expect(record?.lastActionAt).toBeUndefined();
      expect((record?.memory as { lastScaleOutAt?: number } | undefined)?.lastScaleOutAt).toBeUndefined();

      // the same event again (a redelivery, or Lambda's retry): the recorded result, no second attempt, no second report
      h.clock.advance(60);
      expect(await h.handler(structuredClone(event))).toEqual(result);
      expect(attempts.length).toBe(1);
      expect(
        (h.clients[client] as unknown as { faults: { attempted: { command: string }[] } }).faults.attempted.filter((x) => x.command === c.command),
      ).toHaveLength(1);
      expect(await h.audit()).toHaveLength(1);
      expect(h.notifications).toHaveLength(1);
    });
  });
}

test('R07 terminal error: a group that no longer exists fails the invocation before any write (its retries end in the dead-letter queue)', async () => {
  await withHarness({ db: db() }, async (h) => {
    h.load(92);
    const event = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    // the group disappears between the alarm and the action
    const faulty = { send: async () => ({ AutoScalingGroups: [] }) };
    (h.clients.autoScaling as { send: unknown }).send = faulty.send;
    await expect(h.handler(event)).rejects.toThrow(/Auto Scaling group "django-web" not found/);
    expect(h.writes()).toHaveLength(0);
  });
});

test('R07 terminal error: the 1-minute re-evaluation does not retry the failed change in a loop; one report, one attempt, until the hold-off ends', async () => {
  await withHarness({ db: db(), faults: { autoScaling: { errors: [{ command: 'SetDesiredCapacityCommand', error: 'AccessDenied' }] } } }, async (h) => {
    const attempts = () =>
      (h.clients.autoScaling as unknown as { faults: { attempted: { command: string }[] } }).faults.attempted.filter(
        (x) => x.command === 'SetDesiredCapacityCommand',
      ).length;
    h.load(92);
    await h.handler(eventOf(h.evaluate(), 'autoscaler/web/cpu/high'));
    expect(attempts()).toBe(1);
    // the alarm stays in ALARM: the schedule looks at the target every minute
    for (let minute = 1; minute < FAILED_HOLD_SECONDS / 60; minute++) {
      h.clock.advance(60);
      h.load(92);
      h.evaluate();
      const r = await h.handler(scheduleEvent(h.clock.now));
      expect(r.targets[0]).toMatchObject({ outcome: 'held' });
      expect(r.targets[0].reason).toMatch(/failed terminally \(AccessDenied\)/);
    }
    expect(attempts()).toBe(1);
    expect(h.notifications).toHaveLength(1);
    expect((await h.audit()).filter((e) => e.outcome === 'failed')).toHaveLength(1);

    // after the hold-off, one more attempt (an operator may have fixed the cause)
    h.clock.advance(60);
    h.load(92);
    h.evaluate();
    const later = await h.handler(scheduleEvent(h.clock.now));
    expect(later.targets[0]).toMatchObject({ outcome: 'failed' });
    expect(attempts()).toBe(2);
  });
});

test('R07 terminal error: a success after the hold-off clears it; the next change is made at once', async () => {
  await withHarness(
    { db: db(), faults: { autoScaling: { errors: [{ command: 'SetDesiredCapacityCommand', error: 'ValidationError', times: 1 }] } } },
    async (h) => {
      h.load(92);
      expect((await h.handler(eventOf(h.evaluate(), 'autoscaler/web/cpu/high'))).targets[0].outcome).toBe('failed');
      h.clock.advance(FAILED_HOLD_SECONDS + 60);
      h.load(92);
      h.evaluate();
      expect((await h.handler(scheduleEvent(h.clock.now))).targets[0].outcome).toBe('applied');
      expect((await h.store.getTarget('web'))?.lastFailure).toBeUndefined();
    },
  );
});
