import { metricVisibility } from '../../../sim/cloud/metric-faults';
import { parseScenario } from '../../../sim/scenario';

describe('metricVisibility', () => {
  test('without faults, minute m is visible from the start of minute m + 2 (the contract)', () => {
    const v = metricVisibility(undefined);
    expect(v.visibleAt(0)).toBe(120);
    expect(v.visibleAt(10)).toBe(720);
    // at 12:00 (minute 720 s / 60 = 12) the newest visible minute is 10
    expect(v.visibleMinutes(720, 100, 3)).toEqual([8, 9, 10]);
    expect(v.visibleMinutes(60, 100, 15)).toEqual([]);
  });

  test('a delay moves every datapoint later; the window ends at the newest visible minute', () => {
    const v = metricVisibility({ metricDelayMinutes: 4 });
    expect(v.visibleAt(10)).toBe(960);
    expect(v.visibleMinutes(960, 100, 3)).toEqual([8, 9, 10]);
    // only complete minutes are ever visible
    expect(v.visibleMinutes(6000, 12, 3)).toEqual([9, 10, 11]);
  });

  test('a gap drops its minutes for good, from the window too', () => {
    const v = metricVisibility({ metricGaps: [{ fromMinute: 5, minutes: 3 }] });
    expect([4, 5, 6, 7, 8].map((m) => v.visibleAt(m))).toEqual([360, undefined, undefined, undefined, 600]);
    expect(v.visibleMinutes(600, 100, 6)).toEqual([3, 4, 8]);
  });
});

describe('scenario faults: metricDelayMinutes and metricGaps', () => {
  const base = { name: 'x', trace: { file: 't.csv' }, workload: { kind: 'web', unitCapacity: 10 }, target: { maxUnits: 5 } };
  test('optional; absent they change nothing', () => {
    expect(parseScenario({ ...base, faults: { throttleShare: 0.1 } }, 'x.yaml', '/').faults).toEqual({
      throttleShare: 0.1,
      duplicateShare: 0,
      delaySeconds: 0,
      seed: 1,
    });
    expect(parseScenario({ ...base, faults: { metricDelayMinutes: 4, metricGaps: [{ fromMinute: 60, minutes: 30 }] } }, 'x.yaml', '/').faults).toMatchObject({
      metricDelayMinutes: 4,
      metricGaps: [{ fromMinute: 60, minutes: 30 }],
    });
  });

  test('bad values are named', () => {
    expect(() => parseScenario({ ...base, faults: { metricDelayMinutes: 61 } }, 'x.yaml', '/')).toThrow(
      /faults\.metricDelayMinutes: 61 is above the maximum 60/,
    );
    expect(() => parseScenario({ ...base, faults: { metricDelayMinutes: 1.5 } }, 'x.yaml', '/')).toThrow(
      /faults\.metricDelayMinutes: 1\.5 is not a whole number/,
    );
    expect(() => parseScenario({ ...base, faults: { metricGaps: [{ fromMinute: 3 }] } }, 'x.yaml', '/')).toThrow(
      /faults\.metricGaps\[0\]\.minutes: is required/,
    );
    expect(() => parseScenario({ ...base, faults: { metricGaps: [{ fromMinute: 3, minutes: 0 }] } }, 'x.yaml', '/')).toThrow(
      /faults\.metricGaps\[0\]\.minutes: 0 is below the minimum 1/,
    );
  });
});
