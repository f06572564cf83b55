/** `ecs-service`: the web tier's ECS service, sized by the capacity family (UpdateService desiredCount). */
import { ecsServiceResource } from '../config/resources';
import { capacityAlarms, capacityBuiltInSignals, checkCapacity, withCustomSignals, withTargetGroup } from './capacity';
import { customAlarms, customSignals } from './custom-metrics';
import { KIND_FACTS } from './facts';
import type { CapacityKindModule, CapacityMetrics, KindRules } from './kind';
import type { EcsServiceTarget } from './schemas/ecs-service';

export type { EcsServiceTarget } from './schemas/ecs-service';

export function ecsServiceMetrics(target: EcsServiceTarget): CapacityMetrics {
  const metrics = ecsServiceBuiltInMetrics(target);
  return target.customMetrics?.length ? { ...metrics, custom: customSignals(target) } : metrics;
}

/** The service's own and its target group's metrics, without the custom ones (which need a valid config). */
function ecsServiceBuiltInMetrics(target: EcsServiceTarget): CapacityMetrics {
  const dimensions = { ClusterName: target.cluster, ServiceName: target.service };
  return withTargetGroup(
    { namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensions, stat: 'Average' },
    { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', dimensions, stat: 'Average' },
    target.targetGroup,
  );
}

/** The service's built-in signals (lambdas/shared/kinds/capacity.ts). */
function ecsServiceBuiltInSignals(target: EcsServiceTarget) {
  return capacityBuiltInSignals(target, ecsServiceBuiltInMetrics(target), undefined);
}

/** The signals step rules and alerts of an ECS service may read: the built-in ones and its custom metrics. */
export function ecsServiceSignals(target: EcsServiceTarget) {
  return withCustomSignals(ecsServiceBuiltInSignals(target), target);
}

export const ecsService = {
  ...KIND_FACTS['ecs-service'],
  metrics: ecsServiceMetrics,
  alarms: (prefix, target) => [
    ...capacityAlarms(prefix, target, ecsServiceMetrics(target), ecsServiceSignals(target), target.targetMemory),
    ...customAlarms(prefix, target, customSignals(target)),
  ],
  signals: ecsServiceSignals,
} satisfies CapacityKindModule<EcsServiceTarget>;

/** What synth alone runs of the kind (./rules.ts): the resources a target names, and its checks beyond its schema. */
export const ecsServiceRules = {
  resources: (t) => [ecsServiceResource(['service'], t.cluster, t.service)],
  check: (t, at, ctx) => checkCapacity(t, () => ecsServiceBuiltInSignals(t), at, ctx),
} satisfies KindRules<EcsServiceTarget>;
