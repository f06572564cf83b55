/**
 * The queue function's table of queue target kinds: how each reads its queue for the engine
 * (lambdas/engine/queue.ts). One entry per kind of the queue family, checked by the compiler (a kind
 * without its entry, or an entry of the wrong kind, does not build). The rest of a decision (the
 * fleet, the engine, the lease, switches, the in-flight floor, scale to zero) is the service's, the
 * same for every kind.
 */
import { LateAwareCloudWatch } from '../../adapters/late-metrics';
import type { SqsAdapter } from '../../adapters/sqs';
import type { SendClient } from '../../adapters/types';
import { checkMetrics, describeMetrics, type MetricsCheck, type MetricsMemory } from '../../engine/staleness';
import type { MetricRef } from '../../shared/alarm-spec';
import type { QueueWorkersTarget, RabbitmqWorkersTarget, RedisWorkersTarget } from '../../shared/config';
import type { AlarmStateChangeEvent } from '../../shared/events';
import type { TargetOfFamily } from '../../shared/kinds/facts';
import { RABBITMQ_PERIOD_SECONDS, rabbitmqQueueMetrics } from '../../shared/kinds/rabbitmq-workers';
import { REDIS_PERIOD_SECONDS, redisQueueMetrics } from '../../shared/kinds/redis-workers';

export type QueueTarget = TargetOfFamily<'queue'>;

/** The queue as the engine sees it, and how the observation was made. */
export interface QueueReading {
  /** Waiting to be taken (SQS visible, RabbitMQ ready, Redis lists' length). */
  readonly visible: number;
  /** Taken by a worker, not yet deleted or acknowledged. */
  readonly notVisible: number;
  /** Age of the oldest message, seconds, when known (a lower bound). */
  readonly ageOfOldestSeconds?: number;
  /**
   * Seconds the observation is older than the decision (CloudWatch's lag): every message counted has
   * waited at least this long already, so the engine's wait SLO is this much shorter. @default 0
   */
  readonly ageSeconds?: number;
  /** The metrics' freshness, for kinds that read CloudWatch. @default not judged */
  readonly metrics?: MetricsCheck;
  /** Start (epoch ms) of the datapoint read, remembered so that the same one is never decided on twice. */
  readonly observedAt?: number;
  /** A few words on the observation, for the reason. @default none */
  readonly note?: string;
}

/** Nothing new to decide on: the target is held, and why. */
export interface QueueHold {
  readonly hold: string;
  readonly metrics?: MetricsCheck;
}

export interface QueueReaders {
  readonly sqs: SqsAdapter;
  /** A CloudWatch client (a late-aware reader is made per decision: one reader serves one decision). */
  readonly cloudWatch: SendClient;
}

export interface ObserveContext {
  /** The deployment's prefix (the namespace of the metrics it publishes itself). */
  readonly prefix: string;
  /** Epoch ms of the decision. */
  readonly start: number;
  /** Start of the datapoint the last decision read (kinds that read CloudWatch). */
  readonly observedAt?: number;
  /** The metrics' freshness as the last decision judged it. */
  readonly metrics?: MetricsMemory;
  /** The alarm event that started the decision, if any. */
  readonly alarm?: AlarmStateChangeEvent;
}

export interface QueueKind<T extends QueueTarget> {
  /** Reads the queue for one decision. */
  observe(target: T, readers: QueueReaders, context: ObserveContext): Promise<QueueReading | QueueHold>;
  /** What the kind's alarm says about the queue, for the event's detail line. @default nothing */
  alarmNote?(event: AlarmStateChangeEvent): string;
}

// ------------------------------------------------------------------------------------ queue-workers

/**
 * SQS: GetQueueAttributes, which has no CloudWatch lag. The age-of-oldest-message alarm's datapoints
 * are the age of the oldest message, a lower bound the engine uses.
 */
const queueWorkers: QueueKind<QueueWorkersTarget> = {
  async observe(target, { sqs }, { alarm }) {
    const depth = await sqs.depth(target.queueUrl);
    return { visible: depth.visible, notVisible: depth.notVisible, ageOfOldestSeconds: alarm ? alarmAge(alarm) : undefined };
  },
  alarmNote(event) {
    const age = alarmAge(event);
    return age !== undefined ? ` (oldest message ${age} s)` : '';
  },
};

/** The newest age the alarm evaluated (its reasonData's recentDatapoints), seconds, when the event carries it. */
export function alarmAge(event: AlarmStateChangeEvent): number | undefined {
  const data = event.detail.state.reasonData;
  if (!data) return undefined;
  try {
    const parsed = JSON.parse(data) as { recentDatapoints?: unknown };
    const points = Array.isArray(parsed.recentDatapoints) ? parsed.recentDatapoints.filter((v): v is number => typeof v === 'number' && v >= 0) : [];
    return points.length ? Math.max(...points) : undefined;
  } catch {
    return undefined;
  }
}

// --------------------------------------------------------------------------------- rabbitmq-workers

/** Minutes of datapoints one read asks for (late ones are looked for further back: lambdas/adapters/late-metrics.ts). */
const READ_MINUTES = 5;

/**
 * Amazon MQ for RabbitMQ: the newest minute of the queue's MessageReadyCount and
 * MessageUnacknowledgedCount in CloudWatch (GetMetricData; reading the broker itself takes its
 * credentials in its VPC). The datapoint is a minute or two old when CloudWatch is on time; that age
 * shortens the wait SLO the engine sizes for. A datapoint already decided on is not decided on again:
 * the engine would count the workers' progress twice and see arrivals that did not happen.
 */
const rabbitmqWorkers: QueueKind<RabbitmqWorkersTarget> = {
  observe: (target, { cloudWatch }, context) =>
    newestMinute(
      cloudWatch,
      rabbitmqQueueMetrics(target),
      RABBITMQ_PERIOD_SECONDS,
      target.missingData.lateAfterSeconds,
      context,
      'MessageReadyCount and MessageUnacknowledgedCount',
    ),
};

// ------------------------------------------------------------------------------------ redis-workers

/**
 * A Redis broker: the newest minute the deployment's broker reader (lambdas/publisher) published for
 * the target, waiting (LLEN over its queues) and unacknowledged (HLEN of kombu's `unacked` hash), read
 * as rabbitmq-workers reads Amazon MQ's. A broker the reader cannot reach publishes nothing: the
 * target holds, as on any missing datapoint (lambdas/engine/staleness.ts).
 */
const redisWorkers: QueueKind<RedisWorkersTarget> = {
  observe: (target, { cloudWatch }, context) =>
    newestMinute(
      cloudWatch,
      redisQueueMetrics(context.prefix, target),
      REDIS_PERIOD_SECONDS,
      target.missingData.lateAfterSeconds,
      context,
      'QueueDepth and UnackedMessages',
    ),
};

/**
 * The newest minute both of a queue's metrics have in CloudWatch, as a reading: its age, its freshness,
 * and a hold when there is none or it was decided on already.
 */
async function newestMinute(
  cloudWatch: SendClient,
  m: { ready: MetricRef; unacknowledged: MetricRef },
  periodSeconds: number,
  lateAfterSeconds: number,
  { start, observedAt, metrics }: ObserveContext,
  names: string,
): Promise<QueueReading | QueueHold> {
  const reader = new LateAwareCloudWatch(cloudWatch);
  const policy = { lateAfterSeconds };
  reader.begin(policy.lateAfterSeconds);
  const series = await reader.series(
    [
      { id: 'ready', metric: m.ready },
      { id: 'unacked', metric: m.unacknowledged },
    ],
    start - READ_MINUTES * 60_000,
    start,
    periodSeconds,
  );
  const unacked = new Map((series.unacked ?? []).map((p) => [p.at, p.value]));
  const newest = [...(series.ready ?? [])].reverse().find((p) => unacked.has(p.at));
  const end = newest ? newest.at + periodSeconds * 1000 : undefined;
  const check = checkMetrics(end, start, policy, metrics);
  const how = describeMetrics(check, policy);
  if (!newest) return { hold: `no datapoint of the queue's ${names}; ${how}`, metrics: check };
  if (observedAt !== undefined && newest.at <= observedAt) return { hold: `no datapoint since the last decision's; ${how}`, metrics: check };
  return {
    visible: newest.value,
    notVisible: unacked.get(newest.at) ?? 0,
    ageSeconds: Math.max(0, (start - (end as number)) / 1000),
    metrics: check,
    observedAt: newest.at,
    note: check.freshness === 'fresh' ? undefined : how,
  };
}

/** The queue family's kinds. */
export const QUEUE_KINDS: { readonly [K in QueueTarget['kind']]: QueueKind<Extract<QueueTarget, { kind: K }>> } = {
  'queue-workers': queueWorkers,
  'rabbitmq-workers': rabbitmqWorkers,
  'redis-workers': redisWorkers,
};

/** The entry of a target's kind. */
export function queueKind<T extends QueueTarget>(target: T): QueueKind<T> {
  // The table's type pairs each kind with its entry; TypeScript cannot follow that pairing through an index.
  return QUEUE_KINDS[target.kind] as unknown as QueueKind<T>;
}
