/**
 * The capacity family's kinds: what the capacity function and the recommender's replays load of the
 * registry (../index.ts holds every family's, for synth, the CLI and the simulator).
 */
import { asg } from '../asg';
import { ecsService } from '../ecs-service';
import type { TargetOfFamily } from '../facts';
import type { CapacityKindModule, CapacityMetrics } from '../kind';
import type { TargetOfKind } from '../schemas';

export type CapacityTarget = TargetOfFamily<'capacity'>;

/** Each declares the metrics its engine observes. */
export const CAPACITY_KINDS: { readonly [K in CapacityTarget['kind']]: CapacityKindModule<TargetOfKind<K>> } = { asg, 'ecs-service': ecsService };

/** The module of a capacity target's kind. */
export function capacityKindOf(target: CapacityTarget): CapacityKindModule<CapacityTarget> {
  return CAPACITY_KINDS[target.kind] as CapacityKindModule<CapacityTarget>;
}

/** Metrics that describe one capacity target, used both by its alarms and by the engine's observation. */
export function capacityMetrics(target: CapacityTarget): CapacityMetrics {
  return capacityKindOf(target).metrics(target);
}
