import { GENERATED_START, type GeneratedTrace, generateTrace, SHAPES, type Shape, traceCsv } from '../../sim/generate';
import { parseTrace } from '../../sim/trace';

const DAY = 1440;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const gen = (shape: Shape, seed: number, days = 7) => generateTrace({ shape, seed, days });
const mean = (a: ArrayLike<number>, from = 0, to = a.length) => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i];
  return s / (to - from);
};

describe('generated traces', () => {
  test.each(SHAPES)('%s: the same seed gives the same trace, another seed another', (shape) => {
    const a = gen(shape, 11, 7);
    expect(gen(shape, 11, 7).arrivals).toEqual(a.arrivals);
    expect(gen(shape, 12, 7).arrivals).not.toEqual(a.arrivals);
    expect(a.arrivals.length).toBe(7 * DAY);
    expect(a.arrivals.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
  });

  test('the CSV is the simulator trace format and reads back row for row', () => {
    const t = gen('flash', 3, 2);
    const csv = traceCsv(t);
    expect(csv.split('\n')[0]).toBe('time,requests');
    expect(csv.split('\n')[1]).toBe(`2026-01-05T00:00:00Z,${t.arrivals[0]}`);
    const back = parseTrace(csv, 'generated', { scale: 1, startRow: 0 });
    expect(back.start).toBe(GENERATED_START);
    expect(back.arrivals).toEqual(t.arrivals);
    expect(traceCsv(gen('batches', 3, 1)).split('\n')[0]).toBe('time,messages');
  });

  test('diurnal: a daily cycle peaking in the afternoon, its peak hour several times its trough hour', () => {
    for (const seed of SEEDS) {
      const a = gen('diurnal', seed).arrivals;
      const hourly = Array.from({ length: 24 }, (_, h) => mean(Array.from({ length: 7 }, (_, d) => mean(a, d * DAY + h * 60, d * DAY + h * 60 + 60))));
      const peak = hourly.indexOf(Math.max(...hourly));
      expect(peak).toBeGreaterThanOrEqual(11);
      expect(peak).toBeLessThanOrEqual(18);
      expect(Math.max(...hourly) / Math.min(...hourly)).toBeGreaterThan(2);
    }
  });

  test('weekly: the weekend (days 5 and 6 from a Monday) dips below the weekdays; diurnal has no such dip', () => {
    expect(new Date(GENERATED_START).getUTCDay()).toBe(1);
    const ratio = (t: GeneratedTrace) => mean(t.arrivals, 5 * DAY, 7 * DAY) / mean(t.arrivals, 0, 5 * DAY);
    for (const seed of SEEDS) expect(ratio(gen('weekly', seed))).toBeLessThan(0.85);
    expect(mean(SEEDS.map((s) => ratio(gen('diurnal', s))))).toBeGreaterThan(0.9);
    expect(() => gen('weekly', 1, 6)).toThrow(/a weekly trace needs at least 7 days/);
  });

  test('flash: each crowd rises within minutes to at least twice the hour before it', () => {
    for (const seed of SEEDS) {
      const t = gen('flash', seed);
      const crowds = t.events.filter((e) => e.kind === 'flash');
      expect(crowds.length).toBeGreaterThan(0);
      for (const c of crowds) {
        expect(c.step).toBeGreaterThanOrEqual(DAY); // not in the first day
        expect(c.steps).toBeLessThanOrEqual(15);
        expect(c.size).toBeGreaterThanOrEqual(3);
        const before = mean(t.arrivals, c.step - 60, c.step);
        expect(Math.max(...t.arrivals.subarray(c.step, c.step + c.steps + 5))).toBeGreaterThan(2 * before);
      }
    }
  });

  test('bursty: ON/OFF bursts with heavy-tailed sizes (the largest many times the median)', () => {
    for (const seed of SEEDS) {
      const sizes = gen('bursty', seed)
        .events.filter((e) => e.kind === 'burst')
        .map((e) => e.size)
        .sort((x, y) => x - y);
      expect(sizes.length).toBeGreaterThan(20);
      expect(sizes[sizes.length - 1] / sizes[Math.floor(sizes.length / 2)]).toBeGreaterThan(10);
    }
  });

  test('step: the level at least doubles at one minute in the middle third and stays', () => {
    for (const seed of SEEDS) {
      const t = gen('step', seed);
      const [s] = t.events;
      expect(s.kind).toBe('step');
      expect(s.step).toBeGreaterThanOrEqual(t.arrivals.length / 3 - 1);
      expect(s.step).toBeLessThanOrEqual((2 * t.arrivals.length) / 3);
      // the same hours of the day before and after
      const day = (from: number) => mean(t.arrivals, from, from + DAY);
      expect(day(s.step) / day(s.step - DAY)).toBeGreaterThan(1.5);
    }
  });

  test("batches: a batch at the top of every hour, the nightly one at 02:00 the day's largest scheduled one, over a trickle", () => {
    for (const seed of SEEDS.slice(0, 4)) {
      const t = gen('batches', seed, 3);
      expect(t.kind).toBe('queue');
      const scheduled = t.events.filter((e) => e.step % 60 === 0);
      for (let h = 0; h < 72; h++) expect(scheduled.some((e) => e.step === h * 60)).toBe(true);
      for (let d = 0; d < 3; d++) {
        const today = scheduled.filter((e) => Math.floor(e.step / DAY) === d);
        const nightly = today.find((e) => e.step === d * DAY + 120);
        expect(nightly?.size).toBe(Math.max(...today.map((e) => e.size)));
      }
      // between batches, the trickle: the median minute is about 30 messages
      const sorted = [...t.arrivals].sort((x, y) => x - y);
      expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(60);
      expect(t.arrivals[0]).toBeGreaterThan(1000);
    }
  });

  test('bad options fail naming the option and the value', () => {
    expect(() => generateTrace({ shape: 'sine' as Shape, seed: 1, days: 1 })).toThrow(/--shape: "sine" is not one of diurnal/);
    expect(() => generateTrace({ shape: 'diurnal', seed: -1, days: 1 })).toThrow(/--seed: -1/);
    expect(() => generateTrace({ shape: 'diurnal', seed: 1, days: 0 })).toThrow(/--days: 0/);
    expect(() => generateTrace({ shape: 'diurnal', seed: 1, days: 1.5 })).toThrow(/--days: 1.5/);
  });
});
