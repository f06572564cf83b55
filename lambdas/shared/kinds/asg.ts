/** `asg`: the web tier's EC2 Auto Scaling group, sized by the capacity family (SetDesiredCapacity). */
import { autoScalingGroupResource } from '../config/resources';
import { capacityAlarms, capacityBuiltInSignals, checkCapacity, withCustomSignals, withTargetGroup } from './capacity';
import { customAlarms, customSignals } from './custom-metrics';
import { KIND_FACTS } from './facts';
import type { CapacityKindModule, CapacityMetrics, KindRules } from './kind';
import type { AsgTarget } from './schemas/asg';

export type { AsgTarget } from './schemas/asg';

export function asgMetrics(target: AsgTarget): CapacityMetrics {
  const metrics = asgBuiltInMetrics(target);
  return target.customMetrics?.length ? { ...metrics, custom: customSignals(target) } : metrics;
}

/** The group's own and its target group's metrics, without the custom ones (which need a valid config). */
function asgBuiltInMetrics(target: AsgTarget): CapacityMetrics {
  const cpu = { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: target.autoScalingGroupName }, stat: 'Average' };
  return withTargetGroup(cpu, undefined, target.targetGroup);
}

/** Why an Auto Scaling group has no built-in `memory` signal. */
const NO_MEMORY = 'EC2 publishes no memory metric; add a custom metric named memory with preset asg-memory (the CloudWatch agent)';

/** The group's built-in signals (lambdas/shared/kinds/capacity.ts). */
function asgBuiltInSignals(target: AsgTarget) {
  return capacityBuiltInSignals(target, asgBuiltInMetrics(target), NO_MEMORY);
}

/** The signals step rules and alerts of an Auto Scaling group may read: the built-in ones and its custom metrics. */
export function asgSignals(target: AsgTarget) {
  return withCustomSignals(asgBuiltInSignals(target), target);
}

export const asg = {
  ...KIND_FACTS.asg,
  metrics: asgMetrics,
  alarms: (prefix, target) => [
    ...capacityAlarms(prefix, target, asgMetrics(target), asgSignals(target)),
    ...customAlarms(prefix, target, customSignals(target)),
  ],
  signals: asgSignals,
} satisfies CapacityKindModule<AsgTarget>;

/** What synth alone runs of the kind (./rules.ts): the resources a target names, and its checks beyond its schema. */
export const asgRules = {
  resources: (t) => [autoScalingGroupResource(['autoScalingGroupName'], t.autoScalingGroupName)],
  check: (t, at, ctx) => checkCapacity(t, () => asgBuiltInSignals(t), at, ctx),
} satisfies KindRules<AsgTarget>;
