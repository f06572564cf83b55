/**
 * R04: an invocation dies while it holds a target's lease. Others find the target busy and change
 * nothing until the lease expires (LEASE_SECONDS); then the next invocation proceeds. The dead holder
 * can no longer record anything once another owns the lease.
 */
import { LEASE_SECONDS } from '../../lambdas/scalers/capacity/service';
import { LeaseLostError } from '../../lambdas/state/store';
import { alarmEvent, eventOf, scheduleEvent, useDynalite, withHarness } from './support';

const db = useDynalite();

test('R04 lease expiry: a crash while holding the lease blocks the target until the lease expires, then the next invocation proceeds', async () => {
  let kill: () => void = () => undefined;
  let describes = 0;
  // resolved when the first invocation reaches its hang, lease in hand (no wall-clock polling)
  let hung: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (hung = resolve));
  await withHarness(
    {
      db: db(),
      faults: {
        autoScaling: {
          // the first invocation hangs on its first look at the group, lease in hand
          delay: (call) =>
            call.command === 'DescribeAutoScalingGroupsCommand' && describes++ === 0
              ? new Promise<void>((resolve) => {
                  kill = resolve;
                  hung();
                })
              : undefined,
        },
      },
    },
    async (h) => {
      h.load(92);
      const first = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
      const dead = h.handler(first).catch((err: Error) => err);
      await reached;
      expect(describes).toBe(1);

      // within the lease: another alarm event and the schedule find the target busy and write nothing
      h.clock.advance(30);
      const during = await h.handler(alarmEvent('autoscaler/web/cpu/high', h.clock.now, 'ALARM', 'second-event'));
      expect(during.targets[0]).toMatchObject({ outcome: 'busy' });
      h.clock.advance(30);
      const scheduled = await h.handler(scheduleEvent(h.clock.now));
      expect(scheduled.targets[0]).toMatchObject({ outcome: 'busy' });
      expect(h.writes()).toHaveLength(0);

      // past the lease: the next invocation proceeds and acts
      h.clock.now = h.clock.now - 60_000 + LEASE_SECONDS * 1000 + 1000;
      const after = await h.handler(scheduleEvent(h.clock.now + 1));
      expect(after.targets[0]).toMatchObject({ outcome: 'applied', previous: 10 });
      expect(h.writes()).toHaveLength(1);

      // Lambda ends an invocation at its timeout, before its lease runs out (the template test checks
      // the two figures); were it to wake up anyway, it finds the step taken and cannot record over the new owner
      kill();
      expect(await dead).toBeInstanceOf(LeaseLostError);
      expect(h.writes()).toHaveLength(1);
    },
  );
});

test('R04 lease expiry: a lease held by a crashed owner is taken over only once it has expired', async () => {
  await withHarness({ db: db() }, async (h) => {
    const t = h.clock.now;
    expect(await h.store.acquireLease('web', 'crashed', t, LEASE_SECONDS)).toBe(true);
    expect(await h.store.acquireLease('web', 'next', t + (LEASE_SECONDS - 1) * 1000, LEASE_SECONDS)).toBe(false);
    expect(await h.store.acquireLease('web', 'next', t + LEASE_SECONDS * 1000, LEASE_SECONDS)).toBe(true);
    await expect(h.store.saveTarget({ targetId: 'web' }, 'crashed')).rejects.toBeInstanceOf(LeaseLostError);
  });
});
