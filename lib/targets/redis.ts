/** A `redis` target: its alarms and the least permissions to read the group and change its node type. */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { PermissionMode, RedisTarget } from '../../lambdas/shared/config';
import { DASHBOARD_PERIOD } from '../monitoring/units';
import { graph } from '../monitoring/widgets';
import { redisDefinition } from '../runbooks/definitions';
import { createSpecAlarms } from '../shared/alarm';
import { type Access, grantOnResource } from './access';
import { grantDataReads, grantKeyUseVia } from './data-grants';
import { runbookWiring, type TargetInfrastructure } from './kind';

export interface RedisTargetProps {
  readonly prefix: string;
  readonly target: RedisTarget;
  /** The database family's function: decides and starts the runbook. */
  readonly handler: lambda.IFunction;
  /** The `redis` runbook. */
  readonly runbook: sfn.IStateMachine;
  /** The runbook's task function. */
  readonly taskFunction: lambda.IFunction;
  /**
   * How the roles name the target's resources: their own ARNs, or any resource carrying the tag
   * `autoscaler:scaled-by=<prefix>` (lib/targets/access.ts).
   * @default 'per-target'
   */
  readonly permissions?: PermissionMode;
}

export class RedisScalingTarget extends Construct {
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  public readonly replicationGroupArn: string;

  constructor(scope: Construct, id: string, props: RedisTargetProps) {
    super(scope, id);
    const { target, handler, taskFunction } = props;
    this.alarms = createSpecAlarms(this, alarmsForTarget(props.prefix, target));
    this.replicationGroupArn = replicationGroupArn(this, target.replicationGroupId);
    const access: Access = { permissions: props.permissions ?? 'per-target', prefix: props.prefix };
    const groups = { arns: [this.replicationGroupArn], pattern: replicationGroupArn(this, '*'), noun: 'ElastiCache replication groups' };
    const read = ['elasticache:DescribeReplicationGroups', 'elasticache:ListAllowedNodeTypeModifications'];
    grantOnResource(handler, access, { sid: 'ReadTaggedReplicationGroups', actions: read, ...groups });
    grantDataReads(handler, props.prefix);
    props.runbook.grantStartExecution(handler);
    // A group encrypted at rest with a customer managed key: ElastiCache creates grants for its new nodes.
    grantKeyUseVia(taskFunction, 'elasticache');
    grantOnResource(taskFunction, access, {
      sid: 'ResizeTaggedReplicationGroups',
      actions: [
        ...read,
        'elasticache:ModifyReplicationGroup',
        'elasticache:ModifyReplicationGroupShardConfiguration',
        'elasticache:IncreaseReplicaCount',
        'elasticache:DecreaseReplicaCount',
      ],
      ...groups,
    });
  }
}

/** `arn:<partition>:elasticache:<region>:<account>:replicationgroup:<id>` */
function replicationGroupArn(scope: Construct, id: string): string {
  return Stack.of(scope).formatArn({ service: 'elasticache', resource: 'replicationgroup', resourceName: id, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** The `redis` kind's infrastructure (lib/targets/index.ts). */
export const redisInfrastructure = {
  construct: (scope, target, w) => {
    const { stateMachine, taskFunction } = runbookWiring(w, target.kind);
    return new RedisScalingTarget(scope, target.id, {
      prefix: w.prefix,
      permissions: w.permissions,
      handler: w.handler,
      runbook: stateMachine,
      taskFunction,
      target,
    });
  },
  widgets: (t) => [redisMemoryWidget(t)],
  runbook: {
    description:
      'Converge an ElastiCache replication group to {"targetId","nodeType","shards","replicasPerShard"}: a type of its ladder that AWS allows, shards, replicas',
    definition: redisDefinition,
    timeout: Duration.hours(24),
  },
} satisfies TargetInfrastructure<RedisTarget>;

/**
 * A metric of every node of the group, combined into one line (`MAX`, `SUM`). ElastiCache publishes
 * per node (CacheClusterId `<group>-001`, or `<group>-0001-001` in cluster mode), not per group, and the
 * nodes change with failovers, replicas and shards, so the graph searches them by the group's id
 * (a CloudWatch search expression, which a graph may use and an alarm may not).
 */
function acrossNodes(t: RedisTarget, combine: 'MAX' | 'SUM', metricName: string, statistic: string, label: string): cloudwatch.MathExpression {
  const period = DASHBOARD_PERIOD.toSeconds();
  return new cloudwatch.MathExpression({
    expression: `${combine}(SEARCH('{AWS/ElastiCache,CacheClusterId} MetricName="${metricName}" "${t.replicationGroupId}"', '${statistic}', ${period}))`,
    usingMetrics: {},
    label,
    period: DASHBOARD_PERIOD,
  });
}

/**
 * The group's memory as the database function decides on it: DatabaseMemoryUsagePercentage of the
 * fullest node against `memoryHighPercent` and `memoryLowPercent`, and the evictions of all nodes
 * (against `evictionsHigh` when set).
 */
export function redisMemoryWidget(t: RedisTarget): cloudwatch.GraphWidget {
  return graph({
    title: `${t.id}: memory and evictions`,
    left: [acrossNodes(t, 'MAX', 'DatabaseMemoryUsagePercentage', 'Maximum', 'memory %, fullest node')],
    leftAnnotations: [
      { value: t.memoryHighPercent, label: `memoryHighPercent ${t.memoryHighPercent}: up`, color: cloudwatch.Color.RED },
      { value: t.memoryLowPercent, label: `memoryLowPercent ${t.memoryLowPercent}: down`, color: cloudwatch.Color.BLUE },
    ],
    right: [acrossNodes(t, 'SUM', 'Evictions', 'Sum', 'evictions, all nodes')],
    rightAnnotations:
      t.evictionsHigh !== undefined ? [{ value: t.evictionsHigh, label: `evictionsHigh ${t.evictionsHigh}: up`, color: cloudwatch.Color.ORANGE }] : [],
    leftYAxis: { label: 'percent', min: 0, max: 100 },
    rightYAxis: { label: 'evictions a minute', min: 0 },
  });
}
