/**
 * The deployment's own monthly AWS cost per target, from the synthesized resources and public
 * on-demand prices (us-east-1, as published on the AWS pricing pages for CloudWatch, Lambda,
 * EventBridge Scheduler, DynamoDB and SQS). Usage assumptions are stated with each line, and free
 * tiers are ignored so the figure is an upper bound.
 */
export const PRICES = {
  alarmMonth: 0.1, // CloudWatch standard-resolution metric alarm, per alarm-month
  getMetricDataPerMetric: 0.01 / 1000, // CloudWatch GetMetricData, per metric requested
  cloudWatchApiRequest: 0.01 / 1000, // CloudWatch API requests (DescribeAlarms), per request
  lambdaRequest: 0.2 / 1e6, // Lambda, per request
  lambdaGbSecondArm: 0.0000133334, // Lambda arm64, per GB-second
  schedulerInvocation: 1 / 1e6, // EventBridge Scheduler, per invocation
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
  /** Metrics one evaluation requests (CPU, RequestCount, RequestCountPerTarget, p95 with a target group). */
  metricsPerEvaluation: 4,
  /** DynamoDB units of one evaluation: lease, target record, audit, release + idempotency record. */
  writesPerEvaluation: 6,
  readsPerEvaluation: 3,
  writesPerTick: 2,
};

export interface CostRow {
  readonly targets: number;
  readonly alarmsPerTarget: number;
  readonly alarms: number;
  readonly evaluations: number;
  readonly fixed: number;
  readonly perTarget: number;
}

/** Monthly cost per target for a deployment of `targets` targets with `alarms` alarms and `families` schedules. */
export function costPerTarget(targets: number, alarms: number, families: number): CostRow {
  const p = PRICES,
    u = USAGE;
  const ticks = families * u.minutes;
  const fixed =
    ticks * p.schedulerInvocation +
    ticks * p.lambdaRequest +
    ticks * u.tickGb * u.tickSeconds * p.lambdaGbSecondArm +
    ticks * p.cloudWatchApiRequest +
    ticks * u.writesPerTick * p.dynamoWrite;
  const evaluations = u.minutes * u.alarmShare;
  const perEvaluation =
    u.metricsPerEvaluation * p.getMetricDataPerMetric +
    p.cloudWatchApiRequest +
    u.tickGb * u.evaluationSeconds * p.lambdaGbSecondArm +
    u.writesPerEvaluation * p.dynamoWrite +
    u.readsPerEvaluation * p.dynamoRead;
  const alarmsCost = alarms * p.alarmMonth;
  const variable = alarmsCost + targets * evaluations * perEvaluation;
  return {
    targets,
    alarmsPerTarget: alarms / targets,
    alarms,
    evaluations,
    fixed,
    perTarget: (variable + fixed) / targets,
  };
}
