/**
 * What the capacity family's kinds (`asg`, `ecs-service`) share: their settings, the target group in
 * front of them, and alarms on CPU (and memory, requests, latency) around the CPU target.
 */
import { z } from 'zod';
import { type AlarmSpec, type MetricRef, thresholdAlarm } from '../alarm-spec';
import { type AlertConfig, alertsSchema } from '../alerts';
import { type ConfigPath, checkMissingData } from '../config/checks';
import { DAY, MAX_UNITS, missingDataSchema, percent, targetId } from '../config/fields';
import { type CustomMetricConfig, customSignalTable } from './custom-metrics';
import type { CapacityMetrics } from './kind';
import type { SignalTable, TargetSignal } from './signal';
import { checkStepPolicy, type StepPolicyFields, stepAlarms, stepPolicyFields, usesStepPolicy } from './step-policy';

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
  readonly alerts: readonly AlertConfig[];
  readonly customMetrics?: readonly CustomMetricConfig[];
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
 * The share of the CPU target below which the scale-in alarm fires. Between it and the target the
 * service is where it should be and no alarm is raised.
 */
export const SCALE_IN_CPU_RATIO = 0.9;

/**
 * A capacity target's built-in signals, each at 60 s: `cpu` and `memory` (percent; `memory` where the
 * kind publishes it, else unavailable for `noMemory`), and with a target group `requestCount` (requests
 * per minute), `requestCountPerTarget` (per target per minute), `responseTimeP95` (s) and
 * `target5xxCount` (the targets' 5XX responses per minute).
 */
export function capacityBuiltInSignals(target: CapacityFields, m: CapacityMetrics, noMemory: string | undefined): SignalTable {
  const noGroup = 'it needs targetGroup';
  const at60 = (metric: MetricRef | undefined, unit: string, unavailable = noGroup): TargetSignal =>
    metric ? { metric, unit, periodSeconds: 60 } : { unit, periodSeconds: 60, unavailable };
  const tg = target.targetGroup;
  const elb = tg && { LoadBalancer: tg.loadBalancerFullName, TargetGroup: tg.targetGroupFullName };
  return {
    cpu: at60(m.cpu, '%'),
    memory: at60(m.memory, '%', noMemory),
    requestCount: at60(m.requestCount, 'requests'),
    requestCountPerTarget: at60(m.requestCountPerTarget, 'requests'),
    responseTimeP95: at60(m.responseTimeP95, 's'),
    target5xxCount: at60(elb && { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: elb, stat: 'Sum' }, 'responses'),
  };
}

/**
 * A capacity target's signals: its built-in ones, then its custom metrics by name. A custom metric may
 * take the name of a built-in signal the target does not have (`memory` on an `asg`), no other.
 */
export function withCustomSignals(builtIn: SignalTable, target: CapacityFields): SignalTable {
  const custom = Object.entries(customSignalTable(target)).filter(([name]) => !builtIn[name]?.metric);
  return { ...builtIn, ...Object.fromEntries(custom) };
}

/**
 * CPU high and low around the target, memory high where the kind has a memory target, requests and
 * latency of the target group; with `policy: step`, one alarm per step rule instead.
 */
export function capacityAlarms(prefix: string, target: CapacityFields, m: CapacityMetrics, signals: SignalTable, targetMemory?: number): AlarmSpec[] {
  if (usesStepPolicy(target)) return stepAlarms(prefix, target, signals);
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

/**
 * The fallback count of late or missing metrics lies within the target's bounds; the step rules read
 * signals the target has; a custom metric takes no built-in signal's name, and one with neither
 * `targetPerUnit` nor `threshold` is read by a step rule or an alert, and `targetPerUnit` is read by the
 * default policy only.
 */
export function checkCapacity(t: CapacityFields, builtIn: () => SignalTable, at: ConfigPath, ctx: z.core.$RefinementCtx): void {
  checkMissingData(t.missingData, [t.minCapacity, t.maxCapacity], ['minCapacity', 'maxCapacity'], at, ctx);
  checkStepPolicy(t, () => withCustomSignals(builtIn(), t), [t.minCapacity, t.maxCapacity], at, ctx);
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: [...at, ...path], message });
  const own = t.customMetrics?.length ? builtIn() : {};
  const read = new Set([...(usesStepPolicy(t) ? t.stepRules.map((r) => r.signal) : []), ...t.alerts.map((a) => a.signal)]);
  (t.customMetrics ?? []).forEach((c, i) => {
    if (own[c.name]?.metric) {
      issue(['customMetrics', i, 'name'], `"${c.name}" is the name of a built-in signal of this kind; choose another`);
    } else if (c.targetPerUnit === undefined && c.threshold === undefined && !read.has(c.name)) {
      issue(['customMetrics', i], `"${c.name}" has neither targetPerUnit nor threshold, and no step rule or alert reads it`);
    }
    if (c.targetPerUnit !== undefined && t.policy === 'step') {
      issue(['customMetrics', i, 'targetPerUnit'], `${c.targetPerUnit} is only read with policy "target-tracking" (policy is "step")`);
    }
  });
}
