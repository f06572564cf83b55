/**
 * R03: the invocation dies after SetDesiredCapacity went through and before it was recorded. Every
 * call is absolute (desired = N), so a retry computes N again from what AWS now says and has nothing
 * left to do: one effective change, never a second step.
 */
import type { StateStore } from '../../lambdas/state/store';
import { eventOf, scheduleEvent, useDynalite, withHarness } from './support';

const db = useDynalite();

/** A store whose saveTarget fails (once, or hangs forever: a killed process) after the AWS write. */
function crashingSave(mode: 'throw' | 'hang') {
  let crashes = 0;
  let unblock: (err: Error) => void = () => undefined;
  // resolved at the first crash (no wall-clock polling)
  let crashed: () => void = () => undefined;
  const firstCrash = new Promise<void>((resolve) => (crashed = resolve));
  const wrap = (inner: StateStore): StateStore =>
    Object.assign(Object.create(Object.getPrototypeOf(inner)) as StateStore, inner, {
      saveTarget: (record: Parameters<StateStore['saveTarget']>[0], owner: string) => {
        if (crashes++ === 0) {
          crashed();
          if (mode === 'hang') return new Promise<void>((_, reject) => (unblock = reject));
          return Promise.reject(Object.assign(new Error('connection reset'), { name: 'InternalServerError' }));
        }
        return inner.saveTarget(record, owner);
      },
    });
  // Frees the hung call once the test is over, so that nothing (middy's timeout timer) outlives the test.
  return { wrap, crashes: () => crashes, firstCrash, cleanUp: () => unblock(new Error('process killed')) };
}

test('R03 crash after the AWS call: an invocation that fails before recording is retried without a second step', async () => {
  const crash = crashingSave('throw');
  await withHarness({ db: db(), wrapStore: crash.wrap }, async (h) => {
    h.load(92);
    const event = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    await expect(h.handler(event)).rejects.toThrow(/connection reset/);
    expect(h.writes()).toHaveLength(1);
    const stepped = h.fleet.desired;
    expect(stepped).toBeGreaterThan(10);

    // Lambda retries the failed asynchronous invocation about a minute later, then two minutes later.
    h.clock.advance(60);
    const retry = await h.handler(structuredClone(event));
    expect(retry.targets[0]).toMatchObject({ previous: stepped, desired: stepped, outcome: 'held' });
    h.clock.advance(120);
    await h.handler(structuredClone(event));

    expect(h.writes()).toHaveLength(1);
    expect(h.fleet.history.map((x) => x.desired)).toEqual([stepped]);
    // the retry recorded what is true: the group at the stepped count, no action of its own
    expect((await h.audit()).map((e) => [e.outcome, e.desired])).toEqual([['held', stepped]]);
  });
});

test('R03 crash after the AWS call: a killed invocation leaves its event in progress; retries never step twice', async () => {
  const crash = crashingSave('hang');
  await withHarness({ db: db(), wrapStore: crash.wrap }, async (h) => {
    h.load(92);
    const event = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    const dead = h.handler(event).catch(() => undefined); // never settles while the test looks: the process is gone
    await crash.firstCrash;
    expect(crash.crashes()).toBe(1);
    expect(h.writes()).toHaveLength(1);
    const stepped = h.fleet.desired;

    // within the dead invocation's remaining time, a redelivery is refused as in progress, before any AWS call
    h.clock.advance(30);
    const before = h.calls.calls.length;
    await expect(h.handler(structuredClone(event))).rejects.toMatchObject({ name: 'IdempotencyAlreadyInProgressError' });
    expect(h.calls.calls.length).toBe(before);

    // later retries and the schedule: the lease runs out, the target is looked at again, no second step
    for (const after of [60, 120, 60]) {
      h.clock.advance(after);
      await h.handler(structuredClone(event)).catch(() => undefined);
      await h.handler(scheduleEvent(h.clock.now));
    }
    expect(h.writes()).toHaveLength(1);
    expect(h.fleet.history.map((x) => x.desired)).toEqual([stepped]);
    const audit = await h.audit();
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((e) => e.outcome !== 'applied')).toBe(true);
    crash.cleanUp();
    await dead;
  });
});
