/**
 * Alarms on the autoscaler itself, all announced on the notification topic: messages in the
 * dead-letter queue, each function's errors and throttles, failed runbook executions. Their names
 * (`<prefix>-self/...`) do not start with `<prefix>/`, so no family's rule ever takes them for a target's.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface SelfAlarmsProps {
  /** The deployment's prefix; alarm names start with `<prefix>-self/`. */
  readonly prefix: string;
  /** Where every alarm (and its return to OK) is announced. */
  readonly topic: sns.ITopic;
  /** The queue every failed invocation ends in. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The functions, by a short name (their family). */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /**
   * State machines whose failed, timed-out or aborted executions raise an alarm, by name.
   * More can be added with `addStateMachine`.
   * @default none
   */
  readonly stateMachines?: Readonly<Record<string, sfn.IStateMachine>>;
}

/** How often every self-alarm looks; one breaching period raises it. */
const PERIOD = Duration.minutes(1);

export class SelfAlarms extends Construct {
  /** Every self-alarm, keyed by its name. */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};
  private readonly prefix: string;
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: SelfAlarmsProps) {
    super(scope, id);
    this.prefix = props.prefix;
    this.action = new actions.SnsAction(props.topic);

    this.add(
      'DeadLetterQueueDepth',
      'dlq/depth',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      'messages wait in the dead-letter queue: events that failed every retry (read them, then purge the queue)',
    );
    for (const [name, fn] of Object.entries(props.functions)) this.addFunction(name, fn);
    for (const [name, machine] of Object.entries(props.stateMachines ?? {})) this.addStateMachine(name, machine);
  }

  /** Errors and throttles of one function. */
  addFunction(name: string, fn: lambda.IFunction): void {
    const id = pascal(name);
    this.add(`${id}Errors`, `function/${name}/errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), `the ${name} function failed`);
    this.add(`${id}Throttles`, `function/${name}/throttles`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), `the ${name} function was throttled`);
  }

  /** Failed, timed-out and aborted executions of one state machine (a runbook, a long action). */
  addStateMachine(name: string, machine: sfn.IStateMachine): void {
    const metric = new cloudwatch.MathExpression({
      expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
      usingMetrics: {
        failed: machine.metricFailed({ period: PERIOD, statistic: 'Sum' }),
        timedOut: machine.metricTimedOut({ period: PERIOD, statistic: 'Sum' }),
        aborted: machine.metricAborted({ period: PERIOD, statistic: 'Sum' }),
      },
      label: `${name} executions failed, timed out or aborted`,
      period: PERIOD,
    });
    this.add(`${pascal(name)}ExecutionsFailed`, `state-machine/${name}/failed`, metric, `executions of the ${name} state machine failed`);
  }

  private add(id: string, suffix: string, metric: cloudwatch.IMetric, what: string): void {
    const alarmName = `${this.prefix}-self/${suffix}`;
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName,
      alarmDescription: `${this.prefix} autoscaler: ${what}`,
      metric,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // No datapoint means nothing happened: no message, no error, no execution.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms[alarmName] = alarm;
  }
}

function pascal(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
