/**
 * R16: whatever the load, the starting count and the group's own bounds, every desired count the
 * handler sets is within min/max, and within an active window's floor and ceiling while it is open.
 */
import fc from 'fast-check';
import { activeWindow, boundsIn } from '../../lambdas/engine/windows';
import { scheduleEvent, useDynalite, withHarness } from './support';

const db = useDynalite();

/** Five minutes of load at `cpu`: the first alarm event, then the 1-minute schedule. */
async function drive(h: Parameters<Parameters<typeof withHarness>[1]>[0], cpu: number) {
  for (let minute = 0; minute < 5; minute++) {
    h.load(cpu);
    const events = h.evaluate();
    const alarm = events.find((e) => e.detail.state.value === 'ALARM');
    if (alarm) await h.handler(alarm);
    await h.handler(scheduleEvent(h.clock.now));
    h.clock.advance(60);
  }
}

test('R16 bounds: never below min, never above max, for any load and starting count', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 0, max: 100 }),
      fc.integer({ min: 1, max: 100 }),
      fc.double({ min: 0.1, max: 3, noNaN: true }),
      async (min, span, startShare, cpu, stepRatio) => {
        const max = min + span;
        const initial = min + Math.round((startShare / 100) * span);
        await withHarness(
          {
            db: db(),
            initial,
            groupMin: 0,
            groupMax: 100,
            target: { minCapacity: min, maxCapacity: max, maxStepUpRatio: stepRatio, scaleInCooldownSeconds: 60 },
          },
          async (h) => {
            await drive(h, cpu);
            for (const { desired } of h.fleet.history) {
              expect(desired).toBeGreaterThanOrEqual(min);
              expect(desired).toBeLessThanOrEqual(max);
            }
          },
        );
      },
    ),
    { numRuns: 15 },
  );
});

test("R16 bounds: the group's own MaxSize below the config's max holds the count at MaxSize", async () => {
  await withHarness({ db: db(), initial: 6, groupMax: 8 }, async (h) => {
    await drive(h, 99);
    expect(h.fleet.desired).toBe(8);
    expect(Math.max(...h.fleet.history.map((x) => x.desired))).toBe(8);
  });
});

// 09:00-12:00 UTC every day; the suite's clock starts at 10:00, inside it.
const WINDOW = { name: 'midday', target: 'web', start: 'cron(0 9 * * ? *)', durationMinutes: 180 };

test("R16 bounds: never above an active window's ceiling under any load, never below its floor", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 8 }),
      fc.integer({ min: 0, max: 6 }),
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: 2, max: 20 }),
      async (floor, span, cpu, initial) => {
        const ceiling = floor + span;
        await withHarness(
          {
            db: db(),
            initial,
            groupMin: 0,
            groupMax: 100,
            target: { minCapacity: 2, maxCapacity: 20 },
            config: { windows: [{ ...WINDOW, minCapacity: floor, maxCapacity: ceiling }] },
          },
          async (h) => {
            expect(activeWindow(h.config.windows, 'web', h.clock.now)).toBeDefined();
            await drive(h, cpu);
            let previous = initial;
            for (const { at, desired } of h.fleet.history) {
              const b = boundsIn(h.target, activeWindow(h.config.windows, 'web', at));
              expect(b.window).toBe('midday');
              expect(desired).toBeLessThanOrEqual(b.maxCapacity);
              // never below the floor; a count that starts below it only moves up toward it
              expect(desired).toBeGreaterThanOrEqual(Math.min(b.minCapacity, previous));
              if (previous < b.minCapacity) expect(desired).toBeGreaterThan(previous);
              previous = desired;
            }
          },
        );
      },
    ),
    { numRuns: 10 },
  );
});
