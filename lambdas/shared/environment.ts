/**
 * The environment variables the construct sets on the functions and the functions read (besides
 * Powertools' own and each runbook's ARN, which its kind declares: lambdas/shared/kinds).
 */

/** The state table: leases, cooldowns, switches, the audit trail. */
export const STATE_TABLE_ENV = 'STATE_TABLE_NAME';
/** Powertools idempotency records, for the functions whose actions are made idempotent. */
export const IDEMPOTENCY_TABLE_ENV = 'IDEMPOTENCY_TABLE_NAME';
/** The notification topic; unset, decisions are recorded but not announced. */
export const TOPIC_ARN_ENV = 'TOPIC_ARN';

/** The file, beside each bundle's index.js, that holds the parsed config (lambdas/shared/bundled-config.ts). */
export const BUNDLED_CONFIG_FILE = 'autoscaler-config.json';
