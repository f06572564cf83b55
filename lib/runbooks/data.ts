/**
 * The runbooks of the runbook task function (lambdas/runbooks/handler.ts): one Standard state machine
 * per configured kind that declares a runbook (replica count, Redis node type, RDS storage, instance
 * class: lambdas/shared/kinds names it, lib/targets defines its state machine), which the family's
 * function starts and an operator starts by hand; and `set-capacity`, which an operator starts to set a
 * web tier or a worker pool to N (the targets' constructs grant the task function its fleet).
 */
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { STATE_TABLE_ENV, TOPIC_ARN_ENV } from '../../lambdas/shared/environment';
import { TARGET_KIND_NAMES, TARGET_KINDS, type TargetKind } from '../../lambdas/shared/kinds';
import { SET_CAPACITY_KINDS, SET_CAPACITY_RUNBOOK } from '../../lambdas/shared/runbook-tasks';
import type { NotificationTopic } from '../monitoring/topic';
import { createProjectFunction, grantMetricReads, type PowertoolsSource, PROJECT_ROOT } from '../shared/function';
import { acknowledgeWildcardResource } from '../shared/nag';
import { TARGET_INFRASTRUCTURE } from '../targets';
import { setCapacityDefinition } from './definitions';
import { Runbook } from './runbook';

/** The kinds that declare a runbook, in the registry's order. */
const RUNBOOK_KINDS = TARGET_KIND_NAMES.filter((k) => TARGET_KINDS[k].runbook);

export const RUNBOOK_HANDLER_ENTRY = path.join(PROJECT_ROOT, 'lambdas', 'runbooks', 'handler.ts');

export interface DataRunbooksProps {
  readonly config: AutoscalerConfig;
  /** Where the notify task records each run's outcome (audit entries). */
  readonly stateTable: dynamodb.ITable;
  readonly logRetention: logs.RetentionDays;
  /**
   * Where the function finds Powertools (`PowertoolsSource`).
   * @default 'layer'
   */
  readonly powertools?: PowertoolsSource;
  /**
   * Where the notify task announces each run's outcome.
   * @default no notifications
   */
  readonly notifications?: NotificationTopic;
}

export class DataRunbooks extends Construct {
  /** The task function every data runbook invokes. */
  public readonly taskFunction: NodejsFunction;
  /** One runbook per configured kind that has one, by kind. */
  public readonly runbooks: Readonly<Partial<Record<TargetKind, Runbook>>>;
  /** `<prefix>-set-capacity`, when the config has asg, ecs-service or queue-workers targets. */
  public readonly setCapacity?: Runbook;

  constructor(scope: Construct, id: string, props: DataRunbooksProps) {
    super(scope, id);
    const { config } = props;
    const kinds = [...new Set(config.targets.map((t) => t.kind).filter((k) => TARGET_KINDS[k].runbook))];
    const fleets = config.targets.some((t) => (SET_CAPACITY_KINDS as readonly string[]).includes(t.kind));
    if (kinds.length === 0 && !fleets)
      throw new Error(`DataRunbooks needs at least one target of a kind with a runbook (${[...RUNBOOK_KINDS, ...SET_CAPACITY_KINDS].join(', ')})`);

    this.taskFunction = createProjectFunction(this, 'TaskFunction', {
      config,
      logRetention: props.logRetention,
      entry: RUNBOOK_HANDLER_ENTRY,
      powertools: props.powertools,
      purpose: 'runbook tasks (replicas, Redis, storage, instance class, set-capacity)',
      roleOf: 'runbook tasks',
      memorySize: 256,
      timeout: Duration.seconds(60),
      environment: {
        [STATE_TABLE_ENV]: props.stateTable.tableName,
        ...(props.notifications ? { [TOPIC_ARN_ENV]: props.notifications.topic.topicArn } : {}),
      },
    }).fn;
    // The tasks read the switches before each write (BatchGetItem) and the target's record for its
    // cooldowns and Redis floors (GetItem), record a group's first-seen shape once (UpdateItem) and
    // append each run's outcome and every forced rule to the audit trail (PutItem): nothing else (test/faults/R29).
    props.stateTable.grant(this.taskFunction, 'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem');
    // A move down is checked again on current metrics right before the write (the data tier's runbooks only).
    if (kinds.length) grantMetricReads(this.taskFunction);
    props.notifications?.grantPublish(this.taskFunction);

    const runbooks: Partial<Record<TargetKind, Runbook>> = {};
    for (const kind of kinds) {
      const name = TARGET_KINDS[kind].runbook!.name;
      const machine = TARGET_INFRASTRUCTURE[kind].runbook;
      if (!machine) throw new Error(`the ${kind} kind declares the runbook "${name}" but lib/targets defines no state machine for it`);
      runbooks[kind] = new Runbook(this, pascal(name), {
        prefix: config.prefix,
        name,
        description: machine.description,
        definition: machine.definition(this.taskFunction),
        fn: this.taskFunction,
        logRetention: props.logRetention,
        timeout: machine.timeout,
      });
      acknowledgeInvoke(runbooks[kind]!.stateMachine, this.taskFunction);
    }
    this.runbooks = runbooks;
    if (fleets) {
      this.setCapacity = new Runbook(this, 'SetCapacity', {
        prefix: config.prefix,
        name: SET_CAPACITY_RUNBOOK,
        description: 'Sets a web tier or a worker pool to N by hand: within the bounds in force, busy workers kept, audited with the reason given',
        definition: setCapacityDefinition(this.taskFunction),
        fn: this.taskFunction,
        logRetention: props.logRetention,
        // A lease held by the family function is waited out (ResourceBusy retries, about 4 hours at most).
        timeout: Duration.hours(6),
      });
      acknowledgeInvoke(this.setCapacity.stateMachine, this.taskFunction);
    }
  }

  stateMachine(kind: TargetKind): sfn.StateMachine {
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
