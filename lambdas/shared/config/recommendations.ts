/**
 * The daily recommender's part of the config: whether the stack deploys it (lib/recommender.ts). What
 * it replays is lambdas/shared/recommendations.ts.
 */
import { z } from 'zod';
import { CONFIG_DEFAULTS } from './defaults';

export const recommendationsSchema = z.strictObject({
  /**
   * Deploy the daily recommender: a Step Functions state machine, started every day by EventBridge
   * Scheduler, that replays each web and worker target's last 14 days from CloudWatch with its settings
   * and a few candidates, and keeps the latest recommendation per target in the state table (the API's
   * GET /recommendations).
   * @default false
   */
  enabled: z.boolean().default(CONFIG_DEFAULTS.recommendations.enabled),
});

export type RecommendationsConfig = z.output<typeof recommendationsSchema>;
