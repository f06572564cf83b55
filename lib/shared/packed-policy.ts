/**
 * Statements that grow with the targets, packed into customer managed policies that each stay within
 * IAM's 6,144 characters as IAM counts them (lib/limits.ts). The CDK's own split of a large default
 * policy estimates a statement's size without its conditions, and so makes policies that IAM refuses
 * once the statements carry conditions (the rds-replicas tags).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IAM_LIMITS, policyCharacters } from '../limits';

const PACKS = new WeakMap<iam.IRole, { policy: iam.ManagedPolicy; characters: number }[]>();

/** Adds `statements` (kept together) to the role's packed managed policies; returns the policy that holds them. */
export function addPackedStatements(role: iam.IRole, statements: readonly iam.PolicyStatement[]): iam.ManagedPolicy {
  const stack = Stack.of(role);
  const size = policyCharacters({ Statement: statements.map((s) => stack.resolve(s.toStatementJson())) }) - '{"Statement":[]}'.length;
  // The document's frame: {"Version":"2012-10-17","Statement":[...]} and the commas between statements.
  const budget = IAM_LIMITS.charactersPerManagedPolicy - '{"Statement":[],"Version":"2012-10-17"}'.length;
  const packs = PACKS.get(role) ?? [];
  PACKS.set(role, packs);
  let pack = packs.find((p) => p.characters + 1 + size <= budget);
  if (!pack) {
    const policy = new iam.ManagedPolicy(role, `PackedPolicy${packs.length + 1}`, { description: `Per-target statements of ${role.node.path}` });
    policy.attachToRole(role);
    pack = { policy, characters: -1 };
    packs.push(pack);
  }
  pack.policy.addStatements(...statements);
  pack.characters += 1 + size;
  return pack.policy;
}
