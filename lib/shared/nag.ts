/**
 * cdk-nag acknowledgements that name one exact finding. cdk-nag 3 reports granular rules (IAM5) per
 * finding, `AwsSolutions-IAM5[Resource::<flattened ARN>]`; these helpers build that id from the same
 * ARN the policy statement uses, so an acknowledgement can never drift from the statement it covers.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The flat string cdk-nag makes of a (possibly tokenized) CloudFormation value. */
export function flattenCfnValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flattenCfnValue).join(delimiter);
    }
    if (o['Fn::Sub'] !== undefined) return flattenCfnValue(o['Fn::Sub']);
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenCfnValue(resource)}.${flattenCfnValue(attribute)}>`;
    }
    if (o['Fn::ImportValue'] !== undefined) return flattenCfnValue(o['Fn::ImportValue']);
    if (o.Ref !== undefined) return `<${flattenCfnValue(o.Ref)}>`;
  }
  return JSON.stringify(value);
}

/**
 * Acknowledges the IAM5 finding that a wildcard inside `resourceArn` raises on the policies under
 * `scope`. Only ARNs built from pseudo parameters and literals (no references to resources) may be
 * passed: they resolve now exactly as they will at synth.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resourceArn: string, reason: string): void {
  const flat = flattenCfnValue(Stack.of(scope).resolve(resourceArn));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}

/**
 * Acknowledges the `Resource::*` IAM5 finding of a state machine's role that logs and traces: Step
 * Functions log delivery (logs:CreateLogDelivery, ...) and X-Ray tracing (xray:PutTraceSegments, ...)
 * support no resource-level permissions.
 */
export function acknowledgeStateMachineLogsAndTracing(role: IConstruct): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Step Functions log delivery (logs:CreateLogDelivery, ...) and X-Ray tracing (xray:PutTraceSegments, ...) support no resource-level permissions.',
  });
}
