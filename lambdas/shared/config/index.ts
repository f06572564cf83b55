/**
 * The one schema of the autoscaler's configuration, validated by the CDK app at synth, the CLI and the
 * simulator: the whole config and its rules across targets here, each kind's own schema in
 * lambdas/shared/kinds/schemas and its checks in its module (lambdas/shared/kinds), the common fields in
 * ./fields. The Lambda functions never load it: they read the parsed config synth bundled with them as
 * JSON (lambdas/shared/bundled-config.ts), typed by `AutoscalerConfig`.
 *
 * Every default below is documented in the README's config reference; keep the two in step.
 */
import { z } from 'zod';
import { checkAlerts } from '../alerts';
import { kindOf } from '../kinds';
import { checkOneReaderPlacement } from '../kinds/redis-workers';
import { rulesOf } from '../kinds/rules';
import { type TargetConfig, targetSchema } from '../kinds/schemas';
import { apiSchema } from './api';
import { CONFIG_DEFAULTS } from './defaults';
import { DAY } from './fields';
import { ConfigError, describeIssues } from './issues';
import { formatPath } from './paths';
import { recommendationsSchema } from './recommendations';
import type { TargetResource } from './resources';
import { capacityWindowSchema, checkWindows } from './windows';

/**
 * Most targets in one config: the scale the stack is built and tested for (alarms in nested stacks,
 * every stack under CloudFormation's 500 resources, one function per family polling them all).
 */
export const MAX_TARGETS = 5000;

/**
 * How the functions' roles name the resources they act on: `per-target`, each target's own ARN (the
 * roles grow with the targets; IAM's quotas stop them at a few hundred targets); `by-tag`, every
 * resource of a type that carries the tag `autoscaler:scaled-by=<prefix>` (the roles do not grow; the
 * user tags each resource).
 */
export const PERMISSION_MODES = ['per-target', 'by-tag'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

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
      .default(CONFIG_DEFAULTS.prefix),
    /** Record every decision without acting on any target. @default false */
    dryRun: z.boolean().default(CONFIG_DEFAULTS.dryRun),
    /** Events older than this many seconds are dropped. @default 600 */
    // EventBridge retries a delivery for at most 24 hours (RetryPolicy.MaximumEventAgeInSeconds <= 86400).
    maxEventAgeSeconds: z.number().int().positive().max(DAY).default(CONFIG_DEFAULTS.maxEventAgeSeconds),
    /** Audit entries are kept this many days. @default 30 */
    // Common sense: ten years.
    auditRetentionDays: z.number().int().positive().max(3653).default(CONFIG_DEFAULTS.auditRetentionDays),
    /**
     * Where every action, refusal and failure is announced besides the deployment's SNS topic.
     * @default {} (the topic only, no subscription)
     */
    notifications: notificationsSchema.default({}),
    /**
     * `per-target`: each role names every target's resource by its ARN. `by-tag`: each role allows its
     * actions on any resource of the type that carries the tag `autoscaler:scaled-by` with the
     * deployment's prefix as value, which the user puts on every group, service, queue, instance,
     * replication group and distribution the config names; for more targets than per-target roles hold.
     * @default "per-target"
     */
    permissions: z.enum(PERMISSION_MODES).default(CONFIG_DEFAULTS.permissions),
    /**
     * The operator HTTP API (IAM-authorized, throttled, logged), when enabled.
     * @default { enabled: false }
     */
    api: apiSchema.prefault({}),
    /**
     * The daily recommender (a state machine replaying every web and worker target's history), when enabled.
     * @default { enabled: false }
     */
    recommendations: recommendationsSchema.prefault({}),
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
    checkOneReaderPlacement(config.targets, ctx);
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
      // The kind's own rules.
      rulesOf(t).check?.(t, ['targets', i], ctx);
      const kind = kindOf(t);
      if (kind.signals && 'alerts' in t) checkAlerts(t.alerts, kind.signals(t), t.kind, ['targets', i], ctx);
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

export type AutoscalerConfig = z.output<typeof configSchema>;
export type AutoscalerConfigInput = z.input<typeof configSchema>;

/** The resources a target acts on or reads (its kind's `resources`). */
export function resourcesOf(t: TargetConfig): TargetResource[] {
  return rulesOf(t).resources(t);
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

/** Validates a parsed (JSON/YAML) config; throws a ConfigError naming every bad path and value. */
export function parseConfig(input: unknown, source?: string): AutoscalerConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues, input), source);
  return result.data;
}

// The config's public names, wherever they are declared.
export type { CapacityTarget, DataTarget } from '../kinds';
export type { AsgTarget } from '../kinds/asg';
export type { CloudfrontTarget, CloudfrontTrigger } from '../kinds/cloudfront';
export type { EcsServiceTarget } from '../kinds/ecs-service';
export type { QueueWorkersTarget } from '../kinds/queue-workers';
export { SQS_QUEUE_URL } from '../kinds/queue-workers';
export type { RabbitmqWorkersTarget } from '../kinds/rabbitmq-workers';
export type { RdsInstanceTarget } from '../kinds/rds-instance';
export type { RdsReplicasTarget } from '../kinds/rds-replicas';
export type { RdsStorageTarget } from '../kinds/rds-storage';
export type { RedisTarget } from '../kinds/redis';
export type { RedisWorkersTarget } from '../kinds/redis-workers';
export { type TargetConfig, type TargetKind, targetSchema } from '../kinds/schemas';
export { asgTargetSchema } from '../kinds/schemas/asg';
export { targetGroupSchema } from '../kinds/schemas/capacity';
export { cloudfrontPath, cloudfrontTargetSchema, cloudfrontTriggerSchema } from '../kinds/schemas/cloudfront';
export { ecsServiceTargetSchema } from '../kinds/schemas/ecs-service';
export { queueWorkersFleetSchema, queueWorkersTargetSchema } from '../kinds/schemas/queue-workers';
export { rabbitmqWorkersTargetSchema } from '../kinds/schemas/rabbitmq-workers';
export { rdsInstanceTargetSchema } from '../kinds/schemas/rds-instance';
export { rdsReplicasTargetSchema } from '../kinds/schemas/rds-replicas';
export { rdsStorageTargetSchema } from '../kinds/schemas/rds-storage';
export { redisTargetSchema } from '../kinds/schemas/redis';
export { redisWorkersTargetSchema } from '../kinds/schemas/redis-workers';
export { type ApiConfig, apiSchema, apiThrottleSchema } from './api';
export { sizeRank } from './checks';
export { type MissingDataConfig, type MissingDataHoldConfig, missingDataHoldSchema, missingDataSchema } from './fields';
export { ConfigError, describeIssues } from './issues';
export { formatPath, show } from './paths';
export { type RecommendationsConfig, recommendationsSchema } from './recommendations';
export type { TargetResource } from './resources';
export { type CapacityWindowConfig, capacityWindowSchema, WINDOW_KINDS } from './windows';
