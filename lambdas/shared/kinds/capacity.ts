/**
 * What the capacity family's kinds (`asg`, `ecs-service`) share: their settings, the target group in
 * front of them, and alarms on CPU (and memory, requests, latency) around the CPU target.
 */
import { type AlarmSpec, type MetricRef, thresholdAlarm } from '../alarm-spec';
import type { AlertConfig } from '../alerts';
import { type ConfigPath, checkMissingData, type IssueSink } from '../config/checks';
import type { MissingDataConfig } from '../config/fields';
import { type CustomMetricConfig, customSignalTable } from './custom-metrics';
import type { CapacityMetrics } from './kind';
import type { TargetGroupConfig } from './schemas/capacity';
import type { SignalTable, TargetSignal } from './signal';
import { checkStepPolicy, type StepPolicyFields, stepAlarms, usesStepPolicy } from './step-policy';

export type { TargetGroupConfig } from './schemas/capacity';

/** The settings every capacity target has (the fields above, parsed). */
export interface CapacityFields extends StepPolicyFields {
  readonly id: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly targetCpu: number;
  readonly targetGroup?: TargetGroupConfig;
  readonly missingData: MissingDataConfig;
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

export { CAPACITY_OVERRIDE_RULES } from './facts';

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
export function checkCapacity(t: CapacityFields, builtIn: () => SignalTable, at: ConfigPath, ctx: IssueSink): void {
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
