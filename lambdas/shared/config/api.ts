/**
 * The operator API's part of the config: whether the stack deploys it, and how fast it may be called.
 * What it serves is lambdas/shared/api-routes.ts; the construct is lib/api.ts.
 */
import { z } from 'zod';
import { CONFIG_DEFAULTS } from './defaults';

/**
 * API Gateway's default quota for all the APIs of an account in a Region: 10,000 requests a second,
 * with a token bucket of at most 5,000 requests (API Gateway Developer Guide, "Amazon API Gateway
 * quotas": throttle quota per account, per Region across HTTP APIs, REST APIs, WebSocket APIs; 2,500
 * and 1,250 in some Regions). One operator API asking for more than the whole account has is a mistake.
 */
export const ACCOUNT_RATE_LIMIT = 10_000;
export const ACCOUNT_BURST_LIMIT = 5_000;

/** The default stage's throttling: API Gateway's token bucket, for every route of the API together. */
export const apiThrottleSchema = z.strictObject({
  /** Requests a second, sustained. @default 10 */
  rateLimit: z.number().positive().max(ACCOUNT_RATE_LIMIT).default(CONFIG_DEFAULTS.api.throttle.rateLimit),
  /** Requests at once, in a burst above the rate. @default 20 */
  burstLimit: z.number().int().min(1).max(ACCOUNT_BURST_LIMIT).default(CONFIG_DEFAULTS.api.throttle.burstLimit),
});

export const apiSchema = z.strictObject({
  /**
   * Deploy the operator HTTP API (API Gateway, IAM (SigV4) authorization on every route, access logs):
   * status, metrics, history, pause and resume, overrides, for a team's tooling.
   * @default false
   */
  enabled: z.boolean().default(CONFIG_DEFAULTS.api.enabled),
  /**
   * The default stage's throttling, for every route together; past it, API Gateway answers 429.
   * @default { rateLimit: 10, burstLimit: 20 }
   */
  throttle: apiThrottleSchema.prefault({}),
});

export type ApiConfig = z.output<typeof apiSchema>;
