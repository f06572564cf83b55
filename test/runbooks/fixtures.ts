/** Configs with data tier targets, shared by the runbook, construct and handler tests. */
import { type AutoscalerConfig, parseConfig } from '../../lambdas/shared/config';

export const RDS_REPLICAS = {
  kind: 'rds-replicas' as const,
  id: 'orders-db',
  sourceInstanceIdentifier: 'orders-primary',
  minReplicas: 1,
  maxReplicas: 3,
};

export const AURORA_REPLICAS = {
  kind: 'rds-replicas' as const,
  id: 'reports-db',
  clusterIdentifier: 'reports-cluster',
  replicaInstanceClass: 'db.r6g.large',
  minReplicas: 0,
  maxReplicas: 2,
};

export const REDIS = {
  kind: 'redis' as const,
  id: 'cache',
  replicationGroupId: 'shop-cache',
  nodeTypeLadder: ['cache.r7g.large', 'cache.r7g.xlarge', 'cache.r7g.2xlarge'],
};

export const RDS_STORAGE = {
  kind: 'rds-storage' as const,
  id: 'orders-disk',
  instanceIdentifier: 'orders-primary',
  maxAllocatedGiB: 500,
};

export const RDS_INSTANCE = {
  kind: 'rds-instance' as const,
  id: 'orders-class',
  instanceIdentifier: 'orders-primary',
  instanceClassLadder: ['db.r6g.large', 'db.r6g.xlarge', 'db.r6g.2xlarge'],
};

/** The four data targets (and `extra`), each with its `overrides` by id. */
export function dataConfig(extra: unknown[] = [], overrides: Record<string, Record<string, unknown>> = {}): AutoscalerConfig {
  const targets = [RDS_REPLICAS, AURORA_REPLICAS, REDIS, RDS_STORAGE].map((t) => ({ ...t, ...overrides[t.id] }));
  return parseConfig({ prefix: 'shop', targets: [...targets, ...extra] });
}
