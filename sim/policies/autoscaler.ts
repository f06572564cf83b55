/**
 * The project's own policy through its real code path: the alarms of `allAlarms(config)` evaluated
 * with CloudWatch semantics on the simulated metrics, their state-change events matched against the
 * family's rule pattern and delivered to the real capacity handler, the 1-minute re-evaluation
 * schedule fired, and the handler's SDK calls answered by the in-memory cloud, which applies them to
 * the world. Nothing of the decision path is re-implemented here.
 */
import './quiet';
import '../esm-interop';
import type { Context } from 'aws-lambda';
import { createCapacityHandler } from '../../lambdas/scalers/capacity/handler';
import { createQueueHandler } from '../../lambdas/scalers/queue/handler';
import { alarmRulePattern, allAlarms, capacityMetrics, reevaluateScheduleInput } from '../../lambdas/shared/alarms';
import { type AsgTarget, type AutoscalerConfig, parseConfig, type QueueWorkersTarget, type RabbitmqWorkersTarget } from '../../lambdas/shared/config';
import { queueMetrics } from '../../lambdas/shared/kinds/queue-workers';
import { rabbitmqQueueMetrics } from '../../lambdas/shared/kinds/rabbitmq-workers';
import { MemoryStateStore } from '../../lambdas/state/memory';
import { AlarmEvaluator, type AlarmStateChangeEvent } from '../cloud/alarms';
import { type CapacityBackend, FakeAutoScaling, FakeEcs } from '../cloud/capacity';
import { FakeCloudWatch, MetricStore } from '../cloud/cloudwatch';
import { matchesPattern } from '../cloud/event-pattern';
import { type ChaosSummary, scenarioChaos } from '../cloud/faults';
import { metricVisibility } from '../cloud/metric-faults';
import { CallLog, uuidLike } from '../cloud/recorder';
import { FakeScheduler } from '../cloud/scheduler';
import { FakeSqs } from '../cloud/sqs';
import type { Scenario } from '../scenario';
import type { Trace } from '../trace';
import { World } from '../world';
import { AUTOSCALER, autoscalerUnsupported } from './support';

export { AUTOSCALER, autoscalerUnsupported };
export const SIM_GROUP = 'sim-web';
export const SIM_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/sim-queue';
export const SIM_WORKERS = { cluster: 'sim', service: 'sim-workers' };
/** The WebSocket connections the world publishes (the websockets extension), as a Daphne exporter would: the fleet's total. */
export const SIM_CONNECTIONS = { namespace: 'Sim/Daphne', metricName: 'OpenConnections', dimensions: { AutoScalingGroupName: SIM_GROUP } };
/** The group's units in service, as Auto Scaling publishes them with group metrics collection on. */
export const SIM_IN_SERVICE = { namespace: 'AWS/AutoScaling', metricName: 'GroupInServiceInstances', dimensions: { AutoScalingGroupName: SIM_GROUP } };

/**
 * The seed guides' step rules as `policy: step` (the rules `seed-step` applies by hand, here on the real
 * path: alarms, handlers, decision loop), checked every 300 s as the guides' cron does.
 * Web: CPU above 70% for 5 of 5 minutes adds one unit, below 30% for 5 of 5 removes one, 300 s apart;
 * with WebSocket connections (the websockets extension), more connections per unit in service than the
 * scenario's `connectionsPerUnit` adds one (the seeds' "WebSocket Conn > 1500/instance: add Daphne
 * instance"), a step rule on a custom metric (`websockets`: connections / units in service, metric math).
 * Queue: more than 100 visible messages for 5 minutes adds one worker, more than 1,000 adds half the
 * fleet again (at least 2), fewer than 10 for 5 minutes removes one, 300 s apart.
 */
export const SEED_STEP_POLICY = {
  web: {
    policy: 'step',
    evaluationIntervalSeconds: 300,
    stepRules: [
      { signal: 'cpu', direction: 'up', comparison: '>', threshold: 70, evaluationPeriods: 5, change: { add: 1 }, cooldownSeconds: 300 },
      { signal: 'cpu', direction: 'down', comparison: '<', threshold: 30, evaluationPeriods: 5, change: { add: -1 }, cooldownSeconds: 300 },
    ],
  },
  queue: {
    policy: 'step',
    evaluationIntervalSeconds: 300,
    stepRules: [
      { signal: 'visibleMessages', direction: 'up', comparison: '>', threshold: 100, evaluationPeriods: 5, change: { add: 1 }, cooldownSeconds: 300 },
      { signal: 'visibleMessages', direction: 'up', comparison: '>', threshold: 1000, change: { add: 2 }, cooldownSeconds: 300 },
      { signal: 'visibleMessages', direction: 'down', comparison: '<', threshold: 10, evaluationPeriods: 5, change: { add: -1 }, cooldownSeconds: 300 },
    ],
  },
} as const;

/** Which of the project's policies a run uses: its default engine, or the seed guides' rule as `policy: step`. */
export type ProjectPolicy = 'default' | 'step';

/** The Amazon MQ broker, virtual host and queue of a `broker: rabbitmq` queue scenario. */
export const SIM_BROKER = { broker: 'sim-broker', virtualHost: '/', queue: 'celery' };

/** The config the construct would get for this scenario: the user's target settings, the project's defaults for the rest. */
export function autoscalerConfig(scenario: Scenario, policy: ProjectPolicy = 'default'): AutoscalerConfig {
  if (scenario.workload.kind === 'queue') return queueConfig(scenario, policy);
  return parseConfig(
    {
      prefix: 'sim',
      targets: [
        {
          id: 'web',
          kind: 'asg',
          autoScalingGroupName: SIM_GROUP,
          minCapacity: scenario.target.minUnits,
          maxCapacity: scenario.target.maxUnits,
          targetCpu: scenario.target.targetUtilization,
          warmupSeconds: scenario.workload.provisioningSeconds,
          targetGroup: { loadBalancerFullName: 'app/sim/0123456789abcdef', targetGroupFullName: 'targetgroup/sim-web/0123456789abcdef' },
          ...(policy === 'step' ? SEED_STEP_POLICY.web : {}),
          ...(scenario.workload.websockets && policy === 'step' ? websocketStepRule(scenario.workload.websockets.connectionsPerUnit) : {}),
          ...(scenario.workload.websockets && policy !== 'step'
            ? {
                customMetrics: [
                  {
                    name: 'websockets',
                    metric: { ...SIM_CONNECTIONS, stat: 'Average' },
                    targetPerUnit: scenario.workload.websockets.connectionsPerUnit,
                    aggregation: 'total',
                  },
                ],
              }
            : {}),
        },
      ],
    },
    'simulated autoscaler config',
  );
}

/** The seeds' WebSocket rule as a step rule on the custom metric `websockets`, connections per unit in service. */
function websocketStepRule(perUnit: number) {
  return {
    customMetrics: [
      {
        name: 'websockets',
        queries: [
          { id: 'connections', metric: { ...SIM_CONNECTIONS, stat: 'Average' } },
          { id: 'units', metric: { ...SIM_IN_SERVICE, stat: 'Average' } },
          { id: 'perUnit', expression: 'connections / units', returnData: true },
        ],
      },
    ],
    stepRules: [
      ...SEED_STEP_POLICY.web.stepRules,
      { signal: 'websockets', direction: 'up', comparison: '>', threshold: perUnit, change: { add: 1 }, cooldownSeconds: 300 },
    ],
  };
}

/**
 * A queue scenario as a user configures it: one queue-workers target (a rabbitmq-workers target for
 * `broker: rabbitmq`) whose throughput per worker is the workload's published one, the SLO's wait, the
 * scenario's bounds; the project's defaults for the rest.
 */
function queueConfig(scenario: Scenario, policy: ProjectPolicy): AutoscalerConfig {
  const queue = scenario.workload.broker === 'rabbitmq' ? { kind: 'rabbitmq-workers', ...SIM_BROKER } : { kind: 'queue-workers', queueUrl: SIM_QUEUE_URL };
  return parseConfig(
    {
      prefix: 'sim',
      targets: [
        {
          id: 'workers',
          ...queue,
          // The simulated fleet has no scale-in protection (a scale-in removes the newest workers at once,
          // whatever they hold) and each ready worker holds one message (NotVisible = min(ready, backlog)):
          // the engine keeps the workers that hold messages, as a user without protection would get.
          workers: { kind: 'ecs-service', ...SIM_WORKERS, scaleInProtection: false, messagesInFlightPerWorker: 1 },
          messagesPerSecondPerWorker: scenario.workload.unitCapacity,
          maxWaitSeconds: scenario.slo.maxWaitSeconds,
          minCapacity: scenario.target.minUnits,
          maxCapacity: scenario.target.maxUnits,
          warmupSeconds: scenario.workload.provisioningSeconds,
          ...(policy === 'step' ? SEED_STEP_POLICY.queue : {}),
        },
      ],
    },
    'simulated autoscaler config',
  );
}

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
    readonly chaos: ReturnType<typeof scenarioChaos>;
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

export interface AutoscalerOptions {
  /** Called after every simulated step. */
  readonly onStep?: (step: number) => void;
  /** Let the handler's logs through (set SIM_VERBOSE=1 on the command line). @default false */
  readonly verbose?: boolean;
  /** The project's default engine, or the seed guides' rule as `policy: step`. @default 'default' */
  readonly policy?: ProjectPolicy;
  /**
   * The config to run instead of the scenario's (a user's own target settings: sim/recommend.ts). Its one
   * target names the simulated resources: an `asg` target on `SIM_GROUP` for a web scenario, a
   * `queue-workers` target on `SIM_QUEUE_URL` with `SIM_WORKERS` for a queue scenario.
   * @default autoscalerConfig(scenario, policy)
   */
  readonly config?: AutoscalerConfig;
  /** Told of each answer of the in-memory cloud that passes its answers on (sim/cloud/recorder.ts). @default no one */
  readonly onAnswer?: CallLog['onAnswer'];
}

export async function runAutoscaler(scenario: Scenario, trace: Trace, options: AutoscalerOptions = {}): Promise<AutoscalerRun> {
  const unsupported = autoscalerUnsupported(scenario);
  if (unsupported) throw new Error(unsupported);
  const world = new World(scenario, trace);
  const config = options.config ?? autoscalerConfig(scenario, options.policy);
  const queue = scenario.workload.kind === 'queue';
  const now = () => trace.start + world.now * 1000;
  const calls = new CallLog(now);
  calls.onAnswer = options.onAnswer;
  const store = new MetricStore();
  const alarms = new AlarmEvaluator(allAlarms(config), store, {}, trace.start);
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
  const chaos = scenarioChaos(scenario.faults);
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
  const visibility = metricVisibility(scenario.faults);
  let published = 0;
  const publish = () => {
    for (; published < world.completeMinutes; published++) {
      const m = published;
      const at = trace.start + m * 60_000;
      const visibleAt = visibility.visibleAt(m);
      if (visibleAt === undefined) continue;
      const visibleFrom = trace.start + visibleAt * 1000;
      if (sqsMetrics) {
        store.put(sqsMetrics.visible, at, world.queueVisible[m], visibleFrom);
        store.put(sqsMetrics.notVisible, at, world.queueNotVisible[m], visibleFrom);
        store.put(sqsMetrics.ageOfOldest, at, world.queueAge[m], visibleFrom);
        continue;
      }
      if (brokerMetrics) {
        store.put(brokerMetrics.ready, at, world.queueVisible[m], visibleFrom);
        store.put(brokerMetrics.unacknowledged, at, world.queueNotVisible[m], visibleFrom);
        continue;
      }
      if (!metrics) continue;
      store.put(metrics.cpu, at, world.cpu[m], visibleFrom);
      if (metrics.requestCount && !Number.isNaN(world.requestCount[m])) store.put(metrics.requestCount, at, world.requestCount[m], visibleFrom);
      if (metrics.requestCountPerTarget && !Number.isNaN(world.requestCountPerTarget[m])) {
        store.put(metrics.requestCountPerTarget, at, world.requestCountPerTarget[m], visibleFrom);
      }
      if (!Number.isNaN(world.connections[m])) {
        store.put(SIM_CONNECTIONS, at, world.connections[m], visibleFrom);
        if (!Number.isNaN(world.inService[m])) store.put(SIM_IN_SERVICE, at, world.inService[m], visibleFrom);
      }
    }
  };

  for (let t = 0; t < world.steps; t++) {
    publish();
    await deliverEvents(now(), trace.start, { alarms, pattern, scheduler, chaos, alarmEvents, invoke });
    world.endStep();
    options.onStep?.(t);
  }
  return { world, calls, alarmEvents, failures: lambda.failures, invocations: lambda.count(), state, chaos: chaos.summary() };
}
