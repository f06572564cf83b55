/**
 * The config schema of `ecs-service` targets (synth only); the kind is
 * lambdas/shared/kinds/ecs-service.ts.
 */
import { z } from 'zod';
import { ecsName, percent } from '../../config/fields';
import { capacityFields } from './capacity';
import { customMetricsSchema } from './custom-metrics';

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
