/**
 * R35: an operator's override (lambdas/shared/overrides.ts) is honoured by every family function on
 * every path, and when it expires the deployed config returns with no one doing anything. A pause or
 * dry-run override holds the write as the switches do; an override of the ceiling to the current count
 * holds a scale-out; a minute after the expiry the change is made. Each family on its real handler, the
 * state store on dynalite, the in-memory AWS. The runbooks' tasks read the same switches (R21, modes
 * `pause (override)` and `dry-run (override)`).
 */
import type { Override } from '../../lambdas/state/store';
import { harness, scheduleEvent, T0, useDynalite } from './support';
import { CDN_PATHS } from './support-cdn';
import { DATABASE_PATHS, databaseHarness } from './support-database';
import { CAPACITY_PATHS, type FamilyPath, planOf } from './support-families';
import { QUEUE_PATHS } from './support-queue';

const db = useDynalite();

const PATHS: FamilyPath[] = [...CAPACITY_PATHS, ...QUEUE_PATHS, ...DATABASE_PATHS, ...CDN_PATHS];

/** Runs out between the second and the third minute's event (the cdn path flushes a minute later). */
const EXPIRES = T0 + 90_000;
const override = (targetId: string, fields: Partial<Override>): Override => ({
  targetId,
  expiresAt: EXPIRES,
  setAt: T0 - 60_000,
  setBy: 'arn:aws:iam::123456789012:user/ops',
  ...fields,
});

/** Acts until the change is applied (at most four minutes); the outcomes, in order. */
async function untilApplied(act: () => Promise<string>): Promise<string[]> {
  const outcomes: string[] = [];
  while (outcomes.length < 4 && outcomes.at(-1) !== 'applied') outcomes.push(await act());
  return outcomes;
}

for (const p of PATHS) {
  const expected = (held: string) => (p.family === 'cdn' ? [held, 'applied'] : [held, held, 'applied']);

  for (const [name, fields, outcome] of [
    ['pause', { paused: true }, 'paused'],
    ['dry-run', { dryRun: true }, 'dry-run'],
  ] as const) {
    test(`R35 ${p.family} function (${p.path}): a ${name} override holds the ${p.write} until it expires, then the change is made`, async () => {
      const w = await p.world({ db: db() });
      try {
        await w.store.setOverride(override(w.targetId, fields));
        const outcomes = await untilApplied(() => w.act());
        expect(outcomes).toEqual(expected(outcome));
        const writes = w.writes().filter((c) => c.command === p.write);
        expect(writes.length).toBeGreaterThan(0);
        expect(writes.every((c) => c.at > EXPIRES)).toBe(true);
        const audit = await w.audit();
        expect(audit.filter((e) => e.outcome === outcome).length).toBeGreaterThan(0);
        // A paused invalidation batch keeps its plan and goes out once the pause ends, beside the next one.
        if (p.family !== 'cdn') {
          expect(writes).toHaveLength(1);
          expect(planOf(audit.at(-1)!)).toMatch(p.plan);
          expect(audit.find((e) => e.outcome === outcome)?.reason).toContain('override');
          expect(audit.at(-1)?.reason).not.toContain('override');
        }
      } finally {
        w.restore();
      }
    });
  }

  if (p.count === undefined) continue;
  test(`R35 ${p.family} function (${p.path}): a ceiling overridden to the current ${p.count} holds the scale-out; at its expiry the deployed ceiling returns`, async () => {
    const w = await p.world({ db: db() });
    try {
      await w.store.setOverride(override(w.targetId, { max: p.count }));
      const outcomes = await untilApplied(() => w.act());
      expect(outcomes).toEqual(expected('held'));
      const audit = await w.audit();
      expect(audit.filter((e) => e.outcome === 'held').every((e) => e.reason.includes('override') && (e.desired ?? p.count) === p.count)).toBe(true);
      expect(planOf(audit.at(-1)!)).toMatch(p.plan);
      expect(w.writes().filter((c) => c.command === p.write)).toHaveLength(1);
    } finally {
      w.restore();
    }
  });
}

test('R35 capacity schedule: a target in no alarm is decided on within a minute of an override that raises its floor, and held to it', async () => {
  const h = await harness({ db: db() });
  try {
    // At the CPU target: no alarm in ALARM, nothing for the schedule to decide on.
    h.load(66);
    h.evaluate();
    await h.handler(scheduleEvent(h.clock.now));
    expect(h.writes()).toEqual([]);
    h.clock.advance(60);
    await h.store.setOverride({ targetId: 'web', min: 14, expiresAt: h.clock.now + 3_600_000, setAt: h.clock.now, setBy: 'ops' });
    h.clock.advance(60);
    h.evaluate();
    const result = await h.handler(scheduleEvent(h.clock.now));
    expect(result.targets.find((t) => t.targetId === 'web')).toMatchObject({ outcome: 'applied', desired: 14 });
    // Below its usual need, the floor holds the next minutes.
    for (let i = 0; i < 3; i++) {
      h.clock.advance(60);
      h.evaluate();
      await h.handler(scheduleEvent(h.clock.now));
    }
    expect(h.writes().map((c) => (c.input as { DesiredCapacity?: number }).DesiredCapacity)).toEqual([14]);
  } finally {
    h.restore();
  }
});

test('R35 database schedule: an RDS-source target in no alarm (polled every minute) is held to an override that raises its floor within a minute', async () => {
  const h = await databaseHarness({ db: db() });
  try {
    // Between the scale-out and scale-in marks: no alarm in ALARM, nothing for the schedule to start.
    h.loadSource(50);
    h.evaluate();
    await h.handler(scheduleEvent(h.clock.now, 'database'));
    expect(h.writes()).toEqual([]);
    h.clock.advance(60);
    await h.store.setOverride({ targetId: 'orders-db', min: 2, expiresAt: h.clock.now + 3_600_000, setAt: h.clock.now, setBy: 'ops' });
    h.clock.advance(60);
    h.evaluate();
    const result = await h.handler(scheduleEvent(h.clock.now, 'database'));
    expect(result.targets.find((t) => t.targetId === 'orders-db')).toMatchObject({ outcome: 'applied' });
    expect(h.writes().map((c) => c.command)).toEqual(['StartExecutionCommand']);
  } finally {
    h.restore();
  }
});
