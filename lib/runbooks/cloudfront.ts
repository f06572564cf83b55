/**
 * The `invalidate` runbook: a Step Functions Standard state machine an operator starts by hand to
 * invalidate explicit paths of a configured distribution. Check (target, paths, distribution) ->
 * create (CallerReference from the execution name; TooManyInvalidationsInProgress retried with
 * backoff; the switches read before it) -> wait with backoff -> poll until Completed. Every task retries
 * Lambda's own errors and `ServiceUnavailable` as the data tier's runbooks do (lib/runbooks/runbook.ts).
 * Its tasks run in the cdn family's function,
 * which already holds the CloudFront permissions on exactly the configured distributions.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { InvalidateTask } from '../../lambdas/shared/runbook-tasks';
import { acknowledgeStateMachineLogsAndTracing, acknowledgeWildcardResource } from '../shared/nag';
import { addServiceRetries, RunbookExits } from './runbook';

/** The runbook's name: the state machine is `<prefix>-invalidate`. */
export const INVALIDATE_RUNBOOK = 'invalidate';

/** How a busy distribution (TooManyInvalidationsInProgress) is waited out: 60 s, x2, at most 10 min, 12 tries. */
export const INVALIDATE_BUSY_RETRY = { interval: Duration.seconds(60), backoffRate: 2, maxDelay: Duration.minutes(10), maxAttempts: 12 } as const;

export interface InvalidateRunbookProps {
  /** The deployment's prefix. */
  readonly prefix: string;
  /** The cdn family's function, which runs the tasks. */
  readonly fn: lambda.IFunction;
  readonly logRetention: logs.RetentionDays;
}

export class InvalidateRunbook extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: InvalidateRunbookProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/vendedlogs/states/${props.prefix}-${INVALIDATE_RUNBOOK}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const task = (stateName: string, name: InvalidateTask, comment: string) =>
      addServiceRetries(
        new tasks.LambdaInvoke(this, stateName, {
          lambdaFunction: props.fn,
          comment,
          payloadResponseOnly: true,
          payload: sfn.TaskInput.fromObject({ task: name, state: sfn.JsonPath.entirePayload, execution: sfn.JsonPath.stringAt('$$.Execution.Name') }),
          // addServiceRetries: the CDK default leaves out Lambda.TooManyRequestsException.
          retryOnServiceExceptions: false,
          taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
        }),
      );
    const failed = new sfn.Fail(this, 'Failed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    // The same exits as every runbook: a switch (pause, dry-run) read before CreateInvalidation stops the run.
    const exits = new RunbookExits(
      this,
      failed,
      task('NotifyStopped', 'invalidate.notify', 'Record and report that a switch stopped the run (paused, dry-run)'),
    );
    const caught = (t: tasks.LambdaInvoke) => exits.catch(t);

    const check = caught(task('CheckDistribution', 'invalidate.check', 'Configured target, valid paths, distribution exists'));
    const create = task('CreateInvalidation', 'invalidate.create', 'CreateInvalidation with the CallerReference of this execution');
    create.addRetry({ errors: ['InvalidationsBusyError'], ...INVALIDATE_BUSY_RETRY });
    caught(create);
    const wait = new sfn.Wait(this, 'WaitForInvalidation', { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
    const poll = caught(task('CheckInvalidation', 'invalidate.poll', 'Completed yet? If not, wait longer'));
    const done = new sfn.Succeed(this, 'Done');

    const definition = check
      .next(create)
      .next(wait)
      .next(poll)
      .next(new sfn.Choice(this, 'Completed').when(sfn.Condition.stringEquals('$.step', 'done'), done).otherwise(wait));

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${props.prefix}-${INVALIDATE_RUNBOOK}`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'Invalidates explicit paths of a configured CloudFront distribution and waits until CloudFront completes it',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(3),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    acknowledgeStateMachineLogsAndTracing(this.stateMachine.role);
    acknowledgeWildcardResource(
      this.stateMachine.role,
      `${props.fn.functionArn}:*`,
      'The state machine invokes the cdn function only; the ":*" covers its versions and aliases, as CDK grants it.',
    );
  }
}
