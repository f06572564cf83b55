/**
 * What the capacity family's kinds (`asg`, `ecs-service`) share: their settings, the target group in
 * front of them, and alarms on CPU (and memory, requests, latency) around the CPU target.
 */
import { z } from 'zod';
import { type AlarmSpec, type MetricRef, thresholdAlarm } from '../alarm-spec';
import { ALERT_PERIOD_SECONDS, type AlertSignal, alertsSchema } from '../alerts';
import { type ConfigPath, checkMissingData } from '../config/checks';
import { DAY, MAX_UNITS, missingDataSchema, percent, targetId } from '../config/fields';
import type { CapacityMetrics } from './kind';
import { checkStepPolicy, type StepPolicyFields, type StepSignalSource, stepAlarms, stepPolicyFields, usesStepPolicy } from './step-policy';

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
  // Common sense: a million requests a minute (about 16,700 a second) is beyond what one unit serves.
  requestsPerTarget: z.number().positive().max(1_000_000).optional(),
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
  minCapacity: z.number().int().min(0).max(MAX_UNITS).default(2),
  /** @default 10 */
  maxCapacity: z.number().int().min(1).max(MAX_UNITS).default(10),
  /** Average CPU, percent, the engine steers towards. @default 70 */
  targetCpu: percent.default(70),
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
   * capacity that the next minute needs again.
   * @default 300
   */
  // The Kubernetes HPA's limit for its stabilization window (one hour).
  scaleInStabilizationSeconds: z.number().int().min(0).max(3600).default(300),
  /** Seconds from a desired-count increase until the new unit serves; the engine sizes for load that far ahead. @default 180 */
  // EC2 Auto Scaling's default instance warmup takes 0-3600 seconds.
  warmupSeconds: z.number().int().min(0).max(3600).default(180),
  /** Application Load Balancer target group whose request count and response time are signals too. */
  targetGroup: targetGroupSchema.optional(),
  /** Late or missing metrics: when they count as late, and the fallback. @default hold, late after 240 s */
  missingData: missingDataSchema.prefault({}),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
  ...stepPolicyFields,
  /** Alert-only rules on the target's signals: notify, never scale. @default [] */
  alerts: alertsSchema,
};

/** The settings every capacity target has (the fields above, parsed). */
export interface CapacityFields extends StepPolicyFields {
  readonly id: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetCpu: number;
  readonly targetGroup?: TargetGroupConfig;
  readonly missingData: z.output<typeof missingDataSchema>;
}

/** A capacity target's metrics: its own CPU (and memory), and its target group's when it has one. */
export function withTargetGroup(cpu: MetricRef, memory: MetricRef | undefined, tg: TargetGroupConfig | undefined): CapacityMetrics {
  if (!tg) return { cpu, memory };
  const elb = { LoadBalancer: tg.loadBalancerFullName, TargetGroup: tg.targetGroupFullName };
  return {
    cpu,
    memory,
    requestCount: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: elb, stat: 'Sum' },
    requestCountPerTarget: {
      namespace: 'AWS/ApplicationELB',
      metricName: 'RequestCountPerTarget',
      dimensions: { TargetGroup: tg.targetGroupFullName },
      stat: 'Sum',
    },
    responseTimeP95: { namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensions: elb, stat: 'p95' },
  };
}

/**
 * What a capacity target's alerts may watch, each at 60 s: `cpu` and `memory` (percent), and with a
 * target group `requests` (per target per minute), `request-count` (per minute), `latency` (p95, s) and
 * `errors-5xx` (the targets' 5XX responses per minute).
 */
export function capacityAlertSignals(m: CapacityMetrics, tg: TargetGroupConfig | undefined): Record<string, AlertSignal> {
  const at60 = (metric: MetricRef, unit: string): AlertSignal => ({ metric, periodSeconds: ALERT_PERIOD_SECONDS, unit });
  const out: Record<string, AlertSignal> = { cpu: at60(m.cpu, '%') };
  if (m.memory) out.memory = at60(m.memory, '%');
  if (m.requestCountPerTarget) out.requests = at60(m.requestCountPerTarget, 'requests');
  if (m.requestCount) out['request-count'] = at60(m.requestCount, 'requests');
  if (m.responseTimeP95) out.latency = at60(m.responseTimeP95, 's');
  if (tg) {
    const elb = { LoadBalancer: tg.loadBalancerFullName, TargetGroup: tg.targetGroupFullName };
    out['errors-5xx'] = at60({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: elb, stat: 'Sum' }, 'responses');
  }
  return out;
}

/**
 * The share of the CPU target below which the scale-in alarm fires. Between it and the target the
 * service is where it should be and no alarm is raised.
 */
export const SCALE_IN_CPU_RATIO = 0.9;

/**
 * The built-in signals a step rule of a capacity target may read: CPU, memory where the kind has it,
 * and the target group's requests per target and p95 response time (with a target group).
 */
export function capacitySignals(m: CapacityMetrics, withMemory: boolean): Record<string, StepSignalSource> {
  const noGroup = 'it needs targetGroup';
  return {
    cpu: { metric: m.cpu },
    ...(withMemory ? { memory: { metric: m.memory } } : {}),
    requestCountPerTarget: m.requestCountPerTarget ? { metric: m.requestCountPerTarget } : { unavailable: noGroup },
    responseTimeP95: m.responseTimeP95 ? { metric: m.responseTimeP95 } : { unavailable: noGroup },
  };
}

/**
 * CPU high and low around the target, memory high where the kind has a memory target, requests and
 * latency of the target group; with `policy: step`, one alarm per step rule instead.
 */
export function capacityAlarms(prefix: string, target: CapacityFields, m: CapacityMetrics, targetMemory?: number): AlarmSpec[] {
  if (usesStepPolicy(target)) return stepAlarms(prefix, target, capacitySignals(m, targetMemory !== undefined));
  const spec = (signal: AlarmSpec['signal'], direction: AlarmSpec['direction'], metric: MetricRef, threshold: number, minutes: number, description: string) =>
    thresholdAlarm(prefix, target.id, { signal, direction, metric, threshold, minutes, description });
  const scaleIn = round2(target.targetCpu * SCALE_IN_CPU_RATIO);
  const alarms: AlarmSpec[] = [
    spec('cpu', 'high', m.cpu, target.targetCpu, 1, `${target.id}: average CPU above ${target.targetCpu}% for 1 minute`),
    spec('cpu', 'low', m.cpu, scaleIn, 3, `${target.id}: average CPU below ${scaleIn}% for 3 minutes`),
  ];
  if (m.memory && targetMemory !== undefined) {
    alarms.push(spec('memory', 'high', m.memory, targetMemory, 2, `${target.id}: average memory above ${targetMemory}% for 2 minutes`));
  }
  const tg = target.targetGroup;
  if (tg && m.requestCountPerTarget && m.responseTimeP95) {
    if (tg.requestsPerTarget !== undefined) {
      alarms.push(
        spec(
          'requests',
          'high',
          m.requestCountPerTarget,
          tg.requestsPerTarget,
          1,
          `${target.id}: more than ${tg.requestsPerTarget} requests per target per minute`,
        ),
      );
    }
    alarms.push(
      spec(
        'latency',
        'high',
        m.responseTimeP95,
        tg.responseTimeP95Seconds,
        2,
        `${target.id}: p95 response time above ${tg.responseTimeP95Seconds} s for 2 minutes`,
      ),
    );
  }
  return alarms;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The fallback count of late or missing metrics lies within the target's bounds; the step rules read signals the target has. */
export function checkCapacity(t: CapacityFields, signals: () => Readonly<Record<string, StepSignalSource>>, at: ConfigPath, ctx: z.core.$RefinementCtx): void {
  checkMissingData(t.missingData, [t.minCapacity, t.maxCapacity], ['minCapacity', 'maxCapacity'], at, ctx);
  checkStepPolicy(t, signals, [t.minCapacity, t.maxCapacity], at, ctx);
}
