/**
 * The deploy events the cdn family takes (EventBridge, real shapes): ECS service deployments completed,
 * CodePipeline executions succeeded, objects created in a static-assets bucket. The rule patterns that
 * route them are the cloudfront kind's (lambdas/shared/kinds/cloudfront.ts). The 1-minute schedule's
 * input (ReevaluateSchema, family "cdn") flushes batches.
 */

import * as v from 'valibot';
import { eventBridgeEvent, ReevaluateSchema } from '../../shared/events';
import { nonEmpty } from '../../shared/validate';

export const EcsDeploymentEventSchema = eventBridgeEvent(
  'aws.ecs',
  'ECS Deployment State Change',
  v.object({
    eventType: v.optional(v.string()),
    eventName: nonEmpty(),
    deploymentId: v.optional(v.string()),
    updatedAt: v.optional(v.string()),
    reason: v.optional(v.string()),
  }),
);

export const CodePipelineEventSchema = eventBridgeEvent(
  'aws.codepipeline',
  'CodePipeline Pipeline Execution State Change',
  v.object({
    pipeline: nonEmpty(),
    'execution-id': nonEmpty(),
    state: nonEmpty(),
  }),
);

export const S3ObjectCreatedEventSchema = eventBridgeEvent(
  'aws.s3',
  'Object Created',
  v.object({
    bucket: v.object({ name: nonEmpty() }),
    object: v.object({ key: nonEmpty(), size: v.optional(v.number()), etag: v.optional(v.string()) }),
    reason: v.optional(v.string()),
  }),
);

export const DeployEventSchema = v.variant('source', [EcsDeploymentEventSchema, CodePipelineEventSchema, S3ObjectCreatedEventSchema]);
export type DeployEvent = v.InferOutput<typeof DeployEventSchema>;

/** A deploy event or the 1-minute tick, told apart by `source`. */
export const CdnEventSchema = v.variant('source', [EcsDeploymentEventSchema, CodePipelineEventSchema, S3ObjectCreatedEventSchema, ReevaluateSchema]);
export type CdnEvent = v.InferOutput<typeof CdnEventSchema>;

export function isDeployEvent(e: CdnEvent): e is DeployEvent {
  return 'detail-type' in e;
}

/** `arn:...:service/<cluster>/<service>` -> cluster and service (the long ARN format). */
export function parseServiceArn(arn: string): { cluster: string; service: string } | undefined {
  const m = /^arn:[\w-]+:ecs:[\w-]+:\d{12}:service\/([^/]+)\/([^/]+)$/.exec(arn);
  return m ? { cluster: m[1], service: m[2] } : undefined;
}
