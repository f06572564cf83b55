/**
 * The config's deployment-wide defaults, as plain data: the zod schema fills them in at synth (./index.ts,
 * ./api.ts, ./recommendations.ts), and the recommender's replays (sim/recommend.ts) build a config with
 * them without loading the schema.
 */
export const CONFIG_DEFAULTS = {
  prefix: 'autoscaler',
  dryRun: false,
  maxEventAgeSeconds: 600,
  auditRetentionDays: 30,
  permissions: 'per-target',
  api: { enabled: false, throttle: { rateLimit: 10, burstLimit: 20 } },
  recommendations: { enabled: false },
} as const;
