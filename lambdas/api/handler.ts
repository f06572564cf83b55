/**
 * Lambda entry of the operator API (lib/api.ts deploys it behind API Gateway, IAM authorization on
 * every route). Thin: the deployed store, config and topic once per execution environment, then
 * `serve`; each request is logged by its method, path, status and caller, never its body.
 */
import type { Context } from 'aws-lambda';
import { deployedBase, lazyEntry, withPowertools } from '../shared/entry';
import { logger } from '../shared/powertools';
import { type ApiEvent, type ApiResult, serve } from './routes';

export const handler = lazyEntry(() => {
  const { config, store, notifier, now } = deployedBase();
  return withPowertools(async (event: unknown, _context: Context): Promise<ApiResult> => {
    const e = event as ApiEvent;
    const result = await serve(e, { config, store, now, notifier });
    logger.info('api request', {
      method: e.requestContext?.http?.method,
      path: e.rawPath,
      status: result.statusCode,
      caller: e.requestContext?.authorizer?.iam?.userArn,
    });
    return result;
  });
});
