/**
 * Baselines for the `database` workload kind: an RDS for PostgreSQL source with read replicas, the
 * replicas being the units. Reads go to the ready replicas, to the source when none is ready.
 *
 * `seed-step` is below. `target-tracking` is the web `targetTracking` baseline unchanged, fed with the
 * ready replicas and the readers' average CPU, as Aurora Replicas Auto Scaling's target tracking on
 * the predefined metric RDSReaderAverageCPUUtilization does (Aurora User Guide, "Amazon Aurora Auto
 * Scaling with Aurora Replicas"): with no ready replica there is no reader datapoint and it does nothing.
 */
import { type Baseline, clampUnits, onFiveMinutes } from './types';

/** Datapoints above SCALE_OUT_CPU that add a replica (10 one-minute datapoints: 10 minutes). */
export const DATABASE_SCALE_OUT_POINTS = 10;
/** Percent database CPU above which a datapoint counts towards adding a replica. */
export const DATABASE_SCALE_OUT_CPU = 80;
/** Datapoints below DATABASE_SCALE_IN_CPU that remove a replica (30 minutes). */
export const DATABASE_SCALE_IN_POINTS = 30;
/** Percent database CPU below which a datapoint counts towards removing a replica. */
export const DATABASE_SCALE_IN_CPU = 30;

/**
 * `seed-step`, database: the seed guides' "PostgreSQL CPU above 80% for 10 minutes adds a read
 * replica". `input.cpu` is the per-minute database CPU, max(source CPU, mean CPU of the ready
 * replicas), newest visible last, up to 30 datapoints. Every 300 s (steps whose start is a multiple of
 * 300 s): if the newest 10 are all above 80, desired + 1; else if the newest 30 are all below 30,
 * desired - 1 (fewer datapoints than needed decide nothing); clamped to min/max replicas.
 */
export const seedStepDatabase: Baseline<null> = {
  name: 'seed-step',
  initial: () => null,
  decide(config, state, { now, desired, cpu }) {
    if (!onFiveMinutes(now)) return { desired: clampUnits(config, desired), state };
    const all = (n: number, test: (x: number) => boolean) => cpu.length >= n && cpu.slice(-n).every(test);
    const next = all(DATABASE_SCALE_OUT_POINTS, (x) => x > DATABASE_SCALE_OUT_CPU)
      ? desired + 1
      : all(DATABASE_SCALE_IN_POINTS, (x) => x < DATABASE_SCALE_IN_CPU)
        ? desired - 1
        : desired;
    return { desired: clampUnits(config, next), state };
  },
};
