import { type KedaState, keda, scaleUpLimit } from '../../../sim/baselines/keda';
import type { BaselineConfig } from '../../../sim/baselines/types';

const config: BaselineConfig = { minUnits: 0, maxUnits: 100, targetUtilization: 70, unitCapacity: 1, stepSeconds: 60 };

describe('keda', () => {
  test('scale-up compounds max(2 x current, current + 4) four times over a 60 s step', () => {
    expect(scaleUpLimit(0, 60)).toBe(32); // 4, 8, 16, 32
    expect(scaleUpLimit(1, 60)).toBe(40); // 5, 10, 20, 40
    expect(scaleUpLimit(10, 60)).toBe(160);
    expect(scaleUpLimit(3, 15)).toBe(7);
  });

  test('recommendation = ceil((visible + notVisible) / (unitCapacity x 60)), capped by the scale-up limit', () => {
    const s = keda.initial();
    const up = (desired: number, visible: number, notVisible = 0) =>
      keda.decide(config, s, { now: 0, ready: desired, desired, cpu: [], queue: { visible, notVisible } }).desired;
    expect(up(0, 3000)).toBe(32); // 50 wanted
    expect(up(1, 3000)).toBe(40);
    expect(up(2, 100, 21)).toBe(3); // 121 / 60 -> 3
    expect(up(2, 120)).toBe(2);
    expect(up(90, 60 * 200)).toBe(100); // clamped
  });

  test('scale-down goes to the highest recommendation of the last 300 s, reaching zero 300 s after the last message', () => {
    let state: KedaState = keda.initial();
    let desired = 10;
    const seen: number[] = [];
    const messages = [600, 360, 180, 0, 0, 0, 0, 0, 0]; // recommendations 10, 6, 3, 0...
    messages.forEach((m, i) => {
      const out = keda.decide(config, state, { now: i * 60, ready: desired, desired, cpu: [], queue: { visible: m, notVisible: 0 } });
      state = out.state;
      desired = out.desired;
      seen.push(desired);
    });
    // the last non-zero recommendation (3) is at 120 s; the window (now - 300, now] drops it at 420 s
    expect(seen).toEqual([10, 10, 10, 10, 10, 6, 3, 0, 0]);
  });
});
