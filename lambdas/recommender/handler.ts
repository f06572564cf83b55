/**
 * Lambda entry of the daily recommender (lib/recommender.ts): the state machine's Distributed Map
 * hands it a batch of target indices (ItemBatcher: `{ Items: [3, 4, 5] }`); thin: the deployed store,
 * config and CloudWatch client once per execution environment, then `recommendBatch`.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Context } from 'aws-lambda';
import { awsClient } from '../shared/clients';
import { deployedBase, lazyEntry, withPowertools } from '../shared/entry';
import { logger } from '../shared/powertools';
import { type BatchResult, recommendBatch } from './service';

/** What the Distributed Map's ItemBatcher sends. */
export interface RecommenderEvent {
  readonly Items: readonly number[];
}

export const handler = lazyEntry(() => {
  const { config, store, now } = deployedBase();
  const cloudWatch = awsClient(CloudWatchClient);
  return withPowertools(async (event: unknown, _context: Context): Promise<BatchResult> => {
    const items = (event as Partial<RecommenderEvent>)?.Items;
    if (!Array.isArray(items) || !items.every((i) => Number.isInteger(i) && i >= 0)) {
      throw new Error('the recommender takes { Items: [target index, ...] } (a Distributed Map batch)');
    }
    const result = await recommendBatch(items, { config, cloudWatch, store, now });
    logger.info('recommendations', { recommended: result.recommended.length, failed: result.failed });
    return result;
  });
});
