import { FORECAST_DAYS, forecastFloor, predictive } from '../../../sim/baselines/predictive';
import type { BaselineConfig, BaselineInput } from '../../../sim/baselines/types';

// 10 requests/s per unit at 100%, tracking 50%: one unit per 5 requests/s of forecast demand.
const config = (stepSeconds: number): BaselineConfig => ({ minUnits: 1, maxUnits: 20, targetUtilization: 50, unitCapacity: 10, stepSeconds });

/** Arrivals per step of `stepSeconds` for `hours` hours, at rate(hour) requests/s. */
function trace(stepSeconds: number, hours: number, rate: (hour: number) => number): Float64Array {
  const out = new Float64Array((hours * 3600) / stepSeconds);
  for (let s = 0; s < out.length; s++) out[s] = rate(Math.floor((s * stepSeconds) / 3600)) * stepSeconds;
  return out;
}

describe('predictive, the forecast floor', () => {
  test('0 before 24 h of trace: no hour of a day before exists yet', () => {
    const h = trace(1800, 24, () => 50);
    expect(forecastFloor(config(1800), h.subarray(0, 47))).toBe(0); // now = 84,600 s
    expect(forecastFloor(config(1800), h)).toBe(10); // now = 86,400 s: hour 24 reads hour 0, 50 / 5
    // at 23:55 the coming hour 24 would read hour 0, but the trace is not yet 24 h long
    const five = trace(300, 24, () => 50);
    expect(forecastFloor(config(300), five.subarray(0, 287))).toBe(0);
  });

  test('the mean demand rate of the hour, not of each step: 18,000 and 36,000 arrivals in two half-hours are 15 requests/s', () => {
    const h = trace(1800, 24, () => 0);
    h[0] = 18_000;
    h[1] = 36_000;
    expect(forecastFloor(config(1800), h)).toBe(3); // ceil(15 / 5)
    h[1] = 36_001; // just above 15 requests/s: the ceiling takes the next unit
    expect(forecastFloor(config(1800), h)).toBe(4);
  });

  test('the hour is that starting within 300 s: at 00:55 of day 2 it forecasts 01:00', () => {
    // hour h of any day at 5 x (h mod 24 + 1) requests/s: h mod 24 + 1 units
    const h = trace(300, 26, (hour) => 5 * ((hour % 24) + 1));
    expect(forecastFloor(config(300), h.subarray(0, 298))).toBe(1); // now 89,400: (now + 300) / 3600 = 24.9, hour 24, reads hour 0
    expect(forecastFloor(config(300), h.subarray(0, 299))).toBe(2); // now 89,700: hour 25, reads hour 1
  });

  test('the mean over the same hour of every day back, up to the trace start', () => {
    // hour 5 of day 0 at 10 requests/s, of day 1 at 30: at 05:00 of day 2 the mean is 20, 4 units
    const h = trace(3600, 53, (hour) => (hour === 5 ? 10 : hour === 29 ? 30 : 0));
    expect(forecastFloor(config(3600), h)).toBe(4);
    // at 05:00 of day 1 only day 0 is there: 10 / 5
    expect(forecastFloor(config(3600), h.subarray(0, 29))).toBe(2);
  });

  test(`at most ${FORECAST_DAYS} days back: older days are left out`, () => {
    // 16 days: hour 0 of days 0 and 1 at 1,000 requests/s, of days 2-15 at 25
    const h = trace(3600, 16 * 24, (hour) => (hour % 24 !== 0 ? 0 : hour < 48 ? 1000 : 25));
    expect(forecastFloor(config(3600), h)).toBe(5); // hour 384 reads days 15..2 only
  });

  test('clamped to min and max units; no demand floors at minUnits, not 0', () => {
    expect(
      forecastFloor(
        config(3600),
        trace(3600, 24, () => 1000),
      ),
    ).toBe(20);
    expect(
      forecastFloor(
        config(3600),
        trace(3600, 24, () => 0),
      ),
    ).toBe(1);
    expect(
      forecastFloor(
        { ...config(3600), minUnits: 3 },
        trace(3600, 24, () => 0),
      ),
    ).toBe(3);
  });

  test('reads only the history it is given (the steps before t)', () => {
    const h = trace(3600, 48, () => 5);
    h[24] = 1e9; // hour 24, the current one at t = 24
    expect(forecastFloor(config(3600), h.subarray(0, 24))).toBe(1);
  });
});

describe('predictive, on top of target tracking', () => {
  // a day of hourly steps whose hour 0 ran at 30 requests/s: at t = 24 the floor is 6 units
  const history = trace(3600, 24, (hour) => (hour === 0 ? 30 : 0));
  const low15 = new Array(15).fill(20);
  const decide = (input: Partial<BaselineInput>, state = {}) =>
    predictive.decide(config(3600), state, { now: 86_400, ready: 4, desired: 4, cpu: [40], history, ...input });

  test('the floor above desired raises desired to it, once a datapoint is visible', () => {
    expect(decide({}).desired).toBe(6);
    expect(decide({ cpu: [] }).desired).toBe(4);
  });

  test('scale-out: max(desired, floor, ceil(ready x cpu / target))', () => {
    expect(decide({ cpu: [60, 60, 60] }).desired).toBe(6); // 4 x 60 / 50 = 4.8 -> 5 < 6
    expect(decide({ cpu: [90, 90, 90] }).desired).toBe(8); // 7.2 -> 8
  });

  test('scale-in never below the floor', () => {
    const r = decide({ ready: 10, desired: 10, cpu: low15 }); // target tracking alone: 10 x 20 / 50 = 4
    expect(r.desired).toBe(6);
    expect(r.state).toEqual({ lastScaleInAt: 86_400 });
  });

  test('a scale-in the floor cancels is none: the 300 s spacing does not start', () => {
    const r = decide({ ready: 6, desired: 6, cpu: low15 });
    expect(r.desired).toBe(6);
    expect(r.state).toEqual({});
  });

  test('without the history it cannot forecast, and says so', () => {
    expect(() => decide({ history: undefined })).toThrow(/input\.history/);
  });
});
