/**
 * Capacity windows on time: an EventBridge Scheduler schedule at each window's start (and end, when it
 * has an `end` cron) in the window's time zone, invoking the family function of the window's target,
 * which applies the floor and ceiling in force at once instead of at the next alarm.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Family } from '../../lambdas/shared/alarms';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { windowSchedules } from '../../lambdas/shared/window-schedules';
import { ASYNC_RETRY_ATTEMPTS } from '../shared/function';

export interface CapacityWindowSchedulesProps {
  readonly config: AutoscalerConfig;
  /** The family functions; each window's schedules invoke its target's. */
  readonly functions: Readonly<Partial<Record<Family, lambda.IFunction>>>;
  /** Where invocations the scheduler could not deliver go. */
  readonly deadLetterQueue: sqs.IQueue;
}

export class CapacityWindowSchedules extends Construct {
  /** The schedules, keyed `<window>-start` / `<window>-end`. */
  public readonly schedules: Readonly<Record<string, scheduler.CfnSchedule>>;
  /** The scheduler's execution role: may invoke the functions of the windows' targets and send to the DLQ, nothing else. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CapacityWindowSchedulesProps) {
    super(scope, id);
    const specs = windowSchedules(props.config);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `EventBridge Scheduler role of the ${props.config.prefix} capacity windows`,
    });
    const families = [...new Set(specs.map((s) => s.family))];
    const arns = families.map((f) => {
      const fn = props.functions[f];
      if (!fn) throw new Error(`capacity windows need the ${f} family's function`);
      return fn.functionArn;
    });
    if (arns.length) this.role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: arns }));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }));

    const schedules: Record<string, scheduler.CfnSchedule> = {};
    for (const s of specs) {
      const schedule = new scheduler.CfnSchedule(this, s.id, {
        description: `Capacity window "${s.window}" ${s.edge === 'start' ? 'opens' : 'closes'} (${s.targetId})`,
        scheduleExpression: s.expression,
        scheduleExpressionTimezone: s.timezone,
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: props.functions[s.family]!.functionArn,
          roleArn: this.role.roleArn,
          input: JSON.stringify(s.input),
          // The 1-minute schedule applies the window anyway; a late delivery adds nothing after 5 minutes.
          retryPolicy: { maximumRetryAttempts: ASYNC_RETRY_ATTEMPTS, maximumEventAgeInSeconds: 300 },
          deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
        },
      });
      schedule.node.addDependency(this.role);
      schedules[s.id] = schedule;
    }
    this.schedules = schedules;
  }
}
