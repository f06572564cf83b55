/**
 * A synthesized template as IAM and the functions see it once deployed: every intrinsic resolved to
 * the physical names and ARNs the stack would have in a fixed account and region, each function's
 * role with every policy document attached to it, and each function's environment.
 */
import { functionArn } from '../../sim/cloud/asl';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::NoValue': '',
};

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
export type CfnTemplate = { readonly Resources: Record<string, CfnResource> };

/** An IAM policy document, resolved to plain strings. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement[];
}
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** A deployed function: what it runs as and what it is given. */
export interface DeployedFunction {
  readonly logicalId: string;
  readonly arn: string;
  readonly roleLogicalId: string;
  readonly roleArn: string;
  /** Every policy document attached to the role: its inline `Policies` and each AWS::IAM::Policy naming it. */
  readonly policies: { name: string; document: PolicyDocument }[];
  readonly environment: Record<string, string>;
}

export class ResolvedTemplate {
  constructor(readonly template: CfnTemplate) {}

  resource(logicalId: string): CfnResource {
    const r = this.template.Resources[logicalId];
    if (!r) throw new Error(`no resource ${logicalId} in the template`);
    return r;
  }

  /** Logical ids of the resources of one type. */
  ofType(type: string): string[] {
    return Object.entries(this.template.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id]) => id);
  }

  /** The physical name a resource's `Ref` gives. */
  ref(logicalId: string): string {
    if (PSEUDO[logicalId] !== undefined) return PSEUDO[logicalId];
    const r = this.resource(logicalId);
    const p = r.Properties ?? {};
    const name = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : logicalId);
    switch (r.Type) {
      case 'AWS::DynamoDB::Table':
        return name('TableName');
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${REGION}:${ACCOUNT}:${name('TopicName')}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name('QueueName')}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name('StateMachineName')}`;
      case 'AWS::Lambda::Function':
        return name('FunctionName');
      case 'AWS::Logs::LogGroup':
        return name('LogGroupName');
      default:
        return logicalId;
    }
  }

  /** `Fn::GetAtt [logicalId, attribute]`. */
  getAtt(logicalId: string, attribute: string): string {
    const r = this.resource(logicalId);
    const p = r.Properties ?? {};
    const name = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : logicalId);
    const key = `${r.Type}.${attribute}`;
    switch (key) {
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${this.ref(logicalId)}`;
      case 'AWS::SNS::Topic.TopicArn':
        return this.ref(logicalId);
      case 'AWS::SNS::Topic.TopicName':
        return name('TopicName');
      case 'AWS::SQS::Queue.Arn':
        return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name('QueueName')}`;
      case 'AWS::SQS::Queue.QueueName':
        return name('QueueName');
      case 'AWS::SQS::Queue.QueueUrl':
        return this.ref(logicalId);
      case 'AWS::KMS::Key.Arn':
        return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${logicalId}`;
      case 'AWS::StepFunctions::StateMachine.Arn':
        return this.ref(logicalId);
      case 'AWS::StepFunctions::StateMachine.Name':
        return name('StateMachineName');
      case 'AWS::Lambda::Function.Arn':
        // The same ARN the runbook harness gives a task's function (sim/cloud/asl.ts).
        return functionArn(logicalId);
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${this.ref(logicalId)}:*`;
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${ACCOUNT}:role/${logicalId}`;
      default:
        if (attribute !== 'Arn') throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${r.Type})`);
        // Resources no grant of a function names (rules, schedules...): a distinct ARN is enough.
        return `arn:aws:${r.Type.split('::')[1].toLowerCase()}:${REGION}:${ACCOUNT}:${logicalId}`;
    }
  }

  /** Any value with its intrinsics resolved. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (!value || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = o[k];
      switch (k) {
        case 'Ref':
          return this.ref(arg as string);
        case 'Fn::GetAtt': {
          const [id, attr] = typeof arg === 'string' ? (arg.split('.') as [string, string]) : (arg as [string, string]);
          return this.getAtt(id, attr);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [number, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [sep, s] = arg as [string, unknown];
          return String(this.resolve(s)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (name in vars) return String(this.resolve(vars[name]));
            return name.includes('.') ? this.getAtt(...(name.split('.') as [string, string])) : this.ref(name);
          });
        }
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(o[k])]));
  }

  /** The resource policies of the stack's resources by ARN: key policies, topic and queue policies. */
  resourcePolicies(): Map<string, PolicyDocument> {
    const out = new Map<string, PolicyDocument>();
    for (const id of this.ofType('AWS::KMS::Key')) out.set(this.getAtt(id, 'Arn'), this.resolve(this.resource(id).Properties?.KeyPolicy) as PolicyDocument);
    for (const [type, list, arnOf] of [
      ['AWS::SNS::TopicPolicy', 'Topics', (ref: string) => this.ref(ref)],
      ['AWS::SQS::QueuePolicy', 'Queues', (ref: string) => this.getAtt(ref, 'Arn')],
    ] as const) {
      for (const id of this.ofType(type)) {
        const props = this.resource(id).Properties ?? {};
        for (const r of (props[list] as { Ref: string }[] | undefined) ?? []) out.set(arnOf(r.Ref), this.resolve(props.PolicyDocument) as PolicyDocument);
      }
    }
    return out;
  }

  /** The function of that logical id, with its role's policies and its environment, resolved. */
  deployedFunction(logicalId: string): DeployedFunction {
    const fn = this.resource(logicalId);
    if (fn.Type !== 'AWS::Lambda::Function') throw new Error(`${logicalId} is a ${fn.Type}, not a function`);
    const role = (fn.Properties?.Role as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt'];
    if (!role) throw new Error(`function ${logicalId} has no role of this stack`);
    const roleLogicalId = role[0];
    const roleProps = this.resource(roleLogicalId).Properties ?? {};
    if (roleProps.ManagedPolicyArns) throw new Error(`role ${roleLogicalId} has managed policies, which this check cannot read`);
    const policies: { name: string; document: PolicyDocument }[] = [];
    for (const p of (roleProps.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []) {
      policies.push({ name: p.PolicyName, document: this.resolve(p.PolicyDocument) as PolicyDocument });
    }
    for (const id of this.ofType('AWS::IAM::Policy')) {
      const props = this.resource(id).Properties ?? {};
      const roles = (props.Roles as { Ref?: string }[] | undefined) ?? [];
      if (roles.some((r) => r.Ref === roleLogicalId)) policies.push({ name: id, document: this.resolve(props.PolicyDocument) as PolicyDocument });
    }
    // The stack's own managed policies attached to the role (by their Roles): their documents are here too.
    for (const id of this.ofType('AWS::IAM::ManagedPolicy')) {
      const props = this.resource(id).Properties ?? {};
      const roles = (props.Roles as { Ref?: string }[] | undefined) ?? [];
      if (roles.some((r) => r.Ref === roleLogicalId)) policies.push({ name: id, document: this.resolve(props.PolicyDocument) as PolicyDocument });
    }
    const env = ((fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
    return {
      logicalId,
      arn: this.getAtt(logicalId, 'Arn'),
      roleLogicalId,
      roleArn: this.getAtt(roleLogicalId, 'Arn'),
      policies,
      environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(this.resolve(v))])),
    };
  }
}

/** Every value of a string-or-list policy field. */
export function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
