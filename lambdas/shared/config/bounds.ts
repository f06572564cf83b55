/**
 * Bounds the config's schema and the functions both read, apart from the schema so that a function
 * reads them without loading it.
 */

/** A day, seconds. */
export const DAY = 86_400;
/**
 * Most units (instances, tasks, workers) of one fleet. ECS allows 5,000 tasks per service by default
 * (an adjustable quota); EC2 Auto Scaling sets no group size of its own, only instance and vCPU quotas.
 * Twice the ECS default leaves room for a raised quota and still catches a stray digit.
 */
export const MAX_UNITS = 10_000;
