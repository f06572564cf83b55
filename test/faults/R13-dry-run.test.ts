/** R13: dry-run (config-wide, per target, or the state table's switch) makes zero AWS writes and records every decision. */
import { eventOf, scheduleEvent, withHarness, useDynalite, type HarnessOptions } from './support';

const db = useDynalite();

const MODES: Record<string, Pick<HarnessOptions, 'config' | 'target'> & { switch?: string }> = {
  'config dryRun': { config: { dryRun: true } },
  'target dryRun': { target: { dryRun: true } },
  'switch on the target': { switch: 'web' },
  'global switch': { switch: '*' },
};

for (const [mode, options] of Object.entries(MODES)) {
  test(`R13 dry-run (${mode}): zero AWS writes, the decisions recorded`, async () => {
    await withHarness({ db: db(), ...options }, async (h) => {
      if (options.switch) await h.store.setSwitch(options.switch, 'dryRun', true);
      for (let minute = 0; minute < 5; minute++) {
        h.load(92);
        const events = h.evaluate();
        if (minute === 0) await h.handler(eventOf(events, 'autoscaler/web/cpu/high'));
        else await h.handler(scheduleEvent(h.clock.now));
        h.clock.advance(60);
      }
      expect(h.writes()).toEqual([]);
      expect(h.fleet.desired).toBe(10);
      const audit = await h.audit();
      expect(audit.length).toBeGreaterThanOrEqual(1);
      expect(audit.every((e) => e.outcome === 'dry-run')).toBe(true);
      expect(audit[0]).toMatchObject({ previous: 10, desired: expect.any(Number) });
      expect(audit[0].desired!).toBeGreaterThan(10);
      expect((await h.store.getTarget('web'))?.lastDecision).toMatchObject({ outcome: 'dry-run' });
      expect(h.notifications.every((n) => /dry-run/.test(n.subject))).toBe(true);
    });
  });
}
