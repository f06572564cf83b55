/**
 * The broker reader's work: once a minute, the depth of every redis-workers target's queues, read on
 * its Redis broker and published to CloudWatch, where the queue function reads it
 * (lambdas/scalers/queue/kinds.ts). One connection per broker database, shared by its targets, all
 * commands in one pipeline; brokers read side by side.
 *
 * A broker that cannot be reached (connection, AUTH, a timeout) or a target whose keys cannot be read
 * (a key that is not a list) is logged and gets no datapoint this minute: the queue function then holds
 * the target's fleet as on any missing datapoint, rather than scale on a guess. The other brokers and
 * targets are published all the same; the invocation fails at the end, so the failure is seen (the
 * function's errors, the dead-letter queue).
 *
 * Kept free of the config schema so the bundle stays small: it reads only the fields it needs of the
 * config the construct validated at synth.
 */
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { SendClient } from '../adapters/types';
import { brokerKey, CELERY_METRICS, celeryNamespace, queueKeys, UNACKED_KEY } from '../shared/kinds/redis-keys';
import type { RedisBroker, RedisWorkersTarget } from '../shared/kinds/redis-workers';

/** What the reader needs of a Redis client: one pipeline of LLEN and HLEN, and a way to let go. */
export interface BrokerClient {
  /** Sends the commands in one pipeline; per command its reply, or the error Redis answered it with. */
  lengths(commands: readonly BrokerCommand[]): Promise<(number | Error)[]>;
  close(): void;
}

export type BrokerCommand = { readonly op: 'llen' | 'hlen'; readonly key: string };

/** AUTH from the configured secret. */
export interface BrokerAuth {
  readonly username?: string;
  readonly password: string;
}

export interface PublisherDeps {
  /** The deployment's prefix: the namespace is `<prefix>/Celery`. */
  readonly prefix: string;
  readonly targets: readonly RedisWorkersTarget[];
  /** Connects to a broker (ready to take commands), or throws. */
  readonly connect: (broker: RedisBroker, auth: BrokerAuth | undefined) => Promise<BrokerClient>;
  /** Reads a secret's string (Secrets Manager GetSecretValue). */
  readonly secret: (arn: string) => Promise<string>;
  readonly cloudWatch: SendClient;
  /** Epoch ms now: the datapoints' timestamp. */
  readonly now: () => number;
  readonly log: { info(message: string, ...extra: Record<string, unknown>[]): void; error(message: string, ...extra: Record<string, unknown>[]): void };
}

export interface PublishResult {
  /** Targets whose depths were published. */
  readonly published: string[];
  /** Targets left without a datapoint, and why. */
  readonly failed: { readonly target: string; readonly reason: string }[];
}

/** "Each request is also limited to no more than 1000 different metrics" (CloudWatch API Reference, PutMetricData). */
export const MAX_METRICS_PER_PUT = 1000;

/**
 * The secret's AUTH: a plain string is the password (an ElastiCache AUTH token); JSON with `password`
 * (and `username`, for a Redis 6 ACL user) as Secrets Manager's own templates store it.
 */
export function authOf(secret: string): BrokerAuth {
  try {
    const parsed = JSON.parse(secret) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { password?: unknown }).password === 'string') {
      const { username, password } = parsed as { username?: unknown; password: string };
      return typeof username === 'string' ? { username, password } : { password };
    }
  } catch {
    // Not JSON: the token itself.
  }
  return { password: secret };
}

interface MetricDatum {
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Value: number;
  Unit: 'Count';
  Timestamp: Date;
  StorageResolution: 60;
}

/** Reads every broker and publishes what it read; throws at the end when a broker or a target failed. */
export async function publishDepths(deps: PublisherDeps): Promise<PublishResult> {
  const byBroker = new Map<string, RedisWorkersTarget[]>();
  for (const t of deps.targets) {
    // Targets on one broker database with different secrets connect apart.
    const key = `${brokerKey(t.broker)} ${t.broker.authSecretArn ?? ''}`;
    byBroker.set(key, [...(byBroker.get(key) ?? []), t]);
  }
  const at = new Date(deps.now());
  const data: MetricDatum[][] = [];
  const published: string[] = [];
  const failed: { target: string; reason: string }[] = [];
  await Promise.all(
    [...byBroker.values()].map(async (targets) => {
      const outcome = await readBroker(targets, deps);
      for (const t of targets) {
        const read = outcome.get(t.id) as Reading;
        if ('reason' in read) {
          deps.log.error('queue depth not read: no datapoint this minute, the target holds', {
            target: t.id,
            broker: brokerKey(t.broker),
            reason: read.reason,
          });
          failed.push({ target: t.id, reason: read.reason });
          continue;
        }
        data.push(datapoints(t, read, at));
      }
    }),
  );
  // Whole targets per request (at most 22 datapoints each): a target's minute is published all or none.
  for (const batch of batches(data)) {
    const targets = batch.map((d) => d[0].Dimensions[0].Value);
    try {
      await deps.cloudWatch.send(new PutMetricDataCommand({ Namespace: celeryNamespace(deps.prefix), MetricData: batch.flat() }));
      published.push(...targets);
    } catch (err) {
      deps.log.error('queue depths not published', { targets, reason: (err as Error).message });
      for (const target of targets) failed.push({ target, reason: `PutMetricData: ${(err as Error).message}` });
    }
  }
  deps.log.info('queue depths published', { published: published.length, failed: failed.length });
  if (failed.length) throw new Error(`queue depth not published for ${failed.map((f) => `"${f.target}" (${f.reason})`).join(', ')}`);
  return { published, failed };
}

type Reading = { readonly byQueue: Map<string, number>; readonly unacked: number } | { readonly reason: string };

/** Targets' datapoints in requests of at most MAX_METRICS_PER_PUT, no target split between two. */
function batches(targets: readonly MetricDatum[][]): MetricDatum[][][] {
  const out: MetricDatum[][][] = [];
  let size = MAX_METRICS_PER_PUT;
  for (const t of targets) {
    if (size + t.length > MAX_METRICS_PER_PUT) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1].push(t);
    size += t.length;
  }
  return out;
}

/** One broker: connect, one pipeline for all its targets' keys, and the `unacked` hash once. */
async function readBroker(targets: readonly RedisWorkersTarget[], deps: PublisherDeps): Promise<Map<string, Reading>> {
  const out = new Map<string, Reading>();
  const broker = targets[0].broker;
  let client: BrokerClient | undefined;
  try {
    const auth = broker.authSecretArn ? authOf(await deps.secret(broker.authSecretArn)) : undefined;
    client = await deps.connect(broker, auth);
    const commands: BrokerCommand[] = [{ op: 'hlen', key: UNACKED_KEY }];
    const slots = targets.map((t) =>
      t.broker.queues.map((q) => {
        const keys = queueKeys(q, t.broker.priorities);
        const first = commands.length;
        commands.push(...keys.map((key) => ({ op: 'llen' as const, key })));
        return { queue: q, first, count: keys.length, keys };
      }),
    );
    const replies = await client.lengths(commands);
    const unacked = replies[0];
    for (const [i, t] of targets.entries())
      out.set(t.id, unacked instanceof Error ? { reason: `HLEN ${UNACKED_KEY}: ${unacked.message}` } : depthsOf(slots[i], replies, unacked));
  } catch (err) {
    for (const t of targets) out.set(t.id, { reason: (err as Error).message || String(err) });
  } finally {
    client?.close();
  }
  return out;
}

/** A target's queues' depths (the sum over each queue's keys), or the first key Redis would not count. */
function depthsOf(
  slots: readonly { queue: string; first: number; count: number; keys: string[] }[],
  replies: readonly (number | Error)[],
  unacked: number,
): Reading {
  const byQueue = new Map<string, number>();
  for (const s of slots) {
    let depth = 0;
    for (let k = 0; k < s.count; k++) {
      const r = replies[s.first + k];
      if (r instanceof Error) return { reason: `LLEN ${JSON.stringify(s.keys[k])}: ${r.message}` };
      depth += r;
    }
    byQueue.set(s.queue, depth);
  }
  return { byQueue, unacked };
}

/** A target's datapoints: each queue (Target, Queue), the total over its queues and the unacknowledged (Target). */
function datapoints(t: RedisWorkersTarget, read: { byQueue: Map<string, number>; unacked: number }, at: Date): MetricDatum[] {
  const datum = (MetricName: string, Value: number, queue?: string): MetricDatum => ({
    MetricName,
    Dimensions: [{ Name: 'Target', Value: t.id }, ...(queue !== undefined ? [{ Name: 'Queue', Value: queue }] : [])],
    Value,
    Unit: 'Count',
    Timestamp: at,
    StorageResolution: 60,
  });
  const total = [...read.byQueue.values()].reduce((a, b) => a + b, 0);
  return [
    ...[...read.byQueue].map(([queue, depth]) => datum(CELERY_METRICS.depth, depth, queue)),
    datum(CELERY_METRICS.depth, total),
    datum(CELERY_METRICS.unacked, read.unacked),
  ];
}
