/** A runbook context over the fake AWS services, the simulator's in-memory CloudWatch and an in-memory state store. */
import { CloudWatchAdapter } from '../../lambdas/adapters/cloudwatch';
import { ElastiCacheAdapter } from '../../lambdas/adapters/elasticache';
import { RdsAdapter } from '../../lambdas/adapters/rds';
import { Route53Adapter } from '../../lambdas/adapters/route53';
import type { Notification } from '../../lambdas/adapters/sns';
import { SqsAdapter } from '../../lambdas/adapters/sqs';
import { SsmAdapter } from '../../lambdas/adapters/ssm';
import type { RunbookContext } from '../../lambdas/runbooks/context';
import { createRunbookTask } from '../../lambdas/runbooks/handler';
import type { MetricRef } from '../../lambdas/shared/alarms';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { rdsInstanceMetrics } from '../../lambdas/shared/kinds/rds-instance';
import { replicaSourceMetrics } from '../../lambdas/shared/kinds/rds-replicas';
import { redisNodeMetrics } from '../../lambdas/shared/kinds/redis';
import { MemoryStateStore } from '../../lambdas/state/memory';
import type { StateStore } from '../../lambdas/state/store';
import { type CapacityBackend, FakeAutoScaling, FakeEcs, type GroupConfig } from '../../sim/cloud/capacity';
import { FakeCloudWatch, MetricStore } from '../../sim/cloud/cloudwatch';
import { CallLog } from '../../sim/cloud/recorder';
import { FakeSqs } from '../../sim/cloud/sqs';
import { FakeElastiCache, FakeRds, FakeRoute53, FakeSsm } from './fake-aws';
import { runLocally, type SynthesizedRunbooks } from './harness';

export const NOW = Date.parse('2026-11-23T12:00:00Z');

export interface World {
  readonly rds: FakeRds;
  readonly elastiCache: FakeElastiCache;
  readonly ssm: FakeSsm;
  readonly route53: FakeRoute53;
  /** The metrics the tasks read (GetMetricData) before a move down. */
  readonly metrics: MetricStore;
  /** Every GetMetricData call. */
  readonly cloudWatchCalls: CallLog;
  readonly store: StateStore;
  readonly ctx: RunbookContext;
  /** What the notify task announced. */
  readonly notifications: Notification[];
  /**
   * The fleets of the config's asg, ecs-service and queue-workers targets (the simulator's in-memory
   * Auto Scaling and ECS), by target id: 4 units each at first, every unit ready; Auto Scaling groups
   * MinSize 0, MaxSize 100 (the test may change both).
   */
  readonly fleets: Map<string, TestFleet>;
  /** Each queue's depth as GetQueueAttributes reports it, by queue URL (empty unless set). */
  readonly queues: Map<string, { visible: number; notVisible: number }>;
  /** Every Auto Scaling, ECS and SQS call. */
  readonly fleetCalls: CallLog;
  /** Runs one runbook (by the name fragment of its logical id) with the real task handler. */
  run(machine: string, input: Record<string, unknown>, name: string, abortAfter?: (state: string, output: unknown) => boolean): ReturnType<typeof runLocally>;
  /** Publishes `value` for `metric` every minute of the `minutes` before NOW. */
  load(metric: MetricRef, value: number, minutes?: number): void;
  /**
   * A quiet data tier, as seen by a move down: source and replica CPU 10%, Redis nodes at 10% memory
   * and 5% CPU with 10 connections, the instance at 5% CPU with 64 GiB free; for every target of the config.
   */
  quiet(): void;
}

/** A fleet whose units are all ready at once; `protectedCount` of them report scale-in protection. */
export class TestFleet implements CapacityBackend {
  desired = 4;
  protectedCount = 0;
  /** The group's own bounds (Auto Scaling groups only). */
  group?: GroupConfig;
  setDesired(n: number): void {
    this.desired = n;
  }
  units() {
    return Array.from({ length: this.desired }, (_, serial) => ({ serial, ready: true }));
  }
}

export interface WorldOptions {
  /** The state store (the DynamoDB one on dynalite, say). @default a MemoryStateStore */
  readonly store?: StateStore;
}

export function world(config: AutoscalerConfig, synthesized: SynthesizedRunbooks, options: WorldOptions = {}): World {
  const rds = new FakeRds();
  const elastiCache = new FakeElastiCache();
  const ssm = new FakeSsm();
  const route53 = new FakeRoute53();
  const store = options.store ?? new MemoryStateStore();
  const metrics = new MetricStore();
  const cloudWatchCalls = new CallLog(() => NOW);
  const notifications: Notification[] = [];
  const fleetCalls = new CallLog(() => NOW);
  const fleets = new Map<string, TestFleet>();
  const queues = new Map<string, { visible: number; notVisible: number }>();
  const groups: GroupConfig[] = [];
  const services: { cluster: string; service: string; backend: TestFleet }[] = [];
  for (const t of config.targets) {
    const fleet = t.kind === 'queue-workers' ? t.workers : t.kind === 'asg' || t.kind === 'ecs-service' ? t : undefined;
    if (!fleet) continue;
    const backend = new TestFleet();
    fleets.set(t.id, backend);
    if (fleet.kind === 'asg') {
      backend.group = { name: fleet.autoScalingGroupName, minSize: 0, maxSize: 100, backend };
      groups.push(backend.group);
    } else services.push({ cluster: fleet.cluster, service: fleet.service, backend });
    if (t.kind === 'queue-workers') queues.set(t.queueUrl, { visible: 0, notVisible: 0 });
  }
  const rawAutoScaling = new FakeAutoScaling(groups, fleetCalls);
  const autoScaling = {
    // Busy workers protect their own instances (the oldest ones here).
    async send(command: { input?: unknown; constructor: { name: string } }) {
      const res = await rawAutoScaling.send(command);
      if (command.constructor.name === 'DescribeAutoScalingGroupsCommand')
        for (const g of res.AutoScalingGroups) {
          const backend = groups.find((x) => x.name === g.AutoScalingGroupName)!.backend as TestFleet;
          g.Instances = g.Instances.map((i: object, k: number) => ({ ...i, ProtectedFromScaleIn: k < backend.protectedCount }));
        }
      return res;
    },
  };
  const sqs = new FakeSqs(new Map([...queues].map(([url, q]) => [url, () => ({ ...q, ageOfOldest: 0 })])), fleetCalls);
  const ctx: RunbookContext = {
    config,
    rds: new RdsAdapter(rds.client),
    elastiCache: new ElastiCacheAdapter(elastiCache.client),
    ssm: new SsmAdapter(ssm.client),
    route53: new Route53Adapter(route53.client),
    cloudWatch: new CloudWatchAdapter(new FakeCloudWatch(metrics, cloudWatchCalls, () => NOW)),
    fleets: { autoScaling, ecs: new FakeEcs(services, fleetCalls), sqs: new SqsAdapter(sqs), sleep: async () => undefined },
    store,
    notifier: { notify: async (n) => void notifications.push(n) },
    now: () => NOW,
  };
  const task = createRunbookTask(ctx);
  const arn = `arn:aws:lambda:us-east-1:123456789012:function:${synthesized.logicalId(synthesized.autoscaler.dataRunbooks!.taskFunction)}`;
  const load = (metric: MetricRef, value: number, minutes = 300) => {
    for (let m = minutes; m >= 1; m--) metrics.put(metric, NOW - m * 60_000, value, NOW - m * 60_000);
  };
  return {
    rds,
    elastiCache,
    ssm,
    route53,
    metrics,
    cloudWatchCalls,
    store,
    ctx,
    notifications,
    fleets,
    queues,
    fleetCalls,
    run: (machine, input, name, abortAfter) => runLocally(synthesized.definition(machine), { [arn]: task }, input, { name, abortAfter }),
    load,
    quiet() {
      for (const t of config.targets) {
        if (t.kind === 'rds-replicas') {
          const m = replicaSourceMetrics(t);
          load(m.cpu, 10);
          if (m.readerCpu) load(m.readerCpu, 10);
        } else if (t.kind === 'redis') {
          for (let i = 1; i <= 40; i++) {
            const m = redisNodeMetrics(`${t.replicationGroupId}-00${i}`);
            load(m.memory, 10);
            load(m.cpu, 5);
            load(m.evictions, 0);
            load(m.connections, 10);
          }
        } else if (t.kind === 'rds-instance') {
          const m = rdsInstanceMetrics(t);
          load(m.cpu, 5, 1500);
          load(m.freeableMemory, 64 * 1024 ** 3, 1500);
        }
      }
    },
  };
}
