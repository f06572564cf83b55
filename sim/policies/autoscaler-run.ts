/**
 * The project's own policy through its real code path, for a config already parsed: the alarms of
 * `allAlarms(config)` evaluated with CloudWatch semantics on the simulated metrics, their state-change
 * events matched against the family's rule pattern and delivered to the real capacity or queue
 * handler, the 1-minute re-evaluation schedule fired, and the handler's SDK calls answered by the
 * in-memory cloud, which applies them to the world. Nothing of the decision path is re-implemented here.
 *
 * No config schema: the config a scenario gives the policy is built and validated in ./autoscaler.ts,
 * which re-exports all of this; the daily recommender's replay (sim/recommend.ts) brings its own config
 * and imports this module alone, so the schemas (zod) stay out of its bundle. Nor the ESM interop
 * (sim/esm-interop.ts) that lets tsx require the handlers' ESM-only dependencies: the commands that run
 * the simulator under tsx install it (sim/cli.ts, bin/cli.ts, bench/run.ts, bench/sim-fingerprint.ts);
 * in the recommender's bundle esbuild has bundled them, and a resolve hook would only slow every
 * require of its cold start.
 */
import './quiet';
import type { Context } from 'aws-lambda';
import type { SendClient } from '../../lambdas/adapters/types';
import { createCapacityHandler } from '../../lambdas/scalers/capacity/handler';
import { createQueueHandler } from '../../lambdas/scalers/queue/handler';
import type { AsgTarget, AutoscalerConfig, QueueWorkersTarget, RabbitmqWorkersTarget, TargetConfig } from '../../lambdas/shared/config';
import { alarmRulePattern, reevaluateScheduleInput } from '../../lambdas/shared/family-rules';
import { CAPACITY_KINDS, capacityMetrics } from '../../lambdas/shared/kinds/family/capacity';
import { QUEUE_KINDS } from '../../lambdas/shared/kinds/family/queue';
import { kindIn } from '../../lambdas/shared/kinds/family/view';
import { queueMetrics } from '../../lambdas/shared/kinds/queue-workers';
import { rabbitmqQueueMetrics } from '../../lambdas/shared/kinds/rabbitmq-workers';
import { MemoryStateStore } from '../../lambdas/state/memory';
import { AlarmEvaluator, type AlarmStateChangeEvent } from '../cloud/alarms';
import { type CapacityBackend, FakeAutoScaling, FakeEcs } from '../cloud/capacity';
import { FakeCloudWatch, MetricStore } from '../cloud/cloudwatch';
import { matchesPattern } from '../cloud/event-pattern';
import type { ChaosSummary } from '../cloud/faults';
import { metricVisibility, minutePublisher } from '../cloud/metric-faults';
import { CallLog, uuidLike } from '../cloud/recorder';
import { FakeScheduler } from '../cloud/scheduler';
import { FakeSqs } from '../cloud/sqs';
import type { Scenario, ScenarioFaults } from '../scenario-model';
import type { Trace } from '../trace';
import { World } from '../world';
import { autoscalerUnsupported } from './support';

export const SIM_GROUP = 'sim-web';
export const SIM_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/sim-queue';
export const SIM_WORKERS = { cluster: 'sim', service: 'sim-workers' };
/** The WebSocket connections the world publishes (the websockets extension), as a Daphne exporter would: the fleet's total. */
export const SIM_CONNECTIONS = { namespace: 'Sim/Daphne', metricName: 'OpenConnections', dimensions: { AutoScalingGroupName: SIM_GROUP } };
/** The group's units in service, as Auto Scaling publishes them with group metrics collection on. */
export const SIM_IN_SERVICE = { namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', dimensions: { AutoScalingGroupName: SIM_GROUP } };

export interface AutoscalerRun {
  readonly world: World;
  readonly calls: CallLog;
  readonly alarmEvents: AlarmStateChangeEvent[];
  /** Invocations that threw (Lambda would retry them, then dead-letter them). */
  readonly failures: { at: number; error: string }[];
  readonly invocations: number;
  /** The handler's state store: engine memory and the audit log of every decision. */
  readonly state: MemoryStateStore;
  /** What the scenario's `faults` section did to the run (all zero without one). */
  readonly chaos: ChaosSummary;
}

export function lambdaContext(functionName: string, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/01/01/[$LATEST]simulated',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Powertools writes through its own Console on the process streams (Metrics warns on every
 * invocation without application metrics): swallow the handler's output while it runs.
 */
export function muteConsoleStreams(): () => void {
  const out = process.stdout.write,
    err = process.stderr.write;
  const mute = (() => true) as typeof process.stdout.write;
  process.stdout.write = mute;
  process.stderr.write = mute;
  return () => {
    process.stdout.write = out;
    process.stderr.write = err;
  };
}

/**
 * One step's deliveries as AWS makes them: on the minute, the alarms evaluated and their state changes
 * that match the rule's pattern sent (a serialized copy, as EventBridge delivers), then the schedules
 * due, both through the scenario's chaos queues to the function.
 */
export async function deliverEvents(
  at: number,
  start: number,
  d: {
    readonly alarms: AlarmEvaluator;
    readonly pattern: Record<string, unknown>;
    readonly scheduler: FakeScheduler;
    readonly chaos: RunChaos;
    readonly alarmEvents: AlarmStateChangeEvent[];
    readonly invoke: (event: unknown) => Promise<void>;
  },
): Promise<void> {
  if ((at - start) % 60_000 === 0) {
    for (const event of d.alarms.evaluate(at)) {
      d.alarmEvents.push(event);
      if (matchesPattern(d.pattern, event)) d.chaos.alarms.emit(JSON.parse(JSON.stringify(event)), at);
    }
  }
  for (const { payload } of d.scheduler.due(at)) d.chaos.schedules.emit(payload, at);
  for (const { event } of d.chaos.alarms.due(at)) await d.invoke(event);
  for (const { event } of d.chaos.schedules.due(at)) await d.invoke(event);
}

/**
 * Invokes a handler as Lambda would, one invocation after the other: a context per invocation, the
 * handler's output muted unless `verbose`, and what it threw kept (Lambda would retry, then dead-letter).
 */
export function lambdaInvoker(handler: (event: unknown, context: Context) => Promise<unknown>, functionName: string, now: () => number, verbose = false) {
  const failures: { at: number; error: string }[] = [];
  let count = 0;
  return {
    failures,
    count: () => count,
    async invoke(event: unknown): Promise<void> {
      count++;
      const restore = verbose ? () => undefined : muteConsoleStreams();
      try {
        await handler(event, lambdaContext(functionName, uuidLike(`invocation/${count}`)));
      } catch (err) {
        failures.push({ at: now(), error: (err as Error).message ?? String(err) });
      } finally {
        restore();
      }
    },
  };
}

/** One stream of deliveries: `emit` an event at a time, `due` hands back those whose time has come, in order. */
export interface Deliveries {
  emit(event: unknown, at: number): void;
  due(now: number): readonly { readonly event: unknown }[];
}

/**
 * What a run's deliveries and clients go through: the scenario's `faults` section (`scenarioChaos`,
 * sim/cloud/faults.ts) or none.
 */
export interface RunChaos {
  readonly alarms: Deliveries;
  readonly schedules: Deliveries;
  client<C extends SendClient>(client: C): SendClient;
  summary(): ChaosSummary;
}

/** Applies a scenario's faults section: `scenarioChaos`. */
export type ChaosLayer = (faults: ScenarioFaults | undefined) => RunChaos;

/**
 * A run without a faults section: every delivery immediate and single, every client as it is (what
 * `scenarioChaos(undefined)` does), without the fault injection layer, which the daily recommender's
 * replays never use and so never load.
 */
export function noChaos(): RunChaos {
  const deliveries = (): Deliveries => {
    let pending: { event: unknown }[] = [];
    return {
      emit: (event) => {
        pending.push({ event });
      },
      due: () => {
        const ready = pending;
        pending = [];
        return ready;
      },
    };
  };
  return { alarms: deliveries(), schedules: deliveries(), client: (client) => client, summary: () => ({ throttled: 0, duplicated: 0, delayed: 0 }) };
}

export interface HandlerRunOptions {
  /**
   * Applies the scenario's `faults` section (`scenarioChaos`, sim/cloud/faults.ts; runAutoscaler passes it).
   * @default none: a scenario with a faults section is refused, one without runs with `noChaos`
   */
  readonly chaos?: ChaosLayer;
  /** Called after every simulated step. */
  readonly onStep?: (step: number) => void;
  /** Let the handler's logs through (set SIM_VERBOSE=1 on the command line). @default false */
  readonly verbose?: boolean;
  /** Told of each answer of the in-memory cloud that passes its answers on (sim/cloud/recorder.ts). @default no one */
  readonly onAnswer?: CallLog['onAnswer'];
}

/** Runs the real handlers on the in-memory cloud for `scenario` with `config` (its one target names the simulated resources). */
export async function runHandlers(scenario: Scenario, trace: Trace, config: AutoscalerConfig, options: HandlerRunOptions = {}): Promise<AutoscalerRun> {
  const unsupported = autoscalerUnsupported(scenario);
  if (unsupported) throw new Error(unsupported);
  const world = new World(scenario, trace);
  const queue = scenario.workload.kind === 'queue';
  const now = () => trace.start + world.now * 1000;
  const calls = new CallLog(now);
  calls.onAnswer = options.onAnswer;
  const store = new MetricStore();
  // The alarms synth deploys for the config's targets (allAlarms), from the replayed family's kinds alone.
  const kindOf = (t: TargetConfig) => (queue ? kindIn<'queue'>(QUEUE_KINDS, t) : kindIn<'capacity'>(CAPACITY_KINDS, t));
  const alarms = new AlarmEvaluator(
    config.targets.flatMap((t) => kindOf(t).alarms(config.prefix, t as never)),
    store,
    {},
    trace.start,
  );
  const cloudWatch = new FakeCloudWatch(store, calls, now, alarms);
  const backend: CapacityBackend = {
    get desired() {
      return world.desired;
    },
    setDesired: (n) => world.setDesired(n),
    units: () => world.fleet.units().map((u) => ({ serial: u.serial, ready: u.readyAt <= world.now })),
  };
  const autoScaling = new FakeAutoScaling(
    queue ? [] : [{ name: SIM_GROUP, minSize: scenario.target.minUnits, maxSize: scenario.target.maxUnits, backend }],
    calls,
  );
  const ecs = new FakeEcs(queue ? [{ ...SIM_WORKERS, backend }] : [], calls);
  const family = queue ? 'queue' : 'capacity';
  const scheduler = new FakeScheduler([{ name: `sim-${family}-reevaluate`, rateSeconds: 60, input: reevaluateScheduleInput(family) }]);
  const pattern = alarmRulePattern(config.prefix, family);
  const state = new MemoryStateStore();
  // The scenario's faults section (an extension): throttled calls, duplicated and late deliveries.
  if (scenario.faults !== undefined && !options.chaos)
    throw new Error(`scenario ${scenario.name} has a faults section: run it with options.chaos (scenarioChaos)`);
  const chaos = options.chaos ? options.chaos(scenario.faults) : noChaos();
  const handler = queue
    ? createQueueHandler({
        config,
        store: state,
        sqs: chaos.client(new FakeSqs(new Map([[SIM_QUEUE_URL, () => world.queueState()]]), calls)),
        cloudWatch: chaos.client(cloudWatch),
        autoScaling: chaos.client(autoScaling),
        ecs: chaos.client(ecs),
        cloudWatchIn: () => chaos.client(cloudWatch),
        idempotency: undefined,
        now,
        sleep: async () => undefined,
      })
    : createCapacityHandler({
        config,
        store: state,
        autoScaling: chaos.client(autoScaling),
        ecs: chaos.client(ecs),
        cloudWatch: chaos.client(cloudWatch),
        idempotency: undefined,
        now,
        sleep: async () => undefined,
      });
  const metrics = queue ? undefined : capacityMetrics(config.targets[0] as AsgTarget);
  const queueTarget = queue ? config.targets[0] : undefined;
  const sqsMetrics = queueTarget?.kind === 'queue-workers' ? queueMetrics(queueTarget as QueueWorkersTarget) : undefined;
  // Amazon MQ publishes the queue's ready and unacknowledged counts once a minute, the world's end-of-minute samples.
  const brokerMetrics = queueTarget?.kind === 'rabbitmq-workers' ? rabbitmqQueueMetrics(queueTarget as RabbitmqWorkersTarget) : undefined;
  const alarmEvents: AlarmStateChangeEvent[] = [];
  const lambda = lambdaInvoker(handler, `sim-${family}`, now, options.verbose);
  const invoke = lambda.invoke;

  // Late and missing datapoints (the faults section's metric faults): the baselines see the same.
  const publish = minutePublisher(
    trace.start,
    metricVisibility(scenario.faults),
    () => world.completeMinutes,
    (m, at, visibleFrom) => {
      if (sqsMetrics) {
        store.put(sqsMetrics.visible, at, world.queueVisible[m], visibleFrom);
        store.put(sqsMetrics.notVisible, at, world.queueNotVisible[m], visibleFrom);
        store.put(sqsMetrics.ageOfOldest, at, world.queueAge[m], visibleFrom);
        return;
      }
      if (brokerMetrics) {
        store.put(brokerMetrics.ready, at, world.queueVisible[m], visibleFrom);
        store.put(brokerMetrics.unacknowledged, at, world.queueNotVisible[m], visibleFrom);
        return;
      }
      if (!metrics) return;
      store.put(metrics.cpu, at, world.cpu[m], visibleFrom);
      if (metrics.requestCount && !Number.isNaN(world.requestCount[m])) store.put(metrics.requestCount, at, world.requestCount[m], visibleFrom);
      if (metrics.requestCountPerTarget && !Number.isNaN(world.requestCountPerTarget[m])) {
        store.put(metrics.requestCountPerTarget, at, world.requestCountPerTarget[m], visibleFrom);
      }
      if (!Number.isNaN(world.connections[m])) {
        store.put(SIM_CONNECTIONS, at, world.connections[m], visibleFrom);
        if (!Number.isNaN(world.inService[m])) store.put(SIM_IN_SERVICE, at, world.inService[m], visibleFrom);
      }
    },
  );

  for (let t = 0; t < world.steps; t++) {
    publish();
    await deliverEvents(now(), trace.start, { alarms, pattern, scheduler, chaos, alarmEvents, invoke });
    world.endStep();
    options.onStep?.(t);
  }
  return { world, calls, alarmEvents, failures: lambda.failures, invocations: lambda.count(), state, chaos: chaos.summary() };
}
