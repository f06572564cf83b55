/**
 * What every runbook shares: a Standard state machine that logs every event to its own log group and
 * is traced (cdk-nag SF1/SF2), and Lambda tasks that pass the whole run state to one task function and
 * take its answer as the new state. Error names are the contract: `ResourceBusy` is retried with
 * backoff; Lambda's own errors (throttling included) and `ServiceUnavailable` (throttling or a 5xx that
 * outlasted the SDK's retries) are retried with backoff; `Paused` and `DryRun` (a switch read before a
 * write) end the run through the stop chain; anything else is caught, reported by the notify task and
 * fails the run.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ServiceUnavailableError } from '../../lambdas/shared/errors';
import { DryRunError, ResourceBusyError, SWITCH_STOP_ERRORS } from '../../lambdas/shared/runbook-errors';
import type { RunbookTask } from '../../lambdas/shared/runbook-tasks';
import { acknowledgeStateMachineLogsAndTracing } from '../shared/nag';

/** How long a `ResourceBusy` (modifying, snapshotting...) is waited out: 60 s, x1.5, at most 10 min, 30 tries (about 4 hours). */
export const BUSY_RETRY = { interval: Duration.seconds(60), backoffRate: 1.5, maxDelay: Duration.minutes(10), maxAttempts: 30 } as const;

/**
 * Lambda's own errors when Step Functions invokes a function: its transient service errors, and
 * `Lambda.TooManyRequestsException` when the function or the account is out of concurrency. CDK's
 * `retryOnServiceExceptions` retries only the first four (2 s, x2, 6 attempts), not the throttling,
 * so the tasks retry all five here instead.
 */
export const LAMBDA_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** How Lambda's errors are retried: 2 s, x2, at most 1 min, 6 tries (about 2 minutes), full jitter. */
export const LAMBDA_RETRY = {
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxDelay: Duration.minutes(1),
  maxAttempts: 6,
  jitterStrategy: sfn.JitterType.FULL,
} as const;

/**
 * How `ServiceUnavailable` is retried: 10 s, x2, at most 5 min, 6 tries (about 10 minutes), full jitter.
 * The SDK already spent its attempts (seconds) on the call; this waits out a longer burst of throttling
 * or an outage before the run fails.
 */
export const SERVICE_RETRY = {
  interval: Duration.seconds(10),
  backoffRate: 2,
  maxDelay: Duration.minutes(5),
  maxAttempts: 6,
  jitterStrategy: sfn.JitterType.FULL,
} as const;

/** The retries every runbook task has, before any Catch: Lambda's own errors and `ServiceUnavailable`. */
export function addServiceRetries(task: tasks.LambdaInvoke): tasks.LambdaInvoke {
  task.addRetry({ errors: [...LAMBDA_ERRORS], ...LAMBDA_RETRY });
  task.addRetry({ errors: [ServiceUnavailableError.NAME], ...SERVICE_RETRY });
  return task;
}

/** A Lambda task of a runbook: `{ task, state: $, execution: $$.Execution.Name }` in, the new state out. */
export function runbookTask(scope: Construct, id: string, fn: lambda.IFunction, task: RunbookTask, comment: string): tasks.LambdaInvoke {
  const t = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    comment,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      task,
      state: sfn.JsonPath.entirePayload,
      execution: sfn.JsonPath.stringAt('$$.Execution.Name'),
    }),
    // LAMBDA_ERRORS below: the CDK default leaves out Lambda.TooManyRequestsException.
    retryOnServiceExceptions: false,
    taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
  });
  addServiceRetries(t);
  t.addRetry({ errors: [ResourceBusyError.NAME], ...BUSY_RETRY });
  return t;
}

/**
 * Where a task's caught errors go, the same in every runbook (the data tier's and `invalidate`):
 * `Paused` and `DryRun` to the stop chain, everything else to the failure chain. The stop chain is one
 * notify task, which records the outcome `paused` or `dry-run` with what the run would have done next,
 * then `Succeed` for a dry run (it did what it was asked: nothing, and said what it would do) or
 * `Fail` with the error `Paused` (the goal was not reached; the execution reads FAILED: Paused).
 */
export class RunbookExits {
  /** The stop chain: notify, then Succeed (DryRun) or Fail (Paused). */
  public readonly stopped: sfn.IChainable;

  /**
   * @param failed the chain every other caught error goes to
   * @param notifyStopped the task that records and reports a stop (`notify`, or the runbook's own)
   */
  constructor(
    scope: Construct,
    readonly failed: sfn.IChainable,
    notifyStopped: tasks.LambdaInvoke,
  ) {
    this.stopped = notifyStopped.next(
      new sfn.Choice(scope, 'StoppedBy')
        .when(
          sfn.Condition.stringEquals('$.error.Error', DryRunError.NAME),
          new sfn.Succeed(scope, 'DryRunStopped', { comment: 'Dry-run: stopped before its first write, recorded what it would have done' }),
        )
        .otherwise(
          new sfn.Fail(scope, 'PausedStopped', { comment: 'Paused: stopped before its next write', errorPath: '$.error.Error', causePath: '$.reason' }),
        ),
    );
  }

  /** Adds the two Catch rules to `task`, the switches' first (Step Functions takes the first that matches). */
  catch<T extends tasks.LambdaInvoke>(task: T): T {
    task.addCatch(this.stopped, { errors: [...SWITCH_STOP_ERRORS], resultPath: '$.error' });
    task.addCatch(this.failed, { errors: ['States.ALL'], resultPath: '$.error' });
    return task;
  }
}

/** Wait the number of seconds the last task asked for (`$.waitSeconds`: backoff while a resource changes). */
export function backoffWait(scope: Construct, id: string): sfn.Wait {
  return new sfn.Wait(scope, id, { time: sfn.WaitTime.secondsPath('$.waitSeconds') });
}

export interface RunbookProps {
  /** The deployment's prefix; the state machine is named `<prefix>-<name>`. */
  readonly prefix: string;
  /** The runbook's name (`rds-replicas`). */
  readonly name: string;
  readonly description: string;
  /** Builds the definition; every task goes through `exits.catch` (stop on the switches, or notify and fail). */
  readonly definition: (scope: Construct, exits: RunbookExits) => sfn.IChainable;
  /** The task function. */
  readonly fn: lambda.IFunction;
  readonly logRetention: logs.RetentionDays;
  /**
   * Longest a run may take, waits included.
   * @default Duration.hours(12)
   */
  readonly timeout?: Duration;
}

export class Runbook extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RunbookProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/vendedlogs/states/${props.prefix}-${props.name}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const notifyFailure = runbookTask(this, 'NotifyFailure', props.fn, 'notify', 'Record and report why the run failed');
    const fail = notifyFailure.next(new sfn.Fail(this, 'Failed', { errorPath: '$.error.Error', causePath: '$.reason' }));
    const exits = new RunbookExits(
      this,
      fail,
      runbookTask(this, 'NotifyStopped', props.fn, 'notify', 'Record and report that a switch stopped the run (paused, dry-run)'),
    );
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${props.prefix}-${props.name}`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: props.description,
      definitionBody: sfn.DefinitionBody.fromChainable(props.definition(this, exits)),
      timeout: props.timeout ?? Duration.hours(12),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    acknowledgeStateMachineLogsAndTracing(this.stateMachine.role);
  }

  /** Sends every caught error of `state` to its exit (stop or failure chain), with the error under `$.error`. */
  static catchAll(state: tasks.LambdaInvoke, exits: RunbookExits): tasks.LambdaInvoke {
    return exits.catch(state);
  }
}
