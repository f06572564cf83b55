/**
 * `keda`: KEDA's SQS scaler under the HPA, evaluated once per step. recommendation =
 * ceil((visible + notVisible) / queueLength), queueLength = unitCapacity x 60; scale-up at most
 * max(2 x current, current + 4) per 15 s, compounded over the step; scale-down to the highest
 * recommendation of the last 300 s (this step's included).
 */
import { type Baseline, clampUnits } from './types';

export interface KedaState {
  /** Recommendations of the stabilization window, oldest first. */
  readonly recommendations: readonly { readonly at: number; readonly value: number }[];
}

export const SCALE_UP_PERIOD_SECONDS = 15;
export const SCALE_DOWN_WINDOW_SECONDS = 300;

/** The most replicas the HPA's scale-up policies allow from `current` over `seconds`. */
export function scaleUpLimit(current: number, seconds: number): number {
  const periods = Math.max(1, Math.round(seconds / SCALE_UP_PERIOD_SECONDS));
  let limit = current;
  for (let i = 0; i < periods; i++) limit = Math.max(2 * limit, limit + 4);
  return limit;
}

export const keda: Baseline<KedaState> = {
  name: 'keda',
  initial: () => ({ recommendations: [] }),
  decide(config, state, { now, desired, queue }) {
    const queueLength = config.unitCapacity * 60;
    const messages = queue ? queue.visible + queue.notVisible : 0;
    const recommendation = Math.ceil(messages / queueLength - 1e-9);
    // HPA keeps recommendations newer than now - window (this one included).
    const recommendations = [...state.recommendations.filter((r) => r.at > now - SCALE_DOWN_WINDOW_SECONDS), { at: now, value: recommendation }];
    const current = desired;
    let next = current;
    if (recommendation > current) next = Math.min(recommendation, scaleUpLimit(current, config.stepSeconds));
    else if (recommendation < current) next = Math.min(current, Math.max(...recommendations.map((r) => r.value)));
    return { desired: clampUnits(config, next), state: { recommendations } };
  },
};
