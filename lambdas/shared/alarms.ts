/**
 * The alarms each target gets, as plain data. The CDK construct synthesizes exactly these, the
 * simulator evaluates exactly these, and the handlers parse the names back; one definition for all three.
 */
import type { AutoscalerConfig, CapacityTarget, TargetConfig } from './config';
import { rdsInstanceAlarms, rdsReplicasAlarms, rdsStorageAlarms, redisAlarms } from './data-alarms';
import { queueWorkersAlarms } from './queue-alarms';

export type Direction = 'high' | 'low';
export type Signal = 'cpu' | 'requests' | 'latency' | 'memory' | 'replica-cpu' | 'connections' | 'storage' | 'evictions' | 'age';

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

/** Action families: one EventBridge rule and one function each. */
export type Family = 'capacity' | 'cdn' | 'database' | 'queue';

/** The CloudWatch namespaces whose alarms belong to each family; the rule pattern matches on them. */
export const FAMILY_NAMESPACES: Readonly<Record<Family, readonly string[]>> = {
  capacity: ['AWS/EC2', 'AWS/ECS', 'AWS/ApplicationELB'],
  // Deploy events, not alarms, drive the cdn family (lambdas/scalers/cdn/events.ts has its rule pattern).
  cdn: [],
  database: ['AWS/RDS', 'AWS/ElastiCache'],
  queue: ['AWS/SQS'],
};

export function familyOf(target: TargetConfig): Family {
  switch (target.kind) {
    case 'asg':
    case 'ecs-service':
      return 'capacity';
    case 'cloudfront':
      return 'cdn';
    case 'rds-replicas':
    case 'rds-storage':
    case 'rds-instance':
    case 'redis':
      return 'database';
    case 'queue-workers':
      return 'queue';
  }
}

export function alarmName(prefix: string, targetId: string, signal: Signal, direction: Direction): string {
  return `${prefix}/${targetId}/${signal}/${direction}`;
}

const SIGNALS: readonly Signal[] = ['cpu', 'requests', 'latency', 'memory', 'replica-cpu', 'connections', 'storage', 'evictions', 'age'];

/** The parts of an alarm name this deployment made, or undefined for any other name. */
export function parseAlarmName(prefix: string, name: string): { targetId: string; signal: Signal; direction: Direction } | undefined {
  const parts = name.split('/');
  if (parts.length !== 4 || parts[0] !== prefix) return undefined;
  const [, targetId, signal, direction] = parts;
  if (!SIGNALS.includes(signal as Signal)) return undefined;
  if (direction !== 'high' && direction !== 'low') return undefined;
  return { targetId, signal: signal as Signal, direction };
}

/** Metrics that describe one capacity target, used both by its alarms and by the engine's observation. */
export function capacityMetrics(target: CapacityTarget): {
  cpu: MetricRef;
  memory?: MetricRef;
  requestCount?: MetricRef;
  requestCountPerTarget?: MetricRef;
  responseTimeP95?: MetricRef;
} {
  const cpu: MetricRef =
    target.kind === 'asg'
      ? { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: { AutoScalingGroupName: target.autoScalingGroupName }, stat: 'Average' }
      : { namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensions: { ClusterName: target.cluster, ServiceName: target.service }, stat: 'Average' };
  const memory: MetricRef | undefined =
    target.kind === 'ecs-service'
      ? { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', dimensions: { ClusterName: target.cluster, ServiceName: target.service }, stat: 'Average' }
      : undefined;
  const tg = target.targetGroup;
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

function capacityAlarms(prefix: string, target: CapacityTarget): AlarmSpec[] {
  const m = capacityMetrics(target);
  const spec = (signal: Signal, direction: Direction, metric: MetricRef, threshold: number, evaluationPeriods: number, description: string): AlarmSpec => ({
    name: alarmName(prefix, target.id, signal, direction),
    targetId: target.id,
    signal,
    direction,
    metric,
    periodSeconds: 60,
    evaluationPeriods,
    datapointsToAlarm: evaluationPeriods,
    threshold,
    comparison: direction === 'high' ? 'GreaterThanThreshold' : 'LessThanThreshold',
    // A scale-in alarm must not fire on an absence of data (a stopped agent, a new group).
    treatMissingData: direction === 'high' ? 'missing' : 'notBreaching',
    description,
  });
  const scaleIn = round2(target.targetCpu * SCALE_IN_CPU_RATIO);
  const alarms: AlarmSpec[] = [
    spec('cpu', 'high', m.cpu, target.targetCpu, 1, `${target.id}: average CPU above ${target.targetCpu}% for 1 minute`),
    spec('cpu', 'low', m.cpu, scaleIn, 3, `${target.id}: average CPU below ${scaleIn}% for 3 minutes`),
  ];
  if (m.memory && target.kind === 'ecs-service') {
    alarms.push(spec('memory', 'high', m.memory, target.targetMemory, 2, `${target.id}: average memory above ${target.targetMemory}% for 2 minutes`));
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

export function alarmsForTarget(prefix: string, target: TargetConfig): AlarmSpec[] {
  switch (target.kind) {
    case 'asg':
    case 'ecs-service':
      return capacityAlarms(prefix, target);
    case 'cloudfront':
      return [];
    case 'rds-replicas':
      return rdsReplicasAlarms(prefix, target);
    case 'rds-storage':
      return rdsStorageAlarms(prefix, target);
    case 'rds-instance':
      return rdsInstanceAlarms(prefix, target);
    case 'redis':
      return redisAlarms(prefix, target);
    case 'queue-workers':
      return queueWorkersAlarms(prefix, target);
  }
}

export function allAlarms(config: AutoscalerConfig): AlarmSpec[] {
  return config.targets.flatMap((t) => alarmsForTarget(config.prefix, t));
}

/**
 * The EventBridge pattern of one family's rule: alarm state changes of this deployment's alarms (by
 * name prefix) on the family's namespaces. Constant in size whatever the number of targets.
 */
export function alarmRulePattern(prefix: string, family: Family): Record<string, unknown> {
  return {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: {
      alarmName: [{ prefix: `${prefix}/` }],
      configuration: { metrics: { metricStat: { metric: { namespace: [...FAMILY_NAMESPACES[family]] } } } },
    },
  };
}

/** Input of the 1-minute re-evaluation schedule; the scheduler fills in the placeholders per run. */
export const REEVALUATE_SOURCE = 'autoscaler.scheduler';
export function reevaluateScheduleInput(family: Family): Record<string, string> {
  return {
    source: REEVALUATE_SOURCE,
    action: 'reevaluate',
    family,
    scheduledTime: '<aws.scheduler.scheduled-time>',
    executionId: '<aws.scheduler.execution-id>',
  };
}
