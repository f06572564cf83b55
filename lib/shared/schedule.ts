/** The 1-minute re-evaluation schedule of an action family (EventBridge Scheduler). */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type Family, reevaluateScheduleInput } from '../../lambdas/shared/alarms';
import { ASYNC_RETRY_ATTEMPTS } from './function';

export interface ReevaluationScheduleProps {
  readonly family: Family;
  /** The family's function. */
  readonly handler: lambda.IFunction;
  /** Where invocations the scheduler could not deliver go. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * Alarms notify only on state changes; a target still in ALARM after an action gets no new event.
 * This schedule asks the family's function every minute to re-evaluate the alarms still in ALARM.
 */
export class ReevaluationSchedule extends Construct {
  public readonly schedule: scheduler.CfnSchedule;
  /** The scheduler's execution role: may invoke the family's function and send to the DLQ, nothing else. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ReevaluationScheduleProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      description: `EventBridge Scheduler role of the ${props.family} re-evaluation schedule`,
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.handler.functionArn] }));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }));

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description:
        props.family === 'queue'
          ? 'Polls every queue of the queue family (GetQueueAttributes) and sizes its workers'
          : `Re-evaluates the ${props.family} family's alarms still in ALARM`,
      scheduleExpression: 'rate(1 minute)',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.handler.functionArn,
        roleArn: this.role.roleArn,
        input: JSON.stringify(reevaluateScheduleInput(props.family)),
        // A re-evaluation older than a minute has been superseded by the next one.
        retryPolicy: { maximumRetryAttempts: ASYNC_RETRY_ATTEMPTS, maximumEventAgeInSeconds: 60 },
        deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
      },
    });
    // The role's policy must exist before the scheduler first assumes it.
    this.schedule.node.addDependency(this.role);
  }
}
