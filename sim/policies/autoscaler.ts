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
import { allAlarms, alarmRulePattern, capacityMetrics, reevaluateScheduleInput } from '../../lambdas/shared/alarms';
import { AsgTarget, AutoscalerConfig, parseConfig } from '../../lambdas/shared/config';
import { MemoryStateStore } from '../../lambdas/state/memory';
import { createCapacityHandler } from '../../lambdas/scalers/capacity/handler';
import { AlarmEvaluator, AlarmStateChangeEvent } from '../cloud/alarms';
import { FakeAutoScaling, FakeEcs, CapacityBackend } from '../cloud/capacity';
import { FakeCloudWatch, MetricStore } from '../cloud/cloudwatch';
import { matchesPattern } from '../cloud/event-pattern';
import { CallLog, uuidLike } from '../cloud/recorder';
import { FakeScheduler } from '../cloud/scheduler';
import type { Scenario } from '../scenario';
import type { Trace } from '../trace';
import { World } from '../world';
import { AUTOSCALER, autoscalerUnsupported } from './support';

export { AUTOSCALER, autoscalerUnsupported };
export const SIM_GROUP = 'sim-web';

/** The config the construct would get for this scenario: the user's target settings, the project's defaults for the rest. */
export function autoscalerConfig(scenario: Scenario): AutoscalerConfig {
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
}

function lambdaContext(functionName: string, requestId: string): Context {
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
function muteConsoleStreams(): () => void {
  const out = process.stdout.write, err = process.stderr.write;
  const mute = (() => true) as typeof process.stdout.write;
  process.stdout.write = mute;
  process.stderr.write = mute;
  return () => {
    process.stdout.write = out;
    process.stderr.write = err;
  };
}

export interface AutoscalerOptions {
  /** Called after every simulated step. */
  readonly onStep?: (step: number) => void;
  /** Let the handler's logs through (set SIM_VERBOSE=1 on the command line). @default false */
  readonly verbose?: boolean;
}

export async function runAutoscaler(scenario: Scenario, trace: Trace, options: AutoscalerOptions = {}): Promise<AutoscalerRun> {
  const unsupported = autoscalerUnsupported(scenario);
  if (unsupported) throw new Error(unsupported);
  const world = new World(scenario, trace);
  const config = autoscalerConfig(scenario);
  const target = config.targets[0] as AsgTarget;
  const now = () => trace.start + world.now * 1000;
  const calls = new CallLog(now);
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
  const autoScaling = new FakeAutoScaling([{ name: SIM_GROUP, minSize: scenario.target.minUnits, maxSize: scenario.target.maxUnits, backend }], calls);
  const ecs = new FakeEcs([], calls);
  const scheduler = new FakeScheduler([{ name: 'sim-capacity-reevaluate', rateSeconds: 60, input: reevaluateScheduleInput('capacity') }]);
  const pattern = alarmRulePattern(config.prefix, 'capacity');
  const state = new MemoryStateStore();
  const handler = createCapacityHandler({
    config,
    store: state,
    autoScaling,
    ecs,
    cloudWatch,
    idempotency: undefined,
    now,
    sleep: async () => undefined,
  });
  const metrics = capacityMetrics(target);
  const alarmEvents: AlarmStateChangeEvent[] = [];
  const failures: { at: number; error: string }[] = [];
  let invocations = 0;
  const invoke = async (event: unknown) => {
    invocations++;
    const restore = options.verbose ? () => undefined : muteConsoleStreams();
    try {
      await handler(event, lambdaContext('sim-capacity', uuidLike(`invocation/${invocations}`)));
    } catch (err) {
      failures.push({ at: now(), error: (err as Error).message ?? String(err) });
    } finally {
      restore();
    }
  };

  let published = 0;
  const publish = () => {
    for (; published < world.completeMinutes; published++) {
      const m = published;
      const at = trace.start + m * 60_000;
      const visibleFrom = trace.start + (m + 2) * 60_000;
      store.put(metrics.cpu, at, world.cpu[m], visibleFrom);
      if (metrics.requestCount && !Number.isNaN(world.requestCount[m])) store.put(metrics.requestCount, at, world.requestCount[m], visibleFrom);
      if (metrics.requestCountPerTarget && !Number.isNaN(world.requestCountPerTarget[m])) {
        store.put(metrics.requestCountPerTarget, at, world.requestCountPerTarget[m], visibleFrom);
      }
    }
  };

  for (let t = 0; t < world.steps; t++) {
    publish();
    const at = now();
    if ((at - trace.start) % 60_000 === 0) {
      for (const event of alarms.evaluate(at)) {
        alarmEvents.push(event);
        // what EventBridge delivers is a serialized copy
        if (matchesPattern(pattern, event)) await invoke(JSON.parse(JSON.stringify(event)));
      }
    }
    for (const { payload } of scheduler.due(at)) await invoke(payload);
    world.endStep();
    options.onStep?.(t);
  }
  return { world, calls, alarmEvents, failures, invocations, state };
}
