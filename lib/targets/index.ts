/**
 * What the infrastructure knows of each target kind: its construct, its dashboard graph of units and
 * its runbook's state machine, declared next to each construct. The table is typed by the runtime's
 * registry of kinds (lambdas/shared/kinds), so a kind without its infrastructure does not compile.
 */
import type { TargetKind, TargetOfKind } from '../../lambdas/shared/kinds';
import { asgInfrastructure } from './asg';
import { cloudfrontInfrastructure } from './cloudfront';
import { ecsServiceInfrastructure } from './ecs-service';
import type { TargetInfrastructure } from './kind';
import { queueWorkersInfrastructure } from './queue-workers';
import { rabbitmqWorkersInfrastructure } from './rabbitmq-workers';
import { rdsInstanceInfrastructure } from './rds-instance';
import { rdsReplicasInfrastructure } from './rds-replicas';
import { rdsStorageInfrastructure } from './rds-storage';
import { redisInfrastructure } from './redis';
import { redisWorkersInfrastructure } from './redis-workers';

const INFRASTRUCTURE = {
  asg: asgInfrastructure,
  'ecs-service': ecsServiceInfrastructure,
  cloudfront: cloudfrontInfrastructure,
  'rds-replicas': rdsReplicasInfrastructure,
  'rds-storage': rdsStorageInfrastructure,
  'rds-instance': rdsInstanceInfrastructure,
  redis: redisInfrastructure,
  'queue-workers': queueWorkersInfrastructure,
  'rabbitmq-workers': rabbitmqWorkersInfrastructure,
  'redis-workers': redisWorkersInfrastructure,
};

export const TARGET_INFRASTRUCTURE: { readonly [K in TargetKind]: TargetInfrastructure<TargetOfKind<K>, ScalingTarget> } = INFRASTRUCTURE;

/** The infrastructure of a target's kind. */
export function infrastructureOf<K extends TargetKind>(target: { readonly kind: K }): TargetInfrastructure<TargetOfKind<K>, ScalingTarget> {
  return TARGET_INFRASTRUCTURE[target.kind];
}

/** The construct of any target (`AsgScalingTarget`, `RdsReplicasScalingTarget`...). */
export type ScalingTarget = ReturnType<(typeof INFRASTRUCTURE)[TargetKind]['construct']>;
