/**
 * The config schema of `redis-workers` targets (synth only); the kind is
 * lambdas/shared/kinds/redis-workers.ts.
 */
import { z } from 'zod';
import { missingDataHoldSchema, targetId } from '../../config/fields';
import { queueSizingFields, queueWorkersFleetSchema } from './queue-workers';

/**
 * A queue: the exact key of its list. Printable ASCII without blanks (it is also a CloudWatch dimension
 * value), no glob character: the reader reads exact keys with LLEN, never a pattern, so a name that looks
 * like one (`celery*`) would not count the keys it seems to and could be taken to cover other applications' keys.
 */
const queueName = z
  .string()
  .max(255)
  .regex(/^[!-~]+$/, 'must be a queue name (the key of its list): printable ASCII characters without blanks, not empty')
  .regex(/^[^*?[]*$/, 'must be an exact queue name: "*", "?" and "[" make a key pattern, and the broker reader reads exact keys with LLEN, never a pattern');

/** A broker host: a DNS name or an IPv4 address (an ElastiCache primary or configuration endpoint). */
const host = z
  .string()
  .regex(
    /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    'must be a host name or IPv4 address (no scheme, no port)',
  );

/**
 * The full ARN of a Secrets Manager secret, its 6-character suffix included, so that the reader's
 * permission names exactly this secret ("arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>").
 */
const secretArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
    'must be the full ARN of a Secrets Manager secret, with the 6-character suffix Secrets Manager adds to its name',
  );

/**
 * Where the reader runs: Lambda takes at most 16 subnets and 5 security groups (VpcConfig: SubnetIds
 * "Maximum number of 16 items", SecurityGroupIds "Maximum number of 5 items").
 */
const vpcSchema = z.strictObject({
  /** Subnets of the brokers' VPC the reader runs in (private subnets that reach the broker). */
  subnetIds: z
    .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id (subnet-0123456789abcdef0)'))
    .min(1)
    .max(16),
  /** Security groups of the reader: they must be allowed to the broker's port. */
  securityGroupIds: z
    .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id (sg-0123456789abcdef0)'))
    .min(1)
    .max(5),
});

/** The Redis broker and the queues the workers consume. */
export const redisBrokerSchema = z.strictObject({
  /** Host of the broker (an ElastiCache primary endpoint, or any Redis the VPC reaches). */
  host,
  /** Port of the broker. @default 6379 */
  port: z.number().int().min(1).max(65535).default(6379),
  /** TLS to the broker (`rediss://`; ElastiCache in-transit encryption). @default true */
  tls: z.boolean().default(true),
  /** The Redis database Celery uses (the `/n` of its broker URL). @default 0 */
  // Common sense: Redis has 16 databases unless configured otherwise.
  database: z.number().int().min(0).max(1000).default(0),
  /** The queues the workers consume (Celery's default queue is `celery`); their depths are summed. */
  queues: z.array(queueName).min(1).max(20),
  /** Count the priority lists of each queue too (`<queue>\x06\x16<3|6|9>`: Celery tasks sent with a priority). @default false */
  priorities: z.boolean().default(false),
  /**
   * Secrets Manager secret holding the AUTH token (a plain string, or JSON with `password` and an optional
   * `username` for a Redis 6 ACL user).
   * @default none: no AUTH
   */
  authSecretArn: secretArn.optional(),
  /** Subnets and security groups of the broker reader (one for the whole deployment). */
  vpc: vpcSchema,
});

/**
 * Celery workers fed by queues on a Redis broker, scaled on the queues' backlog (waiting and
 * unacknowledged), its arrival rate and the wait SLO; to zero after an idle period and back on the
 * first message seen.
 */
export const redisWorkersTargetSchema = z.strictObject({
  kind: z.literal('redis-workers'),
  id: targetId,
  /** The broker, the queues and where the reader runs. */
  broker: redisBrokerSchema,
  /** The fleet whose desired count is set. */
  workers: queueWorkersFleetSchema,
  ...queueSizingFields,
  /** What the target does while the queue's datapoints are late or missing (no fallback count). */
  missingData: missingDataHoldSchema.prefault({}),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

export type RedisWorkersTarget = z.output<typeof redisWorkersTargetSchema>;
export type RedisBroker = RedisWorkersTarget['broker'];
