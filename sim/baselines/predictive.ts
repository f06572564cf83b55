/**
 * `predictive`: AWS predictive scaling, simplified, on top of `target-tracking` (scenarios/README.md,
 * "Anchors beside the baselines"). An anchor: run only when `compare` or `--policies` names it.
 *
 * From 24 h of trace on, at every step t (now = t x d) a forecast floor: hour = floor((now + 300) /
 * 3600); for k = 1..14 the steps of hour (hour - 24k), floor((hour - 24k) x 3600 / d) up to
 * floor((hour - 24k + 1) x 3600 / d), are used while they lie entirely before step t (stop at the
 * first k where they do not); floor = clamp(ceil(m / (unitCapacity x target / 100))) for the mean
 * demand rate m of those hours, 0 when there are none. Target tracking's scale-out sets
 * desired = max(desired, floor, ceil(ready x cpu / target)), its scale-in never goes below the floor,
 * and whenever floor > desired, desired = floor; like target tracking it acts only once a datapoint
 * is visible.
 */
import { type TargetTrackingState, targetTracking } from './target-tracking';
import { type Baseline, type BaselineConfig, clampUnits } from './types';

/** Trace the forecast waits for before it floors anything. */
export const FORECAST_FROM_SECONDS = 86_400;
/** Days back the forecast looks (AWS predictive scaling forecasts from up to 14 days of history). */
export const FORECAST_DAYS = 14;
/** The floor is that of the hour starting within this many seconds (predictive scaling launches ahead of the hour). */
export const FORECAST_LEAD_SECONDS = 300;

/**
 * The forecast floor at the step after `history` (t = history.length, now = t x stepSeconds): the
 * units the same hour of the last (up to) 14 days needed at the tracking target, or 0 when there is
 * no such hour yet.
 */
export function forecastFloor(config: BaselineConfig, history: ArrayLike<number>): number {
  const d = config.stepSeconds;
  const t = history.length;
  const now = t * d;
  if (now < FORECAST_FROM_SECONDS) return 0;
  const hour = Math.floor((now + FORECAST_LEAD_SECONDS) / 3600);
  let sum = 0;
  let steps = 0;
  for (let k = 1; k <= FORECAST_DAYS; k++) {
    const h = hour - 24 * k;
    const from = Math.floor((h * 3600) / d);
    const to = Math.floor(((h + 1) * 3600) / d);
    if (from < 0 || to > t) break;
    for (let s = from; s < to; s++) sum += history[s];
    steps += to - from;
  }
  if (steps === 0) return 0;
  const m = sum / (steps * d);
  return clampUnits(config, Math.ceil(m / (config.unitCapacity * (config.targetUtilization / 100)) - 1e-9));
}

export const predictive: Baseline<TargetTrackingState> = {
  name: 'predictive',
  initial: () => ({}),
  decide(config, state, input) {
    const current = clampUnits(config, input.desired);
    if (input.cpu.length === 0) return { desired: current, state };
    if (!input.history) throw new Error('predictive needs the arrivals of the steps before the current one (input.history)');
    const floor = forecastFloor(config, input.history);
    const tracked = targetTracking.decide(config, state, input);
    if (tracked.desired < current) {
      // a scale-in never goes below the floor; one the floor cancels is no scale-in at all
      const lower = Math.max(tracked.desired, floor);
      if (lower >= current) return { desired: clampUnits(config, Math.max(current, floor)), state };
      return { desired: lower, state: tracked.state };
    }
    return { desired: clampUnits(config, Math.max(tracked.desired, floor)), state: tracked.state };
  },
};
