/**
 * The project's own policy on the data-tier workloads, through its real code path: the database
 * family's alarms evaluated with CloudWatch semantics, their events matched by the family's rule
 * pattern and delivered with the 1-minute schedule to the real database handler, which starts the
 * real runbook (the synthesized state machine, run by aws-local-stepfunctions on simulated time),
 * whose real task function calls the in-memory RDS, ElastiCache and SSM that change the world.
 */
import './quiet';
import '../esm-interop';
import { CloudWatchAdapter } from '../../lambdas/adapters/cloudwatch';
import { ElastiCacheAdapter } from '../../lambdas/adapters/elasticache';
import { RdsAdapter } from '../../lambdas/adapters/rds';
import { Route53Adapter } from '../../lambdas/adapters/route53';
import { SsmAdapter } from '../../lambdas/adapters/ssm';
import type { SendClient } from '../../lambdas/adapters/types';
import { createRunbookTask } from '../../lambdas/runbooks/handler';
import { replicaIdentifier } from '../../lambdas/runbooks/replicas';
import { createDatabaseHandler } from '../../lambdas/scalers/database/handler';
import { alarmRulePattern, allAlarms, reevaluateScheduleInput } from '../../lambdas/shared/alarms';
import { type AutoscalerConfig, parseConfig, type RdsReplicasTarget } from '../../lambdas/shared/config';
import { replicaMetrics, replicaSourceMetrics } from '../../lambdas/shared/kinds/rds-replicas';
import { redisNodeMetrics } from '../../lambdas/shared/kinds/redis';
import { MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { MemoryStateStore } from '../../lambdas/state/memory';
import { AlarmEvaluator, type AlarmStateChangeEvent } from '../cloud/alarms';
import { stateMachineArn, synthesizedStateMachines } from '../cloud/asl';
import { FakeCloudWatch, MetricStore } from '../cloud/cloudwatch';
import { FakeElastiCache } from '../cloud/elasticache';
import { type ChaosSummary, scenarioChaos } from '../cloud/faults';
import { metricVisibility, minutePublisher } from '../cloud/metric-faults';
import { FakeRds } from '../cloud/rds';
import { CallLog } from '../cloud/recorder';
import { FakeScheduler } from '../cloud/scheduler';
import { FakeSsm } from '../cloud/ssm';
import { type ExecutionRecord, FakeStepFunctions, type MachineSpec } from '../cloud/stepfunctions';
import { memberNodes } from '../data/backends';
import { CacheWorld } from '../data/cache-world';
import { DatabaseWorld } from '../data/database-world';
import type { Scenario } from '../scenario';
import type { Trace } from '../trace';
import { deliverEvents, lambdaInvoker, muteConsoleStreams } from './autoscaler';

export const SIM_PREFIX = 'sim';
export const SIM_SOURCE = 'sim-db';
export const SIM_CACHE = 'sim-cache';
const DB_TARGET = 'db';
const CACHE_TARGET = 'cache';

/** The project's default low marks (`cpuLowPercent`, `memoryLowPercent`: 30) over its default high ones (80). */
const DEFAULT_LOW_OVER_HIGH = 30 / 80;

/**
 * The low mark beside a high mark of `high` percent: the project's default 30 while that is below
 * the high one, else the defaults' ratio of the high one (a config needs low < high).
 */
export function lowMarkFor(high: number): number {
  return high > 30 ? 30 : high * DEFAULT_LOW_OVER_HIGH;
}

/**
 * The config the construct would get: an `rds-replicas` target on the source (database) or a `redis`
 * target on the group (cache) with the scenario's bounds and its `targetUtilization` as the high mark
 * (database CPU, cache memory), as the web simulation sets `targetCpu` from it; the project's defaults
 * for the rest.
 */
export function dataConfig(scenario: Scenario): AutoscalerConfig {
  const t = scenario.target;
  const high = t.targetUtilization;
  const target =
    scenario.workload.kind === 'database'
      ? {
          id: DB_TARGET,
          kind: 'rds-replicas',
          sourceInstanceIdentifier: SIM_SOURCE,
          minReplicas: t.minUnits,
          maxReplicas: t.maxUnits,
          cpuHighPercent: high,
          cpuLowPercent: lowMarkFor(high),
        }
      : {
          id: CACHE_TARGET,
          kind: 'redis',
          replicationGroupId: SIM_CACHE,
          nodeTypeLadder: scenario.workload.cache?.nodeTypeLadder,
          minShards: t.minUnits,
          maxShards: t.maxUnits,
          memoryHighPercent: high,
          memoryLowPercent: lowMarkFor(high),
        };
  return parseConfig({ prefix: SIM_PREFIX, targets: [target] }, 'simulated autoscaler config');
}

export interface DataAutoscalerRun {
  readonly world: DatabaseWorld | CacheWorld;
  readonly calls: CallLog;
  readonly alarmEvents: AlarmStateChangeEvent[];
  readonly failures: { at: number; error: string }[];
  readonly invocations: number;
  readonly state: MemoryStateStore;
  /** Every runbook execution started, with its tasks and outcome. */
  readonly executions: ExecutionRecord[];
  readonly chaos: ChaosSummary;
}

export interface DataAutoscalerOptions {
  readonly onStep?: (step: number) => void;
  readonly verbose?: boolean;
}

/** Throws on any call: the simulated targets publish no Route 53 records. */
const noRoute53: SendClient = {
  send: async (command: unknown) => {
    throw new Error(`the simulation has no Route 53 (${(command as { constructor?: { name?: string } })?.constructor?.name})`);
  },
};

export async function runDataAutoscaler(scenario: Scenario, trace: Trace, options: DataAutoscalerOptions = {}): Promise<DataAutoscalerRun> {
  const kind = scenario.workload.kind;
  if (kind !== 'database' && kind !== 'cache') throw new Error(`runDataAutoscaler runs database and cache scenarios, not ${kind}`);
  const config = dataConfig(scenario);
  const target = config.targets[0];
  const world =
    kind === 'database'
      ? new DatabaseWorld(scenario, trace, (k) => ({ id: replicaIdentifier(DB_TARGET, k), tags: { [MANAGED_BY_TAG]: SIM_PREFIX, [TARGET_TAG]: DB_TARGET } }))
      : new CacheWorld(scenario, trace);
  const now = () => trace.start + world.now() * 1000;
  const calls = new CallLog(now);
  const store = new MetricStore();
  const alarms = new AlarmEvaluator(allAlarms(config), store, {}, trace.start);
  const cloudWatch = new FakeCloudWatch(store, calls, now, alarms);
  const rds =
    world instanceof DatabaseWorld
      ? new FakeRds({
          source: { id: SIM_SOURCE, instanceClass: 'db.r6g.large', engine: 'postgres', engineVersion: '16.4', backupRetentionPeriod: 7, allocatedGiB: 100 },
          backend: world,
          log: calls,
          start: trace.start,
        })
      : undefined;
  const elastiCache =
    world instanceof CacheWorld ? new FakeElastiCache({ replicationGroupId: SIM_CACHE, backend: world, log: calls, start: trace.start }) : undefined;
  const missing = (service: string): SendClient => ({
    send: async () => {
      throw new Error(`the ${kind} simulation has no ${service}`);
    },
  });
  const chaos = scenarioChaos(scenario.faults);
  const rdsClient = chaos.client(rds ?? missing('RDS'));
  const elastiCacheClient = chaos.client(elastiCache ?? missing('ElastiCache'));
  const state = new MemoryStateStore();

  // The runbook as deployed: its synthesized definition, its real task function.
  const runbookName = `${SIM_PREFIX}-${target.kind === 'rds-replicas' ? 'rds-replicas' : 'redis'}`;
  const definitions = await synthesizedStateMachines(config);
  const definition = definitions.get(runbookName);
  if (!definition) throw new Error(`the synthesized stack has no state machine ${runbookName} (has ${[...definitions.keys()].join(', ')})`);
  const task = createRunbookTask({
    config,
    rds: new RdsAdapter(rdsClient),
    elastiCache: new ElastiCacheAdapter(elastiCacheClient),
    ssm: new SsmAdapter(new FakeSsm({ log: calls, now })),
    route53: new Route53Adapter(noRoute53),
    // The runbook re-checks a move down on the same metrics the database function decided on.
    cloudWatch: new CloudWatchAdapter(chaos.client(cloudWatch)),
    store: state,
    now,
  });
  const arn = stateMachineArn(runbookName);
  const stepFunctions = new FakeStepFunctions(new Map<string, MachineSpec>([[arn, { definition, task: (event) => task(event) }]]), calls, now);

  const handler = createDatabaseHandler({
    config,
    store: state,
    rds: rdsClient,
    elastiCache: elastiCacheClient,
    cloudWatch: chaos.client(cloudWatch),
    stepFunctions: chaos.client(stepFunctions),
    runbooks: { [target.kind]: arn },
    idempotency: undefined,
    now,
  });
  const scheduler = new FakeScheduler([{ name: `${SIM_PREFIX}-database-reevaluate`, rateSeconds: 60, input: reevaluateScheduleInput('database') }]);
  const pattern = alarmRulePattern(config.prefix, 'database');
  const alarmEvents: AlarmStateChangeEvent[] = [];
  const lambda = lambdaInvoker(handler, `${SIM_PREFIX}-database`, now, options.verbose);
  const invoke = lambda.invoke;

  // Late and missing datapoints (the faults section's metric faults): the baselines see the same.
  const publish = minutePublisher(
    trace.start,
    metricVisibility(scenario.faults),
    () => world.completeMinutes,
    (m, at, visibleFrom) => {
      if (world instanceof DatabaseWorld) {
        store.put(replicaSourceMetrics(target as RdsReplicasTarget).cpu, at, world.sourceCpu[m], visibleFrom);
        for (const id of world.readyIds[m]) {
          store.put(replicaMetrics(id).cpu, at, world.replicaCpu[m], visibleFrom);
          store.put(replicaMetrics(id).lag, at, 0, visibleFrom);
        }
      } else {
        for (const node of memberNodes(SIM_CACHE, world.shapes[m], world.workload.clusterMode)) {
          const metrics = redisNodeMetrics(node.id);
          store.put(metrics.memory, at, world.memoryPct[m], visibleFrom);
          store.put(metrics.cpu, at, node.primary ? world.engineCpu[m] : 0, visibleFrom);
          store.put(metrics.evictions, at, node.primary ? world.evictions[m] : 0, visibleFrom);
        }
      }
    },
  );

  for (let t = 0; t < world.steps; t++) {
    publish();
    await deliverEvents(now(), trace.start, { alarms, pattern, scheduler, chaos, alarmEvents, invoke });
    // The runbooks run as far as the simulated time allows (their task logs muted like the handler's).
    const restore = options.verbose ? () => undefined : muteConsoleStreams();
    try {
      await stepFunctions.settle();
    } finally {
      restore();
    }
    world.endStep();
    options.onStep?.(t);
  }
  return {
    world,
    calls,
    alarmEvents,
    failures: lambda.failures,
    invocations: lambda.count(),
    state,
    executions: stepFunctions.records(),
    chaos: chaos.summary(),
  };
}
