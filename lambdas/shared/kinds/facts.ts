/**
 * What every function may need to know of any kind, as plain data: its family (which function decides
 * for it), the CloudWatch namespaces its family's rule matches, whether capacity windows set its bounds,
 * the fields an override replaces, and its runbook. Each kind's module (lambdas/shared/kinds/<kind>.ts)
 * spreads its entry, so the registry (./index.ts) sees the same values; a function that routes targets,
 * applies overrides or builds a rule pattern reads them here without loading the kinds' modules, whose
 * alarms, signals, checks and resources only their own family's function, the simulator and synth run.
 */
import { DEPLOYMENT_PREFIX, type Family } from '../alarm-spec';
import { FLEET_CEILING, FLEET_FLOOR, MAX_WAIT_SECONDS, PERCENT, REPLICAS_CEILING, REPLICAS_FLOOR } from '../config/numbers';
import type { OverridableFields, TargetKindModule } from './kind';
import { celeryNamespace } from './redis-keys';
import type { TargetKind, TargetOfKind } from './schemas';

/** The fields of a kind's module that are data (./kind.ts). */
export type KindFacts<T extends { readonly kind: string; readonly id: string }> = Pick<
  TargetKindModule<T>,
  'family' | 'namespaces' | 'windows' | 'overridable' | 'runbook'
>;

/** The rules of what an override sets on a capacity family target: minCapacity, maxCapacity, targetCpu. */
export const CAPACITY_OVERRIDE_RULES: OverridableFields['rules'] = { min: FLEET_FLOOR, max: FLEET_CEILING, target: PERCENT };

/** The rules of what an override sets on a queue family target: minCapacity, maxCapacity, maxWaitSeconds. */
export const QUEUE_OVERRIDE_RULES: OverridableFields['rules'] = { min: FLEET_FLOOR, max: FLEET_CEILING, target: MAX_WAIT_SECONDS };

const CAPACITY_OVERRIDABLE = { min: 'minCapacity', max: 'maxCapacity', target: 'targetCpu', rules: CAPACITY_OVERRIDE_RULES } as const;
const QUEUE_OVERRIDABLE = { min: 'minCapacity', max: 'maxCapacity', target: 'maxWaitSeconds', rules: QUEUE_OVERRIDE_RULES } as const;

/** Each kind's facts, in the registry's order. */
export const KIND_FACTS = {
  asg: { family: 'capacity', namespaces: ['AWS/EC2', 'AWS/ApplicationELB'], windows: true, overridable: CAPACITY_OVERRIDABLE },
  'ecs-service': { family: 'capacity', namespaces: ['AWS/ECS', 'AWS/ApplicationELB'], windows: true, overridable: CAPACITY_OVERRIDABLE },
  // Deploy events, not alarms, drive the cdn family: see cdnRulePatterns.
  cloudfront: { family: 'cdn', namespaces: [], windows: false },
  'rds-replicas': {
    family: 'database',
    namespaces: ['AWS/RDS'],
    windows: false,
    overridable: { min: 'minReplicas', max: 'maxReplicas', rules: { min: REPLICAS_FLOOR, max: REPLICAS_CEILING } },
    runbook: { name: 'rds-replicas', arnEnv: 'RUNBOOK_RDS_REPLICAS_ARN' },
  },
  'rds-storage': { family: 'database', namespaces: ['AWS/RDS'], windows: false, runbook: { name: 'rds-storage', arnEnv: 'RUNBOOK_RDS_STORAGE_ARN' } },
  'rds-instance': { family: 'database', namespaces: ['AWS/RDS'], windows: false, runbook: { name: 'rds-instance', arnEnv: 'RUNBOOK_RDS_INSTANCE_ARN' } },
  redis: { family: 'database', namespaces: ['AWS/ElastiCache'], windows: false, runbook: { name: 'redis', arnEnv: 'RUNBOOK_REDIS_ARN' } },
  'queue-workers': { family: 'queue', namespaces: ['AWS/SQS'], windows: true, overridable: QUEUE_OVERRIDABLE },
  'rabbitmq-workers': { family: 'queue', namespaces: ['AWS/AmazonMQ'], windows: true, overridable: QUEUE_OVERRIDABLE },
  // The deployment's own namespace: the alarm rule puts the prefix in (lambdas/shared/family-rules.ts).
  'redis-workers': { family: 'queue', namespaces: [celeryNamespace(DEPLOYMENT_PREFIX)], windows: true, overridable: QUEUE_OVERRIDABLE },
} as const satisfies { readonly [K in TargetKind]: KindFacts<TargetOfKind<K>> };

/** The targets whose kind belongs to family `F` (`TargetOfFamily<'database'>`: rds-replicas, rds-storage, rds-instance, redis). */
export type TargetOfFamily<F extends Family> = { [K in TargetKind]: (typeof KIND_FACTS)[K]['family'] extends F ? TargetOfKind<K> : never }[TargetKind];

/** The facts of a target's kind; undefined for a kind the registry does not hold. */
export function factsOf(target: { readonly kind: string }): KindFacts<TargetOfKind<TargetKind>> | undefined {
  return Object.hasOwn(KIND_FACTS, target.kind) ? (KIND_FACTS[target.kind as TargetKind] as KindFacts<TargetOfKind<TargetKind>>) : undefined;
}

/** The family whose function decides for the target. */
export function familyOf(target: { readonly kind: TargetKind }): Family {
  return KIND_FACTS[target.kind].family;
}

/** Environment variables of the family functions holding the runbooks' ARNs, by target kind. */
export const RUNBOOK_ARN_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(KIND_FACTS).flatMap(([kind, facts]) => ('runbook' in facts ? [[kind, facts.runbook.arnEnv]] : [])),
);
