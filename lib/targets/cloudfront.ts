/**
 * A CloudFront distribution target: the least permissions the cdn function needs on it, and (once per
 * deployment) the EventBridge rules that bring deploy events to the cdn function.
 */
import { Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AutoscalerConfig, CloudfrontTarget, PermissionMode } from '../../lambdas/shared/config';
import { type CdnRuleSource, cdnRulePatterns } from '../../lambdas/shared/kinds/cloudfront';
import { toEventPattern } from '../shared/event-pattern';
import { ASYNC_MAX_EVENT_AGE, ASYNC_RETRY_ATTEMPTS } from '../shared/function';
import { grantOnResource } from './access';
import type { TargetInfrastructure } from './kind';

/** What the cdn function (and the invalidate runbook) may do on a distribution, and nothing else. */
export const CLOUDFRONT_ACTIONS = [
  'cloudfront:CreateInvalidation',
  'cloudfront:GetInvalidation',
  'cloudfront:ListInvalidations',
  'cloudfront:GetDistribution',
] as const;

/** The longest an EventBridge pattern may be; a pattern past it fails synth instead of the deploy. */
export const MAX_EVENT_PATTERN_LENGTH = 4096;

export interface CloudfrontInvalidationTargetProps {
  /** The target, as parsed from the config. */
  readonly target: CloudfrontTarget;
  /** The cdn family's function, which invalidates the distribution. */
  readonly handler: lambda.IFunction;
  /** The deployment's prefix: the value of the tag `permissions: by-tag` asks for. */
  readonly prefix: string;
  /**
   * How the roles name the target's resources: their own ARNs, or any resource carrying the tag
   * `autoscaler:scaled-by=<prefix>` (lib/targets/access.ts).
   * @default 'per-target'
   */
  readonly permissions?: PermissionMode;
}

export class CloudfrontInvalidationTarget extends Construct {
  /** A distribution has no alarms: deploy events drive it. */
  public readonly alarms: Readonly<Record<string, cloudwatch.CfnAlarm>> = {};
  /** `arn:<partition>:cloudfront::<account>:distribution/<id>` (CloudFront is global: no region). */
  public readonly distributionArn: string;

  constructor(scope: Construct, id: string, props: CloudfrontInvalidationTargetProps) {
    super(scope, id);
    const { target, handler } = props;
    this.distributionArn = distributionArn(this, target.distributionId);
    grantOnResource(
      handler,
      { permissions: props.permissions ?? 'per-target', prefix: props.prefix },
      {
        sid: 'InvalidateTaggedDistributions',
        actions: CLOUDFRONT_ACTIONS,
        arns: [this.distributionArn],
        pattern: distributionArn(this, '*'),
        noun: 'CloudFront distributions',
      },
    );
  }
}

export function distributionArn(scope: Construct, distributionId: string): string {
  return Stack.of(scope).formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: distributionId });
}

export interface CdnDeployRulesProps {
  readonly config: AutoscalerConfig;
  /** The cdn family's function. */
  readonly handler: lambda.IFunction;
  /** Where events the rules could not deliver go. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * One rule per event source some trigger uses (ECS deployments, CodePipeline executions, S3 objects),
 * each listing the configured services, pipelines or buckets: at most three rules, whatever the number
 * of distributions. One rule per source rather than one `$or` rule keeps each pattern plain and far
 * from the size limit.
 */
export class CdnDeployRules extends Construct {
  public readonly rules: Readonly<Partial<Record<CdnRuleSource, events.Rule>>>;

  constructor(scope: Construct, id: string, props: CdnDeployRulesProps) {
    super(scope, id);
    const { config } = props;
    const descriptions: Record<CdnRuleSource, string> = {
      ecs: 'ECS service deployments completed',
      codePipeline: 'CodePipeline executions succeeded',
      s3: 'objects created in static-assets buckets',
    };
    const rules: Partial<Record<CdnRuleSource, events.Rule>> = {};
    for (const [source, pattern] of Object.entries(cdnRulePatterns(config)) as Array<[CdnRuleSource, Record<string, unknown>]>) {
      const length = JSON.stringify(pattern).length;
      if (length > MAX_EVENT_PATTERN_LENGTH) {
        throw new Error(
          `the ${source} deploy rule's pattern is ${length} characters, more than EventBridge's ${MAX_EVENT_PATTERN_LENGTH}: fewer ${source} triggers`,
        );
      }
      rules[source] = new events.Rule(this, `${source.charAt(0).toUpperCase()}${source.slice(1)}Rule`, {
        description: `${config.prefix}: ${descriptions[source]} (CloudFront invalidations)`,
        eventPattern: toEventPattern(pattern),
        targets: [
          new eventsTargets.LambdaFunction(props.handler, {
            deadLetterQueue: props.deadLetterQueue,
            retryAttempts: ASYNC_RETRY_ATTEMPTS,
            maxEventAge: ASYNC_MAX_EVENT_AGE,
          }),
        ],
      });
    }
    this.rules = rules;
  }
}

/** The `cloudfront` kind's infrastructure (lib/targets/index.ts); its deploy rules are the cdn family's (CdnDeployRules). */
export const cloudfrontInfrastructure = {
  construct: (scope, target, w) =>
    new CloudfrontInvalidationTarget(scope, target.id, { target, handler: w.handler, prefix: w.prefix, permissions: w.permissions }),
} satisfies TargetInfrastructure<CloudfrontTarget>;
