/**
 * The one place that wires the deployment's functions (the families', the runbook tasks', the broker
 * reader's, the operator API's): runtime, bundling, logging, tracing, and for the families async
 * invocation and the dead-letter queue every failure ends in. Target constructs only add the
 * permissions their target needs, through the grant helpers below.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArnFormat, Duration, Stack, Stage, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { type BundlingOptions, LogLevel, NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import type { Family } from '../../lambdas/shared/alarms';
import { BUNDLED_CONFIG_FILE } from '../../lambdas/shared/bundled-config';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { IDEMPOTENCY_TABLE_ENV, STATE_TABLE_ENV, TOPIC_ARN_ENV } from '../../lambdas/shared/environment';
import type { NotificationTopic } from '../monitoring/topic';
import { acknowledgeWildcardResource } from './nag';
import { POWERTOOLS_LAYER_MODULE, powertoolsAliases, powertoolsOwnLayer, powertoolsShimSources, writePowertoolsShims } from './powertools-layer';

/** Root of the repository: the esbuild project root and where package-lock.json lives. */
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

/** The handler of each action family; one function per family, whatever the number of targets. */
export const FAMILY_ENTRIES: Readonly<Record<Family, string>> = {
  capacity: path.join(PROJECT_ROOT, 'lambdas', 'scalers', 'capacity', 'handler.ts'),
  cdn: path.join(PROJECT_ROOT, 'lambdas', 'scalers', 'cdn', 'handler.ts'),
  database: path.join(PROJECT_ROOT, 'lambdas', 'scalers', 'database', 'handler.ts'),
  queue: path.join(PROJECT_ROOT, 'lambdas', 'scalers', 'queue', 'handler.ts'),
};

/** Attempts Lambda, EventBridge and the scheduler make after a failed asynchronous delivery. */
export const ASYNC_RETRY_ATTEMPTS = 2;
/** Oldest an event may be and still be delivered; older ones go to the dead-letter queue. */
export const ASYNC_MAX_EVENT_AGE = Duration.minutes(15);

/**
 * The queue every failed invocation ends in: the functions' on-failure destination, the EventBridge
 * rule targets' and the schedules' dead-letter queue. Encrypted (SSE-SQS), TLS only, messages kept 14 days.
 */
export function createDeadLetterQueue(scope: Construct, id: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  // cdk-nag's SQS3 recognizes a dead-letter queue only by another queue's redrive policy or a
  // function's DeadLetterConfig; this one is reached through on-failure destinations and rule and
  // schedule dead-letter configs instead.
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      "This queue is the dead-letter queue: the functions' on-failure destination and the EventBridge rules' and schedules' dead-letter queue. Nothing consumes it but a person, so it has no dead-letter queue of its own.",
  });
  return queue;
}

export interface FamilyFunctionProps {
  /** The action family this function handles. */
  readonly family: Family;
  /** The parsed config, shipped beside the function's bundle as `autoscaler-config.json`. */
  readonly config: AutoscalerConfig;
  /** Leases, cooldowns and the audit trail. */
  readonly stateTable: dynamodb.ITable;
  /** Powertools idempotency records. */
  readonly idempotencyTable: dynamodb.ITable;
  /** Where failed asynchronous invocations go. */
  readonly deadLetterQueue: sqs.IQueue;
  /** How long the function's log group keeps its events. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Where the function announces actions, refusals and failures (`TOPIC_ARN`).
   * @default no notifications
   */
  readonly notifications?: NotificationTopic;
  /**
   * The handler file.
   * @default FAMILY_ENTRIES[family]
   */
  readonly entry?: string;
  /**
   * Where the function finds Powertools.
   * @default 'layer'
   */
  readonly powertools?: PowertoolsSource;
}

/**
 * Where the functions find Powertools (logger, metrics, tracer, idempotency):
 * - `layer`: the deployment's own layer, Powertools as one minified module built at synth from the
 *   packages installed here (lib/shared/powertools-layer.ts);
 * - `bundled`: in each function's bundle;
 * - `public-layer`: Powertools' public Lambda layer at the installed version.
 */
export type PowertoolsSource = 'layer' | 'bundled' | 'public-layer';

export const POWERTOOLS_SOURCES: readonly PowertoolsSource[] = ['layer', 'bundled', 'public-layer'];

/**
 * The packages Powertools' public Lambda layer holds, at one version with their dependencies
 * (aws-powertools/powertools-lambda-typescript, layers/src/layer-publisher-stack.ts). Middy is not
 * among them: it stays in the bundles.
 */
export const POWERTOOLS_LAYER_PACKAGES: readonly string[] = [
  'commons',
  'jmespath',
  'logger',
  'metrics',
  'tracer',
  'parameters',
  'idempotency',
  'batch',
  'parser',
].map((p) => `@aws-lambda-powertools/${p}`);

/** `cdk synth -c autoscaler:powertools=bundled`: the CLI's way to `AutoscalerProps.powertools`. */
export const POWERTOOLS_CONTEXT_KEY = 'autoscaler:powertools';

/**
 * The Powertools version installed here, which the layer must serve: every `@aws-lambda-powertools/*`
 * dependency of package.json as installed in node_modules, one version for all (the layer serves one).
 */
export function powertoolsVersion(root: string = PROJECT_ROOT): string {
  const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string; dependencies?: Record<string, string> };
  const names = Object.keys(readJson(path.join(root, 'package.json')).dependencies ?? {}).filter((n) => n.startsWith('@aws-lambda-powertools/'));
  const installed = new Map(names.map((n) => [n, readJson(path.join(root, 'node_modules', n, 'package.json')).version]));
  const versions = new Set(installed.values());
  if (versions.size !== 1)
    throw new Error(
      `The Powertools packages must be installed at one version, which its Lambda layer serves: ${[...installed].map(([n, v]) => `${n}@${v}`).join(', ')}`,
    );
  return [...versions][0];
}

/**
 * The public SSM parameter that holds the ARN of Powertools' layer of `version` in the stack's region
 * (Powertools docs, getting-started/lambda-layers.md, "Lookup Layer ARN via AWS SSM Parameter Store").
 */
export function powertoolsLayerParameter(version: string): string {
  return `/aws/service/powertools/typescript/generic/all/${version}`;
}

/**
 * Powertools' public layer at the installed version, one reference per stack. Its ARN is a CloudFormation
 * dynamic reference to the public parameter (the Powertools docs' SAM example puts the same reference in
 * a function's Layers), resolved at deploy in the stack's region: no template parameter, and the layer
 * is the one of the version tested here, never `latest`. A region the layer is not published in fails
 * the deploy on the missing parameter: `powertools: 'layer'` (the default) is the way out.
 */
export function powertoolsLayer(scope: Construct): lambda.ILayerVersion {
  const stack = Stack.of(scope);
  const id = 'PowertoolsLayer';
  const existing = stack.node.tryFindChild(id) as lambda.ILayerVersion | undefined;
  return existing ?? lambda.LayerVersion.fromLayerVersionArn(stack, id, `{{resolve:ssm:${powertoolsLayerParameter(powertoolsVersion())}}}`);
}

/**
 * What esbuild leaves to the runtime: the AWS SDK v3, and Powertools when a layer serves it (the own
 * layer's modules, `autoscaler-powertools/<module>`, which the Powertools imports are aliased to:
 * `powertoolsAliases`; esbuild leaves a package's subpaths out with it).
 */
export function externalModules(powertools: PowertoolsSource): string[] {
  if (powertools === 'layer') return ['@aws-sdk/*', POWERTOOLS_LAYER_MODULE];
  return powertools === 'bundled' ? ['@aws-sdk/*'] : ['@aws-sdk/*', '@aws-lambda-powertools/*'];
}

/** esbuild's `external` and `alias` for a bundle whose Powertools comes from `powertools`; shims under `shimDir()`, asked for only for the own layer. */
function powertoolsBuildOptions(powertools: PowertoolsSource, shimDir: () => string): { external: string[]; alias: Record<string, string> } {
  return { external: externalModules(powertools), alias: powertools === 'layer' ? powertoolsAliases(shimDir()) : {} };
}

/**
 * What `functionBundling` asks of esbuild, as esbuild's build options, for the bench and the tests that
 * build a function's bundle themselves: CommonJS, minified, for Node.js, the AWS SDK left to the
 * runtime and Powertools to `powertools` (shims under `shimDir`, written by `writePowertoolsShims`).
 */
export function functionBuildOptions(powertools: PowertoolsSource, shimDir: string): BuildOptions {
  return { bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, ...powertoolsBuildOptions(powertools, () => shimDir) };
}

/** The layer that serves Powertools to a function of `scope`'s stack, if one does. */
function powertoolsLayers(scope: Construct, powertools: PowertoolsSource): lambda.ILayerVersion[] | undefined {
  if (powertools === 'layer') return [powertoolsOwnLayer(scope)];
  if (powertools === 'public-layer') return [powertoolsLayer(scope)];
  return undefined;
}

/**
 * How every function of the deployment is bundled: CommonJS, minified with a source map, the AWS SDK
 * v3 left to the runtime, Powertools left to a layer (or in the bundle: `powertools`), and the parsed config beside the bundle (`autoscaler-config.json`, read at
 * cold start: lambdas/shared/bundled-config.ts). The config is written once per synth into the cloud
 * assembly and copied in after esbuild runs, so its size never reaches a command line.
 */
export function functionBundling(scope: Construct, config: AutoscalerConfig, powertools: PowertoolsSource = 'layer'): BundlingOptions {
  const file = configFile(scope, config);
  const { external, alias } = powertoolsBuildOptions(powertools, () => shimDirectory(scope));
  return {
    format: OutputFormat.CJS,
    externalModules: external,
    esbuildArgs: Object.fromEntries(Object.entries(alias).map(([from, to]) => [`--alias:${from}`, to])),
    minify: true,
    sourceMap: true,
    // The map names the sources without holding them: with --enable-source-maps (NODE_OPTIONS below)
    // Node reads and parses a bundle's map as it loads it, at every cold start, and the sources'
    // text made the recommender's 950 KiB, some 7 ms of its init where measured, 3 ms without.
    sourcesContent: false,
    // esbuild's own summary of each bundle (file sizes) is noise on a synth of several functions; its
    // warnings and errors still print.
    logLevel: LogLevel.WARNING,
    // Local bundling (esbuild is a devDependency); the hook runs on this machine, where `file` is.
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir, outputDir) => [`cp ${shellQuoted(file)} ${shellQuoted(path.join(outputDir, BUNDLED_CONFIG_FILE))}`],
    },
  };
}

/** The Powertools shims in the cloud assembly directory, named by a hash of their sources (one directory however many functions). */
function shimDirectory(scope: Construct): string {
  const hash = crypto.createHash('sha256').update(JSON.stringify(powertoolsShimSources())).digest('hex').slice(0, 16);
  return inAssembly(scope, `autoscaler-powertools-shims.${hash}`, writePowertoolsShims);
}

/** The parsed config as JSON in the cloud assembly directory, named by its hash (one file however many functions). */
function configFile(scope: Construct, config: AutoscalerConfig): string {
  const json = JSON.stringify(config);
  const hash = crypto.createHash('sha256').update(json).digest('hex').slice(0, 16);
  return inAssembly(scope, `autoscaler-config.${hash}.json`, (file) => fs.writeFileSync(file, json));
}

/**
 * `name` in the cloud assembly directory, written by `write` unless it is there already: into a path of
 * its own, then renamed, so another synth into the same directory finds it whole or not at all.
 */
function inAssembly(scope: Construct, name: string, write: (at: string) => void): string {
  const outdir = Stage.of(scope)?.outdir ?? os.tmpdir();
  const at = path.join(outdir, name);
  if (!fs.existsSync(at)) {
    fs.mkdirSync(outdir, { recursive: true });
    const building = `${at}.building-${process.pid}`;
    write(building);
    fs.renameSync(building, at);
  }
  return at;
}

function shellQuoted(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** What differs between the deployment's functions; everything else is the same for all of them. */
export interface ProjectFunctionProps {
  /** The parsed config, shipped beside the function's bundle as `autoscaler-config.json`. */
  readonly config: AutoscalerConfig;
  /** How long the function's log group keeps its events. */
  readonly logRetention: logs.RetentionDays;
  /** The handler file. */
  readonly entry: string;
  /** What the function does: its description is `<prefix> autoscaler: <purpose>`. */
  readonly purpose: string;
  /** Whose role it is: `Execution role of the <prefix> autoscaler <roleOf>`. */
  readonly roleOf: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Its own variables, before the Powertools service name and source maps every function has. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Asynchronous invocation: retries, event age, the failure destination. @default Lambda's defaults */
  readonly async?: Pick<NodejsFunctionProps, 'retryAttempts' | 'maxEventAge' | 'onFailure'>;
  /** Construct ids of the log group and the role. @default `<id>LogGroup`, `<id>Role` */
  readonly logGroupId?: string;
  readonly roleId?: string;
  /**
   * Where the function finds Powertools.
   * @default 'layer'
   */
  readonly powertools?: PowertoolsSource;
}

/**
 * One of the deployment's functions with its own role (no AWS managed policy: it may write to its own
 * log group only), its log group, arm64 on Node.js 24, active tracing, the bundled config and
 * Powertools from a layer (or in the bundle). The caller grants what the function's code calls.
 */
export function createProjectFunction(scope: Construct, id: string, props: ProjectFunctionProps): { fn: NodejsFunction; role: iam.Role } {
  const { config } = props;
  const powertools = props.powertools ?? 'layer';
  const logGroup = new logs.LogGroup(scope, props.logGroupId ?? `${id}LogGroup`, { retention: props.logRetention });
  const role = new iam.Role(scope, props.roleId ?? `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of the ${config.prefix} autoscaler ${props.roleOf}`,
  });
  const fn = new NodejsFunction(scope, id, {
    description: `${config.prefix} autoscaler: ${props.purpose}`,
    entry: props.entry,
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    tracing: lambda.Tracing.ACTIVE,
    role,
    logGroup,
    environment: { ...props.environment, POWERTOOLS_SERVICE_NAME: 'autoscaler', NODE_OPTIONS: '--enable-source-maps' },
    bundling: functionBundling(scope, config, powertools),
    layers: powertoolsLayers(scope, powertools),
    ...props.async,
  });
  logGroup.grantWrite(role);
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
  });
  return { fn, role };
}

/**
 * A family's function (createProjectFunction) with its table access and asynchronous failure
 * handling: retried, then its record in the dead-letter queue.
 */
export function createFamilyFunction(scope: Construct, id: string, props: FamilyFunctionProps): NodejsFunction {
  const { config, family } = props;
  const { fn } = createProjectFunction(scope, id, {
    config,
    logRetention: props.logRetention,
    entry: props.entry ?? FAMILY_ENTRIES[family],
    purpose: `${family} family (alarm state changes and 1-minute re-evaluation)`,
    roleOf: `${family} function`,
    memorySize: 512,
    timeout: Duration.seconds(60),
    powertools: props.powertools,
    environment: {
      [STATE_TABLE_ENV]: props.stateTable.tableName,
      ...(IDEMPOTENCY_TABLE_ACTIONS[family].length ? { [IDEMPOTENCY_TABLE_ENV]: props.idempotencyTable.tableName } : {}),
      ...(props.notifications ? { [TOPIC_ARN_ENV]: props.notifications.topic.topicArn } : {}),
      POWERTOOLS_METRICS_NAMESPACE: 'Autoscaler',
    },
    async: {
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: ASYNC_MAX_EVENT_AGE,
      // One way to the dead-letter queue, not two: Lambda takes destinations "in addition to or instead
      // of a dead-letter queue", and with both a failed event reached this queue twice. The on-failure
      // destination is the one kept: its record carries the request and the response (error type and
      // message, attempts, why it was given up), where for a dead-letter queue "Lambda only sends the
      // content of the event" (Lambda Developer Guide, capturing records of asynchronous invocations).
      onFailure: new destinations.SqsDestination(props.deadLetterQueue),
    },
  });
  props.stateTable.grant(fn, ...STATE_TABLE_ACTIONS[family]);
  if (IDEMPOTENCY_TABLE_ACTIONS[family].length) props.idempotencyTable.grant(fn, ...IDEMPOTENCY_TABLE_ACTIONS[family]);
  props.notifications?.grantPublish(fn);
  return fn;
}

/**
 * The DynamoDB actions each family's code sends to the state table (lambdas/state/dynamo.ts: leases
 * and records are updates, switches a batch read, an override a read, the audit trail puts; the
 * capacity and database schedules query the overrides, the cdn family's invalidation batches are
 * updates and a query) and Powertools' idempotency layer sends to its table (put the
 * in-progress record, read it back for a duplicate when the put's answer does not carry it, update it
 * with the result, delete it when the work fails so a retry runs it).
 * The cdn function keeps no idempotency records. Exact, not read-write: test/faults/R29 fails on a
 * call that is not allowed and on an action no call needs.
 */
export const STATE_TABLE_ACTIONS: Readonly<Record<Family, readonly string[]>> = {
  capacity: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
  queue: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  database: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
  cdn: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
};
export const IDEMPOTENCY_TABLE_ACTIONS: Readonly<Record<Family, readonly string[]>> = {
  capacity: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  queue: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  database: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  cdn: [],
};

/**
 * cloudwatch:DescribeAlarms on this deployment's alarms (name prefix `<prefix>/`), for the functions
 * that re-evaluate alarms still in ALARM. In a policy of its own with the acknowledgement of its
 * wildcard next to it; once per function.
 */
export function grantAlarmStateReads(fn: lambda.IFunction, prefix: string): void {
  const id = 'DescribeAlarmsPolicy';
  if (fn.node.tryFindChild(id)) return;
  const alarmsArn = Stack.of(fn).formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `${prefix}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const policy = new iam.Policy(fn, id, { statements: [new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [alarmsArn] })] });
  fn.role!.attachInlinePolicy(policy);
  acknowledgeWildcardResource(
    policy,
    alarmsArn,
    `cloudwatch:DescribeAlarms is scoped to this deployment's alarms by their name prefix "${prefix}/"; the alarm names below it are the configured targets' alarms.`,
  );
}

/**
 * Grants actions that support no resource-level permissions, in a policy of their own so that the
 * acknowledgement of their `*` covers them and nothing else. Idempotent per id: target constructs of
 * the same family may all ask for the same grant.
 */
export function grantUnscoped(fn: lambda.IFunction, id: string, actions: string[], reason: string): iam.Policy {
  const existing = fn.node.tryFindChild(id);
  if (existing) return existing as iam.Policy;
  const policy = new iam.Policy(fn, id, {
    statements: [new iam.PolicyStatement({ actions, resources: ['*'] })],
  });
  fn.role!.attachInlinePolicy(policy);
  Validations.of(policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
  return policy;
}

/** CloudWatch metric reads for the engine's observation (GetMetricData has no resource-level permissions). */
export function grantMetricReads(fn: lambda.IFunction): void {
  grantUnscoped(
    fn,
    'GetMetricDataPolicy',
    ['cloudwatch:GetMetricData'],
    'cloudwatch:GetMetricData supports no resource-level permissions; it only reads metrics.',
  );
}
