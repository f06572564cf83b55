/**
 * R13: dry-run (config-wide, per target, or the state table's switch on the target or for all) makes
 * zero AWS writes and records every decision, in every family function: capacity (alarm, schedule),
 * queue (the 1-minute poll, the age alarm, a window's edge), database (an rds-replicas alarm, the
 * schedule: no StartExecution) and cdn (deploy events, then the tick: no CreateInvalidation, the plan
 * recorded). Each on its real handler, the state store on dynalite, the in-memory AWS.
 */
import { eventOf, type HarnessOptions, scheduleEvent, useDynalite, withHarness } from './support';
import { CDN_PATHS } from './support-cdn';
import { DATABASE_PATHS } from './support-database';
import { CAPACITY_PATHS, type FamilyPath, planOf } from './support-families';
import { QUEUE_PATHS } from './support-queue';

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

/** Every family function, on every path an event takes to a write. */
const PATHS: FamilyPath[] = [...CAPACITY_PATHS, ...QUEUE_PATHS, ...DATABASE_PATHS, ...CDN_PATHS];

for (const p of PATHS) {
  for (const [mode, options] of Object.entries(MODES)) {
    test(`R13 ${p.family} function (${p.path}), dry-run (${mode}): no ${p.write}, every decision recorded with what it would do`, async () => {
      const w = await p.world({ db: db(), config: options.config, target: options.target });
      try {
        if (options.switch) await w.store.setSwitch(options.switch === '*' ? '*' : w.targetId, 'dryRun', true);
        const outcomes: string[] = [];
        for (let i = 0; i < 3; i++) outcomes.push(await w.act());
        expect(outcomes).toEqual(['dry-run', 'dry-run', 'dry-run']);
        expect(w.writes()).toEqual([]);
        const audit = await w.audit();
        expect(audit.length).toBeGreaterThanOrEqual(1);
        expect(audit.map((e) => e.outcome).filter((o) => o !== 'dry-run')).toEqual([]);
        expect(planOf(audit[0])).toMatch(p.plan);
      } finally {
        w.restore();
      }
    });
  }
}
