/**
 * The queue family's fault harness: the real queue handler (middy, Powertools idempotency on
 * dynalite, zod parsing, QueueService, the adapters), the real DynamoStateStore on dynalite, and the
 * simulator's in-memory SQS, CloudWatch, ECS and Auto Scaling recording every call. The target
 * `workers` is a queue-workers target on SQS, or with `broker: 'rabbitmq'` a rabbitmq-workers target
 * whose depth Amazon MQ publishes to CloudWatch. The queue's depth is what the test sets; the workers
 * are a Fleet (support.ts) whose oldest `protectedCount` instances report scale-in protection to
 * DescribeAutoScalingGroups. Time is the simulated clock Date.now follows.
 */
import type { Context } from 'aws-lambda';
import type { Notification } from '../../lambdas/adapters/sns';
import type { SendClient } from '../../lambdas/adapters/types';
import { createQueueHandler } from '../../lambdas/scalers/queue/handler';
import type { QueueResult } from '../../lambdas/scalers/queue/service';
import { type AutoscalerConfig, parseConfig, type QueueWorkersTarget, type RabbitmqWorkersTarget } from '../../lambdas/shared/config';
import { dynamoPersistence } from '../../lambdas/shared/idempotency';
import { rabbitmqQueueMetrics } from '../../lambdas/shared/kinds/rabbitmq-workers';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import type { AuditEntry } from '../../lambdas/state/store';
import type { AlarmStateChangeEvent } from '../../sim/cloud/alarms';
import { FakeAutoScaling, FakeEcs } from '../../sim/cloud/capacity';
import { FakeCloudWatch, MetricStore } from '../../sim/cloud/cloudwatch';
import { type FaultOptions, withFaults } from '../../sim/cloud/faults';
import { type ApiCall, CallLog, commandName } from '../../sim/cloud/recorder';
import { FakeSqs } from '../../sim/cloud/sqs';
import type { LocalDynamo } from '../support/dynalite';
import { alarmEvent, Clock, Fleet, isWrite, lambdaContext, scheduleEvent } from './support';
import { callHook, type FamilyPath } from './support-families';

export const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/celery-default';
export const WORKERS_GROUP = 'celery-workers';
export const WORKERS_SERVICE = { cluster: 'celery', service: 'workers' };
/** The Amazon MQ broker and queue of a `broker: 'rabbitmq'` harness. */
export const BROKER_QUEUE = { broker: 'celery-broker', queue: 'celery' };

export interface QueueHarnessOptions {
  readonly db: LocalDynamo;
  /** The workers' service. @default 'ecs-service' */
  readonly workers?: 'ecs-service' | 'asg';
  /** The queue: on SQS (queue-workers), or on Amazon MQ for RabbitMQ (rabbitmq-workers). @default 'sqs' */
  readonly broker?: 'sqs' | 'rabbitmq';
  /** Fields of the target `workers` over the harness's (2 messages/s per worker, max 20). */
  readonly target?: Record<string, unknown>;
  /** Fields of the target's `workers` (scaleInProtection, messagesInFlightPerWorker). */
  readonly fleet?: Record<string, unknown>;
  /** Top-level config fields (dryRun, windows). */
  readonly config?: Record<string, unknown>;
  /** More queue-workers targets, listed before `workers` (fields over `workers`' own); the in-memory AWS has nothing of theirs. */
  readonly more?: readonly Record<string, unknown>[];
  /** Workers at the start. @default 2 */
  readonly initial?: number;
  /** Faults (or a hook) on every in-memory service. */
  readonly faults?: FaultOptions;
}

export interface QueueHarness {
  readonly config: AutoscalerConfig;
  readonly target: QueueWorkersTarget | RabbitmqWorkersTarget;
  readonly clock: Clock;
  readonly fleet: Fleet;
  readonly calls: CallLog;
  readonly store: DynamoStateStore;
  /** The queue as GetQueueAttributes reports it (SQS); the test sets it. */
  readonly queue: { visible: number; notVisible: number };
  /**
   * Amazon MQ publishes the minute two minutes back: `ready` and `unacknowledged` messages, visible a
   * minute after it ended (CloudWatch's usual lag). A rabbitmq-workers target reads only these.
   */
  publishBroker(ready: number, unacknowledged: number): void;
  /** The oldest instances of the Auto Scaling group report ProtectedFromScaleIn. */
  protectedCount: number;
  /** CloudWatch's datapoints (the age of the oldest message a step rule reads); the test puts them. */
  readonly metrics: MetricStore;
  readonly notifications: Notification[];
  readonly handler: (event: unknown, context?: Context) => Promise<QueueResult>;
  writes(): ApiCall[];
  audit(): Promise<AuditEntry[]>;
  restore(): void;
}

/** The 1-minute poll's input at `time`. */
export function pollEvent(time: number) {
  return scheduleEvent(time, 'queue');
}

/** The age-of-oldest-message alarm of target `workers` going to ALARM at `time`, having seen `ageSeconds`. */
export function ageAlarmEvent(time: number, ageSeconds: number): AlarmStateChangeEvent {
  const e = alarmEvent('autoscaler/workers/age/high', time);
  return {
    ...e,
    detail: {
      ...e.detail,
      state: { ...e.detail.state, reasonData: JSON.stringify({ version: '1.0', statistic: 'Maximum', period: 60, recentDatapoints: [ageSeconds] }) },
    },
  };
}

/** A capacity window's schedule firing at `time`. */
export function windowEvent(time: number, window: string, edge: 'start' | 'end' = 'start') {
  const iso = new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { source: 'autoscaler.scheduler', action: 'window', family: 'queue', window, edge, scheduledTime: iso, executionId: `window-${window}-${time}` };
}

export async function queueHarness(options: QueueHarnessOptions): Promise<QueueHarness> {
  const kind = options.workers ?? 'ecs-service';
  const workers = kind === 'asg' ? { kind, autoScalingGroupName: WORKERS_GROUP } : { kind, ...WORKERS_SERVICE };
  const queueOf = options.broker === 'rabbitmq' ? { kind: 'rabbitmq-workers', ...BROKER_QUEUE } : { kind: 'queue-workers', queueUrl: QUEUE_URL };
  const base = { ...queueOf, workers: { ...workers, ...options.fleet }, messagesPerSecondPerWorker: 2, maxCapacity: 20 };
  const config = parseConfig({
    prefix: 'autoscaler',
    ...options.config,
    targets: [...(options.more ?? []).map((t) => ({ ...base, ...t })), { ...base, id: 'workers', ...options.target }],
  });
  const target = config.targets.find((t) => t.id === 'workers') as QueueWorkersTarget | RabbitmqWorkersTarget;
  const clock = new Clock();
  const dateNow = jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
  const calls = new CallLog(() => clock.now);
  const fleet = new Fleet(clock, options.initial ?? 2, target.warmupSeconds);
  const queue = { visible: 0, notVisible: 0 };
  const sqs = new FakeSqs(new Map([[QUEUE_URL, () => ({ ...queue, ageOfOldest: 0 })]]), calls);
  const rawAutoScaling = new FakeAutoScaling(kind === 'asg' ? [{ name: WORKERS_GROUP, minSize: 0, maxSize: target.maxCapacity, backend: fleet }] : [], calls);
  const ecs = new FakeEcs(kind === 'ecs-service' ? [{ ...WORKERS_SERVICE, backend: fleet }] : [], calls);
  const world = { protectedCount: 0 };
  // Busy workers protect their own instance (SetInstanceProtection); the oldest ones here.
  const autoScaling: SendClient = {
    async send(command: { input?: unknown }) {
      const res = await rawAutoScaling.send(command);
      if (commandName(command) === 'DescribeAutoScalingGroupsCommand') {
        for (const g of res.AutoScalingGroups)
          g.Instances = g.Instances.map((i: object, k: number) => ({ ...i, ProtectedFromScaleIn: k < world.protectedCount }));
      }
      return res;
    },
  };
  const wrap = (c: SendClient) => (options.faults ? withFaults(c, options.faults) : c);
  const metrics = new MetricStore();
  const cloudWatch = wrap(new FakeCloudWatch(metrics, calls, () => clock.now));
  const store = new DynamoStateStore({ tableName: await options.db.stateTable(), client: options.db.doc });
  const notifications: Notification[] = [];
  const handle = createQueueHandler({
    config,
    store,
    sqs: wrap(sqs),
    // In the stack's region: a rabbitmq-workers target's queue metrics; a queue-workers target reads none there.
    cloudWatch: target.kind === 'rabbitmq-workers' ? cloudWatch : { send: () => Promise.reject(new Error('a queue-workers target reads no CloudWatch')) },
    autoScaling: wrap(autoScaling),
    ecs: wrap(ecs),
    cloudWatchIn: () => cloudWatch,
    idempotency: dynamoPersistence(await options.db.idempotencyTable(), options.db.client),
    notifier: { notify: async (n) => void notifications.push(n) },
    now: () => clock.now,
    sleep: async () => undefined,
  });
  let invocations = 0;
  return {
    config,
    target,
    clock,
    fleet,
    calls,
    store,
    queue,
    get protectedCount() {
      return world.protectedCount;
    },
    set protectedCount(n: number) {
      world.protectedCount = n;
    },
    metrics,
    publishBroker(ready, unacknowledged) {
      if (target.kind !== 'rabbitmq-workers') throw new Error('publishBroker: the target is not a rabbitmq-workers target');
      const m = rabbitmqQueueMetrics(target);
      const at = Math.floor(clock.now / 60_000) * 60_000 - 2 * 60_000;
      metrics.put(m.ready, at, ready, at + 2 * 60_000);
      metrics.put(m.unacknowledged, at, unacknowledged, at + 2 * 60_000);
    },
    notifications,
    handler: (event, context) => handle(event, context ?? lambdaContext(`req-${++invocations}`)),
    writes: () => calls.calls.filter(isWrite),
    audit: async () => (await store.listAudit(target.id, 0, clock.now + 86_400_000, 10_000)).reverse(),
    restore: () => dateNow.mockRestore(),
  };
}

/** A morning window on `workers` that opened at the suite's epoch (10:00 UTC) with a floor of 6. */
const MORNING = { name: 'morning', target: 'workers', start: 'cron(0 10 * * ? *)', durationMinutes: 180, minCapacity: 6 };

/**
 * The queue family's paths: the 1-minute poll and the age alarm with 3,000 messages waiting, and a
 * capacity window's start raising the floor of an idle queue; 2 workers at the start each time. With
 * `broker: 'rabbitmq'`, a rabbitmq-workers target: the poll and its backlog alarm with 3,000 ready
 * messages in CloudWatch (a new minute before each act), and the window's start.
 */
function queuePath(path: 'poll' | 'age alarm' | 'backlog alarm' | 'window edge', broker: 'sqs' | 'rabbitmq' = 'sqs'): FamilyPath {
  const rabbit = broker === 'rabbitmq';
  return {
    family: 'queue',
    path: rabbit ? `rabbitmq-workers ${path}` : path,
    // GetQueueAttributes (or GetMetricData) and the service's describe go out together; the switch is read after both.
    lastRead: rabbit ? 'GetMetricDataCommand' : 'DescribeServicesCommand',
    write: 'UpdateServiceCommand',
    plan: path === 'window edge' ? /^2 -> 6: .*window "morning"/ : /^2 -> ([3-9]|1\d|20): backlog 3000 visible/,
    count: 2,
    async world(o) {
      const windows = path === 'window edge' ? { windows: [MORNING] } : {};
      const h = await queueHarness({
        db: o.db,
        broker,
        config: { ...o.config, ...windows },
        target: o.target,
        faults: o.onCall ? callHook(o.onCall) : undefined,
      });
      let acts = 0;
      return {
        targetId: 'workers',
        store: h.store,
        async act() {
          if (acts++ > 0) h.clock.advance(60);
          const waiting = path === 'window edge' ? 0 : 3000;
          if (rabbit) h.publishBroker(waiting, 0);
          else h.queue.visible = waiting;
          const now = h.clock.now;
          const event =
            path === 'poll'
              ? pollEvent(now)
              : path === 'age alarm'
                ? ageAlarmEvent(now, 200)
                : path === 'backlog alarm'
                  ? alarmEvent('autoscaler/workers/backlog/high', now)
                  : windowEvent(now, 'morning');
          const result = await h.handler(event);
          return result.targets.find((t) => t.targetId === 'workers')?.outcome ?? result.status;
        },
        writes: () => h.writes(),
        audit: () => h.audit(),
        restore: () => h.restore(),
      };
    },
  };
}

export const QUEUE_PATHS: FamilyPath[] = [
  queuePath('poll'),
  queuePath('age alarm'),
  queuePath('window edge'),
  queuePath('poll', 'rabbitmq'),
  queuePath('backlog alarm', 'rabbitmq'),
  queuePath('window edge', 'rabbitmq'),
];
