/**
 * `target-tracking`: AWS target tracking on CPU at targetUtilization. A scale-out alarm in ALARM
 * while the newest 3 visible datapoints are all above target; while in ALARM each step
 * desired = max(desired, ceil(ready x cpu / target)). Otherwise a scale-in alarm while the newest 15
 * are all below 0.9 x target sets desired = max(minUnits, ceil(ready x cpu / target)) when that is
 * lower, at most once per 300 s.
 */
import { type Baseline, clampUnits } from './types';

export interface TargetTrackingState {
  /** Seconds from the trace start of the last scale-in, if any. */
  readonly lastScaleInAt?: number;
}

export const SCALE_OUT_POINTS = 3;
export const SCALE_IN_POINTS = 15;
export const SCALE_IN_RATIO = 0.9;
export const SCALE_IN_INTERVAL_SECONDS = 300;

export const targetTracking: Baseline<TargetTrackingState> = {
  name: 'target-tracking',
  initial: () => ({}),
  decide(config, state, { now, ready, desired, cpu }) {
    const target = config.targetUtilization;
    const current = clampUnits(config, desired);
    const newest = cpu.length ? cpu[cpu.length - 1] : undefined;
    const wanted = newest === undefined ? undefined : Math.ceil((ready * newest) / target - 1e-9);
    const all = (n: number, test: (x: number) => boolean) => cpu.length >= n && cpu.slice(-n).every(test);
    if (wanted !== undefined && all(SCALE_OUT_POINTS, (x) => x > target)) {
      return { desired: clampUnits(config, Math.max(current, wanted)), state };
    }
    if (wanted !== undefined && all(SCALE_IN_POINTS, (x) => x < SCALE_IN_RATIO * target)) {
      const lower = Math.max(config.minUnits, wanted);
      const allowed = state.lastScaleInAt === undefined || now - state.lastScaleInAt >= SCALE_IN_INTERVAL_SECONDS;
      if (lower < current && allowed) return { desired: clampUnits(config, lower), state: { lastScaleInAt: now } };
    }
    return { desired: current, state };
  },
};
