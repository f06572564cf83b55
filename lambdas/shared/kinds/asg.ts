/** `asg`: the web tier's EC2 Auto Scaling group, sized by the capacity family (SetDesiredCapacity). */
import { z } from 'zod';
import { autoScalingGroupName } from '../config/fields';
import { autoScalingGroupResource } from '../config/resources';
import { capacityAlarms, capacityAlertSignals, capacityFields, checkCapacity, withTargetGroup } from './capacity';
import type { CapacityKindModule, CapacityMetrics } from './kind';

export const asgTargetSchema = z.strictObject({
  kind: z.literal('asg'),
  ...capacityFields,
  /** Name of the Auto Scaling group. */
  autoScalingGroupName,
});

export type AsgTarget = z.output<typeof asgTargetSchema>;

export function asgMetrics(target: AsgTarget): CapacityMetrics {
  const cpu = { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: target.autoScalingGroupName }, stat: 'Average' };
  return withTargetGroup(cpu, undefined, target.targetGroup);
}

export const asg = {
  schema: asgTargetSchema,
  family: 'capacity',
  namespaces: ['AWS/EC2', 'AWS/ApplicationELB'],
  metrics: asgMetrics,
  alarms: (prefix, target) => capacityAlarms(prefix, target, asgMetrics(target)),
  windows: true,
  resources: (t) => [autoScalingGroupResource(['autoScalingGroupName'], t.autoScalingGroupName)],
  check: checkCapacity,
  alertSignals: (t) => capacityAlertSignals(asgMetrics(t), t.targetGroup),
} satisfies CapacityKindModule<AsgTarget>;
