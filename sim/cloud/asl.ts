/**
 * The runbooks' state machines as deployed: the construct is synthesized in-process (bundling
 * skipped: only the templates are needed) and each state machine's `DefinitionString` is resolved to
 * plain ASL, its Lambda tasks pointing at `functionArn(<logical id>)`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FAKE = { partition: 'aws', region: 'us-east-1', account: '123456789012' };

/** The fake ARN a function's `Fn::GetAtt [<logicalId>, Arn]` resolves to. */
export function functionArn(logicalId: string): string {
  return `arn:aws:lambda:${FAKE.region}:${FAKE.account}:function:${logicalId}`;
}

/** The ARN a state machine named `name` has in the fake account. */
export function stateMachineArn(name: string): string {
  return `arn:aws:states:${FAKE.region}:${FAKE.account}:stateMachine:${name}`;
}

/** Resolves the CloudFormation intrinsics a definition string holds to plain text. */
export function resolveIntrinsics(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveIntrinsics).join(sep);
  }
  if (Array.isArray(v['Fn::GetAtt'])) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    if (attr !== 'Arn') throw new Error(`cannot resolve Fn::GetAtt ${id}.${attr}`);
    return functionArn(id);
  }
  if (typeof v.Ref === 'string') {
    const pseudo: Record<string, string> = {
      'AWS::Partition': FAKE.partition,
      'AWS::Region': FAKE.region,
      'AWS::AccountId': FAKE.account,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (pseudo[v.Ref]) return pseudo[v.Ref];
    throw new Error(`cannot resolve Ref ${v.Ref}`);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Retry?: unknown[];
  readonly Parameters?: Record<string, unknown>;
}

export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly [key: string]: unknown;
}

/**
 * Synthesizes the construct for `config` and returns every state machine's ASL by its name
 * (`<prefix>-<runbook>`). Loads aws-cdk-lib on demand: only the data-tier simulations need it.
 */
export async function synthesizedStateMachines(config: unknown): Promise<Map<string, AslDefinition>> {
  const { App, Stack } = await import('aws-cdk-lib');
  const { Autoscaler } = await import('../../lib/autoscaler');
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  // Only the definitions are read: no bundling, and no template validation (tests and `cdk synth` do that).
  // aws-cdk-lib validates every synthesized template with its CloudFormation Validate plugin unless
  // `builtinCloudFormationValidation` is false (AppProps); that check alone took seconds per run.
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validateAgainstDefaultRules': false },
    builtinCloudFormationValidation: false,
  });
  const stack = new Stack(app, 'Simulated', { env: { account: FAKE.account, region: FAKE.region } });
  new Autoscaler(stack, 'Autoscaler', { config: config as never });
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  const out = new Map<string, AslDefinition>();
  for (const r of Object.values(template.Resources)) {
    if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
    out.set(String(r.Properties.StateMachineName), JSON.parse(resolveIntrinsics(r.Properties.DefinitionString)) as AslDefinition);
  }
  return out;
}
