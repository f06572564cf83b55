/**
 * The one schema of the autoscaler's configuration, shared by the CDK app (validated at synth), the
 * Lambda functions (the parsed config is bundled with each function) and the simulator.
 *
 * Every default below is documented in the README's config reference; keep the two in step.
 */
import { z } from 'zod';
import { NODE_MEMORY_GIB } from '../engine/redis';
import { checkTimeZone, parseCron } from '../engine/windows';

/** Alarm names, rule patterns and DynamoDB keys all embed target ids, so keep them short and plain. */
const targetId = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, 'must be 1-40 lowercase letters, digits or dashes, starting and ending with a letter or digit');

const percent = z.number().gt(0).max(100);

// Upper bounds. Every number of the schema has one, set by AWS where it sets one, else by common sense,
// so that a stray digit ends in a clear error at synth, not in a deployment that acts on it.

/** A day, seconds. */
const DAY = 86_400;
/**
 * Most units (instances, tasks, workers) of one fleet. ECS allows 5,000 tasks per service by default
 * (an adjustable quota); EC2 Auto Scaling sets no group size of its own, only instance and vCPU quotas.
 * Twice the ECS default leaves room for a raised quota and still catches a stray digit.
 */
const MAX_UNITS = 10_000;
/**
 * Most targets in one config: the scale the stack is built and tested for (alarms in nested stacks,
 * every stack under CloudFormation's 500 resources, one function per family polling them all).
 */
export const MAX_TARGETS = 1000;

/**
 * A resource name is a name, never a pattern. IAM reads `*` and `?` in a resource ARN as wildcards: a
 * group named `web-*` would grant, and the function would act on, every group whose name starts with
 * `web-`. Checked first on every name field, so the message says so whatever else is wrong.
 */
const NOT_A_PATTERN = /^[^*?]*$/;
const NOT_A_PATTERN_MESSAGE = 'must name one resource: "*" and "?" are wildcards in IAM and would match others';

/** A string that names one resource: no wildcard, then the resource's own rule. */
function resourceName(pattern: RegExp, message: string) {
  return z.string().regex(NOT_A_PATTERN, { message: NOT_A_PATTERN_MESSAGE, abort: true }).regex(pattern, message);
}

/**
 * An Auto Scaling group name: 1-255 printable ASCII characters without ":" (CreateAutoScalingGroup:
 * "any ASCII character 33 to 126 ... You cannot use a colon (:) in the name"), so never an ARN.
 */
const autoScalingGroupName = resourceName(
  /^[!-9;-~]{1,255}$/,
  'must be an Auto Scaling group name: 1-255 printable ASCII characters, no spaces, no ":" (a name, not an ARN)',
);

/** An ECS cluster or service name: "up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens", so never an ARN. */
const ecsName = resourceName(/^[A-Za-z0-9_-]{1,255}$/, 'must be an ECS name: 1-255 letters, digits, "_" or "-" (a name, not an ARN)');

/** An Application Load Balancer target group in front of the web tier. */
export const targetGroupSchema = z.strictObject({
  /** The load balancer's full name as CloudWatch uses it: `app/<name>/<id>`. */
  loadBalancerFullName: z.string().regex(/^app\/[\w-]+\/[0-9a-f]+$/, 'must look like app/<name>/<id>'),
  /** The target group's full name as CloudWatch uses it: `targetgroup/<name>/<id>`. */
  targetGroupFullName: z.string().regex(/^targetgroup\/[\w-]+\/[0-9a-f]+$/, 'must look like targetgroup/<name>/<id>'),
  /**
   * Requests per minute one target should serve. When set, RequestCountPerTarget above it raises an
   * alarm and the engine sizes on it directly; when unset, the engine learns what one unit serves from
   * CPU and RequestCount together.
   * @default undefined
   */
  // Common sense: a million requests a minute (about 16,700 a second) is beyond what one unit serves.
  requestsPerTarget: z.number().positive().max(1_000_000).optional(),
  /**
   * p95 TargetResponseTime, in seconds, above which the target is overloaded.
   * @default 1
   */
  // Common sense: a p95 above ten minutes is an outage, not a threshold to scale on.
  responseTimeP95Seconds: z.number().positive().max(600).default(1),
});

/**
 * What a target does while its CloudWatch metrics arrive late or not at all. The age of the newest
 * datapoint is measured from the end of its period: about 60-120 s when CloudWatch is on time.
 */
const lateAfterSeconds = z.number().int().min(120).max(3600).default(240);

/** Late or missing metrics, for targets that only hold (no fallback count makes sense for them). */
export const missingDataHoldSchema = z.strictObject({
  /**
   * The newest datapoint older than this (seconds since its period ended): the metrics are late. The
   * target then never moves down, still moves up on the newest data it can read, and the operator is
   * told once.
   * @default 240
   */
  lateAfterSeconds,
});

/**
 * Late or missing metrics, with a fallback count (as KEDA's ScaledObject `fallback`): `hold` keeps the
 * count (scale-out on what can still be read), `fixed` raises it to at least `count` once the newest
 * datapoint is older than `fallbackAfterSeconds` (or there is none); it never lowers it.
 */
export const missingDataSchema = z.strictObject({
  lateAfterSeconds,
  /** `hold` or `fixed`. @default hold */
  fallback: z.enum(['hold', 'fixed']).default('hold'),
  /** With `fixed`: the least count while the metrics are missing; within the target's bounds. */
  count: z.number().int().min(0).max(10000).optional(),
  /** The newest datapoint older than this, or none at all: the fallback applies. Not below `lateAfterSeconds`. @default 600 */
  fallbackAfterSeconds: z.number().int().min(120).max(3600).default(600),
});

export type MissingDataConfig = z.output<typeof missingDataSchema>;
export type MissingDataHoldConfig = z.output<typeof missingDataHoldSchema>;

/** Settings every capacity target (ASG, ECS service) shares. */
const capacityFields = {
  id: targetId,
  /** @default 2 */
  minCapacity: z.number().int().min(0).max(MAX_UNITS).default(2),
  /** @default 10 */
  maxCapacity: z.number().int().min(1).max(MAX_UNITS).default(10),
  /** Average CPU, percent, the engine steers towards. @default 70 */
  targetCpu: percent.default(70),
  /**
   * Shortest time between two scale-in actions, and after a scale-out before a scale-in, in seconds.
   * @default 300
   */
  // Common sense: a web tier that may not scale in for more than a day is not autoscaled.
  cooldownSeconds: z.number().int().min(0).max(DAY).default(300),
  /** Shortest time between two scale-out actions, in seconds. @default 60 */
  // Common sense: more than an hour between two scale-outs under load leaves the tier overloaded.
  scaleOutCooldownSeconds: z.number().int().min(0).max(3600).default(60),
  /**
   * Relative change of load within which the desired count is left as it is (0.1: a 10% band).
   * @default 0.1
   */
  tolerance: z.number().min(0).max(0.5).default(0.1),
  /** Most units one scale-out may add, as a share of the current count (1: at most double). @default 1 */
  // Common sense: one step to more than 11 times the current count is a typo, not a policy.
  maxStepUpRatio: z.number().positive().max(10).default(1),
  /**
   * Most units one scale-out may add in absolute terms, whatever the ratio allows.
   * @default no limit beyond maxStepUpRatio
   */
  maxStepUp: z.number().int().min(1).max(MAX_UNITS).optional(),
  /** Most units one scale-in may remove, as a share of the current count (always at least one). @default 0.5 */
  maxStepDownRatio: z.number().gt(0).max(1).default(0.5),
  /**
   * Scale-in uses the highest recommendation seen over this window, so a short dip does not remove
   * capacity that the next minute needs again.
   * @default 300
   */
  // The Kubernetes HPA's limit for its stabilization window (one hour).
  scaleInStabilizationSeconds: z.number().int().min(0).max(3600).default(300),
  /** Seconds from a desired-count increase until the new unit serves; the engine sizes for load that far ahead. @default 180 */
  // EC2 Auto Scaling's default instance warmup takes 0-3600 seconds.
  warmupSeconds: z.number().int().min(0).max(3600).default(180),
  /** Application Load Balancer target group whose request count and response time are signals too. */
  targetGroup: targetGroupSchema.optional(),
  /** Late or missing metrics: when they count as late, and the fallback. @default hold, late after 240 s */
  missingData: missingDataSchema.prefault({}),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
};

export const asgTargetSchema = z.strictObject({
  kind: z.literal('asg'),
  ...capacityFields,
  /** Name of the Auto Scaling group. */
  autoScalingGroupName,
});

export const ecsServiceTargetSchema = z.strictObject({
  kind: z.literal('ecs-service'),
  ...capacityFields,
  /** Name of the ECS cluster. */
  cluster: ecsName,
  /** Name of the ECS service. */
  service: ecsName,
  /** Average memory, percent, above which the service scales out. @default 80 */
  targetMemory: percent.default(80),
});

/**
 * A CloudFront invalidation path: starts with `/`; a `*` may only end it (CloudFront's own rule).
 * At most 4,000 characters, as CloudFront allows.
 */
export const cloudfrontPath = z
  .string()
  .max(4000)
  .regex(/^\/[^*\s]*\*?$/, 'must start with "/" and may end with one "*" (no other "*", no spaces)');

/** Paths of one invalidation: CloudFront holds at most 3,000 file paths per distribution in progress at once. */
const cloudfrontPaths = z.array(cloudfrontPath).min(1).max(3000);

/** The ECS service whose completed deployments invalidate the distribution. */
const ecsDeploymentTrigger = z.strictObject({
  ecsDeployment: z.strictObject({
    /** Name of the ECS cluster. */
    cluster: ecsName,
    /** Name of the ECS service. */
    service: ecsName,
    /** Paths this trigger invalidates. @default the target's `paths` */
    paths: cloudfrontPaths.optional(),
  }),
});

/** The CodePipeline pipeline whose successful executions invalidate the distribution. */
const codePipelineTrigger = z.strictObject({
  codePipeline: z.strictObject({
    /** Name of the pipeline. */
    pipeline: resourceName(/^[A-Za-z0-9.@_-]{1,100}$/, 'must be a pipeline name: 1-100 letters, digits, ".", "@", "_" or "-"'),
    /** Paths this trigger invalidates. @default the target's `paths` */
    paths: cloudfrontPaths.optional(),
  }),
});

/**
 * The S3 bucket of static assets whose new objects are invalidated one path each. The bucket must
 * send its events to EventBridge (its notification configuration's `EventBridgeConfiguration`).
 */
const s3Trigger = z.strictObject({
  s3: z.strictObject({
    /** Name of the bucket. */
    bucket: resourceName(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
    /** Only keys that start with this count; it is cut off the key before the path is made. @default "" (every key) */
    prefix: z.string().max(1024).default(''),
    /** Prepended to the rest of the key to make the invalidation path. @default "/" */
    pathPrefix: z
      .string()
      .regex(/^\/[^*\s]*$/, 'must start with "/" and hold no "*" or spaces')
      .default('/'),
  }),
});

export const cloudfrontTriggerSchema = z.union([ecsDeploymentTrigger, codePipelineTrigger, s3Trigger]);

/** A CloudFront distribution invalidated after deploys: coalesced, wildcard-aware, within AWS limits. */
export const cloudfrontTargetSchema = z.strictObject({
  kind: z.literal('cloudfront'),
  id: targetId,
  /** The distribution's id (`E2QWRUHAPOMQZL`). */
  distributionId: resourceName(/^E[A-Z0-9]{1,40}$/, 'must be a CloudFront distribution id: "E" then capital letters and digits'),
  /**
   * Deploy events that invalidate the distribution: `ecsDeployment`, `codePipeline`, `s3`. Without any,
   * only the `invalidate` runbook does.
   * @default []
   */
  // Common sense: fifty deploy sources for one distribution is a mistake.
  triggers: z.array(cloudfrontTriggerSchema).max(50).default([]),
  /** Paths a deploy trigger (ECS, CodePipeline) invalidates unless it names its own. @default ["/*"] */
  paths: cloudfrontPaths.default(['/*']),
  /**
   * Events within one window of this many seconds (aligned on the epoch) make one invalidation, sent
   * at the first 1-minute tick after the window closes.
   * @default 60
   */
  coalesceSeconds: z.number().int().min(10).max(3600).default(60),
  /**
   * Paths invalidated per calendar month (UTC) before the batches are collapsed to wildcards and a
   * warning is logged; a wildcard path counts as one, as CloudFront bills it. The first 1,000 a month are free.
   * @default 1000
   */
  // Common sense: past 100,000 paths a month (about US$500 at US$0.005 a path) wildcards are the answer.
  monthlyPathBudget: z.number().int().min(1).max(100_000).default(1000),
  /** Record invalidations without sending them. @default false */
  dryRun: z.boolean().default(false),
});

/** An RDS DB instance identifier: 1-63 letters, digits or hyphens, starting with a letter, no `--`, no trailing hyphen. */
const dbInstanceIdentifier = resourceName(
  /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}$/,
  'must be an RDS identifier: 1-63 letters, digits or hyphens, starting with a letter, no "--"',
).refine((s) => !s.endsWith('-'), 'must not end with a hyphen');

/** An RDS instance class such as `db.r6g.large`. */
const dbInstanceClass = z.string().regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, 'must be an RDS instance class such as db.r6g.large');

/** An ElastiCache node type such as `cache.r7g.large`. */
const cacheNodeType = z.string().regex(/^cache\.[a-z0-9-]+\.[a-z0-9]+$/, 'must be an ElastiCache node type such as cache.r7g.large');

/**
 * Read replicas of an RDS PostgreSQL/MySQL source instance, or Aurora readers of a cluster, added and
 * removed by the `rds-replicas` runbook. Exactly one of `sourceInstanceIdentifier` and `clusterIdentifier`.
 */
export const rdsReplicasTargetSchema = z.strictObject({
  kind: z.literal('rds-replicas'),
  id: targetId,
  /** The RDS PostgreSQL/MySQL source (primary) instance whose read replicas are scaled. */
  sourceInstanceIdentifier: dbInstanceIdentifier.optional(),
  /** The Aurora cluster whose reader instances are scaled (instead of `sourceInstanceIdentifier`). */
  clusterIdentifier: dbInstanceIdentifier.optional(),
  /** Instance class of the replicas the autoscaler creates. @default the source's (the writer's for Aurora) */
  replicaInstanceClass: dbInstanceClass.optional(),
  /** Fewest replicas the autoscaler keeps (its own; replicas made by others are left alone). @default 0 */
  minReplicas: z.number().int().min(0).max(15).default(0),
  /** Most replicas the autoscaler creates; with the others, never more than the 15 RDS allows per source. @default 3 */
  maxReplicas: z.number().int().min(1).max(15).default(3),
  /** Average CPU percent of the source or of the replicas above which a replica is added. @default 80 */
  cpuHighPercent: percent.default(80),
  /** Minutes CPU must stay above `cpuHighPercent` before the alarm fires (the seed rule: 10). @default 10 */
  cpuHighMinutes: z.number().int().min(1).max(60).default(10),
  /** Average CPU percent of both source and replicas below which a replica is removed. @default 30 */
  cpuLowPercent: percent.default(30),
  /** Minutes CPU must stay below `cpuLowPercent` before the scale-in alarm fires. @default 30 */
  cpuLowMinutes: z.number().int().min(1).max(240).default(30),
  /** DatabaseConnections of the source above which a replica is added. @default no connection signal */
  // Common sense: no single database server holds 100,000 connections.
  connectionsHigh: z.number().int().positive().max(100_000).optional(),
  /** A replica is never removed while any replica lags more than this many seconds. @default 30 */
  // Common sense: a replica a day behind is broken; waiting on it would keep every replica forever.
  maxReplicaLagSeconds: z.number().positive().max(DAY).default(30),
  /** Least seconds between two replica additions (creating one takes 15 minutes or more). @default 1200 */
  // Common sense: a source overloaded for a day without a second replica is not autoscaled.
  cooldownSeconds: z.number().int().min(0).max(DAY).default(1200),
  /** Least seconds after any change before a replica is removed. @default 3600 */
  // Common sense: a week.
  scaleInCooldownSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * DAY)
    .default(3600),
  /**
   * SSM parameter (String, JSON) holding the available reader endpoints, for a Django database router.
   * @default "/<prefix>/<targetId>/reader-endpoints"
   */
  readerEndpointsParameter: resourceName(/^(\/[A-Za-z0-9_.-]+)+$/, 'must be an SSM parameter path such as /shop/db/reader-endpoints')
    .max(1011)
    .optional(),
  /**
   * Weighted CNAME records, one per available reader (SetIdentifier: the replica's identifier), under
   * one name of a private hosted zone that the autoscaler owns.
   * @default no records
   */
  route53: z
    .strictObject({
      /** The private hosted zone's id (`Z0123456789ABCDEFGHIJ`). */
      hostedZoneId: resourceName(/^Z[A-Z0-9]{1,32}$/, 'must be a hosted zone id such as Z0123456789ABCDEFGHIJ'),
      /** The record name the readers share (`read.orders-db.internal`); no other record may use it. */
      recordName: resourceName(
        /^(?=.{1,253}\.?$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/,
        'must be a lowercase DNS name such as read.orders-db.internal',
      ),
      /** TTL of the records, seconds. @default 30 */
      ttl: z.number().int().min(5).max(3600).default(30),
    })
    .optional(),
  /** Late or missing metrics: no removal on them; `fixed` keeps at least `count` replicas of the autoscaler's. @default hold, late after 240 s */
  missingData: missingDataSchema.prefault({}),
  /**
   * Delete the automated backups of a replica the autoscaler removes. A read replica cannot get a final
   * snapshot (DeleteDBInstance requires SkipFinalSnapshot for one and refuses FinalDBSnapshotIdentifier),
   * so its retained automated backups, if it has any, are what is kept unless this is set. An Aurora
   * reader holds no data of its own (the cluster volume does).
   * @default false
   */
  deleteAutomatedBackups: z.boolean().default(false),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

/** Allocated storage of an RDS instance, grown ahead of full by the `rds-storage` runbook. */
export const rdsStorageTargetSchema = z.strictObject({
  kind: z.literal('rds-storage'),
  id: targetId,
  /** The RDS instance whose storage grows. */
  instanceIdentifier: dbInstanceIdentifier,
  /** Used storage percent (from FreeStorageSpace) above which storage grows (the seed rule: 80). @default 80 */
  usedHighPercent: percent.default(80),
  /** Each growth adds this share of the allocated storage (RDS needs at least 10%). @default 0.2 */
  growRatio: z.number().min(0.1).max(1).default(0.2),
  /** Allocated storage, GiB, never exceeded. */
  maxAllocatedGiB: z.number().int().min(20).max(65536),
  /** Late or missing metrics: no move down on them. @default late after 240 s */
  missingData: missingDataHoldSchema.prefault({}),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

/** The instance class of an RDS instance, moved along a ladder by the `rds-instance` runbook. */
export const rdsInstanceTargetSchema = z.strictObject({
  kind: z.literal('rds-instance'),
  id: targetId,
  /** The RDS instance whose class changes. */
  instanceIdentifier: dbInstanceIdentifier,
  /** Instance classes from smallest to largest, each larger than the one before; the instance moves one rung at a time. */
  instanceClassLadder: z.array(dbInstanceClass).min(2).max(20),
  /** Average CPU percent above which the instance moves one rung up. @default 80 */
  cpuHighPercent: percent.default(80),
  /** Minutes CPU must stay above `cpuHighPercent` (a class change restarts the instance: be sure). @default 30 */
  cpuHighMinutes: z.number().int().min(5).max(1440).default(30),
  /** Average CPU percent below which the instance moves one rung down. @default 20 */
  cpuLowPercent: percent.default(20),
  /** Minutes CPU must stay below `cpuLowPercent`. @default 240 */
  cpuLowMinutes: z.number().int().min(30).max(1440).default(240),
  /** FreeableMemory, MiB, below which (for 15 minutes) the instance moves up. @default no memory signal */
  // Common sense: 4 TiB, the memory of RDS's largest classes.
  freeableMemoryLowMiB: z
    .number()
    .int()
    .positive()
    .max(4 * 1024 * 1024)
    .optional(),
  /**
   * Apply a class change now (the instance restarts, a Multi-AZ one fails over) or in the next
   * maintenance window.
   * @default false
   */
  applyImmediately: z.boolean().default(false),
  /** Least seconds after a class change before the next one. @default 86400 */
  // Common sense: thirty days.
  cooldownSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * DAY)
    .default(86400),
  /** Late or missing metrics: no move down on them. @default late after 240 s */
  missingData: missingDataHoldSchema.prefault({}),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

/** An ElastiCache (Redis OSS / Valkey) replication group moved along a node-type ladder by the `redis` runbook. */
export const redisTargetSchema = z.strictObject({
  kind: z.literal('redis'),
  id: targetId,
  /** The replication group. */
  replicationGroupId: resourceName(
    /^[a-z](?!.*--)[a-z0-9-]{0,39}$/,
    'must be a replication group id: 1-40 lowercase letters, digits or hyphens, starting with a letter',
  ),
  /** Node types from smallest to largest, each larger than the one before; the group moves one rung at a time, only to types AWS allows. */
  nodeTypeLadder: z.array(cacheNodeType).min(2).max(20),
  /** DatabaseMemoryUsagePercentage of the fullest node, for 5 minutes, above which the group moves one rung up (the seed rule: 80-90). @default 80 */
  memoryHighPercent: percent.default(80),
  /** EngineCPUUtilization above which the group moves one rung up. @default 80 */
  cpuHighPercent: percent.default(80),
  /** Evictions per minute above which the group moves one rung up. @default no eviction signal */
  // Common sense: ten million evictions a minute is beyond what one node serves.
  evictionsHigh: z.number().int().positive().max(10_000_000).optional(),
  /** DatabaseMemoryUsagePercentage below which a move one rung down is considered. @default 30 */
  memoryLowPercent: percent.default(30),
  /** Minutes every node's memory must have stayed below `memoryLowPercent` before a move down. @default 60 */
  memoryLowMinutes: z.number().int().min(5).max(1440).default(60),
  /**
   * The smaller type must hold the data used now with this much memory to spare, as a share of the
   * smaller type's memory, and stay under `memoryHighPercent`.
   * @default 0.5
   */
  scaleDownHeadroom: z.number().min(0.1).max(0.9).default(0.5),
  /** Least seconds after a resize before the group moves down. @default 21600 */
  // Common sense: thirty days.
  scaleDownCooldownSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * DAY)
    .default(21600),
  /**
   * Fewest replicas per shard. With `maxReplicasPerShard`, the replica count is managed too
   * (IncreaseReplicaCount / DecreaseReplicaCount). Set it to go below what the group had.
   * @default the replicas per shard the group had when the autoscaler first saw it (recorded in the state table)
   */
  minReplicasPerShard: z.number().int().min(0).max(5).optional(),
  /** Most replicas per shard; unset: the replica count is left alone. @default unset */
  maxReplicasPerShard: z.number().int().min(0).max(5).optional(),
  /** CurrConnections per node above which a replica is added (reads spread over more nodes). @default 5000 */
  // ElastiCache fixes maxclients at 65,000 per node: a threshold above it never fires.
  connectionsPerNodeHigh: z.number().int().positive().max(65_000).default(5000),
  /**
   * Fewest shards (cluster mode); the `redis` runbook refuses fewer. Set it to go below what the group had.
   * @default the shards the group had when the autoscaler first saw it (recorded in the state table)
   */
  minShards: z.number().int().min(1).max(500).optional(),
  /** Most shards (cluster mode); the `redis` runbook refuses more. @default 500 */
  maxShards: z.number().int().min(1).max(500).default(500),
  /** Late or missing metrics: no move down on them. @default late after 240 s */
  missingData: missingDataHoldSchema.prefault({}),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

/** An SQS queue URL: `https://sqs.<region>.amazonaws.com/<account>/<name>` (the legacy `<region>.queue.amazonaws.com` host too). */
export const SQS_QUEUE_URL =
  /^https:\/\/(?:sqs\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?|([a-z]{2}(?:-[a-z]+)+-\d)\.queue\.amazonaws\.com)\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;
const sqsQueueUrl = resourceName(SQS_QUEUE_URL, 'must be an SQS queue URL: https://sqs.<region>.amazonaws.com/<account>/<queue name>');

/**
 * How the workers of a queue-workers target hold messages and whether they shield themselves from
 * scale-in: what decides how low a scale-in may go while messages are in flight.
 */
const workerHoldingFields = {
  /**
   * The workers protect themselves from scale-in while they work (ECS task scale-in protection,
   * Auto Scaling instance protection; see the README's "Busy workers are never killed"). Without it
   * the desired count never drops below the workers the in-flight messages need.
   * @default false
   */
  scaleInProtection: z.boolean().default(false),
  /**
   * Messages one worker holds in flight (received, not yet deleted): Celery's concurrency x
   * `worker_prefetch_multiplier`. Without scale-in protection, ceil(in flight / this) workers stay.
   * @default 1 (concurrency 1, `worker_prefetch_multiplier = 1`)
   */
  messagesInFlightPerWorker: z.number().int().min(1).max(10000).default(1),
};

/** The worker fleet a queue feeds: an ECS service or an Auto Scaling group. */
export const queueWorkersFleetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('ecs-service'),
    /** Name of the ECS cluster. */
    cluster: ecsName,
    /** Name of the ECS service whose tasks are the workers. */
    service: ecsName,
    ...workerHoldingFields,
  }),
  z.strictObject({
    kind: z.literal('asg'),
    /** Name of the Auto Scaling group whose instances are the workers. */
    autoScalingGroupName,
    ...workerHoldingFields,
  }),
]);

/**
 * Celery-like workers fed by one SQS queue, scaled on the queue's backlog (visible and in flight),
 * its arrival rate and the wait SLO; to zero after an idle period and back on the first message.
 */
export const queueWorkersTargetSchema = z.strictObject({
  kind: z.literal('queue-workers'),
  id: targetId,
  /** The queue the workers consume. */
  queueUrl: sqsQueueUrl,
  /** The queue's dead-letter queue: its depth is reported (notification, metric), never scaled on. @default none */
  deadLetterQueueUrl: sqsQueueUrl.optional(),
  /** The fleet whose desired count is set. */
  workers: queueWorkersFleetSchema,
  /** Messages one worker completes per second (its throughput). */
  // Common sense: a worker that completes more than 10,000 messages a second needs no autoscaler.
  messagesPerSecondPerWorker: z.number().positive().max(10_000),
  /** Longest a message should wait in the queue, seconds: the engine sizes the fleet to drain the backlog within it. @default 300 */
  maxWaitSeconds: z.number().int().min(60).max(43200).default(300),
  /** Fewest workers; 0 lets the fleet scale to zero when the queue is idle. @default 0 */
  minCapacity: z.number().int().min(0).max(MAX_UNITS).default(0),
  /** Most workers. @default 10 */
  maxCapacity: z.number().int().min(1).max(MAX_UNITS).default(10),
  /** Seconds the queue must stay empty (nothing visible, nothing in flight) before the last worker goes. @default 300 */
  idleSeconds: z.number().int().min(0).max(86400).default(300),
  /** Seconds from a desired-count increase until the new worker consumes messages. @default 60 */
  warmupSeconds: z.number().int().min(0).max(3600).default(60),
  /**
   * Scale-in goes only as low as the highest recommendation of this window, so a worker removed is
   * not needed again a minute later.
   * @default 180
   */
  scaleInStabilizationSeconds: z.number().int().min(0).max(3600).default(180),
  /** Least seconds after any change before workers are removed. @default 120 */
  scaleInCooldownSeconds: z.number().int().min(0).max(3600).default(120),
  /** Most workers one scale-in removes, as a share of the current count (always at least one). @default 0.5 */
  maxStepDownRatio: z.number().gt(0).max(1).default(0.5),
  /** Share of `maxWaitSeconds` the age of the oldest message must pass to raise the fast-path alarm. @default 0.5 */
  ageAlarmRatio: z.number().gt(0).lt(1).default(0.5),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

/** EventBridge Scheduler's cron expression: `cron(minutes hours day-of-month month day-of-week year)`. */
const cronExpression = z
  .string()
  .regex(/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/, 'must be an EventBridge cron expression: cron(minutes hours day-of-month month day-of-week year)');

/**
 * A capacity window: from each `start` for `durationMinutes` (or until the next `end`), in `timezone`,
 * the target's floor and ceiling are `minCapacity` and `maxCapacity` instead of its own.
 */
export const capacityWindowSchema = z.strictObject({
  /** Short name, unique in the config; names the window's schedules. */
  name: targetId,
  /** Id of an `asg`, `ecs-service` or `queue-workers` target. */
  target: targetId,
  /** When the window opens, an EventBridge cron expression such as `cron(0 23 * * ? *)`. */
  start: cronExpression,
  /** When the window closes (cron); exactly one of `end` and `durationMinutes`. */
  end: cronExpression.optional(),
  /** How long the window lasts after each start, minutes (at most 7 days). */
  durationMinutes: z.number().int().min(1).max(10080).optional(),
  /** IANA time zone of the cron expressions. @default "UTC" */
  timezone: z.string().min(1).max(64).default('UTC'),
  /** The target's floor while the window is open. @default the target's minCapacity */
  minCapacity: z.number().int().min(0).max(MAX_UNITS).optional(),
  /** The target's ceiling while the window is open. @default the target's maxCapacity */
  maxCapacity: z.number().int().min(0).max(MAX_UNITS).optional(),
});

export const targetSchema = z.discriminatedUnion('kind', [
  asgTargetSchema,
  ecsServiceTargetSchema,
  cloudfrontTargetSchema,
  rdsReplicasTargetSchema,
  rdsStorageTargetSchema,
  rdsInstanceTargetSchema,
  redisTargetSchema,
  queueWorkersTargetSchema,
]);

/** Subscriptions of the deployment's notification topic (actions, refusals, failures, self-alarms). */
export const notificationsSchema = z.strictObject({
  /**
   * An email address subscribed to the topic; AWS sends it a confirmation message first.
   * @default undefined (no subscription)
   */
  email: z.email('must be an email address').max(254).optional(),
});

export const configSchema = z
  .strictObject({
    /**
     * Prefix of every alarm name (`<prefix>/<targetId>/<signal>/<direction>`) and of the resource names.
     * @default "autoscaler"
     */
    prefix: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,30}$/, 'must be 1-31 letters, digits or dashes, starting with a letter')
      .default('autoscaler'),
    /** Record every decision without acting on any target. @default false */
    dryRun: z.boolean().default(false),
    /** Events older than this many seconds are dropped. @default 600 */
    // EventBridge retries a delivery for at most 24 hours (RetryPolicy.MaximumEventAgeInSeconds <= 86400).
    maxEventAgeSeconds: z.number().int().positive().max(DAY).default(600),
    /** Audit entries are kept this many days. @default 30 */
    // Common sense: ten years.
    auditRetentionDays: z.number().int().positive().max(3653).default(30),
    /**
     * Where every action, refusal and failure is announced besides the deployment's SNS topic.
     * @default {} (the topic only, no subscription)
     */
    notifications: notificationsSchema.default({}),
    targets: z.array(targetSchema).min(1).max(MAX_TARGETS),
    /**
     * Capacity windows: cron periods (with a time zone) that set a target's floor and ceiling, such as
     * a night scale-down. Of overlapping windows of one target, the one opened most recently wins.
     * @default []
     */
    // Common sense: a few windows per target.
    windows: z.array(capacityWindowSchema).max(MAX_TARGETS).default([]),
  })
  .superRefine((config, ctx) => {
    checkWindows(config, ctx);
    checkOneTargetPerResource(config.targets, ctx);
    const seen = new Map<string, number>();
    config.targets.forEach((t, i) => {
      const first = seen.get(t.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'id'], message: `"${t.id}" is already the id of targets[${first}]` });
      } else {
        seen.set(t.id, i);
      }
      if ('maxCapacity' in t && t.maxCapacity < t.minCapacity) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'maxCapacity'], message: `${t.maxCapacity} is below minCapacity ${t.minCapacity}` });
      }
      if (t.kind === 'asg' || t.kind === 'ecs-service') checkMissingData(t.missingData, [t.minCapacity, t.maxCapacity], ['minCapacity', 'maxCapacity'], i, ctx);
      if (t.kind === 'rds-replicas') checkMissingData(t.missingData, [t.minReplicas, t.maxReplicas], ['minReplicas', 'maxReplicas'], i, ctx);
      if (t.kind === 'rds-replicas') {
        if ((t.sourceInstanceIdentifier === undefined) === (t.clusterIdentifier === undefined)) {
          ctx.addIssue({ code: 'custom', path: ['targets', i], message: 'needs exactly one of sourceInstanceIdentifier (RDS) and clusterIdentifier (Aurora)' });
        }
        if (t.maxReplicas < t.minReplicas) {
          ctx.addIssue({ code: 'custom', path: ['targets', i, 'maxReplicas'], message: `${t.maxReplicas} is below minReplicas ${t.minReplicas}` });
        }
        if (t.cpuLowPercent >= t.cpuHighPercent) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'cpuLowPercent'],
            message: `${t.cpuLowPercent} must be below cpuHighPercent ${t.cpuHighPercent}`,
          });
        }
        if (!/^[a-z]/.test(t.id) || t.id.includes('--')) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'id'],
            message: `"${t.id}" names the replicas (<id>-ro-<n>): it must start with a letter and hold no "--"`,
          });
        }
      }
      if (t.kind === 'rds-instance') {
        checkLadder(t.instanceClassLadder, ['targets', i, 'instanceClassLadder'], ctx);
        if (t.cpuLowPercent >= t.cpuHighPercent) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'cpuLowPercent'],
            message: `${t.cpuLowPercent} must be below cpuHighPercent ${t.cpuHighPercent}`,
          });
        }
      }
      if (t.kind === 'redis') {
        checkLadder(t.nodeTypeLadder, ['targets', i, 'nodeTypeLadder'], ctx);
        if (t.maxReplicasPerShard !== undefined && t.minReplicasPerShard !== undefined && t.maxReplicasPerShard < t.minReplicasPerShard) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'maxReplicasPerShard'],
            message: `${t.maxReplicasPerShard} is below minReplicasPerShard ${t.minReplicasPerShard}`,
          });
        }
        if (t.minShards !== undefined && t.maxShards < t.minShards) {
          ctx.addIssue({ code: 'custom', path: ['targets', i, 'maxShards'], message: `${t.maxShards} is below minShards ${t.minShards}` });
        }
        if (t.memoryLowPercent >= t.memoryHighPercent) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'memoryLowPercent'],
            message: `${t.memoryLowPercent} must be below memoryHighPercent ${t.memoryHighPercent}`,
          });
        }
      }
    });
  });

/**
 * One resource, one target: two targets acting on the same group, service, queue, database or cache
 * would each undo the other (two `asg` targets on one group flap it 4 -> 10 -> 4 every minute). The
 * second is refused, naming the first.
 */
function checkOneTargetPerResource(targets: readonly TargetConfig[], ctx: z.core.$RefinementCtx): void {
  const owners = new Map<string, number>();
  targets.forEach((t, i) => {
    for (const r of resourcesOf(t)) {
      if (r.key === undefined) continue;
      const owner = owners.get(r.key);
      if (owner === undefined) owners.set(r.key, i);
      else if (owner !== i)
        ctx.addIssue({ code: 'custom', path: ['targets', i, ...r.path], message: `${r.shown} is already the ${r.noun} of targets[${owner}]` });
    }
  });
}

/** EC2-style sizes below `xlarge`, smallest first; `<n>xlarge` follow by n, `metal` comes last. */
const NAMED_SIZES = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge'];

/**
 * The order of an instance class's or node type's size token (`db.r6g.2xlarge` -> `2xlarge`):
 * nano < micro < small < medium < large < xlarge < 2xlarge < ... < 48xlarge < metal; undefined for a
 * token that is none of these.
 */
export function sizeRank(type: string): number | undefined {
  const size = type.slice(type.lastIndexOf('.') + 1);
  const named = NAMED_SIZES.indexOf(size);
  if (named >= 0) return named;
  const n = /^([1-9]\d{0,2})xlarge$/.exec(size);
  if (n) return NAMED_SIZES.length - 2 + Number(n[1]);
  return size === 'metal' ? Number.MAX_SAFE_INTEGER : undefined;
}

/**
 * A ladder goes from smallest to largest, each rung larger than the one before, so that "one rung up"
 * always means more capacity. ElastiCache node types compare by memory (NODE_MEMORY_GIB) where both are
 * listed, everything else by its size token.
 */
function checkLadder(ladder: readonly string[], path: readonly (string | number)[], ctx: z.core.$RefinementCtx): void {
  const at = (i: number) => formatPath([...path, i]);
  ladder.forEach((rung, i) => {
    if (sizeRank(rung) === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i],
        message: `"${rung}" has a size that cannot be ordered (${NAMED_SIZES.join(', ')}, 2xlarge ... 48xlarge or metal)`,
      });
      return;
    }
    if (i === 0 || sizeRank(ladder[i - 1]) === undefined) return;
    const prev = ladder[i - 1];
    const memory =
      Object.hasOwn(NODE_MEMORY_GIB, prev) && Object.hasOwn(NODE_MEMORY_GIB, rung) ? ([NODE_MEMORY_GIB[prev], NODE_MEMORY_GIB[rung]] as const) : undefined;
    const larger = memory ? memory[1] > memory[0] : (sizeRank(rung) as number) > (sizeRank(prev) as number);
    if (!larger) {
      const gib = (v: number) => ` (${v} GiB)`;
      ctx.addIssue({
        code: 'custom',
        path: [...path, i],
        message: `"${rung}"${memory ? gib(memory[1]) : ''} is not larger than ${at(i - 1)} "${prev}"${memory ? gib(memory[0]) : ''}: a ladder goes from smallest to largest`,
      });
    }
  });
}

/** A fallback count that is set exactly when `fixed` asks for it, within the target's bounds; the fallback no sooner than lateness. */
function checkMissingData(
  m: MissingDataConfig,
  [min, max]: [number, number],
  [minName, maxName]: [string, string],
  i: number,
  ctx: z.core.$RefinementCtx,
): void {
  const at = (...path: string[]) => ['targets', i, 'missingData', ...path];
  if (m.fallback === 'fixed' && m.count === undefined) {
    ctx.addIssue({ code: 'custom', path: at('count'), message: 'is required with fallback "fixed" (the least count while the metrics are missing)' });
  }
  if (m.fallback === 'hold' && m.count !== undefined) {
    ctx.addIssue({ code: 'custom', path: at('count'), message: `${m.count} is only used with fallback "fixed"; fallback "hold" keeps the current count` });
  }
  if (m.count !== undefined && (m.count < min || m.count > max)) {
    ctx.addIssue({ code: 'custom', path: at('count'), message: `${m.count} is outside ${minName}-${maxName} (${min}-${max})` });
  }
  if (m.fallbackAfterSeconds < m.lateAfterSeconds) {
    ctx.addIssue({
      code: 'custom',
      path: at('fallbackAfterSeconds'),
      message: `${m.fallbackAfterSeconds} is below lateAfterSeconds ${m.lateAfterSeconds}: metrics are missing only after they are late`,
    });
  }
}

/** Windows name an existing capacity or queue target, hold valid crons and time zones, and keep floor <= ceiling. */
function checkWindows(
  config: {
    targets: readonly { id: string; kind: string; minCapacity?: number; maxCapacity?: number }[];
    windows: readonly z.output<typeof capacityWindowSchema>[];
  },
  ctx: z.core.$RefinementCtx,
): void {
  const names = new Map<string, number>();
  config.windows.forEach((w, i) => {
    const at = (...path: (string | number)[]) => ['windows', i, ...path];
    const first = names.get(w.name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: at('name'), message: `"${w.name}" is already the name of windows[${first}]` });
    else names.set(w.name, i);
    const target = config.targets.find((t) => t.id === w.target);
    if (!target) {
      ctx.addIssue({ code: 'custom', path: at('target'), message: `"${w.target}" is not the id of any target` });
    } else if (!WINDOW_KINDS.includes(target.kind)) {
      ctx.addIssue({ code: 'custom', path: at('target'), message: `"${w.target}" is a ${target.kind} target; windows apply to ${WINDOW_KINDS.join(', ')}` });
    } else {
      const min = w.minCapacity ?? target.minCapacity ?? 0;
      const max = w.maxCapacity ?? target.maxCapacity ?? 0;
      if (min > max) ctx.addIssue({ code: 'custom', path: at('minCapacity'), message: `the window's floor ${min} is above its ceiling ${max}` });
    }
    if ((w.end === undefined) === (w.durationMinutes === undefined)) {
      ctx.addIssue({ code: 'custom', path: at(), message: 'needs exactly one of end (a cron) and durationMinutes' });
    }
    if (w.minCapacity === undefined && w.maxCapacity === undefined) {
      ctx.addIssue({ code: 'custom', path: at(), message: 'sets neither minCapacity nor maxCapacity; it would change nothing' });
    }
    for (const key of ['start', 'end'] as const) {
      const expression = w[key];
      if (expression === undefined) continue;
      try {
        parseCron(expression);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: at(key), message: (err as Error).message });
      }
    }
    try {
      checkTimeZone(w.timezone);
    } catch {
      ctx.addIssue({ code: 'custom', path: at('timezone'), message: `"${w.timezone}" is not an IANA time zone (such as Europe/Paris)` });
    }
  });
}

/** Target kinds whose floor and ceiling a capacity window sets. */
export const WINDOW_KINDS: readonly string[] = ['asg', 'ecs-service', 'queue-workers'];

export type AutoscalerConfig = z.output<typeof configSchema>;
export type AutoscalerConfigInput = z.input<typeof configSchema>;
export type TargetConfig = AutoscalerConfig['targets'][number];
export type AsgTarget = z.output<typeof asgTargetSchema>;
export type EcsServiceTarget = z.output<typeof ecsServiceTargetSchema>;
export type CapacityTarget = AsgTarget | EcsServiceTarget;
export type CloudfrontTarget = z.output<typeof cloudfrontTargetSchema>;
export type CloudfrontTrigger = CloudfrontTarget['triggers'][number];
export type RdsReplicasTarget = z.output<typeof rdsReplicasTargetSchema>;
export type RdsStorageTarget = z.output<typeof rdsStorageTargetSchema>;
export type RedisTarget = z.output<typeof redisTargetSchema>;
export type RdsInstanceTarget = z.output<typeof rdsInstanceTargetSchema>;
export type DataTarget = RdsReplicasTarget | RdsStorageTarget | RdsInstanceTarget | RedisTarget;
export type TargetKind = TargetConfig['kind'];
export type QueueWorkersTarget = z.output<typeof queueWorkersTargetSchema>;
export type CapacityWindowConfig = z.output<typeof capacityWindowSchema>;

/** Something a target acts on or reads, as the config names it. */
export interface TargetResource {
  /** Where the config names it, below the target (`['workers', 'autoScalingGroupName']`). */
  readonly path: readonly (string | number)[];
  /** What it is, for messages: "group", "service", "queue"... */
  readonly noun: string;
  /** The name as the config writes it, quoted, for messages (`"api" in cluster "shop"`). */
  readonly shown: string;
  /**
   * The identity of what the target changes: two targets with the same key would both act on it.
   * Unset for a resource the target only reads (a dead-letter queue).
   */
  readonly key?: string;
  /** Where the config says so (an SQS queue URL): the resource's region. @default unknown: the stack's */
  readonly region?: string;
  /** Where the config says so (an SQS queue URL): the resource's account. @default unknown: the stack's */
  readonly account?: string;
}

type TargetOfKind<K extends TargetKind> = Extract<TargetConfig, { kind: K }>;

const q = (s: string) => JSON.stringify(s);
const group = (path: string[], name: string): TargetResource => ({ path, noun: 'group', shown: q(name), key: `autoscaling:${name}` });
const ecsService = (path: string[], cluster: string, service: string): TargetResource => ({
  path,
  noun: 'service',
  shown: `${q(service)} in cluster ${q(cluster)}`,
  key: `ecs:${cluster}/${service}`,
});
/** RDS identifiers are case-insensitive (RDS stores them in lowercase): `Orders` and `orders` are one instance. */
const rds = (path: string[], noun: string, space: string, id: string): TargetResource => ({ path, noun, shown: q(id), key: `${space}:${id.toLowerCase()}` });
/** One queue whatever host its URL uses (`sqs.<region>.amazonaws.com` or the legacy `<region>.queue.amazonaws.com`). */
function sqsQueue(path: string[], url: string, acted: boolean): TargetResource {
  const m = SQS_QUEUE_URL.exec(url);
  const [region, account, name] = m ? [m[1] ?? m[2], m[3], m[4]] : [undefined, undefined, url];
  return { path, noun: acted ? 'queue' : 'dead-letter queue', shown: q(url), key: acted ? `sqs:${region}/${account}/${name}` : undefined, region, account };
}

/**
 * What each kind of target acts on (and reads, where the config names its region or account), in one
 * table: a new kind declares its resources here, and "one resource, one target" and the stack's
 * region/account check follow. RDS aspects are separate resources: an rds-storage and an rds-instance
 * target on one instance change different things; two of either kind on one instance fight.
 */
export const TARGET_RESOURCES: { readonly [K in TargetKind]: (t: TargetOfKind<K>) => TargetResource[] } = {
  asg: (t) => [group(['autoScalingGroupName'], t.autoScalingGroupName)],
  'ecs-service': (t) => [ecsService(['service'], t.cluster, t.service)],
  // Two targets would each plan against the same in-progress invalidation limits.
  cloudfront: (t) => [{ path: ['distributionId'], noun: 'distribution', shown: q(t.distributionId), key: `cloudfront:${t.distributionId}` }],
  'rds-replicas': (t) => [
    ...(t.sourceInstanceIdentifier !== undefined ? [rds(['sourceInstanceIdentifier'], 'source instance', 'rds-source', t.sourceInstanceIdentifier)] : []),
    ...(t.clusterIdentifier !== undefined ? [rds(['clusterIdentifier'], 'Aurora cluster', 'aurora-cluster', t.clusterIdentifier)] : []),
  ],
  'rds-storage': (t) => [rds(['instanceIdentifier'], 'instance (storage)', 'rds-storage', t.instanceIdentifier)],
  'rds-instance': (t) => [rds(['instanceIdentifier'], 'instance (class)', 'rds-class', t.instanceIdentifier)],
  redis: (t) => [{ path: ['replicationGroupId'], noun: 'replication group', shown: q(t.replicationGroupId), key: `elasticache:${t.replicationGroupId}` }],
  'queue-workers': (t) => [
    sqsQueue(['queueUrl'], t.queueUrl, true),
    ...(t.deadLetterQueueUrl !== undefined ? [sqsQueue(['deadLetterQueueUrl'], t.deadLetterQueueUrl, false)] : []),
    t.workers.kind === 'asg'
      ? group(['workers', 'autoScalingGroupName'], t.workers.autoScalingGroupName)
      : ecsService(['workers', 'service'], t.workers.cluster, t.workers.service),
  ],
};

/** The resources a target acts on or reads (TARGET_RESOURCES of its kind). */
export function resourcesOf(t: TargetConfig): TargetResource[] {
  return (TARGET_RESOURCES[t.kind] as (t: TargetConfig) => TargetResource[])(t);
}

/**
 * Problems of targets in another region or account than the stack's, for what the config names with
 * its region or account (SQS queue URLs); `undefined` region or account: unknown (an
 * environment-agnostic stack), not checked. One line per resource, naming the target's path, the
 * resource's region/account and the stack's.
 */
export function placementProblems(config: AutoscalerConfig, stack: { readonly region?: string; readonly account?: string }): string[] {
  const problems: string[] = [];
  config.targets.forEach((t, i) => {
    for (const r of resourcesOf(t)) {
      const where: string[] = [];
      if (stack.region !== undefined && r.region !== undefined && r.region !== stack.region) where.push(`region ${r.region} (the stack's: ${stack.region})`);
      if (stack.account !== undefined && r.account !== undefined && r.account !== stack.account)
        where.push(`account ${r.account} (the stack's: ${stack.account})`);
      if (where.length) {
        problems.push(
          `${formatPath(['targets', i, ...r.path])}: the ${r.noun} of target "${t.id}" is in ${where.join(' and ')}; a target must be in the stack's region and account (deploy one stack per region and account)`,
        );
      }
    }
  });
  return problems;
}

/** A config that failed validation; `problems` holds one line per issue, each naming a path and the value. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}invalid autoscaler config:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** `targets[2].maxCapacity` from `['targets', 2, 'maxCapacity']`; a key that is not a plain name is quoted: `targets[0][" "]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  // A path into a document whose root is a list, not a map: `(root)[0][1]`.
  let out = typeof path[0] === 'number' ? '(root)' : '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(part))) out += out ? `.${String(part)}` : String(part);
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out || '(root)';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/** A short, readable rendering of a config value for an error line. */
export function show(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** One readable line per zod issue: the path, the value found there and what is wrong with it. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const value = valueAt(input, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown key`);
        break;
      case 'invalid_type':
        lines.push(
          value === undefined
            ? `${formatPath(issue.path)}: is required (${issue.expected})`
            : `${formatPath(issue.path)}: ${show(value)} is not ${article(issue.expected)}`,
        );
        break;
      case 'invalid_union': {
        const disc = (issue as { discriminator?: string }).discriminator;
        if (disc) {
          const options = targetSchema.options.map((o) => o.shape.kind.value).join(', ');
          // zod puts the discriminator itself at the end of the path.
          const path = issue.path[issue.path.length - 1] === disc ? issue.path : [...issue.path, disc];
          lines.push(`${formatPath(path)}: ${show(valueAt(input, path))} is not a known kind (${options})`);
        } else {
          // The one shape whose own keys all fit (its problems lie deeper) is what was meant: name those problems.
          const fitting = issue.errors.filter((errs) => errs.every((e) => e.path.length > 0 && !(e.path.length === 1 && valueAt(value, e.path) === undefined)));
          if (fitting.length === 1)
            lines.push(
              ...describeIssues(
                fitting[0].map((e) => ({ ...e, path: [...issue.path, ...e.path] })),
                input,
              ),
            );
          else lines.push(`${formatPath(issue.path)}: ${show(value)} matches none of the allowed shapes`);
        }
        break;
      }
      case 'too_small':
        lines.push(
          Array.isArray(value)
            ? `${formatPath(issue.path)}: needs at least ${issue.minimum} entries, has ${value.length}`
            : `${formatPath(issue.path)}: ${show(value)} is below the minimum ${issue.minimum}${issue.inclusive === false ? ' (exclusive)' : ''}`,
        );
        break;
      case 'too_big':
        lines.push(`${formatPath(issue.path)}: ${show(value)} is above the maximum ${issue.maximum}`);
        break;
      case 'invalid_value':
        lines.push(`${formatPath(issue.path)}: ${show(value)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
        break;
      case 'not_multiple_of':
        lines.push(`${formatPath(issue.path)}: ${show(value)} is not a whole number`);
        break;
      case 'invalid_format':
      case 'custom':
        lines.push(`${formatPath(issue.path)}: ${issue.code === 'custom' ? '' : `${show(value)} `}${issue.message}`);
        break;
      default:
        lines.push(`${formatPath(issue.path)}: ${show(value)} ${issue.message}`);
    }
  }
  return lines;
}

function article(type: string): string {
  if (type === 'int') return 'a whole number';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Validates a parsed (JSON/YAML) config; throws a ConfigError naming every bad path and value. */
export function parseConfig(input: unknown, source?: string): AutoscalerConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues, input), source);
  return result.data;
}
