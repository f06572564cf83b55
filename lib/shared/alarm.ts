/** CloudWatch alarms synthesized verbatim from the shared `AlarmSpec`s (lambdas/shared/alarms.ts). */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { AlarmSpec } from '../../lambdas/shared/alarms';

const STANDARD_STATISTICS = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);

/** Whether `stat` goes to `Statistic` (the five standard ones) or to `ExtendedStatistic` (p95, tm99...). */
export function isStandardStatistic(stat: string): boolean {
  return STANDARD_STATISTICS.has(stat);
}

/**
 * One alarm, named exactly as the spec says. No alarm actions: EventBridge receives every state change
 * of every alarm without them, and the family rule selects this deployment's by name prefix.
 */
export function createSpecAlarm(scope: Construct, spec: AlarmSpec): cloudwatch.CfnAlarm {
  const standard = isStandardStatistic(spec.metric.stat);
  return new cloudwatch.CfnAlarm(scope, `${spec.signal}-${spec.direction}`, {
    alarmName: spec.name,
    alarmDescription: spec.description,
    namespace: spec.metric.namespace,
    metricName: spec.metric.metricName,
    dimensions: Object.entries(spec.metric.dimensions).map(([name, value]) => ({ name, value })),
    statistic: standard ? spec.metric.stat : undefined,
    extendedStatistic: standard ? undefined : spec.metric.stat,
    period: spec.periodSeconds,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison,
    treatMissingData: spec.treatMissingData,
  });
}

/** All alarms of one target, keyed by alarm name. */
export function createSpecAlarms(scope: Construct, specs: readonly AlarmSpec[]): Record<string, cloudwatch.CfnAlarm> {
  const out: Record<string, cloudwatch.CfnAlarm> = {};
  for (const spec of specs) out[spec.name] = createSpecAlarm(scope, spec);
  return out;
}
