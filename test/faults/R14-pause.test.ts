/**
 * R14: pause (global or per target) makes zero AWS writes while decisions are recorded; resume
 * restores normal behaviour; pausing another target does not stop this one. In every family function:
 * capacity (alarm, schedule), queue (the 1-minute poll, the age alarm, a window's edge), database (an
 * rds-replicas alarm, the schedule: no StartExecution while paused) and cdn (deploy events still
 * coalesce into batches; no CreateInvalidation while paused, sent after resume). Each on its real
 * handler, the state store on dynalite, the in-memory AWS.
 */
import { eventOf, scheduleEvent, useDynalite, withHarness } from './support';
import { CDN_PATHS, cdnHarness, tickOutcome } from './support-cdn';
import { DATABASE_PATHS } from './support-database';
import { CAPACITY_PATHS, type FamilyPath, planOf } from './support-families';
import { QUEUE_PATHS } from './support-queue';

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

/** Every family function, on every path an event takes to a write. */
const PATHS: FamilyPath[] = [...CAPACITY_PATHS, ...QUEUE_PATHS, ...DATABASE_PATHS, ...CDN_PATHS];

for (const p of PATHS) {
  for (const scope of ['global', 'target'] as const) {
    test(`R14 ${p.family} function (${p.path}), pause (${scope}): no ${p.write} while paused, decisions recorded; after resume the next event acts`, async () => {
      const w = await p.world({ db: db() });
      try {
        const id = scope === 'global' ? '*' : w.targetId;
        await w.store.setSwitch(id, 'paused', true);
        const outcomes: string[] = [];
        for (let i = 0; i < 3; i++) outcomes.push(await w.act());
        expect(outcomes).toEqual(['paused', 'paused', 'paused']);
        expect(w.writes()).toEqual([]);
        const audit = await w.audit();
        expect(audit.length).toBeGreaterThanOrEqual(1);
        expect(audit.map((e) => e.outcome).filter((o) => o !== 'paused')).toEqual([]);
        expect(planOf(audit[0])).toMatch(p.plan);

        await w.store.setSwitch(id, 'paused', false);
        expect(await w.act()).toBe('applied');
        expect(w.writes().length).toBeGreaterThanOrEqual(1);
        expect(
          w
            .writes()
            .map((c) => c.command)
            .filter((c) => c !== p.write),
        ).toEqual([]);
      } finally {
        w.restore();
      }
    });
  }

  test(`R14 ${p.family} function (${p.path}): pausing another target does not stop this one`, async () => {
    const w = await p.world({ db: db() });
    try {
      await w.store.setSwitch('other', 'paused', true);
      expect(await w.act()).toBe('applied');
      expect(w.writes().map((c) => c.command)).toEqual([p.write]);
    } finally {
      w.restore();
    }
  });
}

test('R14 cdn function: deploy events still coalesce into batches while paused; none is sent until resumed, then each window once', async () => {
  const h = await cdnHarness({ db: db() });
  try {
    await h.store.setSwitch('cdn', 'paused', true);
    // window 1: three uploads, one of them twice; window 2: one upload
    for (const name of ['a.css', 'b.js', 'a.css', 'c.png']) expect((await h.upload(name)).status).toBe('recorded');
    h.clock.advance(60);
    await h.upload('d.css');
    h.clock.advance(60);
    const paused = await h.tick();
    expect(paused.batches.map((b) => [b.outcome, b.paths])).toEqual([
      ['paused', ['/static/a.css', '/static/b.js', '/static/c.png']],
      ['paused', ['/static/d.css']],
    ]);
    h.clock.advance(60);
    expect(tickOutcome(await h.tick())).toBe('paused');
    expect(h.writes()).toEqual([]);

    await h.store.setSwitch('cdn', 'paused', false);
    h.clock.advance(60);
    expect(tickOutcome(await h.tick())).toBe('applied');
    const sent = h.writes().map((c) => (c.input as { InvalidationBatch: { CallerReference: string; Paths: { Items: string[] } } }).InvalidationBatch);
    const w1 = Math.floor(h.clock.now / 1000 / 60) * 60 - 4 * 60;
    expect(sent).toEqual([
      { CallerReference: `cdn-${w1}`, Paths: { Quantity: 3, Items: ['/static/a.css', '/static/b.js', '/static/c.png'] } },
      { CallerReference: `cdn-${w1 + 60}`, Paths: { Quantity: 1, Items: ['/static/d.css'] } },
    ]);
    // nothing is left to send, and the decisions are in the audit log: held while paused, then applied
    h.clock.advance(60);
    expect((await h.tick()).batches).toEqual([]);
    expect(h.writes()).toHaveLength(2);
    expect((await h.audit()).map((e) => e.outcome)).toEqual(['paused', 'paused', 'paused', 'paused', 'applied', 'applied']);
  } finally {
    h.restore();
  }
});
