/**
 * The project's own policy on a scenario: the config the construct would get for it (validated by the
 * config schema), run through the real handlers on the in-memory cloud (./autoscaler-run.ts, re-exported
 * here).
 */
import './quiet';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { parseConfig } from '../../lambdas/shared/config';
import { scenarioChaos } from '../cloud/faults';
import type { Scenario } from '../scenario-model';
import type { Trace } from '../trace';
import {
  type AutoscalerRun,
  type HandlerRunOptions,
  runHandlers,
  SIM_CONNECTIONS,
  SIM_GROUP,
  SIM_IN_SERVICE,
  SIM_QUEUE_URL,
  SIM_WORKERS,
} from './autoscaler-run';
import { AUTOSCALER, autoscalerUnsupported } from './support';

export * from './autoscaler-run';
export { AUTOSCALER, autoscalerUnsupported };

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
          // The SLO's ceiling is the CPU a noisy minute may reach.
          peakCpu: Math.min(100, scenario.slo.maxUtilization * 100),
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

export interface AutoscalerOptions extends HandlerRunOptions {
  /** The project's default engine, or the seed guides' rule as `policy: step`. @default 'default' */
  readonly policy?: ProjectPolicy;
  /**
   * The config to run instead of the scenario's (a user's own target settings). Its one target names the
   * simulated resources: an `asg` target on `SIM_GROUP` for a web scenario, a `queue-workers` target on
   * `SIM_QUEUE_URL` with `SIM_WORKERS` for a queue scenario.
   * @default autoscalerConfig(scenario, policy)
   */
  readonly config?: AutoscalerConfig;
}

/** Runs the scenario's config (or `options.config`) through the real handlers. */
export async function runAutoscaler(scenario: Scenario, trace: Trace, options: AutoscalerOptions = {}): Promise<AutoscalerRun> {
  return runHandlers(scenario, trace, options.config ?? autoscalerConfig(scenario, options.policy), { chaos: scenarioChaos, ...options });
}
