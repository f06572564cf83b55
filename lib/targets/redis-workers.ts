/**
 * A redis-workers target, and the deployment's broker reader.
 *
 * The target: its backlog alarm on the depth the reader publishes, and the least permissions the queue
 * function needs: cloudwatch:GetMetricData to read it (no resource-level permissions: Service
 * Authorization Reference, Amazon CloudWatch, GetMetricData has no resource type) and the desired count
 * of the worker fleet, as for queue-workers; and for the reader, the target's AUTH secret only.
 *
 * The broker reader (lambdas/publisher/handler.ts): one function for every redis-workers target of the
 * deployment, in the configured subnets and security groups, run every minute by an EventBridge rule.
 * It may publish to the deployment's namespace only, read the configured secrets only, and manage its
 * network interfaces in the configured subnets only.
 */
import * as path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { AutoscalerConfig, RedisWorkersTarget } from '../../lambdas/shared/config';
import { celeryNamespace, redisBacklogAlarmThreshold, redisQueueMetrics } from '../../lambdas/shared/kinds/redis-workers';
import { autoScalingGroupUnits, ecsServiceUnits } from '../monitoring/units';
import { graph, metricOf } from '../monitoring/widgets';
import { createSpecAlarms } from '../shared/alarm';
import { ASYNC_MAX_EVENT_AGE, createProjectFunction, grantMetricReads, type PowertoolsSource, PROJECT_ROOT } from '../shared/function';
import { acknowledgeWildcardResource } from '../shared/nag';
import type { TargetInfrastructure } from './kind';
import { grantWorkers } from './queue-workers';

export interface RedisWorkersScalingTargetProps {
  /** The deployment's alarm name prefix (`config.prefix`). */
  readonly prefix: string;
  /** The target, as parsed from the config. */
  readonly target: RedisWorkersTarget;
  /** The queue family's function, which reads the published depth and sets the fleet's desired count. */
  readonly handler: lambda.IFunction;
  /** The deployment's broker reader, which reads the target's queues on the broker. */
  readonly brokerReader: lambda.IFunction;
  /**
   * How the roles name the target's resources: their own ARNs, or any resource carrying the tag
   * `autoscaler:scaled-by=<prefix>` (lib/targets/access.ts).
   * @default 'per-target'
   */
  readonly permissions?: AutoscalerConfig['permissions'];
}

export class RedisWorkersScalingTarget extends Construct {
  /** This target's alarms, keyed by alarm name. */
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  /** ARN of the worker fleet as IAM matches it (an ASG's UUID is a wildcard). */
  public readonly workersArn: string;

  constructor(scope: Construct, id: string, props: RedisWorkersScalingTargetProps) {
    super(scope, id);
    const { target, handler } = props;
    this.alarms = createSpecAlarms(this, alarmsForTarget(props.prefix, target));
    grantMetricReads(handler);
    this.workersArn = grantWorkers(this, [handler], target.workers, { permissions: props.permissions ?? 'per-target', prefix: props.prefix });
    // The AUTH token: GetSecretValue on this secret alone (its full ARN, checked by the schema).
    if (target.broker.authSecretArn)
      props.brokerReader.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [target.broker.authSecretArn] }));
  }
}

export interface BrokerReaderProps {
  /** The parsed config: its redis-workers targets are read; it is bundled beside the function. */
  readonly config: AutoscalerConfig;
  /** Where a failed run is recorded. */
  readonly deadLetterQueue: sqs.IQueue;
  /** How long the function's log group keeps its events. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Where the function finds Powertools (`PowertoolsSource`).
   * @default 'layer'
   */
  readonly powertools?: PowertoolsSource;
}

/** The broker reader's handler file. */
export const BROKER_READER_ENTRY = path.join(PROJECT_ROOT, 'lambdas', 'publisher', 'handler.ts');

/**
 * The permissions Lambda needs to manage a VPC function's network interfaces with its execution role
 * (Lambda Developer Guide, "Giving Lambda functions access to resources in an Amazon VPC"; AWS's
 * AWSLambdaVPCAccessExecutionRole grants them on "*"). Here they are held to the configured subnets
 * and security groups: CreateNetworkInterface requires a subnet and may name security groups, and a
 * network interface carries the `ec2:Subnet` condition key (Service Authorization Reference, Amazon
 * EC2); the two Describe actions are wildcard-only.
 */
export const LAMBDA_VPC_ACTIONS = {
  describe: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
  create: ['ec2:CreateNetworkInterface'],
  onInterfaces: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
} as const;

/** The deployment's broker reader: one function in the brokers' VPC, and its 1-minute rule. */
export class BrokerReader extends Construct {
  public readonly function: NodejsFunction;
  /** The 1-minute rule that runs it. */
  public readonly rule: events.Rule;
  /** The configured subnets, as CDK sees them. */
  public readonly subnets: ec2.ISubnet[];
  /** The configured security groups: allow them to the brokers' port. */
  public readonly securityGroups: ec2.ISecurityGroup[];
  /** Where it publishes: `<prefix>/Celery`. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: BrokerReaderProps) {
    super(scope, id);
    // 1. Validate: the schema made every redis-workers target name the same subnets and security groups.
    const { config } = props;
    const first = config.targets.find((t): t is RedisWorkersTarget => t.kind === 'redis-workers');
    if (!first) throw new Error('a broker reader needs at least one redis-workers target');
    this.namespace = celeryNamespace(config.prefix);

    // 2. Build: its own role and log group, the function in the VPC.
    this.subnets = first.broker.vpc.subnetIds.map((s, i) => ec2.Subnet.fromSubnetId(this, `Subnet${i}`, s));
    this.securityGroups = first.broker.vpc.securityGroupIds.map((g, i) =>
      ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i}`, g, { mutable: false }),
    );
    const { fn, role } = createProjectFunction(this, 'Function', {
      config,
      logRetention: props.logRetention,
      logGroupId: 'LogGroup',
      roleId: 'Role',
      entry: BROKER_READER_ENTRY,
      powertools: props.powertools,
      purpose: `Redis broker reader (queue depths to ${this.namespace}, every minute)`,
      roleOf: 'broker reader',
      memorySize: 256,
      // Brokers are read side by side, each connection and command within 5 s (lambdas/publisher/handler.ts).
      timeout: Duration.seconds(30),
      // A failed minute is not retried: the next minute reads the brokers again.
      async: { retryAttempts: 0, maxEventAge: ASYNC_MAX_EVENT_AGE, onFailure: new destinations.SqsDestination(props.deadLetterQueue) },
    });
    this.function = fn;
    // The VPC's subnets and security groups by id: the function is placed in them without looking the
    // VPC up (VpcConfig takes the ids alone; the function's `vpc` prop would need the VPC's id too).
    (this.function.node.defaultChild as lambda.CfnFunction).vpcConfig = {
      subnetIds: this.subnets.map((s) => s.subnetId),
      securityGroupIds: this.securityGroups.map((g) => g.securityGroupId),
    };

    // 3. Wire: permissions, then the rule.
    const stack = Stack.of(this);
    const ec2Arn = (resource: string, resourceName: string) => stack.formatArn({ service: 'ec2', resource, resourceName });
    const subnetArns = this.subnets.map((sn) => ec2Arn('subnet', sn.subnetId));
    const vpcPolicy = new iam.Policy(this, 'VpcAccessPolicy', {
      statements: [
        new iam.PolicyStatement({ actions: [...LAMBDA_VPC_ACTIONS.describe], resources: ['*'] }),
        new iam.PolicyStatement({
          actions: [...LAMBDA_VPC_ACTIONS.create],
          resources: [...subnetArns, ...this.securityGroups.map((g) => ec2Arn('security-group', g.securityGroupId))],
        }),
        new iam.PolicyStatement({
          actions: [...LAMBDA_VPC_ACTIONS.onInterfaces],
          resources: [ec2Arn('network-interface', '*')],
          conditions: { ArnEquals: { 'ec2:Subnet': subnetArns } },
        }),
      ],
    });
    role.attachInlinePolicy(vpcPolicy);
    Validations.of(vpcPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets support no resource-level permissions; Lambda reads the function's network interfaces and subnets with them.",
    });
    acknowledgeWildcardResource(
      vpcPolicy,
      ec2Arn('network-interface', '*'),
      'The network interfaces Lambda creates for the function have ids not known in advance; the statement holds them to the configured subnets by the ec2:Subnet condition.',
    );
    // PutMetricData has no required resource type; its `cloudwatch:namespace` condition key keeps the
    // reader to this deployment's namespace (Service Authorization Reference, Amazon CloudWatch).
    const putPolicy = new iam.Policy(this, 'PutMetricDataPolicy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': this.namespace } },
        }),
      ],
    });
    role.attachInlinePolicy(putPolicy);
    Validations.of(putPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `cloudwatch:PutMetricData takes no required resource; the statement is limited to the namespace ${this.namespace} by its cloudwatch:namespace condition.`,
    });
    this.rule = new events.Rule(this, 'Schedule', {
      description: `${config.prefix}: read the Redis brokers' queue depths every minute`,
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new eventsTargets.LambdaFunction(this.function, { deadLetterQueue: props.deadLetterQueue, retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
      ],
    });
  }
}

/** The `redis-workers` kind's infrastructure (lib/targets/index.ts). */
export const redisWorkersInfrastructure = {
  construct: (scope, target, w) => {
    if (!w.brokerReader) throw new Error(`redis-workers target "${target.id}" needs the deployment's broker reader`);
    return new RedisWorkersScalingTarget(scope, target.id, {
      prefix: w.prefix,
      permissions: w.permissions,
      target,
      handler: w.handler,
      brokerReader: w.brokerReader,
    });
  },
  // The workers' fleet, drawn like the web tier's.
  units: (t) => (t.workers.kind === 'asg' ? autoScalingGroupUnits(t.workers.autoScalingGroupName) : ecsServiceUnits(t.workers.cluster, t.workers.service)),
  widgets: (t, prefix) => [redisQueueDepthWidget(prefix, t)],
} satisfies TargetInfrastructure<RedisWorkersTarget>;

/** The queues' depth as the broker reader publishes it: waiting (with the backlog alarm's threshold) and unacknowledged. */
export function redisQueueDepthWidget(prefix: string, t: RedisWorkersTarget): cloudwatch.GraphWidget {
  const m = redisQueueMetrics(prefix, t);
  const threshold = redisBacklogAlarmThreshold(t);
  return graph({
    title: `${t.id}: queue depth (${t.broker.queues.join(', ')})`,
    left: [metricOf(m.ready, 'waiting'), metricOf(m.unacknowledged, 'unacknowledged')],
    leftAnnotations: [{ value: threshold, label: `backlog alarm ${threshold}`, color: cloudwatch.Color.RED }],
    leftYAxis: { label: 'messages', min: 0 },
  });
}
