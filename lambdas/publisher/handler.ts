/**
 * Lambda entry of the broker reader: run every minute by an EventBridge rule, in the brokers' VPC. Thin:
 * the redis-workers targets of the bundled config, a Redis client per broker, then publishDepths.
 *
 * The Redis client is the reader's own (resp.ts, RESP2 over node:net and node:tls): the reader needs
 * LLEN and HLEN in a pipeline, TLS, AUTH with an ACL user and bounded waits, not a general client
 * (ioredis alone bundled to about 195 KiB minified, more than the rest of the function).
 *
 * The config is read as the construct wrote it, without the schema (validated at synth, and the bundle
 * is this deployment's own).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tls from 'node:tls';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClient } from '../shared/clients';
import { BUNDLED_CONFIG_FILE } from '../shared/environment';
import type { RedisBroker, RedisWorkersTarget } from '../shared/kinds/redis-workers';
import { logger } from '../shared/powertools';
import { RespClient, RespError } from './resp';
import { type BrokerAuth, type BrokerClient, type PublishResult, publishDepths } from './service';

/** Longest a connection or a command may take: the function runs for at most 30 s, and every minute. */
export const REDIS_TIMEOUT_MS = 5_000;

/**
 * A ready client on one broker (lambdas/publisher/resp.ts): TLS with Node's defaults when the broker
 * says so, AUTH as its own command (an ACL user's name first when the secret has one), SELECT when the
 * database is not 0; no INFO ready check and no CLIENT SETINFO (Redis 7.2+): commands an ACL user
 * limited to reading the queues may be denied. `tlsOptions` go over Node's TLS defaults (a test's CA).
 */
export async function connectRedis(
  broker: RedisBroker,
  auth: BrokerAuth | undefined,
  timeoutMs = REDIS_TIMEOUT_MS,
  tlsOptions: tls.ConnectionOptions = {},
): Promise<BrokerClient> {
  let client: RespClient;
  try {
    client = await RespClient.connect({
      host: broker.host,
      port: broker.port,
      tls: broker.tls ? tlsOptions : undefined,
      username: auth?.username,
      password: auth?.password,
      database: broker.database,
      timeoutMs,
    });
  } catch (err) {
    throw new Error(`cannot connect to ${broker.host}:${broker.port}: ${(err as Error).message}`);
  }
  return {
    async lengths(commands) {
      const replies = await client.pipeline(
        commands.map((c) => [c.op.toUpperCase(), c.key]),
        timeoutMs,
      );
      return replies.map((r) => (r instanceof RespError ? r : Number(r)));
    },
    close: () => client.close(),
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
