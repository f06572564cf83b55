/**
 * The kinds' synth rules (`KindRules`, ./kind.ts): the resources each target names and the checks its
 * schema cannot state, each declared in its kind's module. Only the config's validation
 * (lambdas/shared/config) loads this table; a function gets its config validated at synth, so no bundle
 * carries these rules (test/lambdas/shared/kinds/bundles.test.ts).
 */
import { asgRules } from './asg';
import { cloudfrontRules } from './cloudfront';
import { ecsServiceRules } from './ecs-service';
import type { KindRules } from './kind';
import { queueWorkersRules } from './queue-workers';
import { rabbitmqWorkersRules } from './rabbitmq-workers';
import { rdsInstanceRules } from './rds-instance';
import { rdsReplicasRules } from './rds-replicas';
import { rdsStorageRules } from './rds-storage';
import { redisRules } from './redis';
import { redisWorkersRules } from './redis-workers';
import type { TargetKind, TargetOfKind } from './schemas';

export const KIND_RULES: { readonly [K in TargetKind]: KindRules<TargetOfKind<K>> } = {
  asg: asgRules,
  'ecs-service': ecsServiceRules,
  cloudfront: cloudfrontRules,
  'rds-replicas': rdsReplicasRules,
  'rds-storage': rdsStorageRules,
  'rds-instance': rdsInstanceRules,
  redis: redisRules,
  'queue-workers': queueWorkersRules,
  'rabbitmq-workers': rabbitmqWorkersRules,
  'redis-workers': redisWorkersRules,
};

/** The synth rules of a target's kind. */
export function rulesOf<K extends TargetKind>(target: { readonly kind: K }): KindRules<TargetOfKind<K>> {
  return KIND_RULES[target.kind];
}
