/**
 * The public L3 construct: turns a parsed autoscaler config into alarms, one EventBridge rule, one
 * function and one re-evaluation schedule per action family, and the state they share.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmRulePattern, allAlarms, type Family, familyOf } from '../lambdas/shared/alarms';
import { type AutoscalerConfig, parseConfig } from '../lambdas/shared/config';
import { toEventPattern } from './shared/event-pattern';
import { ASYNC_MAX_EVENT_AGE, ASYNC_RETRY_ATTEMPTS, createDeadLetterQueue, createFamilyFunction } from './shared/function';
import { ReevaluationSchedule } from './shared/schedule';
import { AsgScalingTarget } from './targets/asg';
import { EcsServiceScalingTarget } from './targets/ecs-service';

export interface AutoscalerProps {
  /** The autoscaler config, already parsed (`parseConfig` / `loadConfigFile`); it is validated again here. */
  readonly config: AutoscalerConfig;
  /**
   * How long the functions' log groups keep their events.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** A stack holds 500 resources; leave room for the fixed ones and for growth. */
export const MAX_ALARMS = 400;

export type ScalingTarget = AsgScalingTarget | EcsServiceScalingTarget;

export class Autoscaler extends Construct {
  /** The validated config the functions are bundled with. */
  public readonly config: AutoscalerConfig;
  /** Leases, cooldowns, recommendations history and the audit trail (`pk`/`sk`, TTL `ttl`). */
  public readonly stateTable: dynamodb.Table;
  /** Powertools idempotency records (`id`, TTL `expiration`). */
  public readonly idempotencyTable: dynamodb.Table;
  /** Every failed asynchronous invocation: functions, rules and schedules. */
  public readonly deadLetterQueue: sqs.Queue;
  /** One function per action family that has targets. */
  public readonly functions: Readonly<Partial<Record<Family, NodejsFunction>>>;
  /** One alarm-state-change rule per action family that has targets. */
  public readonly rules: Readonly<Partial<Record<Family, events.Rule>>>;
  /** One 1-minute re-evaluation schedule per action family that has targets. */
  public readonly schedules: Readonly<Partial<Record<Family, scheduler.CfnSchedule>>>;
  /** Every alarm, keyed by its name (`<prefix>/<targetId>/<signal>/<direction>`). */
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  /** One construct per configured target, keyed by target id. */
  public readonly targets: Readonly<Record<string, ScalingTarget>>;

  constructor(scope: Construct, id: string, props: AutoscalerProps) {
    super(scope, id);

    // 1. Validate: the same schema and the same messages as the CLI and the simulator.
    const config = parseConfig(props.config);
    const alarmCount = allAlarms(config).length;
    if (alarmCount > MAX_ALARMS) {
      throw new Error(`targets (${config.targets.length}) yield ${alarmCount} alarms, more than the ${MAX_ALARMS} one stack can hold next to the rest`);
    }
    this.config = config;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    // 2. Build: state, failure queue, one function per family, then each target's alarms and grants.
    this.stateTable = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'ttl',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.idempotencyTable = new dynamodb.Table(this, 'IdempotencyTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Records live for minutes; nothing in them is worth keeping past the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.deadLetterQueue = createDeadLetterQueue(this, 'DeadLetterQueue');

    const families = [...new Set(config.targets.map(familyOf))];
    const functions: Partial<Record<Family, NodejsFunction>> = {};
    for (const family of families) {
      functions[family] = createFamilyFunction(this, `${pascal(family)}Function`, {
        family,
        config,
        stateTable: this.stateTable,
        idempotencyTable: this.idempotencyTable,
        deadLetterQueue: this.deadLetterQueue,
        logRetention,
      });
    }
    this.functions = functions;

    const targetsScope = new Construct(this, 'Targets');
    const targets: Record<string, ScalingTarget> = {};
    const alarms: Record<string, cloudwatch.CfnAlarm> = {};
    for (const target of config.targets) {
      const handler = functions[familyOf(target)]!;
      let construct: ScalingTarget;
      switch (target.kind) {
        case 'asg':
          construct = new AsgScalingTarget(targetsScope, target.id, { prefix: config.prefix, target, handler });
          break;
        case 'ecs-service':
          construct = new EcsServiceScalingTarget(targetsScope, target.id, { prefix: config.prefix, target, handler });
          break;
      }
      targets[target.id] = construct;
      Object.assign(alarms, construct.alarms);
    }
    this.targets = targets;
    this.alarms = alarms;

    // 3. Wire: per family, alarm state changes and the 1-minute re-evaluation into its function.
    const rules: Partial<Record<Family, events.Rule>> = {};
    const schedules: Partial<Record<Family, scheduler.CfnSchedule>> = {};
    for (const family of families) {
      const handler = functions[family]!;
      rules[family] = new events.Rule(this, `${pascal(family)}AlarmRule`, {
        description: `${config.prefix}: state changes of the ${family} family's alarms`,
        eventPattern: toEventPattern(alarmRulePattern(config.prefix, family)),
        targets: [
          new eventsTargets.LambdaFunction(handler, {
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: ASYNC_RETRY_ATTEMPTS,
            maxEventAge: ASYNC_MAX_EVENT_AGE,
          }),
        ],
      });
      schedules[family] = new ReevaluationSchedule(this, `${pascal(family)}Reevaluation`, {
        family,
        handler,
        deadLetterQueue: this.deadLetterQueue,
      }).schedule;
    }
    this.rules = rules;
    this.schedules = schedules;
  }
}

function pascal(s: string): string {
  return s
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
