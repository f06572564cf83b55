/**
 * The config fields the capacity kinds (`asg`, `ecs-service`) share and their target group (synth
 * only); what they do is lambdas/shared/kinds/capacity.ts.
 */
import { z } from 'zod';
import { DAY, MAX_UNITS, missingDataSchema, numberSchema, percent, targetId } from '../../config/fields';
import { FLEET_CEILING, FLEET_FLOOR } from '../../config/numbers';
import { MAX_REQUESTS_PER_TARGET } from '../formats';
import { alertsSchema } from './alerts';
import { stepPolicyFields } from './step-policy';
import { unitPriceField } from './unit-price';

/** An Application Load Balancer target group in front of the web tier. */
export const targetGroupSchema = z.strictObject({
  /** The load balancer's full name as CloudWatch uses it: `app/<name>/<id>`. */
  loadBalancerFullName: z.string().regex(/^app\/[\w-]+\/[0-9a-f]+$/, 'must look like app/<name>/<id>'),
  /** The target group's full name as CloudWatch uses it: `targetgroup/<name>/<id>`. */
  targetGroupFullName: z.string().regex(/^targetgroup\/[\w-]+\/[0-9a-f]+$/, 'must look like targetgroup/<name>/<id>'),
  /**
   * Requests per minute one target should serve. When set, RequestCountPerTarget above it raises an
   * alarm and the engine sizes on it directly; when unset, the engine learns what one unit serves from
   * CPU and RequestCount together.
   * @default undefined
   */
  requestsPerTarget: z.number().positive().max(MAX_REQUESTS_PER_TARGET).optional(),
  /**
   * p95 TargetResponseTime, in seconds, above which the target is overloaded.
   * @default 1
   */
  // Common sense: a p95 above ten minutes is an outage, not a threshold to scale on.
  responseTimeP95Seconds: z.number().positive().max(600).default(1),
});

export type TargetGroupConfig = z.output<typeof targetGroupSchema>;

/** Settings every capacity target (ASG, ECS service) shares. */
export const capacityFields = {
  id: targetId,
  /** @default 2 */
  minCapacity: numberSchema(FLEET_FLOOR).default(2),
  /** @default 10 */
  maxCapacity: numberSchema(FLEET_CEILING).default(10),
  /** Average CPU, percent, the engine steers towards. @default 70 */
  targetCpu: percent.default(70),
  /**
   * CPU, percent, a noisy minute may reach: on noisy load the engine holds enough headroom that a
   * minute 2.576 noise deviations above the mean (one minute in 200) stays at or below it; on calm
   * load `targetCpu` alone decides. Above `targetCpu` to take effect.
   * @default 90
   */
  // 90: the web SLO's utilization ceiling of the simulator's scenarios (scenarios/README.md, maxUtilization 0.9).
  peakCpu: percent.default(90),
  /**
   * Shortest time between two scale-in actions, and after a scale-out before a scale-in, in seconds.
   * @default 300
   */
  // Common sense: a web tier that may not scale in for more than a day is not autoscaled.
  scaleInCooldownSeconds: z.number().int().min(0).max(DAY).default(300),
  /** Shortest time between two scale-out actions, in seconds. @default 60 */
  // Common sense: more than an hour between two scale-outs under load leaves the tier overloaded.
  scaleOutCooldownSeconds: z.number().int().min(0).max(3600).default(60),
  /**
   * Relative change of load within which the desired count is left as it is (0.1: a 10% band).
   * @default 0.1
   */
  tolerance: z.number().min(0).max(0.5).default(0.1),
  /** Most units one scale-out may add, as a share of the current count (1: at most double). @default 1 */
  // Common sense: one step to more than 11 times the current count is a typo, not a policy.
  maxStepUpRatio: z.number().positive().max(10).default(1),
  /**
   * Most units one scale-out may add in absolute terms, whatever the ratio allows.
   * @default no limit beyond maxStepUpRatio
   */
  maxStepUp: z.number().int().min(1).max(MAX_UNITS).optional(),
  /** Most units one scale-in may remove, as a share of the current count (always at least one). @default 0.5 */
  maxStepDownRatio: z.number().gt(0).max(1).default(0.5),
  /**
   * Scale-in uses the highest recommendation seen over this window, so a short dip does not remove
   * capacity that the next minute needs again. Fifteen minutes, as long as target tracking's scale-in
   * alarm waits (15 one-minute datapoints below the target; scenarios/README.md): with the HPA's 300 s,
   * noisy web traffic had a scale-out undone within ten minutes over a hundred times a day.
   * @default 900
   */
  // The Kubernetes HPA's limit for its stabilization window (one hour).
  scaleInStabilizationSeconds: z.number().int().min(0).max(3600).default(900),
  /** Seconds from a desired-count increase until the new unit serves; the engine sizes for load that far ahead. @default 180 */
  // EC2 Auto Scaling's default instance warmup takes 0-3600 seconds.
  warmupSeconds: z.number().int().min(0).max(3600).default(180),
  /** Application Load Balancer target group whose request count and response time are signals too. */
  targetGroup: targetGroupSchema.optional(),
  /**
   * Pre-scale ahead of the rises the target's own request history repeats by time of day and day of
   * week (a seasonal forecast read at most once an hour; needs `targetGroup`). It only ever raises the
   * count, and backs off by itself where the history shows no seasonality.
   * @default false
   */
  // Off until it pays: on the generated web suite and the bundled web scenarios it moved violation and
  // cost by under 1% (the generated traces' violations come from minute noise and flash crowds, which no
  // time-of-day forecast anticipates, and their daily ramps are slow enough for the reactive trend),
  // and it added a reversal a week and 0.01% of cost on nasa-week (README, "Seasonal forecast").
  forecast: z.boolean().default(false),
  /** Late or missing metrics: when they count as late, and the fallback. @default hold, late after 240 s */
  missingData: missingDataSchema.prefault({}),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
  ...stepPolicyFields,
  /** Alert-only rules on the target's signals: notify, never scale. @default [] */
  alerts: alertsSchema,
  /** What one unit costs an hour, for the dollars of a recommendation. @default none */
  ...unitPriceField,
};
