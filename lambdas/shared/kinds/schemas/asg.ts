/**
 * The config schema of `asg` targets (synth only); the kind is lambdas/shared/kinds/asg.ts.
 */
import { z } from 'zod';
import { autoScalingGroupName } from '../../config/fields';
import { capacityFields } from './capacity';
import { customMetricsSchema } from './custom-metrics';

export const asgTargetSchema = z.strictObject({
  kind: z.literal('asg'),
  ...capacityFields,
  /** Name of the Auto Scaling group. */
  autoScalingGroupName,
  /**
   * More signals to size on or watch: any CloudWatch metric or metric math expression, or the preset
   * `asg-memory` (the CloudWatch agent's memory use per instance).
   * @default none
   */
  customMetrics: customMetricsSchema(['asg-memory']).optional(),
});

export type AsgTarget = z.output<typeof asgTargetSchema>;
