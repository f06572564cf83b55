/**
 * Every target kind's CLI backend, in one table keyed by kind: a kind without a backend is a compile
 * error. `backendOf` resolves a target's backend to what `status`, `explain` and `config validate` show.
 */
import type { TargetConfig, TargetKind } from '../../lambdas/shared/config';
import type { CliDeps } from '../deps';
import { asgBackend } from './asg';
import type { CliBackend, Cooldowns, TargetNow, UnitBounds } from './backend';
import { cloudfrontBackend } from './cloudfront';
import { ecsServiceBackend } from './ecs-service';
import { queueWorkersBackend } from './queue-workers';
import { rabbitmqWorkersBackend } from './rabbitmq-workers';
import { rdsInstanceBackend } from './rds-instance';
import { rdsReplicasBackend } from './rds-replicas';
import { rdsStorageBackend } from './rds-storage';
import { redisBackend } from './redis';
import { redisWorkersBackend } from './redis-workers';

export const CLI_BACKENDS: { readonly [K in TargetKind]: CliBackend<K> } = {
  asg: asgBackend,
  'ecs-service': ecsServiceBackend,
  cloudfront: cloudfrontBackend,
  'rds-replicas': rdsReplicasBackend,
  'rds-storage': rdsStorageBackend,
  'rds-instance': rdsInstanceBackend,
  redis: redisBackend,
  'queue-workers': queueWorkersBackend,
  'rabbitmq-workers': rabbitmqWorkersBackend,
  'redis-workers': redisWorkersBackend,
};

/** One target's backend, its config applied. */
export interface TargetView {
  /** Reads what the target runs now; `undefined`: its kind has nothing to read. */
  readonly readNow: ((deps: CliDeps) => Promise<TargetNow>) | undefined;
  readonly bounds: UnitBounds | undefined;
  readonly cooldowns: Cooldowns | undefined;
  readonly policy: string | undefined;
}

export function backendOf(target: TargetConfig): TargetView {
  const backend = CLI_BACKENDS[target.kind] as CliBackend<TargetKind>;
  const { readNow } = backend;
  return {
    readNow: typeof readNow === 'function' ? (deps) => readNow(target, deps) : undefined,
    bounds: backend.bounds?.(target),
    cooldowns: backend.cooldowns?.(target),
    policy: backend.policy?.(target),
  };
}
