/**
 * What a deployed stack tells its operators: the stack name derived from the config's prefix and the
 * keys of the CloudFormation outputs the CLI reads. Plain data, shared by the CDK app and the CLI.
 */

/** `Autoscaler` for the default prefix, `<prefix>-autoscaler` otherwise. */
export function stackNameFor(prefix: string): string {
  return prefix.toLowerCase().includes('autoscaler') ? prefix.charAt(0).toUpperCase() + prefix.slice(1) : `${prefix}-autoscaler`;
}

/** Output keys of the stack (one Autoscaler per stack): exact, not hashed. */
export const OUTPUT_KEYS = {
  prefix: 'AutoscalerPrefix',
  stateTableName: 'AutoscalerStateTableName',
  topicArn: 'AutoscalerTopicArn',
  deadLetterQueueUrl: 'AutoscalerDeadLetterQueueUrl',
  dashboardName: 'AutoscalerDashboardName',
} as const;

/** Output key of the operator API's URL, present when the config enables it (`api.enabled`). */
export const API_URL_OUTPUT = 'AutoscalerApiUrl';

/** Output keys of the runbooks' state machines: `AutoscalerRunbook<PascalName>`. */
export const RUNBOOK_OUTPUT_PREFIX = 'AutoscalerRunbook';

/** A runbook name: 1-40 lowercase letters, digits and dashes (`add-replica`). */
export const RUNBOOK_NAME = /^[a-z][a-z0-9-]{0,39}$/;

export function runbookOutputKey(name: string): string {
  return `${RUNBOOK_OUTPUT_PREFIX}${pascal(name)}`;
}

function pascal(s: string): string {
  return s
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
