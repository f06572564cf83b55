/** Converting a raw EventBridge pattern (as lambdas/shared/alarms.ts writes it) to CDK's `EventPattern`. */
import type * as events from 'aws-cdk-lib/aws-events';

const TOP_LEVEL: Readonly<Record<string, keyof events.EventPattern>> = {
  version: 'version',
  id: 'id',
  'detail-type': 'detailType',
  source: 'source',
  account: 'account',
  time: 'time',
  region: 'region',
  resources: 'resources',
  detail: 'detail',
};

/**
 * The same pattern in CDK's shape: top-level keys renamed (`detail-type` -> `detailType`), every value,
 * `detail` included, kept as it is. CDK renders it back to exactly the raw pattern.
 */
export function toEventPattern(raw: Readonly<Record<string, unknown>>): events.EventPattern {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const cdkKey = TOP_LEVEL[key];
    if (!cdkKey) throw new Error(`event pattern key "${key}" has no EventPattern field`);
    out[cdkKey] = value;
  }
  return out as events.EventPattern;
}
