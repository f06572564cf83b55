import { activeWindow, boundsIn, type CapacityWindow, nextFire, openedAt, parseCron, previousFire, zoneOffsetMinutes } from '../../../lambdas/engine/windows';

const utc = (s: string) => Date.parse(s);

describe('parseCron', () => {
  test('reads numbers, ranges, lists, steps and names', () => {
    const c = parseCron('cron(0/15 8-18 ? JAN,MAR-APR MON-FRI *)');
    expect([...c.minutes]).toEqual([0, 15, 30, 45]);
    expect([...c.hours]).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    expect([...c.months]).toEqual([1, 3, 4]);
    expect([...c.daysOfWeek!]).toEqual([1, 2, 3, 4, 5]); // MON..FRI as 1..5 (SUN = 0)
    expect(c.daysOfMonth).toBeUndefined();
    expect(c.years).toBeUndefined();
  });

  test("day-of-week numbers are EventBridge's: 1 is Sunday", () => {
    expect([...parseCron('cron(0 0 ? * 1 *)').daysOfWeek!]).toEqual([0]);
    expect([...parseCron('cron(0 0 ? * 7 *)').daysOfWeek!]).toEqual([6]);
  });

  test.each([
    ['rate(5 minutes)', /not a cron/],
    ['cron(0 23 * * *)', /5 fields/],
    ['cron(0 23 * * * *)', /one of day-of-month and day-of-week must be "\?"/],
    ['cron(61 23 * * ? *)', /minutes "61"/],
    ['cron(0 23 L * ? *)', /L, W and # are not supported/],
    ['cron(0 23 ? * MON#2 *)', /not supported/],
    ['cron(0 20-10 * * ? *)', /runs backwards/],
  ])('rejects %s with a clear error', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(message);
  });
});

describe('cron fire times in a time zone', () => {
  test('23:00 Europe/Paris is 22:00 UTC in winter and 21:00 UTC in summer', () => {
    const c = parseCron('cron(0 23 * * ? *)');
    expect(previousFire(c, 'Europe/Paris', utc('2026-01-15T12:00:00Z'))).toBe(utc('2026-01-14T22:00:00Z'));
    expect(previousFire(c, 'Europe/Paris', utc('2026-07-15T12:00:00Z'))).toBe(utc('2026-07-14T21:00:00Z'));
    expect(nextFire(c, 'Europe/Paris', utc('2026-07-15T12:00:00Z'))).toBe(utc('2026-07-15T21:00:00Z'));
  });

  test('across the spring DST change (29 March 2026 in Paris) the local time holds', () => {
    const c = parseCron('cron(0 8 * * ? *)');
    expect(nextFire(c, 'Europe/Paris', utc('2026-03-28T12:00:00Z'))).toBe(utc('2026-03-29T06:00:00Z'));
    expect(previousFire(c, 'Europe/Paris', utc('2026-03-29T06:30:00Z'))).toBe(utc('2026-03-29T06:00:00Z'));
  });

  test('a time skipped by the DST change moves forward by the gap', () => {
    // 02:30 does not exist in Paris on 29 March 2026; it fires at 03:30 local (01:30 UTC)
    const c = parseCron('cron(30 2 29 3 ? 2026)');
    expect(nextFire(c, 'Europe/Paris', utc('2026-03-28T00:00:00Z'))).toBe(utc('2026-03-29T01:30:00Z'));
  });

  test('zone offsets come from the runtime time zone data', () => {
    expect(zoneOffsetMinutes('Europe/Paris', utc('2026-01-15T12:00:00Z'))).toBe(60);
    expect(zoneOffsetMinutes('America/New_York', utc('2026-07-15T12:00:00Z'))).toBe(-240);
    expect(zoneOffsetMinutes('UTC', utc('2026-07-15T12:00:00Z'))).toBe(0);
  });

  test('days of week count in the local calendar', () => {
    // Friday 23:30 in Los Angeles is Saturday 07:30 UTC
    const c = parseCron('cron(30 23 ? * FRI *)');
    expect(previousFire(c, 'America/Los_Angeles', utc('2026-01-10T08:00:00Z'))).toBe(utc('2026-01-10T07:30:00Z'));
  });
});

const night: CapacityWindow = {
  name: 'night',
  target: 'workers',
  start: 'cron(0 23 * * ? *)',
  end: 'cron(0 8 * * ? *)',
  timezone: 'Europe/Paris',
  minCapacity: 0,
  maxCapacity: 2,
};

describe('active window', () => {
  test('a start/end window over midnight is open from 23:00 to 08:00 local time', () => {
    expect(openedAt(night, utc('2026-01-14T21:59:00Z'))).toBeUndefined(); // 22:59 Paris
    expect(openedAt(night, utc('2026-01-14T22:00:00Z'))).toBe(utc('2026-01-14T22:00:00Z'));
    expect(openedAt(night, utc('2026-01-15T06:59:00Z'))).toBe(utc('2026-01-14T22:00:00Z')); // 07:59 Paris
    expect(openedAt(night, utc('2026-01-15T07:00:00Z'))).toBeUndefined(); // 08:00 Paris
  });

  test('a duration window is open for durationMinutes after each start', () => {
    const batch: CapacityWindow = { name: 'batch', target: 'workers', start: 'cron(0 2 * * ? *)', durationMinutes: 45, timezone: 'UTC', minCapacity: 20 };
    expect(openedAt(batch, utc('2026-01-15T02:44:00Z'))).toBe(utc('2026-01-15T02:00:00Z'));
    expect(openedAt(batch, utc('2026-01-15T02:45:00Z'))).toBeUndefined();
    expect(openedAt(batch, utc('2026-01-15T01:59:00Z'))).toBeUndefined();
  });

  test('windows of other targets do not apply', () => {
    expect(activeWindow([night], 'web', utc('2026-01-15T01:00:00Z'))).toBeUndefined();
  });

  test('overlapping windows: the one opened most recently wins', () => {
    const batch: CapacityWindow = {
      name: 'nightly-batch',
      target: 'workers',
      start: 'cron(0 2 * * ? *)',
      durationMinutes: 60,
      timezone: 'Europe/Paris',
      minCapacity: 10,
      maxCapacity: 60,
    };
    // 02:30 Paris: night opened 23:00, the batch at 02:00
    expect(activeWindow([night, batch], 'workers', utc('2026-01-15T01:30:00Z'))?.name).toBe('nightly-batch');
    expect(activeWindow([batch, night], 'workers', utc('2026-01-15T01:30:00Z'))?.name).toBe('nightly-batch');
    // 03:30 Paris: the batch window has closed, the night one is still open
    expect(activeWindow([night, batch], 'workers', utc('2026-01-15T02:30:00Z'))?.name).toBe('night');
  });

  test('overlapping windows opened at the same minute: the higher floor wins, then the first listed', () => {
    const low: CapacityWindow = { ...night, name: 'low', minCapacity: 1 };
    const high: CapacityWindow = { ...night, name: 'high', minCapacity: 3, maxCapacity: 5 };
    const at = utc('2026-01-15T01:00:00Z');
    expect(activeWindow([low, high], 'workers', at)?.name).toBe('high');
    expect(activeWindow([high, low], 'workers', at)?.name).toBe('high');
    expect(
      activeWindow(
        [
          { ...low, name: 'a' },
          { ...low, name: 'b' },
        ],
        'workers',
        at,
      )?.name,
    ).toBe('a');
  });

  test('bounds: the window replaces the floor and ceiling it sets, keeps the others, and never puts the floor above the ceiling', () => {
    const own = { minCapacity: 2, maxCapacity: 40 };
    expect(boundsIn(own, undefined)).toEqual({ minCapacity: 2, maxCapacity: 40 });
    expect(boundsIn(own, { name: 'night', openedAt: 0, maxCapacity: 1 })).toEqual({ minCapacity: 1, maxCapacity: 1, window: 'night' });
    expect(boundsIn(own, { name: 'day', openedAt: 0, minCapacity: 5 })).toEqual({ minCapacity: 5, maxCapacity: 40, window: 'day' });
  });

  test("bounds: an operator's override (already applied to the target) wins over the window for the bounds it sets", () => {
    const withOverride = (min: number | undefined, max: number | undefined) => ({
      minCapacity: min ?? 2,
      maxCapacity: max ?? 40,
      override: { override: { min, max }, description: 'override' },
    });
    const day = { name: 'day', openedAt: 0, minCapacity: 20, maxCapacity: 30 };
    expect(boundsIn(withOverride(undefined, 8), day)).toEqual({ minCapacity: 8, maxCapacity: 8, window: 'day' });
    expect(boundsIn(withOverride(25, undefined), day)).toEqual({ minCapacity: 25, maxCapacity: 30, window: 'day' });
    expect(boundsIn(withOverride(4, 10), day)).toEqual({ minCapacity: 4, maxCapacity: 10, window: 'day' });
  });
});
