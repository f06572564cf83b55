/**
 * The tags of what the autoscaler creates (RDS read replicas): the runbook tasks set them, and the
 * construct's IAM conditions let the tasks delete only what carries them.
 */

/** The tag every resource the autoscaler creates carries; IAM lets it delete only what carries it. */
export const MANAGED_BY_TAG = 'autoscaler:managed-by';
/** The target id the resource belongs to. */
export const TARGET_TAG = 'autoscaler:target';
/** The Step Functions execution that created it. */
export const EXECUTION_TAG = 'autoscaler:execution';
