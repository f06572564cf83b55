/**
 * The deploy events the cdn family takes (EventBridge, real shapes) and the rule patterns that route
 * them: ECS service deployments completed, CodePipeline executions succeeded, objects created in a
 * static-assets bucket. The 1-minute schedule's input (ReevaluateSchema, family "cdn") flushes batches.
 */

import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import type { AutoscalerConfig, CloudfrontTarget } from '../../shared/config';
import { ReevaluateSchema } from '../../shared/events';

export const EcsDeploymentEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.ecs'),
  'detail-type': z.literal('ECS Deployment State Change'),
  detail: z.object({
    eventType: z.string().optional(),
    eventName: z.string().min(1),
    deploymentId: z.string().optional(),
    updatedAt: z.string().optional(),
    reason: z.string().optional(),
  }),
});

export const CodePipelineEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.codepipeline'),
  'detail-type': z.literal('CodePipeline Pipeline Execution State Change'),
  detail: z.object({
    pipeline: z.string().min(1),
    'execution-id': z.string().min(1),
    state: z.string().min(1),
  }),
});

export const S3ObjectCreatedEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1), size: z.number().optional(), etag: z.string().optional() }),
    reason: z.string().optional(),
  }),
});

export const DeployEventSchema = z.union([EcsDeploymentEventSchema, CodePipelineEventSchema, S3ObjectCreatedEventSchema]);
export type DeployEvent = z.infer<typeof DeployEventSchema>;

export const CdnEventSchema = z.union([DeployEventSchema, ReevaluateSchema]);
export type CdnEvent = z.infer<typeof CdnEventSchema>;

export function isDeployEvent(e: CdnEvent): e is DeployEvent {
  return 'detail-type' in e;
}

export const ECS_DEPLOYMENT_COMPLETED = 'SERVICE_DEPLOYMENT_COMPLETED';
export const PIPELINE_SUCCEEDED = 'SUCCEEDED';

/** `arn:...:service/<cluster>/<service>` -> cluster and service (the long ARN format). */
export function parseServiceArn(arn: string): { cluster: string; service: string } | undefined {
  const m = /^arn:[\w-]+:ecs:[\w-]+:\d{12}:service\/([^/]+)\/([^/]+)$/.exec(arn);
  return m ? { cluster: m[1], service: m[2] } : undefined;
}

export type CdnRuleSource = 'ecs' | 'codePipeline' | 's3';

/**
 * One EventBridge pattern per event source that some trigger uses. Each lists the configured
 * resources of its source, so a rule matches only this deployment's services, pipelines and buckets;
 * the number of rules (at most three) does not grow with the number of distributions.
 */
export function cdnRulePatterns(config: AutoscalerConfig): Partial<Record<CdnRuleSource, Record<string, unknown>>> {
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
