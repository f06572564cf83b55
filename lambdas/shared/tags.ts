/**
 * The tags of what the autoscaler creates (RDS read replicas): the runbook tasks set them, and the
 * construct's IAM conditions let the tasks delete only what carries them. And the tag a user puts on
 * the resources a deployment acts on, when its permissions are granted by tag (`permissions: by-tag`).
 */

/** The tag every resource the autoscaler creates carries; IAM lets it delete only what carries it. */
export const MANAGED_BY_TAG = 'autoscaler:managed-by';
/** The target id the resource belongs to. */
export const TARGET_TAG = 'autoscaler:target';
/** The Step Functions execution that created it. */
export const EXECUTION_TAG = 'autoscaler:execution';
/**
 * The tag the user puts on every resource a deployment with `permissions: by-tag` acts on (Auto Scaling
 * groups, ECS services, SQS queues, RDS instances, ElastiCache replication groups, CloudFront
 * distributions), with the deployment's prefix as its value. IAM allows the deployment's functions on a
 * resource only while it carries this tag (`aws:ResourceTag/autoscaler:scaled-by`). Distinct from
 * `MANAGED_BY_TAG`, which marks what the autoscaler created and may delete: tagging a database for
 * scaling never makes it deletable.
 */
export const SCALED_BY_TAG = 'autoscaler:scaled-by';
