/**
 * Formats and fixed lists that the config's schemas (lambdas/shared/kinds/schemas, synth only) and the
 * functions both read: SQS queue URLs, CloudFront paths, alert comparisons, custom-metric periods and
 * presets. Apart from both, so that a function reads them without loading a schema, and a schema reads
 * them without importing the runtime module that reads its types.
 */
/** An SQS queue URL: `https://sqs.<region>.amazonaws.com/<account>/<name>` (the legacy `<region>.queue.amazonaws.com` host too). */
export const SQS_QUEUE_URL =
  /^https:\/\/(?:sqs\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?|([a-z]{2}(?:-[a-z]+)+-\d)\.queue\.amazonaws\.com)\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;

/** Most requests a minute `targetGroup.requestsPerTarget` may name (common sense: about 16,700 a second is beyond what one unit serves). */
export const MAX_REQUESTS_PER_TARGET = 1_000_000;

/** CloudFront's rule for an invalidation path, and its longest: what the config and the invalidate runbook's input check. */
export const CLOUDFRONT_PATH = /^\/[^*\s]*\*?$/;
export const CLOUDFRONT_PATH_RULE = 'must start with "/" and may end with one "*" (no other "*", no spaces)';
export const CLOUDFRONT_PATH_MAX_LENGTH = 4000;

/** CloudWatch's comparison operators, by the sign a rule is written with (`CPU > 70%`). */
export const ALERT_COMPARISONS = {
  '>': 'GreaterThanThreshold',
  '>=': 'GreaterThanOrEqualToThreshold',
  '<': 'LessThanThreshold',
  '<=': 'LessThanOrEqualToThreshold',
} as const;
export type AlertComparison = keyof typeof ALERT_COMPARISONS;

/**
 * An alarm's evaluation range: PutMetricAlarm refuses Period x EvaluationPeriods above one day for a
 * period under an hour; an alert reads its signal at 60 s, so at most 1,440 datapoints.
 */
export const MAX_ALERT_RANGE_SECONDS = 86_400;
export const ALERT_PERIOD_SECONDS = 60;

/** Most alerts on one target (common sense: a handful of rules per target; each is a billed alarm). */
export const MAX_ALERTS_PER_TARGET = 10;

/**
 * Periods a custom metric may be read at: 60 s, or 10 s and 30 s for a metric published at high
 * resolution (PutMetricData StorageResolution 1). CloudWatch keeps periods below 60 s for three hours
 * and alarms on them only at 10 s or 30 s (CloudWatch User Guide, "High-resolution metrics" and
 * "High-resolution alarms").
 */
export const CUSTOM_METRIC_PERIODS = [10, 30, 60] as const;

/** The presets: a metric the kind's own resource publishes through a well-known agent. */
export const CUSTOM_METRIC_PRESETS = ['asg-memory'] as const;
export type CustomMetricPreset = (typeof CUSTOM_METRIC_PRESETS)[number];

/** How each preset relates to the fleet: a value per unit (an average per instance). */
export const PRESET_AGGREGATION: Readonly<Record<CustomMetricPreset, 'perUnit'>> = { 'asg-memory': 'perUnit' };
