/** The `redis` kind's infrastructure (lib/targets/redis.ts): its dashboard graph of memory and evictions. */
import { parseConfig, type RedisTarget } from '../../../lambdas/shared/config';
import { redisMemoryWidget } from '../../../lib/targets/redis';
import { REDIS } from '../../runbooks/fixtures';
import { dashboardOf, dashboardWidgets } from '../helpers';

const redis = (extra: Record<string, unknown> = {}) => parseConfig({ prefix: 'shop', targets: [{ ...REDIS, ...extra }] }).targets[0] as RedisTarget;

describe('redis dashboard graph', () => {
  test('memory of the fullest node and evictions of all nodes, found among the nodes by the group id, against the target marks', () => {
    const [w] = dashboardWidgets(dashboardOf(redisMemoryWidget(redis({ evictionsHigh: 100 }))));
    expect(w.properties.title).toBe('cache: memory and evictions');
    expect(w.properties.metrics).toEqual([
      [
        expect.objectContaining({
          expression: `MAX(SEARCH('{AWS/ElastiCache,CacheClusterId} MetricName="DatabaseMemoryUsagePercentage" "shop-cache"', 'Maximum', 60))`,
          label: 'memory %, fullest node',
        }),
      ],
      [
        expect.objectContaining({
          expression: `SUM(SEARCH('{AWS/ElastiCache,CacheClusterId} MetricName="Evictions" "shop-cache"', 'Sum', 60))`,
          label: 'evictions, all nodes',
          yAxis: 'right',
        }),
      ],
    ]);
    expect(w.properties.annotations?.horizontal).toEqual([
      expect.objectContaining({ value: 80, label: 'memoryHighPercent 80: up' }),
      expect.objectContaining({ value: 30, label: 'memoryLowPercent 30: down' }),
      expect.objectContaining({ value: 100, label: 'evictionsHigh 100: up', yAxis: 'right' }),
    ]);
  });

  test('no eviction mark without evictionsHigh; the marks follow the config', () => {
    const [w] = dashboardWidgets(dashboardOf(redisMemoryWidget(redis({ memoryHighPercent: 90, memoryLowPercent: 40 }))));
    expect(w.properties.annotations?.horizontal?.map((a) => a.value)).toEqual([90, 40]);
  });
});
