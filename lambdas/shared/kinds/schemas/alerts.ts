/**
 * The config schema of a target's alert-only rules (synth only); their checks and alarms are
 * lambdas/shared/alerts.ts.
 */
import { z } from 'zod';
import { ALERT_COMPARISONS, ALERT_PERIOD_SECONDS, type AlertComparison, MAX_ALERT_RANGE_SECONDS, MAX_ALERTS_PER_TARGET } from '../formats';

export const alertSchema = z.strictObject({
  /** Names the alarm (`<prefix>.alert/<targetId>/<name>`) and the notification; unique within the target. */
  name: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'must be 1-40 lowercase letters, digits or dashes, starting and ending with a letter or digit'),
  /** One of the target's signals (see the README's `alerts` table for each kind's). */
  signal: z.string().min(1).max(40),
  /** How a datapoint is compared with the threshold: `>`, `>=`, `<` or `<=`. */
  comparison: z.enum(Object.keys(ALERT_COMPARISONS) as [AlertComparison, ...AlertComparison[]]),
  /** In the signal's unit (percent, seconds, messages, requests: 0 or more; a custom metric's own). */
  // Common sense: beyond a trillion is a stray digit for every signal a kind offers.
  threshold: z.number().min(-1e12).max(1e12),
  /**
   * M: datapoints beyond the threshold, among the last `evaluationPeriods`, that raise the alert.
   * @default evaluationPeriods (all of them: M of M)
   */
  datapointsToAlarm: z.number().int().min(1).max(1440).optional(),
  /** N: the datapoints (each one period of the signal, 60 s) the alert looks at. */
  evaluationPeriods: z
    .number()
    .int()
    .min(1)
    .max(MAX_ALERT_RANGE_SECONDS / ALERT_PERIOD_SECONDS),
  /**
   * What a period without a datapoint counts as: `missing` (the alert keeps its state), `notBreaching`,
   * `breaching`, `ignore`.
   * @default missing
   */
  treatMissingData: z.enum(['missing', 'notBreaching', 'breaching', 'ignore']).default('missing'),
});

export type AlertConfig = z.output<typeof alertSchema>;

/** A target's `alerts`. @default [] */
export const alertsSchema = z.array(alertSchema).max(MAX_ALERTS_PER_TARGET).default([]);
