/**
 * What an alarm is, as plain data: the CDK construct synthesizes exactly these, the simulator evaluates
 * exactly these, and the handlers parse the names back. Each kind of target declares its own
 * (lambdas/shared/kinds); lambdas/shared/alarms.ts gathers them.
 */

export type Direction = 'high' | 'low';
export type Signal = 'cpu' | 'requests' | 'latency' | 'memory' | 'replica-cpu' | 'connections' | 'storage' | 'evictions' | 'age' | 'backlog';

/** Action families: one EventBridge rule and one function each. */
export type Family = 'capacity' | 'cdn' | 'database' | 'queue';

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
  readonly comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
  readonly treatMissingData: 'missing' | 'notBreaching' | 'breaching' | 'ignore';
  readonly description: string;
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
  if (!SIGNALS.includes(signal as Signal)) return undefined;
  if (direction !== 'high' && direction !== 'low') return undefined;
  return { targetId, signal: signal as Signal, direction };
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
