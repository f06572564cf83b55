/**
 * `cloudfront`: a CloudFront distribution invalidated after deploys by the cdn family, and the
 * EventBridge patterns of the deploy events that drive it (the construct synthesizes them, the cdn
 * function takes what they match).
 */
import { z } from 'zod';
import { ecsName, resourceName, targetId } from '../config/fields';
import { quoted } from '../config/resources';
import type { TargetBase, TargetKindModule } from './kind';

/** CloudFront's rule for an invalidation path, and its longest: what the config and the invalidate runbook's input check. */
export const CLOUDFRONT_PATH = /^\/[^*\s]*\*?$/;
export const CLOUDFRONT_PATH_RULE = 'must start with "/" and may end with one "*" (no other "*", no spaces)';
export const CLOUDFRONT_PATH_MAX_LENGTH = 4000;

/**
 * A CloudFront invalidation path: starts with `/`; a `*` may only end it (CloudFront's own rule).
 * At most 4,000 characters, as CloudFront allows.
 */
export const cloudfrontPath = z.string().max(CLOUDFRONT_PATH_MAX_LENGTH).regex(CLOUDFRONT_PATH, CLOUDFRONT_PATH_RULE);

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

export type CloudfrontTarget = z.output<typeof cloudfrontTargetSchema>;
export type CloudfrontTrigger = CloudfrontTarget['triggers'][number];

export const cloudfront = {
  schema: cloudfrontTargetSchema,
  family: 'cdn',
  // Deploy events, not alarms, drive the cdn family: see cdnRulePatterns.
  namespaces: [],
  alarms: () => [],
  windows: false,
  // Two targets would each plan against the same in-progress invalidation limits.
  resources: (t) => [{ path: ['distributionId'], noun: 'distribution', shown: quoted(t.distributionId), key: `cloudfront:${t.distributionId}` }],
} satisfies TargetKindModule<CloudfrontTarget>;

/** The `eventName` of an ECS deployment that completed (`ECS Deployment State Change`). */
export const ECS_DEPLOYMENT_COMPLETED = 'SERVICE_DEPLOYMENT_COMPLETED';
/** The `state` of a CodePipeline execution that succeeded (`CodePipeline Pipeline Execution State Change`). */
export const PIPELINE_SUCCEEDED = 'SUCCEEDED';

export type CdnRuleSource = 'ecs' | 'codePipeline' | 's3';

/**
 * One EventBridge pattern per event source that some trigger uses. Each lists the configured
 * resources of its source, so a rule matches only this deployment's services, pipelines and buckets;
 * the number of rules (at most three) does not grow with the number of distributions.
 */
export function cdnRulePatterns(config: { readonly targets: readonly TargetBase[] }): Partial<Record<CdnRuleSource, Record<string, unknown>>> {
  const targets = config.targets.filter((t): t is CloudfrontTarget => t.kind === 'cloudfront');
  const services = new Set<string>();
  const pipelines = new Set<string>();
  const buckets = new Set<string>();
  for (const t of targets) {
    for (const trigger of t.triggers) {
      if ('ecsDeployment' in trigger) services.add(`:service/${trigger.ecsDeployment.cluster}/${trigger.ecsDeployment.service}`);
      else if ('codePipeline' in trigger) pipelines.add(trigger.codePipeline.pipeline);
      else buckets.add(trigger.s3.bucket);
    }
  }
  const out: Partial<Record<CdnRuleSource, Record<string, unknown>>> = {};
  if (services.size) {
    out.ecs = {
      source: ['aws.ecs'],
      'detail-type': ['ECS Deployment State Change'],
      resources: [...services].sort().map((suffix) => ({ suffix })),
      detail: { eventName: [ECS_DEPLOYMENT_COMPLETED] },
    };
  }
  if (pipelines.size) {
    out.codePipeline = {
      source: ['aws.codepipeline'],
      'detail-type': ['CodePipeline Pipeline Execution State Change'],
      detail: { pipeline: [...pipelines].sort(), state: [PIPELINE_SUCCEEDED] },
    };
  }
  if (buckets.size) {
    out.s3 = {
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [...buckets].sort() } },
    };
  }
  return out;
}
