/**
 * What every graph of the dashboard shares (size, period, a metric from the kinds' MetricRefs), for the
 * dashboard itself and for the graphs each kind declares with its construct (lib/targets, `widgets`).
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { MetricRef } from '../../lambdas/shared/alarm-spec';
import { DASHBOARD_PERIOD } from './units';

export const WIDGET_WIDTH = 8;
export const WIDGET_HEIGHT = 6;

/** A graph of the dashboard's size. */
export function graph(props: cloudwatch.GraphWidgetProps): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ width: WIDGET_WIDTH, height: WIDGET_HEIGHT, ...props });
}

/** A metric of the runtime's registry (lambdas/shared/kinds), at the dashboard's period. */
export function metricOf(ref: MetricRef, label: string, statistic: string = ref.stat): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: ref.namespace,
    metricName: ref.metricName,
    dimensionsMap: { ...ref.dimensions },
    statistic,
    period: DASHBOARD_PERIOD,
    label,
  });
}
