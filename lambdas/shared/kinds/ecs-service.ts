/** `ecs-service`: the web tier's ECS service, sized by the capacity family (UpdateService desiredCount). */
import { z } from 'zod';
import { ecsName, percent } from '../config/fields';
import { ecsServiceResource } from '../config/resources';
import { capacityAlarms, capacityBuiltInSignals, capacityFields, checkCapacity, withCustomSignals, withTargetGroup } from './capacity';
import { customAlarms, customMetricsSchema, customSignals } from './custom-metrics';
import type { CapacityKindModule, CapacityMetrics } from './kind';

export const ecsServiceTargetSchema = z.strictObject({
  kind: z.literal('ecs-service'),
  ...capacityFields,
  /** Name of the ECS cluster. */
  cluster: ecsName,
  /** Name of the ECS service. */
  service: ecsName,
  /** Average memory, percent, above which the service scales out. @default 80 */
  targetMemory: percent.default(80),
  /**
   * More signals to size on or watch: any CloudWatch metric or metric math expression.
   * @default none
   */
  customMetrics: customMetricsSchema([]).optional(),
});

export type EcsServiceTarget = z.output<typeof ecsServiceTargetSchema>;

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
  schema: ecsServiceTargetSchema,
  family: 'capacity',
  namespaces: ['AWS/ECS', 'AWS/ApplicationELB'],
  metrics: ecsServiceMetrics,
  alarms: (prefix, target) => [
    ...capacityAlarms(prefix, target, ecsServiceMetrics(target), ecsServiceSignals(target), target.targetMemory),
    ...customAlarms(prefix, target, customSignals(target)),
  ],
  windows: true,
  overridable: { min: 'minCapacity', max: 'maxCapacity', target: 'targetCpu' },
  signals: ecsServiceSignals,
  resources: (t) => [ecsServiceResource(['service'], t.cluster, t.service)],
  check: (t, at, ctx) => checkCapacity(t, () => ecsServiceBuiltInSignals(t), at, ctx),
} satisfies CapacityKindModule<EcsServiceTarget>;
