/**
 * Desired against in-service units, as the target kinds' dashboard graphs draw them (lib/targets):
 * Auto Scaling group metrics, or ECS Container Insights. They need the group metrics of each Auto
 * Scaling group (`EnableMetricsCollection`) and Container Insights on each ECS cluster.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { UnitMetrics } from '../targets/kind';

/** The period of every graph of the dashboard. */
export const DASHBOARD_PERIOD = Duration.minutes(1);

function metric(namespace: string, metricName: string, dimensionsMap: Record<string, string>, label: string): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace, metricName, dimensionsMap, statistic: 'Average', period: DASHBOARD_PERIOD, label });
}

/** An Auto Scaling group's desired capacity and in-service instances. */
export function autoScalingGroupUnits(autoScalingGroupName: string): UnitMetrics {
  const dims = { AutoScalingGroupName: autoScalingGroupName };
  return {
    desired: metric('AWS/AutoScaling', 'GroupDesiredCapacity', dims, 'desired'),
    actual: metric('AWS/AutoScaling', 'GroupInServiceInstances', dims, 'in service'),
  };
}

/** An ECS service's desired and running tasks. */
export function ecsServiceUnits(cluster: string, service: string): UnitMetrics {
  const dims = { ClusterName: cluster, ServiceName: service };
  return {
    desired: metric('ECS/ContainerInsights', 'DesiredTaskCount', dims, 'desired'),
    actual: metric('ECS/ContainerInsights', 'RunningTaskCount', dims, 'running'),
  };
}
