/**
 * The AWS limits a config can push the deployment past, measured on what the construct built (after
 * the CDK has split large role policies) and refused at synth, each problem naming the limit, the count
 * and the way out, instead of a CloudFormation failure at deploy time.
 *
 * - IAM ("IAM and AWS STS quotas", IAM User Guide): a role's inline policies hold 10,240 characters in
 *   all, a managed policy 6,144, whitespace not counted; a role has at most 10 managed policies attached
 *   (a quota that AWS raises on request).
 * - CloudFormation ("CloudFormation quotas", User Guide): 500 resources, 200 outputs and 200 parameters
 *   in one template (nested stacks each count on their own).
 * - CloudWatch (service quotas, and the DashboardBody reference: "an array of between 0 and 500 widget
 *   objects"): 500 widgets on a dashboard; lib/monitoring/dashboard.ts splits before that.
 *
 * What the config cannot reach is not checked: the rules, functions, state machines and schedules per
 * family do not grow with the targets, nor does a rule's event pattern (an alarm-name prefix per
 * family, lambdas/shared/alarms.ts). EventBridge allows 300 rules per event bus (100 in af-south-1 and
 * eu-south-1) and 2,048 characters per event pattern ("Amazon EventBridge quotas", User Guide); Step
 * Functions' 10,000 state machines per account are far; CloudWatch sets no limit on the number of alarms.
 */
import { CfnOutput, CfnParameter, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

export const IAM_LIMITS = {
  /** All inline policies of a role together, in characters without whitespace. */
  inlineCharactersPerRole: 10_240,
  /** One managed policy, in characters without whitespace. */
  charactersPerManagedPolicy: 6_144,
  /** Managed policies attached to one role: the default quota. */
  managedPoliciesPerRole: 10,
} as const;

export const CLOUDFORMATION_LIMITS = { resourcesPerStack: 500, outputsPerStack: 200, parametersPerStack: 200 } as const;

export const DASHBOARD_WIDGET_LIMIT = 500;

/**
 * The CDK context key that states a raised quota of managed policies per role (after AWS granted the
 * increase): `cdk synth -c autoscaler:managedPoliciesPerRole=20`.
 */
export const MANAGED_POLICIES_CONTEXT_KEY = 'autoscaler:managedPoliciesPerRole';

/** A role's policies, as IAM will count them. */
export interface RoleFootprint {
  /** The role's construct path. */
  readonly path: string;
  /** Characters of all its inline policies (its own and the AWS::IAM::Policy resources attached to it). */
  readonly inlineCharacters: number;
  /** Characters of each managed policy of the deployment attached to it. */
  readonly managedPolicies: readonly number[];
}

export interface StackFootprint {
  readonly path: string;
  readonly resources: number;
  readonly outputs: number;
  readonly parameters: number;
}

export interface Footprint {
  readonly roles: readonly RoleFootprint[];
  readonly stacks: readonly StackFootprint[];
  /** Widgets of each dashboard, by construct path. */
  readonly dashboards: readonly { readonly path: string; readonly widgets: number }[];
}

/** What the constructs under `root` will deploy, counted as the limits count it. */
export function footprintOf(root: IConstruct): Footprint {
  const all = root.node.findAll();
  const policies = all.filter((c): c is iam.Policy | iam.ManagedPolicy => c instanceof iam.Policy || c instanceof iam.ManagedPolicy);
  const roles: RoleFootprint[] = [];
  for (const role of all.filter((c): c is iam.Role => c instanceof iam.Role)) {
    const cfn = role.node.defaultChild as iam.CfnRole | undefined;
    if (!cfn) continue;
    const stack = Stack.of(role);
    const ownInline = (stack.resolve(cfn.policies) as { policyDocument: unknown }[] | undefined) ?? [];
    let inlineCharacters = ownInline.reduce((sum, p) => sum + policyCharacters(p.policyDocument), 0);
    const managedPolicies: number[] = [];
    for (const policy of policies) {
      if (policy instanceof iam.Policy && policy.node.defaultChild && attachedTo(policy, role))
        inlineCharacters += policyCharacters(stack.resolve(policy.document));
      else if (policy instanceof iam.ManagedPolicy && attachedTo(policy, role)) managedPolicies.push(policyCharacters(stack.resolve(policy.document)));
    }
    roles.push({ path: role.node.path, inlineCharacters, managedPolicies });
  }
  const stacks = [...new Set(all.map((c) => Stack.of(c)))].map((stack) => {
    const own = stack.node.findAll().filter((c) => Stack.of(c) === stack);
    return {
      path: stack.node.path,
      resources: own.filter((c) => c instanceof CfnResource).length,
      outputs: own.filter((c) => c instanceof CfnOutput).length,
      parameters: own.filter((c) => c instanceof CfnParameter).length,
    };
  });
  const dashboards = all
    .filter((c): c is cloudwatch.Dashboard => c instanceof cloudwatch.Dashboard)
    .map((d) => ({ path: d.node.path, widgets: widgetCount(d) }));
  return { roles, stacks, dashboards };
}

/**
 * Every limit the footprint passes, one line each: the limit, the count, the way out. `managedPerRole`
 * is the account's quota of managed policies per role (the default unless a raise is stated).
 */
export function limitProblems(footprint: Footprint, managedPerRole: number = IAM_LIMITS.managedPoliciesPerRole): string[] {
  const problems: string[] = [];
  const wayOut =
    'set `permissions: by-tag` (roles that do not grow with the targets; rds-replicas targets are granted per target either way), or split the targets over deployments with different prefixes';
  for (const r of footprint.roles) {
    if (r.inlineCharacters > IAM_LIMITS.inlineCharactersPerRole)
      problems.push(
        `${r.path}: its inline policies hold ${r.inlineCharacters} characters, more than IAM's ${IAM_LIMITS.inlineCharactersPerRole} per role: ${wayOut}`,
      );
    if (r.managedPolicies.length > managedPerRole)
      problems.push(
        `${r.path}: ${r.managedPolicies.length} managed policies attached, more than IAM's quota of ${managedPerRole} per role (${IAM_LIMITS.managedPoliciesPerRole} by default; state a granted increase with -c ${MANAGED_POLICIES_CONTEXT_KEY}=N): ${wayOut}`,
      );
    r.managedPolicies.forEach((chars, i) => {
      if (chars > IAM_LIMITS.charactersPerManagedPolicy)
        problems.push(`${r.path}: managed policy ${i + 1} holds ${chars} characters, more than IAM's ${IAM_LIMITS.charactersPerManagedPolicy}: ${wayOut}`);
    });
  }
  for (const s of footprint.stacks) {
    const fewer = 'fewer targets (or alarms per target) in this deployment: split the targets over deployments with different prefixes';
    if (s.resources > CLOUDFORMATION_LIMITS.resourcesPerStack)
      problems.push(`stack ${s.path}: ${s.resources} resources, more than CloudFormation's ${CLOUDFORMATION_LIMITS.resourcesPerStack} per stack: ${fewer}`);
    if (s.outputs > CLOUDFORMATION_LIMITS.outputsPerStack)
      problems.push(`stack ${s.path}: ${s.outputs} outputs, more than CloudFormation's ${CLOUDFORMATION_LIMITS.outputsPerStack} per stack: fewer runbooks`);
    if (s.parameters > CLOUDFORMATION_LIMITS.parametersPerStack)
      problems.push(`stack ${s.path}: ${s.parameters} parameters, more than CloudFormation's ${CLOUDFORMATION_LIMITS.parametersPerStack} per stack: ${fewer}`);
  }
  for (const d of footprint.dashboards)
    if (d.widgets > DASHBOARD_WIDGET_LIMIT)
      problems.push(`dashboard ${d.path}: ${d.widgets} widgets, more than CloudWatch's ${DASHBOARD_WIDGET_LIMIT} per dashboard: fewer widgets on it`);
  return problems;
}

/** The account's quota of managed policies per role: the default, or the raise stated in the CDK context. */
export function managedPoliciesPerRole(scope: IConstruct): number {
  const stated = scope.node.tryGetContext(MANAGED_POLICIES_CONTEXT_KEY);
  if (stated === undefined) return IAM_LIMITS.managedPoliciesPerRole;
  const n = Number(stated);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`-c ${MANAGED_POLICIES_CONTEXT_KEY}=${String(stated)}: must be a whole number of managed policies per role`);
  return n;
}

function attachedTo(policy: iam.Policy | iam.ManagedPolicy, role: iam.Role): boolean {
  const cfn = policy.node.defaultChild as { roles?: unknown } | undefined;
  const roleRef = Stack.of(role).resolve((role.node.defaultChild as iam.CfnRole).ref);
  const roles = Stack.of(policy).resolve(cfn?.roles) as unknown[] | undefined;
  return (roles ?? []).some((r) => JSON.stringify(r) === JSON.stringify(roleRef));
}

/** The widgets of a dashboard's body (its references, such as the region, stand as placeholders). */
export function widgetCount(d: cloudwatch.Dashboard): number {
  return (JSON.parse(String(deployed(Stack.of(d).resolve((d.node.defaultChild as cloudwatch.CfnDashboard).dashboardBody)))) as { widgets: unknown[] }).widgets
    .length;
}

/**
 * The characters of a policy document as IAM will count them once deployed (no whitespace):
 * CloudFormation's references are counted as the longest values they take (a partition, a region, an
 * account id, an ARN or a name), so the estimate errs on the safe side.
 */
export function policyCharacters(document: unknown): number {
  return JSON.stringify(deployed(document)).length;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws-iso-b',
  'AWS::Region': 'ap-southeast-7',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackName': 'x'.repeat(128),
};
/** The longest ARN or name a `Ref` or `Fn::GetAtt` of a resource of this deployment resolves to. */
const REFERENCE = 'x'.repeat(200);

function deployed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deployed);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.Ref === 'string') return PSEUDO[o.Ref] ?? REFERENCE;
    if (o['Fn::GetAtt'] !== undefined || o['Fn::ImportValue'] !== undefined) return REFERENCE;
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(deployed(p))).join(sep);
    }
    if (o['Fn::Sub'] !== undefined) return String(Array.isArray(o['Fn::Sub']) ? o['Fn::Sub'][0] : o['Fn::Sub']).replace(/\$\{[^}]+\}/g, REFERENCE);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, deployed(v)]));
  }
  if (typeof value === 'string' && Token.isUnresolved(value)) return REFERENCE;
  return value;
}
