/**
 * What an alarm is, as plain data: the CDK construct synthesizes exactly these, the simulator evaluates
 * exactly these, and the handlers parse the names back. Each kind of target declares its own
 * (lambdas/shared/kinds); lambdas/shared/alarms.ts gathers them.
 */

export type Direction = 'high' | 'low';
/**
 * A built-in signal's alarm; `step-<i>`: the alarm of a step policy's rule `stepRules[i]`
 * (lambdas/shared/kinds/step-policy.ts); `custom-<name>`: a capacity target's custom metric
 * (lambdas/shared/kinds/custom-metrics.ts), by its name.
 */
export type Signal =
  | 'cpu'
  | 'requests'
  | 'latency'
  | 'memory'
  | 'replica-cpu'
  | 'connections'
  | 'storage'
  | 'evictions'
  | 'age'
  | 'backlog'
  | StepSignal
  | `custom-${string}`;
export type StepSignal = `step-${number}`;

/** The signal of a custom metric's alarm. */
export const customSignalName = (name: string): Signal => `custom-${name}`;
const CUSTOM_SIGNAL = /^custom-[a-z][a-z0-9-]{0,39}$/;

/** Action families: one EventBridge rule and one function each. */
export type Family = 'capacity' | 'cdn' | 'database' | 'queue';

/**
 * Stands for the deployment's prefix in a kind's `namespaces`, for a namespace of the deployment's own
 * (the metrics it publishes itself, such as a Redis broker's queue depths: `<prefix>/Celery`).
 */
export const DEPLOYMENT_PREFIX = '{prefix}';

export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Average`, `Sum`, `Maximum`... or an extended statistic such as `p95`. */
  readonly stat: string;
}

export interface AlarmSpec {
  /** `<prefix>/<targetId>/<signal>/<direction>` */
  readonly name: string;
  readonly targetId: string;
  readonly signal: Signal;
  readonly direction: Direction;
  readonly metric: MetricRef;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';
  readonly treatMissingData: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
  readonly description: string;
  /**
   * A metric math alarm: these queries (each metric at `periodSeconds`), exactly one returning the
   * value compared to the threshold; `metric` is then the first metric they read.
   * @default none: the alarm watches `metric`
   */
  readonly math?: readonly AlarmQuery[];
}

/** One query of a metric math alarm. */
export interface AlarmQuery {
  readonly id: string;
  readonly metric?: MetricRef;
  readonly expression?: string;
  readonly returnData: boolean;
}

export function alarmName(prefix: string, targetId: string, signal: Signal, direction: Direction): string {
  return `${prefix}/${targetId}/${signal}/${direction}`;
}

const SIGNALS: readonly Signal[] = ['cpu', 'requests', 'latency', 'memory', 'replica-cpu', 'connections', 'storage', 'evictions', 'age', 'backlog'];

/** The parts of an alarm name this deployment made, or undefined for any other name. */
export function parseAlarmName(prefix: string, name: string): { targetId: string; signal: Signal; direction: Direction } | undefined {
  const parts = name.split('/');
  if (parts.length !== 4 || parts[0] !== prefix) return undefined;
  const [, targetId, signal, direction] = parts;
  if (!SIGNALS.includes(signal as Signal) && !isStepSignal(signal) && !CUSTOM_SIGNAL.test(signal)) return undefined;
  if (direction !== 'high' && direction !== 'low') return undefined;
  return { targetId, signal: signal as Signal, direction };
}

/** Whether an alarm name's signal part is a step rule's (`step-0` ... `step-19`). */
export function isStepSignal(signal: string): signal is StepSignal {
  return /^step-(?:0|[1-9]\d?)$/.test(signal);
}

export interface ThresholdAlarmInput {
  readonly signal: Signal;
  readonly direction: Direction;
  readonly metric: MetricRef;
  readonly threshold: number;
  /** Consecutive 1-minute datapoints beyond the threshold that raise the alarm. */
  readonly minutes: number;
  readonly description: string;
}

/**
 * An alarm on 1-minute datapoints, `minutes` of them in a row beyond the threshold: above it for
 * `high`, below it for `low`.
 */
export function thresholdAlarm(prefix: string, targetId: string, s: ThresholdAlarmInput): AlarmSpec {
  return {
    name: alarmName(prefix, targetId, s.signal, s.direction),
    targetId,
    signal: s.signal,
    direction: s.direction,
    metric: s.metric,
    periodSeconds: 60,
    evaluationPeriods: s.minutes,
    datapointsToAlarm: s.minutes,
    threshold: s.threshold,
    comparison: s.direction === 'high' ? 'GreaterThanThreshold' : 'LessThanThreshold',
    // A scale-in (or scale-down) alarm must never fire on an absence of data (a stopped agent, a new group).
    treatMissingData: s.direction === 'high' ? 'missing' : 'notBreaching',
    description: s.description,
  };
}
