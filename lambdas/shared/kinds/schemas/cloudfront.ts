/**
 * The config schema of `cloudfront` targets (synth only); the kind is
 * lambdas/shared/kinds/cloudfront.ts.
 */
import { z } from 'zod';
import { ecsName, resourceName, targetId } from '../../config/fields';
import { CLOUDFRONT_PATH, CLOUDFRONT_PATH_MAX_LENGTH, CLOUDFRONT_PATH_RULE } from '../formats';

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
