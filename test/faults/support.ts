/**
 * The fault suite's harness: the real capacity handler (middy, Powertools idempotency, zod parsing,
 * CapacityService, the adapters), the real DynamoStateStore and Powertools' DynamoDB idempotency layer
 * on dynalite, and the simulator's in-memory AWS (Auto Scaling, ECS, CloudWatch with its metric store
 * and alarm evaluator) recording every call, wrapped by `withFaults` where a case injects errors, and
 * under `withSdkRetries`, which stands for the deployed SDK's retry policy (the service throttles, the
 * SDK retries, the adapter sees what is left). Time is a simulated clock that Date.now follows, so
 * idempotency expiry and leases run on it too.
 */

import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type { Notification, Notifier } from '../../lambdas/adapters/sns';
import type { SendClient } from '../../lambdas/adapters/types';
import { createCapacityHandler } from '../../lambdas/scalers/capacity/handler';
import type { CapacityResult } from '../../lambdas/scalers/capacity/service';
import { allAlarms, capacityMetrics } from '../../lambdas/shared/alarms';
import { type AutoscalerConfig, type CapacityTarget, parseConfig } from '../../lambdas/shared/config';
import { dynamoPersistence, memoryPersistence } from '../../lambdas/shared/idempotency';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import { MemoryStateStore } from '../../lambdas/state/memory';
import type { AuditEntry, StateStore } from '../../lambdas/state/store';
import { AlarmEvaluator, type AlarmStateChangeEvent } from '../../sim/cloud/alarms';
import { type CapacityBackend, FakeAutoScaling, FakeEcs } from '../../sim/cloud/capacity';
import { FakeCloudWatch, MetricStore } from '../../sim/cloud/cloudwatch';
import { type FaultOptions, type FaultyClient, type SdkRetryLog, withFaults, withSdkRetries } from '../../sim/cloud/faults';
import { type ApiCall, CallLog } from '../../sim/cloud/recorder';
import type { LocalDynamo } from '../support/dynalite';

/** Monday 5 January 2026, 10:00 UTC: the suite's epoch. */
export const T0 = Date.parse('2026-01-05T10:00:00Z');
const MINUTE = 60_000;

// dynalite lives in test/support/dynalite.ts, shared with the other suites.
export { LocalDynamo, useDynalite } from '../support/dynalite';

// ------------------------------------------------------------------------------------------ the world

/** A simulated clock; Date.now follows it while a harness is installed. */
export class Clock {
  constructor(public now = T0) {}
  advance(seconds: number): number {
    this.now += seconds * 1000;
    return this.now;
  }
}

/** A fleet behind the fake Auto Scaling group or ECS service: units serve `warmupSeconds` after launch. */
export class Fleet implements CapacityBackend {
  private serial = 0;
  private list: { serial: number; readyAt: number }[] = [];
  /** Every desired count the service was set to, with when. */
  readonly history: { at: number; desired: number }[] = [];

  constructor(
    private readonly clock: Clock,
    initial: number,
    private readonly warmupSeconds = 180,
  ) {
    for (let i = 0; i < initial; i++) this.list.push({ serial: this.serial++, readyAt: clock.now - 3600_000 });
  }

  get desired(): number {
    return this.list.length;
  }

  setDesired(n: number): void {
    this.history.push({ at: this.clock.now, desired: n });
    while (this.list.length < n) this.list.push({ serial: this.serial++, readyAt: this.clock.now + this.warmupSeconds * 1000 });
    // the newest go first, as Auto Scaling's default termination policy roughly does
    if (this.list.length > n) this.list = this.list.slice(0, n);
  }

  units() {
    return this.list.map((u) => ({ serial: u.serial, ready: u.readyAt <= this.clock.now }));
  }
}

/** Commands that change something in AWS; everything else the capacity family calls only reads. */
export function isWrite(call: Pick<ApiCall, 'command'>): boolean {
  return !/^(Describe|Get|List)/.test(call.command);
}

export function lambdaContext(requestId = 'req-1', remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'autoscaler-capacity',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:autoscaler-capacity',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/autoscaler-capacity',
    logStreamName: '2026/01/05/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const GROUP = 'django-web';
export const CLUSTER = 'django';
export const SERVICE = 'api';
const TARGET_GROUP = { loadBalancerFullName: 'app/django/0123456789abcdef', targetGroupFullName: 'targetgroup/web/0123456789abcdef' };

export interface HarnessOptions {
  /** Which target kind the harness's one target is. @default 'asg' */
  readonly kind?: 'asg' | 'ecs-service';
  /** Fields of the target over the harness's defaults (min 2, max 20). */
  readonly target?: Record<string, unknown>;
  /** Top-level config fields (dryRun, maxEventAgeSeconds...). */
  readonly config?: Record<string, unknown>;
  /** More targets, listed before `web`; the in-memory AWS has no group or service of theirs. @default none */
  readonly others?: readonly Record<string, unknown>[];
  /** Desired count at the start. @default 10 */
  readonly initial?: number;
  /** The Auto Scaling group's own MinSize/MaxSize. @default the target's bounds */
  readonly groupMin?: number;
  readonly groupMax?: number;
  /** State store: DynamoDB on dynalite (default when a LocalDynamo is given) or memory. */
  readonly db?: LocalDynamo;
  /**
   * Where idempotency records live: on dynalite with the state store, or in memory where a case is
   * about something else and would only pay for the round trips. @default 'dynamo' when `db` is given
   */
  readonly idempotency?: 'dynamo' | 'memory';
  /** Faults on each client; DynamoDB's wrap the document client under the state store. */
  readonly faults?: { autoScaling?: FaultOptions; ecs?: FaultOptions; cloudWatch?: FaultOptions; dynamo?: FaultOptions };
  /** Replaces the state store (a broken one, for R03/R19). */
  readonly wrapStore?: (store: StateStore) => StateStore;
}

export interface Harness {
  readonly config: AutoscalerConfig;
  readonly target: CapacityTarget;
  readonly clock: Clock;
  readonly fleet: Fleet;
  /** Every call that reached the in-memory AWS (faulted calls that never reached it are not here). */
  readonly calls: CallLog;
  readonly metrics: MetricStore;
  readonly alarms: AlarmEvaluator;
  readonly store: StateStore;
  /** The services as the SDK layer reaches them (wrapped when faults were asked for). */
  readonly clients: { autoScaling: SendClient | FaultyClient; ecs: SendClient | FaultyClient; cloudWatch: SendClient | FaultyClient; dynamo?: FaultyClient };
  /** What the SDK layer above each client did: attempts, simulated waits, calls that ran out of attempts. */
  readonly sdk: { autoScaling: SdkRetryLog; ecs: SdkRetryLog; cloudWatch: SdkRetryLog; dynamo?: SdkRetryLog };
  /** Every backoff the handler's own retry (`withRetry`) waited, in ms; the SDK layer's waits are in `sdk`. */
  readonly sleeps: number[];
  readonly notifications: Notification[];
  readonly handler: (event: unknown, context?: Context) => Promise<CapacityResult>;
  /** Writes that reached AWS. */
  writes(): ApiCall[];
  /** Publishes `cpu` percent (and requests, when the target has a target group) for the last `minutes`, visible now. */
  load(cpu: number, minutes?: number): void;
  /** Evaluates the alarms now; returns their state-change events (serialized, as EventBridge delivers them). */
  evaluate(): AlarmStateChangeEvent[];
  /** The target's audit entries, oldest first. */
  audit(): Promise<AuditEntry[]>;
  /** Puts Date.now back. */
  restore(): void;
}

/** A config with one capacity target `web` (ASG `django-web`, or ECS `django/api`), min 2, max 20. */
export function harnessConfig(options: Pick<HarnessOptions, 'kind' | 'target' | 'config' | 'others'> = {}): AutoscalerConfig {
  const kind = options.kind ?? 'asg';
  const base =
    kind === 'asg' ? { id: 'web', kind, autoScalingGroupName: GROUP, targetGroup: TARGET_GROUP } : { id: 'web', kind, cluster: CLUSTER, service: SERVICE };
  return parseConfig({
    prefix: 'autoscaler',
    ...options.config,
    targets: [...(options.others ?? []), { ...base, minCapacity: 2, maxCapacity: 20, ...options.target }],
  });
}

export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const config = harnessConfig(options);
  const target = config.targets.find((t) => t.id === 'web') as CapacityTarget;
  const clock = new Clock();
  const dateNow = jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
  const calls = new CallLog(() => clock.now);
  const fleet = new Fleet(clock, options.initial ?? 10, target.warmupSeconds);
  const metrics = new MetricStore();
  const alarms = new AlarmEvaluator(allAlarms(config), metrics, {}, clock.now - 3600_000);
  const kind = options.kind ?? 'asg';
  const rawAutoScaling = new FakeAutoScaling(
    kind === 'asg' ? [{ name: GROUP, minSize: options.groupMin ?? target.minCapacity, maxSize: options.groupMax ?? target.maxCapacity, backend: fleet }] : [],
    calls,
  );
  const rawEcs = new FakeEcs(kind === 'ecs-service' ? [{ cluster: CLUSTER, service: SERVICE, backend: fleet }] : [], calls);
  const rawCloudWatch = new FakeCloudWatch(metrics, calls, () => clock.now, alarms);
  const f = options.faults ?? {};
  const autoScaling = f.autoScaling ? withFaults(rawAutoScaling, f.autoScaling) : rawAutoScaling;
  const ecs = f.ecs ? withFaults(rawEcs, f.ecs) : rawEcs;
  const cloudWatch = f.cloudWatch ? withFaults(rawCloudWatch, f.cloudWatch) : rawCloudWatch;
  const sdk = { autoScaling: withSdkRetries(autoScaling), ecs: withSdkRetries(ecs), cloudWatch: withSdkRetries(cloudWatch) };

  let store: StateStore;
  let dynamo: FaultyClient | undefined;
  let dynamoSdk: ReturnType<typeof withSdkRetries> | undefined;
  let idempotency: BasePersistenceLayer;
  if (options.db) {
    // Faults on DynamoDB sit under the SDK layer; without them the real client's own retries serve.
    let doc: unknown = options.db.doc;
    if (f.dynamo) {
      dynamo = withFaults(options.db.doc, f.dynamo);
      dynamoSdk = withSdkRetries(dynamo);
      doc = dynamoSdk;
    }
    store = new DynamoStateStore({ tableName: await options.db.stateTable(), client: doc as unknown as DynamoDBDocumentClient });
    idempotency = options.idempotency === 'memory' ? memoryPersistence() : dynamoPersistence(await options.db.idempotencyTable(), options.db.client);
  } else {
    store = new MemoryStateStore();
    idempotency = memoryPersistence();
  }
  if (options.wrapStore) store = options.wrapStore(store);

  const sleeps: number[] = [];
  const notifications: Notification[] = [];
  const notifier: Notifier = { notify: async (n) => void notifications.push(n) };
  const handle = createCapacityHandler({
    config,
    store,
    autoScaling: sdk.autoScaling,
    ecs: sdk.ecs,
    cloudWatch: sdk.cloudWatch,
    idempotency,
    notifier,
    now: () => clock.now,
    sleep: async (ms) => void sleeps.push(ms),
  });
  let invocations = 0;
  const m = capacityMetrics(target);
  return {
    config,
    target,
    clock,
    fleet,
    calls,
    metrics,
    alarms,
    store,
    clients: { autoScaling, ecs, cloudWatch, dynamo },
    sdk: { autoScaling: sdk.autoScaling.sdk, ecs: sdk.ecs.sdk, cloudWatch: sdk.cloudWatch.sdk, dynamo: dynamoSdk?.sdk },
    sleeps,
    notifications,
    handler: (event, context) => handle(event, context ?? lambdaContext(`req-${++invocations}`)),
    writes: () => calls.calls.filter(isWrite),
    load(cpu, minutes = 15) {
      const end = Math.floor(clock.now / MINUTE) * MINUTE;
      for (let t = end - minutes * MINUTE; t < end; t += MINUTE) {
        metrics.put(m.cpu, t, cpu, t, 5);
        // what the fleet served: ~28 requests/s per unit at 100% CPU
        if (m.requestCount) metrics.put(m.requestCount, t, (cpu / 100) * 28 * 60 * fleet.desired, t);
        if (m.requestCountPerTarget) metrics.put(m.requestCountPerTarget, t, (cpu / 100) * 28 * 60, t);
        if (m.memory) metrics.put(m.memory, t, 40, t);
      }
    },
    evaluate: () => JSON.parse(JSON.stringify(alarms.evaluate(clock.now))) as AlarmStateChangeEvent[],
    audit: async () => (await store.listAudit(target.id, 0, clock.now + 86_400_000, 10_000)).reverse(),
    restore: () => dateNow.mockRestore(),
  };
}

/** An alarm state-change event for `alarmName` at `time` (epoch ms), shaped as EventBridge delivers it. */
export function alarmEvent(alarmName: string, time: number, state: 'ALARM' | 'OK' = 'ALARM', id?: string): AlarmStateChangeEvent {
  const iso = new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ts = new Date(time).toISOString().replace('Z', '+0000');
  return {
    version: '0',
    id: id ?? `evt-${alarmName.replace(/\W/g, '-')}-${time}-${state}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: iso,
    region: 'us-east-1',
    resources: [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: { value: state, reason: 'Threshold Crossed', timestamp: ts },
      previousState: { value: state === 'ALARM' ? 'OK' : 'ALARM', reason: 'Threshold Crossed', timestamp: ts },
      configuration: { description: 'test', metrics: [] },
    },
  };
}

/** The scheduler's 1-minute re-evaluation input at `time`. */
export function scheduleEvent(time: number, family = 'capacity') {
  return {
    source: 'autoscaler.scheduler',
    action: 'reevaluate',
    family,
    scheduledTime: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    executionId: `exec-${time}`,
  };
}

/** Runs `fn` on a fresh harness and puts Date.now back afterwards. */
export async function withHarness(options: HarnessOptions, fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await harness(options);
  try {
    await fn(h);
  } finally {
    h.restore();
  }
}

/** The first event of `events` for the alarm `<prefix>/web/<signal>/<direction>`. */
export function eventOf(events: readonly AlarmStateChangeEvent[], name: string): AlarmStateChangeEvent {
  const e = events.find((x) => x.detail.alarmName === name);
  if (!e) throw new Error(`no state change of ${name} among ${events.map((x) => x.detail.alarmName).join(', ') || 'no events'}`);
  return e;
}

/** The stack of `config` as `cdk synth` builds it (cdk-nag included, bundling skipped), as a Template. */
export function synthesize(config: AutoscalerConfig) {
  // Loaded here so that the handler-only tests do not pay for aws-cdk-lib.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Template } = require('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
  const { buildApp } = require('../../lib/app') as typeof import('../../lib/app');
  const { testApp } = require('../lib/helpers') as typeof import('../lib/helpers');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // The example config's queues are in eu-west-1, account 123456789012: the stack must be there too.
  const built = buildApp(config, { app: testApp(), env: { account: '123456789012', region: 'eu-west-1' } });
  return { ...built, template: Template.fromStack(built.stack) };
}

// ------------------------------------------------------------------ Lambda's asynchronous invocation

type TemplateResources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/** How Lambda invokes one function asynchronously, as the synthesized template configures it. */
export interface AsyncInvokeConfig {
  /** The function's logical id. */
  readonly functionId: string;
  /** What invokes it asynchronously: rule, schedule and event-invoke-config logical ids. */
  readonly invokedBy: string[];
  /** Retries after a failed attempt (EventInvokeConfig MaximumRetryAttempts; Lambda's default 2). */
  readonly maximumRetryAttempts: number;
  /** Oldest an event may be and still be tried (MaximumEventAgeInSeconds; Lambda's default 6 hours). */
  readonly maximumEventAgeSeconds: number;
  /** Logical id of the on-failure destination (DestinationConfig.OnFailure), if any. */
  readonly onFailure?: string;
  /** Logical id of the function's own dead-letter queue (DeadLetterConfig), if any. */
  readonly deadLetter?: string;
  /** Whether an EventInvokeConfig sets both the retries and the event age (not Lambda's defaults). */
  readonly explicit: boolean;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
function refOf(value: unknown): string | undefined {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
}

/**
 * Every function that something invokes asynchronously (an EventBridge rule's target, a scheduler
 * schedule's target, an EventInvokeConfig), with the settings Lambda applies to those invocations.
 */
export function asyncInvokeConfigs(resources: TemplateResources): Map<string, AsyncInvokeConfig> {
  const functions = new Set(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id]) => id),
  );
  const invokers = new Map<string, string[]>();
  const invokedBy = (fn: string | undefined, by: string) => {
    if (fn && functions.has(fn)) invokers.set(fn, [...(invokers.get(fn) ?? []), by]);
  };
  const configs = new Map<string, Record<string, any>>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::Events::Rule') for (const t of r.Properties?.Targets ?? []) invokedBy(refOf(t.Arn), id);
    if (r.Type === 'AWS::Scheduler::Schedule') invokedBy(refOf(r.Properties?.Target?.Arn), id);
    if (r.Type === 'AWS::Lambda::EventInvokeConfig') {
      const fn = refOf(r.Properties?.FunctionName);
      invokedBy(fn, id);
      if (fn) {
        if (configs.has(fn)) throw new Error(`function ${fn} has two EventInvokeConfigs`);
        configs.set(fn, r.Properties!);
      }
    }
  }
  const out = new Map<string, AsyncInvokeConfig>();
  for (const [fn, by] of invokers) {
    const c = configs.get(fn);
    out.set(fn, {
      functionId: fn,
      invokedBy: by,
      maximumRetryAttempts: c?.MaximumRetryAttempts ?? 2,
      maximumEventAgeSeconds: c?.MaximumEventAgeInSeconds ?? 6 * 3600,
      onFailure: refOf(c?.DestinationConfig?.OnFailure?.Destination),
      deadLetter: refOf(resources[fn].Properties?.DeadLetterConfig?.TargetArn),
      explicit: c?.MaximumRetryAttempts !== undefined && c?.MaximumEventAgeInSeconds !== undefined,
    });
  }
  return out;
}

/** The record Lambda sends to an on-failure destination (its documented invocation record). */
export interface InvocationRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetriesExhausted' | 'EventAgeExceeded';
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  readonly responseContext: { readonly statusCode: number; readonly executedVersion: string; readonly functionError: 'Unhandled' };
  readonly responsePayload: { readonly errorType: string; readonly errorMessage: string };
}

/**
 * Lambda's asynchronous invocation of one function, configured from the template: the first attempt,
 * then up to `maximumRetryAttempts` retries (a minute after the first failure, two after the second)
 * while the event is younger than `maximumEventAgeSeconds`; an event that fails them all is sent to
 * the on-failure destination (an invocation record: request, error, condition) and to the function's
 * dead-letter queue (the event alone), each that the template configures. `queues` holds what every
 * queue received, by logical id.
 */
export class LambdaAsync {
  readonly queues = new Map<string, unknown[]>();
  private requests = 0;

  constructor(
    readonly config: AsyncInvokeConfig,
    private readonly target: { handler: (event: unknown) => Promise<unknown>; clock: Clock },
  ) {}

  /** Messages in the queue of logical id `id`. */
  messages(id: string | undefined): unknown[] {
    return (id && this.queues.get(id)) || [];
  }

  /** Every message in every queue. */
  allMessages(): unknown[] {
    return [...this.queues.values()].flat();
  }

  async invoke(event: unknown): Promise<{ attempts: number; errors: Error[] }> {
    const errors: Error[] = [];
    const { clock } = this.target;
    const receivedAt = clock.now;
    const requestId = `async-${++this.requests}`;
    let condition: InvocationRecord['requestContext']['condition'] = 'RetriesExhausted';
    for (let attempt = 0; attempt <= this.config.maximumRetryAttempts; attempt++) {
      if (attempt > 0) {
        clock.advance(60 * attempt);
        if (clock.now - receivedAt > this.config.maximumEventAgeSeconds * 1000) {
          condition = 'EventAgeExceeded';
          break;
        }
      }
      try {
        await this.target.handler(structuredClone(event));
        return { attempts: attempt + 1, errors };
      } catch (err) {
        errors.push(err as Error);
      }
    }
    const last = errors[errors.length - 1];
    const send = (queue: string | undefined, message: unknown) => {
      if (queue) this.queues.set(queue, [...this.messages(queue), message]);
    };
    const record: InvocationRecord = {
      version: '1.0',
      timestamp: new Date(clock.now).toISOString(),
      requestContext: {
        requestId,
        functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${this.config.functionId}:$LATEST`,
        condition,
        approximateInvokeCount: errors.length,
      },
      requestPayload: structuredClone(event),
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: last?.name ?? 'Error', errorMessage: last?.message ?? String(last) },
    };
    send(this.config.onFailure, record);
    send(this.config.deadLetter, structuredClone(event));
    return { attempts: errors.length, errors };
  }
}

/**
 * Lambda's asynchronous invocation with `retryAttempts` retries and an on-failure destination whose
 * records' requests are pushed to `deadLetters` (for cases that do not read the template).
 */
export async function invokeAsync(
  h: Pick<Harness, 'handler' | 'clock'>,
  event: unknown,
  retryAttempts: number,
  deadLetters: unknown[],
): Promise<{ attempts: number; errors: Error[] }> {
  const lambda = new LambdaAsync(
    { functionId: 'fn', invokedBy: [], maximumRetryAttempts: retryAttempts, maximumEventAgeSeconds: 6 * 3600, onFailure: 'dlq', explicit: true },
    { handler: (e) => h.handler(e), clock: h.clock },
  );
  const run = await lambda.invoke(event);
  deadLetters.push(...lambda.messages('dlq').map((m) => (m as InvocationRecord).requestPayload));
  return run;
}
