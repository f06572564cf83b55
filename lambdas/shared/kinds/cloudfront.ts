/**
 * `cloudfront`: a CloudFront distribution invalidated after deploys by the cdn family, and the
 * EventBridge patterns of the deploy events that drive it (the construct synthesizes them, the cdn
 * function takes what they match).
 */
import { quoted } from '../config/resources';
import type { KindRules, TargetBase, TargetKindModule } from './kind';

export { CLOUDFRONT_PATH, CLOUDFRONT_PATH_MAX_LENGTH, CLOUDFRONT_PATH_RULE } from './formats';

import { KIND_FACTS } from './facts';
import type { CloudfrontTarget } from './schemas/cloudfront';

export type { CloudfrontTarget, CloudfrontTrigger } from './schemas/cloudfront';

export const cloudfront = {
  ...KIND_FACTS.cloudfront,
  alarms: () => [],
} satisfies TargetKindModule<CloudfrontTarget>;

/** What synth alone runs of the kind (./rules.ts): the resources a target names, and its checks beyond its schema. */
export const cloudfrontRules = {
  // Two targets would each plan against the same in-progress invalidation limits.
  resources: (t) => [{ path: ['distributionId'], noun: 'distribution', shown: quoted(t.distributionId), key: `cloudfront:${t.distributionId}` }],
} satisfies KindRules<CloudfrontTarget>;

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
