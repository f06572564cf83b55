/**
 * The public L3 construct: turns a parsed autoscaler config into alarms, one EventBridge rule, one
 * function and one re-evaluation schedule per action family, and the state they share.
 */
import { CfnOutput, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { alarmRulePattern, allAlarms, allAlerts, FAMILY_NAMESPACES, type Family, familyOf } from '../lambdas/shared/alarms';
import { type AutoscalerConfig, ConfigError, parseConfig, placementProblems } from '../lambdas/shared/config';
import { API_URL_OUTPUT, OUTPUT_KEYS, RUNBOOK_NAME, runbookOutputKey } from '../lambdas/shared/deployment';
import { kindOf, TARGET_KINDS, type TargetKind } from '../lambdas/shared/kinds';
import { SET_CAPACITY_KINDS, SET_CAPACITY_RUNBOOK } from '../lambdas/shared/runbook-tasks';
import { OperatorApi } from './api';
import { footprintOf, limitProblems, managedPoliciesPerRole } from './limits';
import { AlertAlarms } from './monitoring/alerts';
import { AutoscalerDashboard } from './monitoring/dashboard';
import { SelfAlarms } from './monitoring/self-alarms';
import { NotificationTopic } from './monitoring/topic';
import { DailyRecommender } from './recommender';
import { INVALIDATE_RUNBOOK, InvalidateRunbook } from './runbooks/cloudfront';
import { DataRunbooks } from './runbooks/data';
import { AlarmStacks } from './shared/alarm';
import { toEventPattern } from './shared/event-pattern';
import {
  ASYNC_MAX_EVENT_AGE,
  ASYNC_RETRY_ATTEMPTS,
  createDeadLetterQueue,
  createFamilyFunction,
  POWERTOOLS_CONTEXT_KEY,
  POWERTOOLS_SOURCES,
  type PowertoolsSource,
} from './shared/function';
import { ReevaluationSchedule } from './shared/schedule';
import { infrastructureOf, type ScalingTarget } from './targets';
import { CdnDeployRules } from './targets/cloudfront';
import { BrokerReader } from './targets/redis-workers';
import { CapacityWindowSchedules } from './targets/schedule';

export interface AutoscalerProps {
  /** The autoscaler config, already parsed (`parseConfig` / `loadConfigFile`); it is validated again here. */
  readonly config: AutoscalerConfig;
  /**
   * How long the functions' log groups keep their events.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Where every function finds Powertools: `layer`, the deployment's own layer with Powertools as one
   * minified module built at synth from the installed packages; `bundled`, in each function's bundle
   * (larger bundles, no layer); `public-layer`, Powertools' public Lambda layer of the installed
   * version, found through its public SSM parameter at deploy (a slower cold start, and the layer's
   * own AWS SDK clients beside the runtime's). README, "Powertools".
   * @default 'layer', unless the CDK context `autoscaler:powertools` says otherwise
   */
  readonly powertools?: PowertoolsSource;
}

/**
 * A stack holds 500 resources. Up to this many target alarms stay in the main stack, next to the
 * fixed resources; past it, every target alarm goes into nested stacks of `ALARMS_PER_NESTED_STACK`.
 */
export const MAIN_STACK_ALARMS = 300;
export const ALARMS_PER_NESTED_STACK = 400;

export type { ScalingTarget } from './targets';

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
  /** The alert-only rules' alarms (targets' `alerts`), keyed by name (`<prefix>.alert/<targetId>/<alert>`); they notify the topic, never a function. */
  public readonly alerts: Readonly<Record<string, cloudwatch.CfnAlarm>>;
  /** The `invalidate` runbook (explicit paths of a configured distribution), when the config has cloudfront targets. */
  public readonly invalidateRunbook?: InvalidateRunbook;
  /** Deploy-event rules of the cdn family, one per event source its triggers use (ECS, CodePipeline, S3). */
  public readonly deployRules: Readonly<Partial<Record<'ecs' | 'codePipeline' | 's3', events.Rule>>>;
  /** One construct per configured target, keyed by target id. */
  public readonly targets: Readonly<Record<string, ScalingTarget>>;
  /** The runbooks of the configured kinds that have one (rds-replicas, rds-storage, rds-instance, redis), set-capacity, and their task function. */
  public readonly dataRunbooks?: DataRunbooks;
  /** Every action, refusal, failure and self-alarm is published here (KMS-encrypted, TLS only). */
  public readonly notifications: NotificationTopic;
  /** Dead-letter queue depth, function errors and throttles, failed state machine executions. */
  public readonly selfAlarms: SelfAlarms;
  /** The deployment's dashboard: per target, signals against thresholds, desired vs in service, actions. */
  public readonly dashboard: AutoscalerDashboard;
  /** The capacity windows' schedules (start and end, in each window's time zone), when the config has windows. */
  public readonly windowSchedules?: CapacityWindowSchedules;
  /** The nested stacks of the targets' alarms, when there are more than `MAIN_STACK_ALARMS` of them. */
  public readonly alarmStacks?: AlarmStacks;
  /** The Redis broker reader (lib/targets/redis-workers.ts), when the config has redis-workers targets. */
  public readonly brokerReader?: BrokerReader;
  /** The operator HTTP API (IAM-authorized, throttled, access logged), when the config's `api.enabled`. */
  public readonly api?: OperatorApi;
  /** The daily recommender, when `recommendations.enabled`. */
  public readonly recommender?: DailyRecommender;
  /** State machines an operator may start by name (`autoscaler runbook start NAME`). */
  public readonly runbooks: Record<string, sfn.IStateMachine> = {};

  constructor(scope: Construct, id: string, props: AutoscalerProps) {
    super(scope, id);

    // 1. Validate: the same schema and the same messages as the CLI and the simulator; then, where the
    //    stack's region and account are known (not tokens), every target the config places (SQS queue
    //    URLs) must be there: the functions' clients and the alarms live in the stack's region.
    const config = parseConfig(props.config);
    const stack = Stack.of(this);
    const known = (v: string) => (Token.isUnresolved(v) ? undefined : v);
    const misplaced = placementProblems(config, { region: known(stack.region), account: known(stack.account) });
    if (misplaced.length) throw new ConfigError(misplaced);
    const alerts = allAlerts(config);
    const alarmCount = allAlarms(config).length + alerts.length;
    this.config = config;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const powertools = props.powertools ?? powertoolsContext(this);

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
    this.notifications = new NotificationTopic(this, 'Notifications', { prefix: config.prefix, email: config.notifications.email });

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
        powertools,
        notifications: this.notifications,
      });
    }
    this.functions = functions;

    // The data tier's long actions run as Step Functions runbooks, which the family's function starts.
    // The runbook task function also runs set-capacity, for the web tiers and worker pools.
    const dataRunbooks = config.targets.some((t) => kindOf(t).runbook || (SET_CAPACITY_KINDS as readonly string[]).includes(t.kind))
      ? new DataRunbooks(this, 'DataRunbooks', { config, stateTable: this.stateTable, logRetention, powertools, notifications: this.notifications })
      : undefined;
    this.dataRunbooks = dataRunbooks;
    for (const [kind, runbook] of Object.entries(dataRunbooks?.runbooks ?? {})) {
      const { family, runbook: declared } = TARGET_KINDS[kind as TargetKind];
      functions[family]!.addEnvironment(declared!.arnEnv, runbook.stateMachine.stateMachineArn);
    }

    // Redis brokers' queue depths: one reader in the brokers' VPC publishes them for the queue function.
    const brokerReader = config.targets.some((t) => t.kind === 'redis-workers')
      ? new BrokerReader(this, 'BrokerReader', { config, deadLetterQueue: this.deadLetterQueue, logRetention, powertools })
      : undefined;
    this.brokerReader = brokerReader;

    const targetsScope = new Construct(this, 'Targets');
    this.alarmStacks =
      alarmCount > MAIN_STACK_ALARMS
        ? new AlarmStacks(this, 'AlarmStacks', {
            targetsScope,
            resourcesPerStack: ALARMS_PER_NESTED_STACK,
            description: `${config.prefix} autoscaler: alarms and dashboards of ${config.targets.length} targets`,
          })
        : undefined;
    const targets: Record<string, ScalingTarget> = {};
    const alarms: Record<string, cloudwatch.CfnAlarm> = {};
    for (const target of config.targets) {
      const kind = kindOf(target);
      const construct = infrastructureOf(target).construct(targetsScope, target, {
        prefix: config.prefix,
        permissions: config.permissions,
        handler: functions[kind.family]!,
        runbook: kind.runbook ? { stateMachine: dataRunbooks!.stateMachine(target.kind), taskFunction: dataRunbooks!.taskFunction } : undefined,
        setCapacity: dataRunbooks?.setCapacity ? dataRunbooks.taskFunction : undefined,
        brokerReader: brokerReader?.function,
      });
      targets[target.id] = construct;
      Object.assign(alarms, construct.alarms);
    }
    this.targets = targets;
    this.alarms = alarms;
    this.alerts = alerts.length ? new AlertAlarms(targetsScope, 'Alerts', { specs: alerts, topic: this.notifications.topic }).alarms : {};

    // 3. Wire: per family, alarm state changes and the 1-minute re-evaluation into its function.
    const rules: Partial<Record<Family, events.Rule>> = {};
    const schedules: Partial<Record<Family, scheduler.CfnSchedule>> = {};
    for (const family of families) {
      const handler = functions[family]!;
      // A family whose kinds watch no metric (cdn) gets no alarm rule: its deploy rules (below) and its schedule drive it.
      if (FAMILY_NAMESPACES[family].length)
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
    this.windowSchedules = config.windows.length
      ? new CapacityWindowSchedules(this, 'CapacityWindows', { config, functions, deadLetterQueue: this.deadLetterQueue })
      : undefined;
    this.deployRules = functions.cdn
      ? new CdnDeployRules(this, 'CdnDeployRules', { config, handler: functions.cdn, deadLetterQueue: this.deadLetterQueue }).rules
      : {};

    // 4. Watch: the autoscaler's own health and a dashboard, and the outputs the operator CLI reads.
    this.selfAlarms = new SelfAlarms(this, 'SelfAlarms', {
      prefix: config.prefix,
      topic: this.notifications.topic,
      deadLetterQueue: this.deadLetterQueue,
      functions,
    });
    if (brokerReader) this.selfAlarms.addFunction('broker-reader', brokerReader.function);
    // The operator API, when asked for: the same state and control core as the CLI.
    if (config.api.enabled) {
      this.api = new OperatorApi(this, 'OperatorApi', {
        config,
        stateTable: this.stateTable,
        notifications: this.notifications,
        logRetention,
        powertools,
      });
      this.selfAlarms.addFunction('control-api', this.api.function);
    }
    // The daily recommendations, when asked for: each target's history replayed with candidate settings.
    if (config.recommendations.enabled) {
      this.recommender = new DailyRecommender(this, 'Recommender', {
        config,
        stateTable: this.stateTable,
        deadLetterQueue: this.deadLetterQueue,
        logRetention,
        powertools,
      });
      this.selfAlarms.addFunction('recommender', this.recommender.function);
      this.selfAlarms.addStateMachine('recommend', this.recommender.stateMachine);
    }
    this.dashboard = new AutoscalerDashboard(this, 'Dashboard', { config, functions, deadLetterQueue: this.deadLetterQueue });
    this.output(OUTPUT_KEYS.prefix, config.prefix, 'Prefix of the alarm names');
    this.output(OUTPUT_KEYS.stateTableName, this.stateTable.tableName, 'State table: leases, switches, audit');
    this.output(OUTPUT_KEYS.topicArn, this.notifications.topic.topicArn, 'Notification topic');
    this.output(OUTPUT_KEYS.deadLetterQueueUrl, this.deadLetterQueue.queueUrl, 'Dead-letter queue');
    this.output(OUTPUT_KEYS.dashboardName, this.dashboard.dashboard.dashboardName, 'CloudWatch dashboard');
    if (this.api) this.output(API_URL_OUTPUT, this.api.url, 'Operator API (IAM-authorized)');
    for (const [kind, runbook] of Object.entries(dataRunbooks?.runbooks ?? {}))
      this.addRunbook(TARGET_KINDS[kind as TargetKind].runbook!.name, runbook.stateMachine);
    if (dataRunbooks?.setCapacity) this.addRunbook(SET_CAPACITY_RUNBOOK, dataRunbooks.setCapacity.stateMachine);
    if (functions.cdn) {
      this.invalidateRunbook = new InvalidateRunbook(this, 'InvalidateRunbook', { prefix: config.prefix, fn: functions.cdn, logRetention });
      this.addRunbook(INVALIDATE_RUNBOOK, this.invalidateRunbook.stateMachine);
    }

    // 5. Refuse at synth what AWS would refuse at deploy: measured once everything is built and the
    //    CDK has split the large role policies (lib/limits.ts).
    const managedPerRole = managedPoliciesPerRole(this);
    this.node.addValidation({ validate: () => limitProblems(footprintOf(this), managedPerRole) });
  }

  /**
   * Registers a state machine as a runbook an operator starts by name: a stack output for the CLI,
   * an alarm on its failed executions, a graph on the dashboard.
   */
  addRunbook(name: string, machine: sfn.IStateMachine): void {
    if (!RUNBOOK_NAME.test(name)) throw new Error(`runbook name "${name}" must be 1-40 lowercase letters, digits or dashes, starting with a letter`);
    if (this.runbooks[name]) throw new Error(`runbook "${name}" is already registered`);
    this.runbooks[name] = machine;
    this.selfAlarms.addStateMachine(name, machine);
    this.dashboard.addStateMachine(name, machine);
    this.output(runbookOutputKey(name), machine.stateMachineArn, `Runbook "${name}"`);
  }

  /** A stack output under an exact key (one Autoscaler per stack), so the CLI finds it by name. */
  private output(key: string, value: string, description: string): void {
    new CfnOutput(Stack.of(this), key, { value, description });
  }
}

function pascal(s: string): string {
  return s
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

/** `-c autoscaler:powertools=layer|bundled|public-layer`; unset is `layer`. */
function powertoolsContext(scope: Construct): PowertoolsSource {
  const stated: unknown = scope.node.tryGetContext(POWERTOOLS_CONTEXT_KEY);
  if (stated === undefined) return 'layer';
  if ((POWERTOOLS_SOURCES as readonly unknown[]).includes(stated)) return stated as PowertoolsSource;
  throw new Error(`-c ${POWERTOOLS_CONTEXT_KEY}=${String(stated)}: must be one of ${POWERTOOLS_SOURCES.join(', ')}`);
}
