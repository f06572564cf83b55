/**
 * The registry of target kinds: every kind the config accepts, each declared once in its module
 * (family, metrics and alarms, windows, resources, checks, runbook) and its schema
 * (lambdas/shared/kinds/schemas, synth only). Everything the runtime does per kind is a lookup here;
 * the infrastructure (lib/targets/index.ts) and the operator CLI keep a table of the same kinds,
 * checked against this one by the compiler.
 *
 * Adding a kind: its module beside this file, one line below, then the other tables the compiler
 * names (ARCHITECTURE.md, "Adding a kind").
 */
import type { Family } from '../alarm-spec';
import { asg } from './asg';
import { cloudfront } from './cloudfront';
import { ecsService } from './ecs-service';
import type { CapacityKindModule, CapacityMetrics, TargetKindModule } from './kind';
import { queueWorkers } from './queue-workers';
import { rabbitmqWorkers } from './rabbitmq-workers';
import { rdsInstance } from './rds-instance';
import { rdsReplicas } from './rds-replicas';
import { rdsStorage } from './rds-storage';
import { redis } from './redis';
import { redisWorkers } from './redis-workers';
import type { TargetKind, TargetOfKind } from './schemas';

export type { TargetConfig, TargetKind, TargetOfKind } from './schemas';

/** The kinds, in the order messages list them. */
const MODULES = {
  asg,
  'ecs-service': ecsService,
  cloudfront,
  'rds-replicas': rdsReplicas,
  'rds-storage': rdsStorage,
  'rds-instance': rdsInstance,
  redis,
  'queue-workers': queueWorkers,
  'rabbitmq-workers': rabbitmqWorkers,
  'redis-workers': redisWorkers,
};

/** What the runtime knows of each kind. */
export const TARGET_KINDS: { readonly [K in TargetKind]: TargetKindModule<TargetOfKind<K>> } = MODULES;

/** The module of a target's kind. */
export function kindOf<K extends TargetKind>(target: { readonly kind: K }): TargetKindModule<TargetOfKind<K>> {
  return TARGET_KINDS[target.kind];
}

/** The kinds, in the registry's order. */
export const TARGET_KIND_NAMES = Object.keys(MODULES) as TargetKind[];

/** The targets whose kind belongs to family `F` (`TargetOfFamily<'database'>`: rds-replicas, rds-storage, rds-instance, redis). */
export type TargetOfFamily<F extends Family> = { [K in TargetKind]: (typeof MODULES)[K]['family'] extends F ? TargetOfKind<K> : never }[TargetKind];

export type CapacityTarget = TargetOfFamily<'capacity'>;
export type DataTarget = TargetOfFamily<'database'>;

/** The capacity family's kinds: each declares the metrics its engine observes. */
const CAPACITY_KINDS: { readonly [K in CapacityTarget['kind']]: CapacityKindModule<TargetOfKind<K>> } = MODULES;

/** Metrics that describe one capacity target, used both by its alarms and by the engine's observation. */
export function capacityMetrics(target: CapacityTarget): CapacityMetrics {
  return (CAPACITY_KINDS[target.kind] as CapacityKindModule<CapacityTarget>).metrics(target);
}

/** Environment variables of the family functions holding the runbooks' ARNs, by target kind. */
export const RUNBOOK_ARN_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  TARGET_KIND_NAMES.flatMap((kind) => {
    const runbook = TARGET_KINDS[kind].runbook;
    return runbook ? [[kind, runbook.arnEnv]] : [];
  }),
);
