/**
 * The deployment's own monthly AWS cost per target, from the synthesized resources and public
 * on-demand prices (us-east-1, as published on the AWS pricing pages for CloudWatch, Lambda,
 * EventBridge Scheduler, DynamoDB and SQS). Usage assumptions are stated with each line, and free
 * tiers are ignored so the figure is an upper bound.
 *
 * What drives it at 100 targets: the alarms (about half: $0.10 per alarm metric-month, 2.75 alarms
 * per web target), then the metrics each evaluation reads (GetMetricData is billed per metric
 * requested, whatever the datapoints or requests). A metric math alarm is billed per metric it reads
 * ("Per Alarm Metric Month" on the bill), so combining alarms into one on metric math saves nothing.
 */
import { observationQueries } from '../lambdas/scalers/capacity/service';
import { familyOf } from '../lambdas/shared/alarms';
import type { AutoscalerConfig, CapacityTarget } from '../lambdas/shared/config';
import { usesStepPolicy } from '../lambdas/shared/kinds/step-policy';

export const PRICES = {
  // CloudWatch pricing: "$0.10 per alarm metric" (standard resolution, 60 s); high resolution (10 s) $0.30.
  alarmMonth: 0.1, // CloudWatch standard-resolution metric alarm, per alarm metric-month
  // CloudWatch pricing, API: GetMetricData "$0.01 per 1,000 metrics requested".
  getMetricDataPerMetric: 0.01 / 1000, // CloudWatch GetMetricData, per metric requested
  // CloudWatch pricing, API: GetMetricStatistics, ListMetrics, PutMetricData, DescribeAlarms... "$0.01 per 1,000 requests".
  cloudWatchApiRequest: 0.01 / 1000, // CloudWatch API requests (DescribeAlarms), per request
  lambdaRequest: 0.2 / 1e6, // Lambda, per request
  lambdaGbSecondArm: 0.0000133334, // Lambda arm64, per GB-second
  schedulerInvocation: 1 / 1e6, // EventBridge Scheduler, per invocation
  // DynamoDB on-demand after the November 2024 reduction: $0.625 per million WRU, $0.125 per million RRU.
  dynamoWrite: 0.625 / 1e6, // DynamoDB on-demand, per write request unit
  dynamoRead: 0.125 / 1e6, // DynamoDB on-demand, per read request unit
};

/** Usage assumptions of one month (30 days). */
export const USAGE = {
  minutes: 30 * 24 * 60,
  /** Share of minutes a target has an alarm in ALARM and is evaluated by the schedule. */
  alarmShare: 0.1,
  /** Function memory (GB) and duration (s) of one schedule tick that finds nothing in ALARM. */
  tickGb: 0.5,
  tickSeconds: 0.15,
  /** ... and of one target evaluation. */
  evaluationSeconds: 0.4,
  /**
   * Metrics one evaluation requests where the deployment does not say (the most a web target with a
   * target group reads: CPU, RequestCount, RequestCountPerTarget, p95); `metricsPerEvaluation(config)`
   * counts them from the targets.
   */
  metricsPerEvaluation: 4,
  /** DynamoDB units of one evaluation: lease, target record, audit, release + idempotency record. */
  writesPerEvaluation: 6,
  readsPerEvaluation: 3,
  writesPerTick: 2,
  /** DescribeAlarms requests of one tick: the alarms in ALARM, then those in INSUFFICIENT_DATA (metrics late). */
  describeAlarmsPerTick: 2,
  /**
   * Strongly consistent reads (1 RRU each, items under 4 KB) of a target's record at every tick of its
   * family, to find targets whose metrics were late (CapacityService.lateOrSilent): an upper bound.
   */
  targetReadsPerTick: 1,
};

export interface CostRow {
  readonly targets: number;
  readonly alarmsPerTarget: number;
  readonly alarms: number;
  readonly evaluations: number;
  /** Metrics requested per evaluation. */
  readonly metricsPerEvaluation: number;
  readonly fixed: number;
  /** Per target per month: the alarms, and the evaluations and polls (metrics, Lambda, DynamoDB). */
  readonly alarmsPerTargetCost: number;
  readonly evaluationsPerTargetCost: number;
  readonly perTarget: number;
}

/**
 * Metrics one evaluation requests, on average over the deployment's targets: for a capacity target
 * deciding on its own signals, the GetMetricData queries of a metric its function sends
 * (observationQueries, the same list it reads); for any other target, USAGE.metricsPerEvaluation.
 */
export function metricsPerEvaluation(config: AutoscalerConfig): number {
  const counts = config.targets.map((t) => {
    if (familyOf(t) !== 'capacity' || usesStepPolicy(t as CapacityTarget)) return USAGE.metricsPerEvaluation;
    const reads = observationQueries(t as CapacityTarget);
    return [...reads.builtIn, ...reads.custom].filter((q) => q.metric !== undefined).length;
  });
  return counts.length ? counts.reduce((a, b) => a + b, 0) / counts.length : USAGE.metricsPerEvaluation;
}

/**
 * Monthly cost per target for a deployment of `targets` targets with `alarms` alarms and `families`
 * schedules, its evaluations reading `metrics` metrics each (USAGE.metricsPerEvaluation unless given).
 */
export function costPerTarget(targets: number, alarms: number, families: number, metrics: number = USAGE.metricsPerEvaluation): CostRow {
  const p = PRICES,
    u = USAGE;
  const ticks = families * u.minutes;
  const fixed =
    ticks * p.schedulerInvocation +
    ticks * p.lambdaRequest +
    ticks * u.tickGb * u.tickSeconds * p.lambdaGbSecondArm +
    ticks * u.describeAlarmsPerTick * p.cloudWatchApiRequest +
    ticks * u.writesPerTick * p.dynamoWrite;
  const evaluations = u.minutes * u.alarmShare;
  const perEvaluation =
    metrics * p.getMetricDataPerMetric +
    p.cloudWatchApiRequest +
    u.tickGb * u.evaluationSeconds * p.lambdaGbSecondArm +
    u.writesPerEvaluation * p.dynamoWrite +
    u.readsPerEvaluation * p.dynamoRead;
  const alarmsCost = alarms * p.alarmMonth;
  const polled = u.minutes * u.targetReadsPerTick * p.dynamoRead;
  const variable = alarmsCost + targets * (evaluations * perEvaluation + polled);
  return {
    targets,
    alarmsPerTarget: alarms / targets,
    alarms,
    evaluations,
    metricsPerEvaluation: metrics,
    fixed,
    alarmsPerTargetCost: alarmsCost / targets,
    evaluationsPerTargetCost: evaluations * perEvaluation + polled,
    perTarget: (variable + fixed) / targets,
  };
}
