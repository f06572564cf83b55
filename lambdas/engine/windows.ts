/**
 * Capacity windows: EventBridge Scheduler cron expressions evaluated in a time zone, and the window
 * in force at a given instant. Pure: time is an argument, no clock, no I/O.
 *
 * Supported cron subset (EventBridge's six fields `minutes hours day-of-month month day-of-week year`):
 * numbers, `*`, `?`, ranges `a-b`, lists `a,b`, steps `*\/n` and `a-b/n`, month names JAN-DEC and
 * day names SUN-SAT (day-of-week 1-7 is SUN-SAT). `L`, `W` and `#` are rejected with a clear error.
 *
 * Overlapping windows: the window that opened most recently wins; if two opened at the same minute,
 * the one with the higher floor, then the one listed first.
 */

export interface CronFields {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number> | undefined;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday ... 6 = Saturday; undefined when `?` or `*`. */
  readonly daysOfWeek: ReadonlySet<number> | undefined;
  readonly years: ReadonlySet<number> | undefined;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseField(text: string, name: string, lo: number, hi: number, names?: readonly string[], nameBase = 1): Set<number> | undefined {
  if (text === '*' || text === '?') return undefined;
  if (/[LW#]/.test(text)) throw new Error(`cron ${name} "${text}": L, W and # are not supported`);
  const value = (s: string): number => {
    const upper = s.toUpperCase();
    const i = names ? names.indexOf(upper) : -1;
    const n = i >= 0 ? i + nameBase : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`cron ${name} "${text}": "${s}" is not between ${lo} and ${hi}`);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron ${name} "${text}": step "${stepText}" is not a whole number above 0`);
    let from: number, to: number;
    if (range === '*') [from, to] = [lo, hi];
    else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [from, to] = [value(a), value(b)];
      if (from > to) throw new Error(`cron ${name} "${text}": range ${range} runs backwards`);
    } else {
      from = value(range);
      to = stepText === undefined ? from : hi;
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** Parses `cron(0 23 * * ? *)`; throws an Error naming the field that is wrong. */
export function parseCron(expression: string): CronFields {
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m) throw new Error(`"${expression}" is not a cron(...) expression`);
  const parts = m[1].trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`"${expression}" has ${parts.length} fields, cron needs 6`);
  const [mi, h, dom, mon, dow, y] = parts;
  if (dom !== '?' && dow !== '?') throw new Error(`"${expression}": one of day-of-month and day-of-week must be "?"`);
  const minutes = parseField(mi, 'minutes', 0, 59) ?? range(0, 59);
  const hours = parseField(h, 'hours', 0, 23) ?? range(0, 23);
  const daysOfMonth = parseField(dom, 'day-of-month', 1, 31);
  const months = parseField(mon, 'month', 1, 12, MONTHS) ?? range(1, 12);
  const dowSet = parseField(dow, 'day-of-week', 1, 7, DAYS);
  const daysOfWeek = dowSet && new Set([...dowSet].map((d) => d - 1));
  const years = parseField(y, 'year', 1970, 2199);
  return { minutes, hours, daysOfMonth, months, daysOfWeek, years };
}

function range(lo: number, hi: number): Set<number> {
  const s = new Set<number>();
  for (let i = lo; i <= hi; i++) s.add(i);
  return s;
}

/** Throws a RangeError unless the runtime knows the IANA time zone. */
export function checkTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat('en-US', { timeZone });
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes from UTC to local time in `timeZone` at the instant `at` (epoch ms). */
export function zoneOffsetMinutes(timeZone: string, at: number): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const { type, value } of f.formatToParts(new Date(at))) if (type !== 'literal') p[type] = Number(value);
  const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return Math.round((local - Math.floor(at / 60_000) * 60_000) / 60_000);
}

/** The instant of a local wall-clock time (ms as if UTC) in `timeZone`; a time skipped by DST moves forward by the gap. */
function wallToInstant(wall: number, timeZone: string): number {
  // Two passes settle on the offset in force at the result (the standard trick for wall -> instant).
  let at = wall - zoneOffsetMinutes(timeZone, wall) * 60_000;
  at = wall - zoneOffsetMinutes(timeZone, at) * 60_000;
  return at;
}

const DAY = 86_400_000;

function dayMatches(c: CronFields, wallDay: number): boolean {
  const d = new Date(wallDay);
  if (!c.months.has(d.getUTCMonth() + 1)) return false;
  if (c.years && !c.years.has(d.getUTCFullYear())) return false;
  if (c.daysOfMonth && !c.daysOfMonth.has(d.getUTCDate())) return false;
  if (c.daysOfWeek && !c.daysOfWeek.has(d.getUTCDay())) return false;
  return true;
}

/**
 * The latest instant at or before `at` (epoch ms) when the cron fires in `timeZone`, searching back
 * at most `lookbackDays` days; undefined when none.
 */
export function previousFire(c: CronFields, timeZone: string, at: number, lookbackDays = 400): number | undefined {
  const wallNow = at + zoneOffsetMinutes(timeZone, at) * 60_000;
  const today = Math.floor(wallNow / DAY) * DAY;
  const hours = [...c.hours].sort((a, b) => b - a);
  const minutes = [...c.minutes].sort((a, b) => b - a);
  for (let day = today, i = 0; i <= lookbackDays; day -= DAY, i++) {
    if (!dayMatches(c, day)) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const wall = day + h * 3_600_000 + m * 60_000;
        if (wall > wallNow) continue;
        const instant = wallToInstant(wall, timeZone);
        if (instant <= at) return instant;
      }
    }
  }
  return undefined;
}

/** The earliest instant after `at` when the cron fires in `timeZone` (within `lookaheadDays`). */
export function nextFire(c: CronFields, timeZone: string, at: number, lookaheadDays = 400): number | undefined {
  const wallNow = at + zoneOffsetMinutes(timeZone, at) * 60_000;
  const today = Math.floor(wallNow / DAY) * DAY;
  const hours = [...c.hours].sort((a, b) => a - b);
  const minutes = [...c.minutes].sort((a, b) => a - b);
  for (let day = today, i = 0; i <= lookaheadDays; day += DAY, i++) {
    if (!dayMatches(c, day)) continue;
    for (const h of hours) {
      for (const m of minutes) {
        const wall = day + h * 3_600_000 + m * 60_000;
        if (wall <= wallNow) continue;
        const instant = wallToInstant(wall, timeZone);
        if (instant > at) return instant;
      }
    }
  }
  return undefined;
}

/** A window as the engine needs it (the config's `windows[]` entry). */
export interface CapacityWindow {
  readonly name: string;
  readonly target: string;
  readonly start: string;
  readonly end?: string;
  readonly durationMinutes?: number;
  readonly timezone: string;
  readonly minCapacity?: number;
  readonly maxCapacity?: number;
}

export interface ActiveWindow {
  readonly name: string;
  /** Epoch ms the window opened. */
  readonly openedAt: number;
  readonly minCapacity?: number;
  readonly maxCapacity?: number;
}

/** When `w` last opened if it is open at `at`, else undefined. */
export function openedAt(w: CapacityWindow, at: number): number | undefined {
  const start = parseCron(w.start);
  if (w.durationMinutes !== undefined) {
    const lookbackDays = Math.ceil(w.durationMinutes / 1440) + 1;
    const opened = previousFire(start, w.timezone, at, lookbackDays);
    return opened !== undefined && at < opened + w.durationMinutes * 60_000 ? opened : undefined;
  }
  if (!w.end) throw new Error(`window "${w.name}" needs an end or a durationMinutes`);
  const opened = previousFire(start, w.timezone, at);
  if (opened === undefined) return undefined;
  const closed = previousFire(parseCron(w.end), w.timezone, at);
  // Open from a start until the next end; a start and an end at the same minute close it.
  return closed === undefined || closed < opened ? opened : undefined;
}

/**
 * The window in force for `targetId` at `at`, or undefined. Of overlapping windows, the one that
 * opened most recently wins; at the same minute, the higher floor, then the first listed.
 */
export function activeWindow(windows: readonly CapacityWindow[], targetId: string, at: number): ActiveWindow | undefined {
  let best: ActiveWindow | undefined;
  for (const w of windows) {
    if (w.target !== targetId) continue;
    const opened = openedAt(w, at);
    if (opened === undefined) continue;
    const candidate: ActiveWindow = { name: w.name, openedAt: opened, minCapacity: w.minCapacity, maxCapacity: w.maxCapacity };
    if (!best || opened > best.openedAt || (opened === best.openedAt && (candidate.minCapacity ?? -1) > (best.minCapacity ?? -1))) {
      best = candidate;
    }
  }
  return best;
}

/**
 * A target's own bounds narrowed or moved by the active window: the window's floor and ceiling replace
 * the target's. An operator's override in force (lambdas/shared/overrides.ts, already applied to `own`)
 * wins over the window for the bounds it sets.
 */
export function boundsIn(
  own: {
    readonly minCapacity: number;
    readonly maxCapacity: number;
    readonly override?: { readonly override: { readonly min?: number; readonly max?: number }; readonly description: string };
  },
  window: ActiveWindow | undefined,
): { minCapacity: number; maxCapacity: number; window?: string } {
  if (!window) return { minCapacity: own.minCapacity, maxCapacity: own.maxCapacity };
  const set = own.override?.override;
  const maxCapacity = set?.max !== undefined ? own.maxCapacity : (window.maxCapacity ?? own.maxCapacity);
  const minCapacity = Math.min(set?.min !== undefined ? own.minCapacity : (window.minCapacity ?? own.minCapacity), maxCapacity);
  return { minCapacity, maxCapacity, window: window.name };
}
