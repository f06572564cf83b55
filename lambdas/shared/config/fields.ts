/**
 * The fields the config's parts share: ids, names of AWS resources, percentages, the bounds every
 * number keeps, late or missing metrics. A kind's own fields live in its module (lambdas/shared/kinds).
 */
import { z } from 'zod';
import { type NumberRule, PERCENT } from './numbers';

/** Alarm names, rule patterns and DynamoDB keys all embed target ids, so keep them short and plain. */
export const targetId = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'must be 1-40 lowercase letters, digits or dashes, starting and ending with a letter or digit');

/**
 * A number field built from its rule (lambdas/shared/config/numbers.ts), the checks in the order zod
 * reports them: a whole number first, then the lower bound, then the upper.
 */
export function numberSchema(rule: NumberRule): z.ZodNumber {
  let s = z.number();
  if (rule.int) s = s.int();
  if (rule.gt !== undefined) s = s.gt(rule.gt);
  if (rule.min !== undefined) s = s.min(rule.min);
  return s.max(rule.max);
}

export const percent = numberSchema(PERCENT);

// Upper bounds. Every number of the schema has one, set by AWS where it sets one, else by common sense,
// so that a stray digit ends in a clear error at synth, not in a deployment that acts on it.

export { DAY, MAX_UNITS } from './bounds';

/**
 * A resource name is a name, never a pattern. IAM reads `*` and `?` in a resource ARN as wildcards: a
 * group named `web-*` would grant, and the function would act on, every group whose name starts with
 * `web-`. Checked first on every name field, so the message says so whatever else is wrong.
 */
const NOT_A_PATTERN = /^[^*?]*$/;
const NOT_A_PATTERN_MESSAGE = 'must name one resource: "*" and "?" are wildcards in IAM and would match others';

/** A string that names one resource: no wildcard, then the resource's own rule. */
export function resourceName(pattern: RegExp, message: string) {
  return z.string().regex(NOT_A_PATTERN, { message: NOT_A_PATTERN_MESSAGE, abort: true }).regex(pattern, message);
}

/**
 * An Auto Scaling group name: 1-255 printable ASCII characters without ":" (CreateAutoScalingGroup:
 * "any ASCII character 33 to 126 ... You cannot use a colon (:) in the name"), so never an ARN.
 */
export const autoScalingGroupName = resourceName(
  /^[!-9;-~]{1,255}$/,
  'must be an Auto Scaling group name: 1-255 printable ASCII characters, no spaces, no ":" (a name, not an ARN)',
);

/** An ECS cluster or service name: "up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens", so never an ARN. */
export const ecsName = resourceName(/^[A-Za-z0-9_-]{1,255}$/, 'must be an ECS name: 1-255 letters, digits, "_" or "-" (a name, not an ARN)');

/** An RDS DB instance identifier: 1-63 letters, digits or hyphens, starting with a letter, no `--`, no trailing hyphen. */
export const dbInstanceIdentifier = resourceName(
  /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}$/,
  'must be an RDS identifier: 1-63 letters, digits or hyphens, starting with a letter, no "--"',
).refine((s) => !s.endsWith('-'), 'must not end with a hyphen');

/** An RDS instance class such as `db.r6g.large`. */
export const dbInstanceClass = z.string().regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, 'must be an RDS instance class such as db.r6g.large');

/**
 * What a target does while its CloudWatch metrics arrive late or not at all. The age of the newest
 * datapoint is measured from the end of its period: about 60-120 s when CloudWatch is on time.
 */
const lateAfterSeconds = z.number().int().min(120).max(3600).default(240);

/** Late or missing metrics, for targets that only hold (no fallback count makes sense for them). */
export const missingDataHoldSchema = z.strictObject({
  /**
   * The newest datapoint older than this (seconds since its period ended): the metrics are late. The
   * target then never moves down, still moves up on the newest data it can read, and the operator is
   * told once.
   * @default 240
   */
  lateAfterSeconds,
});

/**
 * Late or missing metrics, with a fallback count (as KEDA's ScaledObject `fallback`): `hold` keeps the
 * count (scale-out on what can still be read), `fixed` raises it to at least `count` once the newest
 * datapoint is older than `fallbackAfterSeconds` (or there is none); it never lowers it.
 */
export const missingDataSchema = z.strictObject({
  lateAfterSeconds,
  /** `hold` or `fixed`. @default hold */
  fallback: z.enum(['hold', 'fixed']).default('hold'),
  /** With `fixed`: the least count while the metrics are missing; within the target's bounds. */
  count: z.number().int().min(0).max(10000).optional(),
  /** The newest datapoint older than this, or none at all: the fallback applies. Not below `lateAfterSeconds`. @default 600 */
  fallbackAfterSeconds: z.number().int().min(120).max(3600).default(600),
});

export type MissingDataConfig = z.output<typeof missingDataSchema>;
export type MissingDataHoldConfig = z.output<typeof missingDataHoldSchema>;
