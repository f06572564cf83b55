/**
 * The daily recommender (config `recommendations.enabled`): a Standard state machine, started every
 * day by EventBridge Scheduler, whose Distributed Map hands the targets the recommender replays
 * (lambdas/shared/recommendations.ts) to one function in batches (lambdas/recommender): each target's
 * last 14 days from CloudWatch, replayed with its settings and a few candidates, the latest
 * recommendation written to the state table (GET /recommendations serves it).
 *
 * Sizing, from the replay time measured on one core (sim/recommend.ts over 14 days of one-minute rows,
 * a web target's 8 candidates and a queue's 9): 21 s and 11 s bundled as deployed (esbuild, minified),
 * 71 s and 88 s run from source through tsx on a loaded machine. REPLAY_SECONDS_PER_TARGET takes the
 * slowest, 90 s, so a Lambda vCPU slower than the one measured on still fits: 5,000 targets x 90 s /
 * 150 batches at once = 3,000 s, 50 minutes, within the hour. A batch of 5 targets then takes at most
 * 450 s, half the function's 15-minute timeout.
 *
 * Step Functions caps a state's input and output at 256 KiB ("Maximum input or output size for a task,
 * state, or execution": 262,144 bytes, Step Functions API Reference, e.g. StateEnteredEventDetails).
 * 5,000 target ids of up to 40 characters would be about 215 KB in the Map's input, too close; the Map
 * iterates over the targets' indices instead (about 25 KB for 5,000), which the function resolves
 * against the same bundled config, and discards the children's results.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { AutoscalerConfig } from '../lambdas/shared/config';
import { STATE_TABLE_ENV } from '../lambdas/shared/environment';
import { recommendedTargets } from '../lambdas/shared/recommendations';
import { LAMBDA_ERRORS, LAMBDA_RETRY } from './runbooks/runbook';
import { ASYNC_RETRY_ATTEMPTS, createProjectFunction, grantMetricReads, type PowertoolsSource, PROJECT_ROOT } from './shared/function';
import { acknowledgeStateMachineLogsAndTracing, acknowledgeWildcardResource, flattenCfnValue } from './shared/nag';

/** The recommender's handler file. */
export const RECOMMENDER_ENTRY = path.join(PROJECT_ROOT, 'lambdas', 'recommender', 'handler.ts');

/** Seconds one target's 14-day replay takes on one core: the slowest measured (88 s, from source), rounded up; bundled it took 11-21 s. */
export const REPLAY_SECONDS_PER_TARGET = 90;
/** Targets one invocation replays: 5 x 90 s = 450 s, half the 15-minute timeout. */
export const TARGETS_PER_BATCH = 5;
/** Batches replayed at once: 5,000 targets x 90 s / 150 = 3,000 s. Lambda's default account concurrency is 1,000. */
export const MAX_CONCURRENT_BATCHES = 150;
/** Every day at 03:00 UTC, after most traffic's daily peak has been recorded. */
export const RECOMMENDER_SCHEDULE = 'cron(0 3 * * ? *)';

/** The DynamoDB action the recommender's code sends to the state table (lambdas/state/dynamo.ts putRecommendation). */
export const RECOMMENDER_STATE_TABLE_ACTIONS = ['dynamodb:PutItem'];

export interface DailyRecommenderProps {
  /** The parsed config, bundled with the function. */
  readonly config: AutoscalerConfig;
  /** Where the latest recommendation per target is kept. */
  readonly stateTable: dynamodb.ITable;
  /** Where a start the scheduler could not deliver goes. */
  readonly deadLetterQueue: sqs.IQueue;
  /** How long the function's and the state machine's log groups keep their events. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Where the function finds Powertools (`PowertoolsSource`).
   * @default 'layer'
   */
  readonly powertools?: PowertoolsSource;
}

export class DailyRecommender extends Construct {
  /** The function that replays a batch of targets. */
  public readonly function: NodejsFunction;
  /** `<prefix>-recommend`: a Distributed Map over the targets' indices. */
  public readonly stateMachine: sfn.StateMachine;
  /** Starts the state machine every day. */
  public readonly schedule: scheduler.CfnSchedule;
  /** How many targets a run replays. */
  public readonly targetCount: number;

  constructor(scope: Construct, id: string, props: DailyRecommenderProps) {
    super(scope, id);
    // 1. Validate: something to replay.
    const { config } = props;
    this.targetCount = recommendedTargets(config).length;
    if (this.targetCount === 0) {
      throw new Error(
        'recommendations.enabled: no target to replay; the recommender replays queue-workers targets and asg or ecs-service targets with targetGroup.requestsPerTarget (not policy: step)',
      );
    }

    // 2. Build: the function, the state machine, the schedule.
    this.function = createProjectFunction(this, 'Function', {
      config,
      logRetention: props.logRetention,
      entry: RECOMMENDER_ENTRY,
      powertools: props.powertools,
      purpose: "daily recommender (replays each target's last 14 days with candidate settings)",
      roleOf: 'recommender',
      // 1,769 MB is one full vCPU (Lambda Developer Guide, "Configure Lambda function memory"): the replay is single-threaded CPU work.
      memorySize: 1769,
      timeout: Duration.minutes(15),
      environment: { [STATE_TABLE_ENV]: props.stateTable.tableName },
    }).fn;

    const targets = new sfn.Pass(this, 'Targets', {
      comment: 'The indices of the targets to replay in the bundled config (lambdas/shared/recommendations.ts)',
      result: sfn.Result.fromObject({ indices: Array.from({ length: this.targetCount }, (_, i) => i) }),
    });
    const replay = new tasks.LambdaInvoke(this, 'ReplayBatch', {
      lambdaFunction: this.function,
      comment: 'Replays each target of the batch on its own history and stores its latest recommendation',
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    });
    replay.addRetry({ errors: [...LAMBDA_ERRORS], ...LAMBDA_RETRY });
    const map = new sfn.DistributedMap(this, 'Recommend', {
      comment: 'Every target, in batches, a bounded number at once',
      itemsPath: sfn.JsonPath.stringAt('$.indices'),
      itemBatcher: new sfn.ItemBatcher({ maxItemsPerBatch: TARGETS_PER_BATCH }),
      maxConcurrency: MAX_CONCURRENT_BATCHES,
      // A batch may run for minutes: Standard children (Express ones stop at 5 minutes).
      mapExecutionType: sfn.StateMachineType.STANDARD,
      // A failed batch fails its targets' recommendations, not the others'.
      toleratedFailurePercentage: 100,
      resultPath: sfn.JsonPath.DISCARD,
    });
    map.itemProcessor(replay);

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/vendedlogs/states/${config.prefix}-recommend`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${config.prefix}-recommend`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: `${config.prefix}: the daily recommendations of ${this.targetCount} targets`,
      definitionBody: sfn.DefinitionBody.fromChainable(targets.next(map)),
      // The sizing above plans for under an hour; two leave room for retries before the next day's run.
      timeout: Duration.hours(2),
      tracingEnabled: true,
      // Every event, as cdk-nag's SF1 asks; without the execution data (a batch's target indices and counts say nothing more).
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledgeStateMachineLogsAndTracing(this.stateMachine.role);
    acknowledgeWildcardResource(
      this.stateMachine.role,
      `${this.function.functionArn}:*`,
      "The Lambda task's grant names the function and its versions (<arn>:*): the recommender function only.",
    );
    // The Distributed Map's own grant (the CDK adds it): start, describe and stop its child executions,
    // which are executions of this state machine only.
    const mapPolicy = this.stateMachine.node.tryFindChild('DistributedMapPolicy') as iam.Policy | undefined;
    for (const statement of (Stack.of(this).resolve(mapPolicy?.document.toJSON())?.Statement ?? []) as { Resource: unknown }[]) {
      for (const resource of [statement.Resource].flat()) {
        const flat = flattenCfnValue(resource);
        if (flat.includes('*'))
          Validations.of(mapPolicy as iam.Policy).acknowledge({
            id: `AwsSolutions-IAM5[Resource::${flat}]`,
            reason: "The Distributed Map's child executions are executions of this state machine only: their ARNs end in a wildcard.",
          });
      }
    }

    const role = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `EventBridge Scheduler role of the ${config.prefix} daily recommendations`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }));
    role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }));
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: `Starts ${config.prefix}-recommend: every target's recommendation from its last 14 days`,
      scheduleExpression: RECOMMENDER_SCHEDULE,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.stateMachine.stateMachineArn,
        roleArn: role.roleArn,
        input: '{}',
        retryPolicy: { maximumRetryAttempts: ASYNC_RETRY_ATTEMPTS, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
      },
    });
    this.schedule.node.addDependency(role);

    // 3. Wire: the metric reads and the one write the function makes.
    grantMetricReads(this.function);
    props.stateTable.grant(this.function, ...RECOMMENDER_STATE_TABLE_ACTIONS);
  }
}
