/**
 * Lambda entry of the broker reader: run every minute by an EventBridge rule, in the brokers' VPC. Thin:
 * the redis-workers targets of the bundled config, a Redis client per broker, then publishDepths.
 *
 * The Redis client is ioredis: one dependency tree of its own (no native code), pipelines, TLS, AUTH
 * with an ACL user, and bounded connect and command timeouts; it bundles to about a third of node-redis
 * (`redis`, whose modules for JSON, search and time series come with it).
 *
 * The config is read as the construct wrote it, without the schema (validated at synth, and the bundle
 * is this deployment's own): the bundle holds ioredis, Powertools and the reader, about 360 KB minified.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import Redis from 'ioredis';
import { awsClient } from '../shared/clients';
import { BUNDLED_CONFIG_FILE } from '../shared/environment';
import type { RedisBroker, RedisWorkersTarget } from '../shared/kinds/redis-workers';
import { logger } from '../shared/powertools';
import { type BrokerAuth, type BrokerClient, type PublishResult, publishDepths } from './service';

/** Longest a connection or a command may take: the function runs for at most 30 s, and every minute. */
export const REDIS_TIMEOUT_MS = 5_000;

/**
 * A ready ioredis client on one broker: no reconnect and no queueing while offline (a broker that does
 * not answer fails this minute's read, and the next minute tries again). RESP2, which every Redis and
 * ElastiCache version speaks (RESP3's HELLO is Redis 6+; LLEN and HLEN answer an integer in both), AUTH
 * as its own command; no INFO ready check and no CLIENT SETINFO (Redis 7.2+): commands an ACL user
 * limited to reading the queues may be denied.
 */
export async function connectRedis(broker: RedisBroker, auth: BrokerAuth | undefined, timeoutMs = REDIS_TIMEOUT_MS): Promise<BrokerClient> {
  const redis = new Redis({
    host: broker.host,
    port: broker.port,
    db: broker.database,
    // TLS with Node's defaults: the certificate checked against the host name, sent as SNI unless an IP.
    ...(broker.tls ? { tls: {} } : {}),
    ...(auth ? { username: auth.username, password: auth.password } : {}),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    disconnectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    protocol: 2,
    disableClientInfo: true,
    retryStrategy: () => null,
  });
  // A failed connection or AUTH is told by `error` (connect() only says the connection closed); without a
  // listener ioredis would print it.
  let cause: Error | undefined;
  redis.on('error', (err: Error) => {
    cause = err;
  });
  try {
    await redis.connect();
  } catch (err) {
    // A connection that failed has ended already; disconnecting it again would leave a timer behind.
    if (redis.status !== 'end') redis.disconnect();
    throw new Error(`cannot connect to ${broker.host}:${broker.port}: ${(cause ?? (err as Error)).message}`);
  }
  return {
    async lengths(commands) {
      const pipeline = redis.pipeline();
      for (const c of commands) pipeline[c.op](c.key);
      const replies = (await pipeline.exec()) ?? [];
      return commands.map((_, i) => {
        const [err, value] = replies[i] ?? [new Error('no reply'), undefined];
        return err ? err : Number(value);
      });
    },
    close: () => redis.disconnect(),
  };
}

/** The redis-workers targets and prefix of the config bundled beside this file. */
export function bundledTargets(dir = __dirname): { prefix: string; targets: RedisWorkersTarget[] } {
  const config = JSON.parse(readFileSync(join(dir, BUNDLED_CONFIG_FILE), 'utf8')) as { prefix: string; targets: { kind: string }[] };
  return { prefix: config.prefix, targets: config.targets.filter((t): t is RedisWorkersTarget => t.kind === 'redis-workers') };
}

let deployed: (() => Promise<PublishResult>) | undefined;

/** The function's entry point: clients and config once per execution environment. */
export const handler = async (): Promise<PublishResult> => {
  if (!deployed) {
    const { prefix, targets } = bundledTargets();
    const cloudWatch = awsClient(CloudWatchClient);
    const secrets = awsClient(SecretsManagerClient);
    deployed = () =>
      publishDepths({
        prefix,
        targets,
        connect: (broker, auth) => connectRedis(broker, auth),
        secret: async (arn) => {
          const res = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
          if (typeof res.SecretString !== 'string') throw new Error(`secret ${arn} holds no string`);
          return res.SecretString;
        },
        cloudWatch,
        now: Date.now,
        log: logger,
      });
  }
  return deployed();
};
