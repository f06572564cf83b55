/**
 * An `rds-replicas` target: its alarms, and the least permissions the database family's handler (start
 * the runbook, read the fleet) and the runbook tasks (create tagged replicas, delete only tagged ones,
 * publish the reader endpoints) need.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { alarmsForTarget } from '../../lambdas/shared/alarms';
import type { RdsReplicasTarget } from '../../lambdas/shared/config';
import { readerEndpointsParameter, replicaMetrics, replicaSlots, replicaSourceMetrics } from '../../lambdas/shared/kinds/rds-replicas';
import { MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { graph, metricOf } from '../monitoring/widgets';
import { replicasDefinition } from '../runbooks/definitions';
import { createSpecAlarms } from '../shared/alarm';
import { acknowledgeWildcardResource } from '../shared/nag';
import { addPackedStatements } from '../shared/packed-policy';
import { grantDataReads, grantDescribeDbInstances, grantKeyUseVia, rdsArn } from './data-grants';
import { runbookWiring, type TargetInfrastructure } from './kind';

export interface RdsReplicasTargetProps {
  /** The deployment's prefix: alarm names, and the value of the `autoscaler:managed-by` tag. */
  readonly prefix: string;
  readonly target: RdsReplicasTarget;
  /** The database family's function: decides and starts the runbook. */
  readonly handler: lambda.IFunction;
  /** The `rds-replicas` runbook. */
  readonly runbook: sfn.IStateMachine;
  /** The runbook's task function: creates, deletes, publishes. */
  readonly taskFunction: lambda.IFunction;
}

export class RdsReplicasScalingTarget extends Construct {
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  /** ARN pattern of the replicas this target creates: `db:<targetId>-ro-*`. */
  public readonly replicaArnPattern: string;
  /** The SSM parameter holding the reader endpoints. */
  public readonly readerEndpointsParameterName: string;

  constructor(scope: Construct, id: string, props: RdsReplicasTargetProps) {
    super(scope, id);
    const { target, handler, taskFunction, prefix } = props;
    this.alarms = createSpecAlarms(this, alarmsForTarget(prefix, target));

    const stack = Stack.of(this);
    this.replicaArnPattern = rdsArn(taskFunction, 'db', `${target.id}-ro-*`);
    const sourceArn = target.clusterIdentifier
      ? rdsArn(taskFunction, 'cluster', target.clusterIdentifier)
      : rdsArn(taskFunction, 'db', target.sourceInstanceIdentifier!);
    const ours = { [`aws:RequestTag/${MANAGED_BY_TAG}`]: prefix, [`aws:RequestTag/${TARGET_TAG}`]: target.id };

    // The handler: read the fleet and the metrics, start the runbook.
    grantDescribeDbInstances(handler);
    grantDataReads(handler, prefix);
    props.runbook.grantStartExecution(handler);
    // The runbook tasks. An encrypted source or cluster: RDS creates grants on its key for the new replica.
    grantDescribeDbInstances(taskFunction);
    grantKeyUseVia(taskFunction, 'rds');
    // CreateDBInstanceReadReplica is authorized on the new instance, the source, and the option group,
    // parameter group and subnet group the replica gets (the Service Authorization Reference marks db,
    // og, pg and subgrp required, and cluster for a Multi-AZ DB cluster source). A replica in the
    // source's region inherits the source's groups, which are not known at synth: any group of the
    // account and region, for a request that carries the autoscaler's tags only.
    const groups = target.clusterIdentifier
      ? []
      : (['og', 'pg', 'subgrp'] as const).map((type) =>
          stack.formatArn({ service: 'rds', resource: type, resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        );
    const statements = [
      // Create only replicas named <targetId>-ro-*, only of the configured source, only carrying the autoscaler's tags.
      new iam.PolicyStatement({
        actions: target.clusterIdentifier ? ['rds:CreateDBInstance'] : ['rds:CreateDBInstanceReadReplica'],
        resources: [sourceArn, this.replicaArnPattern, ...groups],
        conditions: { StringEquals: ours },
      }),
      new iam.PolicyStatement({
        actions: ['rds:AddTagsToResource'],
        resources: [this.replicaArnPattern],
        conditions: { StringEquals: ours },
      }),
      // Delete only what carries the autoscaler's tags for this target: IAM enforces it, not just the code.
      new iam.PolicyStatement({
        actions: ['rds:DeleteDBInstance'],
        resources: [this.replicaArnPattern],
        conditions: { StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: prefix, [`aws:ResourceTag/${TARGET_TAG}`]: target.id } },
      }),
    ];
    if (target.clusterIdentifier) {
      statements.push(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters'], resources: [sourceArn] }));
      handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['rds:DescribeDBClusters'], resources: [sourceArn] }));
    }
    this.readerEndpointsParameterName = readerEndpointsParameter(prefix, target);
    const parameterArn = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: this.readerEndpointsParameterName.replace(/^\//, ''),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    statements.push(new iam.PolicyStatement({ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [parameterArn] }));
    if (target.route53) {
      const zoneArn = stack.formatArn({
        service: 'route53',
        region: '',
        account: '',
        resource: 'hostedzone',
        resourceName: target.route53.hostedZoneId,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
      statements.push(
        new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: [zoneArn] }),
        // Only CNAME records of the target's own name in the configured zone.
        new iam.PolicyStatement({
          actions: ['route53:ChangeResourceRecordSets'],
          resources: [zoneArn],
          conditions: {
            'ForAllValues:StringEquals': {
              'route53:ChangeResourceRecordSetsNormalizedRecordNames': [target.route53.recordName.replace(/\.$/, '').toLowerCase()],
              'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
            },
          },
        }),
      );
    }
    // Packed with other targets' into managed policies: an inline policy per target would fill the role's
    // 10,240 inline characters with a handful of targets (lib/limits.ts counts both).
    const policy = addPackedStatements(taskFunction.role!, statements);
    acknowledgeWildcardResource(
      policy,
      this.replicaArnPattern,
      `Only replicas named "${target.id}-ro-<n>" (the deterministic identifiers of this target); creation requires and deletion is conditioned on the tags ${MANAGED_BY_TAG}=${prefix} and ${TARGET_TAG}=${target.id}.`,
    );
    for (const arn of groups) {
      acknowledgeWildcardResource(
        policy,
        arn,
        `rds:CreateDBInstanceReadReplica is also authorized on the option, parameter and subnet group the new replica inherits from its source, which are not known at synth; the statement only allows requests carrying the tags ${MANAGED_BY_TAG}=${prefix} and ${TARGET_TAG}=${target.id}.`,
      );
    }
  }
}

/** The `rds-replicas` kind's infrastructure (lib/targets/index.ts). */
export const rdsReplicasInfrastructure = {
  construct: (scope, target, w) => {
    const { stateMachine, taskFunction } = runbookWiring(w, target.kind);
    return new RdsReplicasScalingTarget(scope, target.id, { prefix: w.prefix, handler: w.handler, runbook: stateMachine, taskFunction, target });
  },
  widgets: (t) => [replicaLagWidget(t)],
  runbook: {
    description:
      'Converge the autoscaler\'s read replicas of an RDS source (or Aurora readers) to {"targetId","desiredReplicas"} and publish the reader endpoints',
    definition: replicasDefinition,
    timeout: Duration.hours(12),
  },
} satisfies TargetInfrastructure<RdsReplicasTarget>;

/**
 * The replication lag of the autoscaler's replicas (one line per identifier a replica of the target may
 * hold) against `maxReplicaLagSeconds`: RDS's ReplicaLag in seconds; for Aurora, AuroraReplicaLag of
 * each reader and the cluster's AuroraReplicaLagMaximum, both in milliseconds.
 */
export function replicaLagWidget(t: RdsReplicasTarget): cloudwatch.GraphWidget {
  const aurora = t.clusterIdentifier !== undefined;
  const perReplica = replicaSlots(t).map((id) => metricOf(aurora ? { ...replicaMetrics(id).lag, metricName: 'AuroraReplicaLag' } : replicaMetrics(id).lag, id));
  const cluster = aurora ? [metricOf(replicaSourceMetrics(t).lag!, 'most of the readers')] : [];
  const limit = aurora ? t.maxReplicaLagSeconds * 1000 : t.maxReplicaLagSeconds;
  return graph({
    title: `${t.id}: replication lag`,
    left: [...cluster, ...perReplica],
    leftAnnotations: [{ value: limit, label: `maxReplicaLagSeconds ${t.maxReplicaLagSeconds}: no removal above`, color: cloudwatch.Color.RED }],
    leftYAxis: { label: aurora ? 'milliseconds' : 'seconds', min: 0 },
  });
}
