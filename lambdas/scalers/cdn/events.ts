/**
 * The deploy events the cdn family takes (EventBridge, real shapes): ECS service deployments completed,
 * CodePipeline executions succeeded, objects created in a static-assets bucket. The rule patterns that
 * route them are the cloudfront kind's (lambdas/shared/kinds/cloudfront.ts). The 1-minute schedule's
 * input (ReevaluateSchema, family "cdn") flushes batches.
 */

import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
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

/** `arn:...:service/<cluster>/<service>` -> cluster and service (the long ARN format). */
export function parseServiceArn(arn: string): { cluster: string; service: string } | undefined {
  const m = /^arn:[\w-]+:ecs:[\w-]+:\d{12}:service\/([^/]+)\/([^/]+)$/.exec(arn);
  return m ? { cluster: m[1], service: m[2] } : undefined;
}
