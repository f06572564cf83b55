/**
 * The seasonal forecast: a daily pattern is forecast, noise and random walks are not, and the forecast
 * never goes beyond what the history supports.
 */
import fc from 'fast-check';
import type { Datapoint } from '../../../lambdas/engine/capacity';
import { dayWeight, forecastAt, forecastDemand, forecastPeak, isForecast, MAX_LEVEL_RATIO, weightedMedian } from '../../../lambdas/engine/forecast';
import { seededRandom } from '../../../sim/cloud/faults';

const MIN = 60_000;
const DAY = 1440;
/** A Monday at noon. */
const NOW = Date.UTC(2026, 0, 12, 12, 0, 0);

/** Minutes of history ending two minutes before NOW (CloudWatch's lag), oldest first, from `value(minute index)`. */
function history(days: number, value: (m: number) => number): Datapoint[] {
  const end = NOW / MIN - 2;
  const out: Datapoint[] = [];
  for (let m = end - days * DAY - 4 * 60; m <= end; m++) out.push({ at: m * MIN, value: value(m) });
  return out;
}

/** A seeded generator (mulberry32), so each property run is one series. */
const rng = seededRandom;

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const AHEAD = 3600 + 300;

describe('the weighted median', () => {
  test('is the value at which half the weight is reached', () => {
    expect(
      weightedMedian([
        { value: 1, weight: 1 },
        { value: 5, weight: 3 },
        { value: 9, weight: 1 },
      ]),
    ).toBe(5);
    expect(
      weightedMedian([
        { value: 1, weight: 3 },
        { value: 100, weight: 1 },
      ]),
    ).toBe(1);
  });

  test('yesterday weighs most, the same weekday as much as yesterday', () => {
    expect(dayWeight(1)).toBe(1);
    expect(dayWeight(2)).toBeLessThan(1);
    expect(dayWeight(7)).toBe(1);
    expect(dayWeight(14)).toBe(0.5);
  });
});

describe('forecastDemand', () => {
  test('a perfectly periodic series: the forecast is the next period of the day before, smoothed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 2, max: 6 }), (seed, days) => {
        const r = rng(seed);
        const pattern = Array.from({ length: DAY }, () => 50 + 450 * r());
        const h = history(days, (m) => pattern[((m % DAY) + DAY) % DAY]);
        const f = forecastDemand({ history: h, periodSeconds: 60, now: NOW, aheadSeconds: AHEAD });
        expect(isForecast(f)).toBe(true);
        if (!isForecast(f)) return;
        expect(f.confidence).toBeCloseTo(1, 9);
        for (let j = 0; j < f.values.length; j++) {
          const m = f.at / MIN + j - DAY;
          // the fifteen periods centered on it (SMOOTH_PERIODS)
          const around = Array.from({ length: 15 }, (_, d) => pattern[(((m + d - 7) % DAY) + DAY) % DAY]);
          expect(f.values[j]).toBeCloseTo(around.reduce((a, b) => a + b, 0) / 15, 6);
        }
      }),
      { numRuns: 15 },
    );
  });

  test('a daily sine with noise and growth: forecast, and the peak ahead is what the coming minutes bring', () => {
    const r = rng(7);
    const h = history(5, (m) => (1 + 0.002 * (m / DAY - NOW / MIN / DAY)) * (300 + 200 * Math.sin((2 * Math.PI * m) / DAY)) * (1 + 0.05 * gauss(r)));
    const f = forecastDemand({ history: h, periodSeconds: 60, now: NOW, aheadSeconds: AHEAD });
    expect(isForecast(f)).toBe(true);
    if (!isForecast(f)) return;
    // Noon UTC: the sine falls from its peak at 06:00 to its trough at 18:00; the forecast falls with it.
    expect(f.values[f.values.length - 1]).toBeLessThan(f.values[0]);
    const peak = forecastPeak(f, NOW, NOW + 5 * MIN)!;
    const truth = 300 + 200 * Math.sin((2 * Math.PI * (NOW / MIN)) / DAY);
    expect(Math.abs(peak - truth) / truth).toBeLessThan(0.05);
    expect(forecastAt(f, NOW)).toBeDefined();
  });

  /**
   * Without seasonality the backtest is a contest between two forecasts that both stay near the level,
   * so now and then one series of noise passes it by chance: the test asks for at least 95 of 100 to
   * back off, and for the forecasts that do not to stay within a tenth of the level (no pre-scaling
   * beyond the noise).
   */
  function mostlyNone(series: (r: () => number) => (m: number) => number) {
    let made = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const days = 2 + (seed % 6);
      const f = forecastDemand({ history: history(days, series(rng(seed))), periodSeconds: 60, now: NOW, aheadSeconds: AHEAD });
      if (!isForecast(f)) continue;
      made++;
      for (const v of f.values) expect(Math.abs(v - f.level)).toBeLessThanOrEqual(0.1 * f.level);
    }
    expect(made).toBeLessThanOrEqual(5);
  }

  test('white noise around a constant level: no seasonality, no forecast', () => {
    mostlyNone((r) => () => Math.max(0, 200 * (1 + 0.3 * gauss(r))));
  });

  test('a random walk: no seasonality, no forecast', () => {
    mostlyNone((r) => {
      let x = 500;
      return () => {
        x = Math.max(50, x * Math.exp(0.01 * gauss(r)));
        return x;
      };
    });
  });

  test('property: never more than the earlier days saw times the level cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.integer({ min: 2, max: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.25, max: 4, noNaN: true }),
        (seed, days, noise, todayGrowth) => {
          const r = rng(seed);
          const pattern = Array.from({ length: 24 }, () => 100 * r());
          const todayFrom = NOW / MIN - DAY / 2;
          const h = history(days, (m) => {
            const base = pattern[Math.floor((((m % DAY) + DAY) % DAY) / 60)] * (m >= todayFrom ? todayGrowth : 1);
            return Math.max(0, base * (1 + noise * gauss(r)));
          });
          const f = forecastDemand({ history: h, periodSeconds: 60, now: NOW, aheadSeconds: AHEAD });
          if (!isForecast(f)) return;
          // what the earlier days saw (today, however far it has grown, is not what supports a forecast)
          const highest = Math.max(...h.filter((p) => p.at < NOW - DAY * MIN).map((p) => p.value));
          for (const v of f.values) expect(v).toBeLessThanOrEqual(MAX_LEVEL_RATIO * highest + 1e-9);
        },
      ),
      { numRuns: 40 },
    );
  });

  test('one earlier day with a flash crowd at this hour is not forecast again', () => {
    const r = rng(3);
    const h = history(2, (m) => {
      const base = 300 + 200 * Math.sin((2 * Math.PI * m) / DAY);
      const flash = m >= NOW / MIN - DAY + 10 && m < NOW / MIN - DAY + 40 ? 5 : 1;
      return base * flash * (1 + 0.03 * gauss(r));
    });
    expect(forecastDemand({ history: h, periodSeconds: 60, now: NOW, aheadSeconds: AHEAD })).toHaveProperty('none');
  });

  test('datapoints at or after now are never read', () => {
    const r = rng(11);
    const h = history(3, (m) => (300 + 200 * Math.sin((2 * Math.PI * m) / DAY)) * (1 + 0.03 * gauss(r)));
    const future = Array.from({ length: 120 }, (_, j) => ({ at: NOW + j * MIN, value: 1e6 }));
    expect(forecastDemand({ history: [...h, ...future], periodSeconds: 60, now: NOW, aheadSeconds: AHEAD })).toEqual(
      forecastDemand({ history: h, periodSeconds: 60, now: NOW, aheadSeconds: AHEAD }),
    );
  });

  test('no history, or too few days: none', () => {
    expect(forecastDemand({ history: [], periodSeconds: 60, now: NOW, aheadSeconds: AHEAD })).toHaveProperty('none');
    expect(forecastDemand({ history: history(1, () => 100), periodSeconds: 60, now: NOW, aheadSeconds: AHEAD })).toHaveProperty('none');
  });
});
