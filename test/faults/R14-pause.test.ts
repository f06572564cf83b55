/** R14: pause (global or per target) makes zero AWS writes while decisions are recorded; resume restores normal behaviour. */
import { eventOf, scheduleEvent, withHarness, useDynalite } from './support';

const db = useDynalite();

for (const scope of ['*', 'web']) {
  test(`R14 pause (${scope === '*' ? 'global' : 'target'}): zero writes while paused; after resume the next event acts normally`, async () => {
    await withHarness({ db: db() }, async (h) => {
      await h.store.setSwitch(scope, 'paused', true);
      h.load(92);
      const alarm = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
      const paused = await h.handler(alarm);
      expect(paused.targets[0]).toMatchObject({ outcome: 'paused', previous: 10 });
      for (let i = 0; i < 3; i++) {
        h.clock.advance(60);
        h.load(92);
        h.evaluate();
        await h.handler(scheduleEvent(h.clock.now));
      }
      expect(h.writes()).toEqual([]);
      expect((await h.audit()).every((e) => e.outcome === 'paused')).toBe(true);
      // a pause does not start a cooldown: nothing was done
      expect((await h.store.getTarget('web'))?.lastActionAt).toBeUndefined();

      await h.store.setSwitch(scope, 'paused', false);
      h.clock.advance(60);
      h.load(92);
      h.evaluate();
      const resumed = await h.handler(scheduleEvent(h.clock.now));
      expect(resumed.targets[0]).toMatchObject({ outcome: 'applied', previous: 10 });
      expect(h.writes()).toHaveLength(1);
      expect(h.fleet.desired).toBe(resumed.targets[0].desired);
    });
  });
}

test('R14 pause: pausing another target does not stop this one', async () => {
  await withHarness({ db: db() }, async (h) => {
    await h.store.setSwitch('other', 'paused', true);
    h.load(92);
    const result = await h.handler(eventOf(h.evaluate(), 'autoscaler/web/cpu/high'));
    expect(result.targets[0]).toMatchObject({ outcome: 'applied' });
  });
});
