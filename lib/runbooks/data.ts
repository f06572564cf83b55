/**
 * The data tier's runbooks: one task function (lambdas/runbooks/handler.ts) and one Standard state
 * machine per kind of long action the configured targets need (replica count, Redis node type, RDS
 * storage). The alarm handler starts them; an operator starts the same ones by hand.
 */
import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { STATE_TABLE_ENV, TOPIC_ARN_ENV } from '../../lambdas/shared/environment';
import type { NotificationTopic } from '../monitoring/topic';
import { functionBundling, grantMetricReads, PROJECT_ROOT } from '../shared/function';
import { acknowledgeWildcardResource } from '../shared/nag';
import { instanceDefinition, redisDefinition, replicasDefinition, storageDefinition } from './definitions';
import { Runbook } from './runbook';

export const RUNBOOK_HANDLER_ENTRY = path.join(PROJECT_ROOT, 'lambdas', 'runbooks', 'handler.ts');

/** Runbook names (state machine `<prefix>-<name>`), by the target kind they act on. */
export const DATA_RUNBOOKS = { 'rds-replicas': 'rds-replicas', redis: 'redis', 'rds-storage': 'rds-storage', 'rds-instance': 'rds-instance' } as const;
export type DataKind = keyof typeof DATA_RUNBOOKS;

export interface DataRunbooksProps {
  readonly config: AutoscalerConfig;
  /** Where the notify task records each run's outcome (audit entries). */
  readonly stateTable: dynamodb.ITable;
  readonly logRetention: logs.RetentionDays;
  /**
   * Where the notify task announces each run's outcome.
   * @default no notifications
   */
  readonly notifications?: NotificationTopic;
}

export class DataRunbooks extends Construct {
  /** The task function every data runbook invokes. */
  public readonly taskFunction: NodejsFunction;
  /** One runbook per data target kind in the config. */
  public readonly runbooks: Readonly<Partial<Record<DataKind, Runbook>>>;

  constructor(scope: Construct, id: string, props: DataRunbooksProps) {
    super(scope, id);
    const { config } = props;
    const kinds = [...new Set(config.targets.map((t) => t.kind).filter((k): k is DataKind => k in DATA_RUNBOOKS))];
    if (kinds.length === 0) throw new Error('DataRunbooks needs at least one rds-replicas, rds-storage, rds-instance or redis target');

    const logGroup = new logs.LogGroup(this, 'TaskFunctionLogGroup', { retention: props.logRetention });
    const role = new iam.Role(this, 'TaskFunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${config.prefix} autoscaler data runbook tasks`,
    });
    this.taskFunction = new NodejsFunction(this, 'TaskFunction', {
      description: `${config.prefix} autoscaler: data tier runbook tasks (replicas, Redis, storage, instance class)`,
      entry: RUNBOOK_HANDLER_ENTRY,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(60),
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      environment: {
        [STATE_TABLE_ENV]: props.stateTable.tableName,
        ...(props.notifications ? { [TOPIC_ARN_ENV]: props.notifications.topic.topicArn } : {}),
        POWERTOOLS_SERVICE_NAME: 'autoscaler',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: functionBundling(config),
    });
    logGroup.grantWrite(role);
    // The tasks read the switches before each write (BatchGetItem) and the target's record for its
    // cooldowns and Redis floors (GetItem), record a group's first-seen shape once (UpdateItem) and
    // append each run's outcome and every forced rule to the audit trail (PutItem): nothing else (test/faults/R29).
    props.stateTable.grant(this.taskFunction, 'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem');
    // A move down is checked again on current metrics right before the write.
    grantMetricReads(this.taskFunction);
    props.notifications?.grantPublish(this.taskFunction);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
    });

    const definitions = {
      'rds-replicas': replicasDefinition,
      redis: redisDefinition,
      'rds-storage': storageDefinition,
      'rds-instance': instanceDefinition,
    } as const;
    const descriptions: Record<DataKind, string> = {
      'rds-replicas':
        'Converge the autoscaler\'s read replicas of an RDS source (or Aurora readers) to {"targetId","desiredReplicas"} and publish the reader endpoints',
      redis:
        'Converge an ElastiCache replication group to {"targetId","nodeType","shards","replicasPerShard"}: a type of its ladder that AWS allows, shards, replicas',
      'rds-storage': 'Grow an RDS instance\'s allocated storage to {"targetId","allocatedGiB"}',
      'rds-instance': 'Move an RDS instance to {"targetId","instanceClass"} of its ladder, now or in the maintenance window',
    };
    const runbooks: Partial<Record<DataKind, Runbook>> = {};
    for (const kind of kinds) {
      runbooks[kind] = new Runbook(this, pascal(DATA_RUNBOOKS[kind]), {
        prefix: config.prefix,
        name: DATA_RUNBOOKS[kind],
        description: descriptions[kind],
        definition: definitions[kind](this.taskFunction),
        fn: this.taskFunction,
        logRetention: props.logRetention,
        timeout: kind === 'redis' ? Duration.hours(24) : Duration.hours(12),
      });
      acknowledgeInvoke(runbooks[kind]!.stateMachine, this.taskFunction);
    }
    this.runbooks = runbooks;
  }

  stateMachine(kind: DataKind): sfn.StateMachine {
    const rb = this.runbooks[kind];
    if (!rb) throw new Error(`no ${kind} runbook: the config has no ${kind} target`);
    return rb.stateMachine;
  }
}

/** lambda:InvokeFunction on the task function's versions and aliases (`<arn>:*`), as CDK grants it. */
function acknowledgeInvoke(machine: sfn.StateMachine, fn: lambda.IFunction): void {
  acknowledgeWildcardResource(
    machine.role,
    `${fn.functionArn}:*`,
    'The state machine invokes the one task function; the ":*" covers its versions and aliases, as CDK grants it.',
  );
}

function pascal(s: string): string {
  return s
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
