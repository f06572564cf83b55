/**
 * The registry of target kinds: every kind the config accepts, each declared once in its module
 * (metrics and alarms, signals, resources, checks), its facts (./facts.ts: family, namespaces,
 * windows, overridable fields, runbook) and its schema (lambdas/shared/kinds/schemas, synth only).
 * Synth, the CLI and the simulator look kinds up here; a function loads only its own family's
 * (./family/<family>.ts) and reads the facts of any other kind from ./facts.ts, so that no bundle
 * carries the modules of kinds it never runs (test/lambdas/shared/kinds/bundles.test.ts). The
 * infrastructure (lib/targets/index.ts) and the operator CLI keep a table of the same kinds, checked
 * against this one by the compiler.
 *
 * Adding a kind: its module beside this file, its facts in ./facts.ts, one line in its family's file
 * (./family), then the other tables the compiler names (ARCHITECTURE.md, "Adding a kind").
 */

import type { TargetOfFamily } from './facts';
import { CAPACITY_KINDS } from './family/capacity';
import { CDN_KINDS } from './family/cdn';
import { DATABASE_KINDS } from './family/database';
import { QUEUE_KINDS } from './family/queue';
import type { TargetKindModule } from './kind';
import type { TargetKind, TargetOfKind } from './schemas';

export type { TargetConfig, TargetKind, TargetOfKind } from './schemas';

/** The kinds, family by family (./family), in the order messages list them. */
const MODULES = { ...CAPACITY_KINDS, ...CDN_KINDS, ...DATABASE_KINDS, ...QUEUE_KINDS };

/** What the runtime knows of each kind. */
export const TARGET_KINDS: { readonly [K in TargetKind]: TargetKindModule<TargetOfKind<K>> } = MODULES;

/** The module of a target's kind. */
export function kindOf<K extends TargetKind>(target: { readonly kind: K }): TargetKindModule<TargetOfKind<K>> {
  return TARGET_KINDS[target.kind];
}

/** The kinds, in the registry's order. */
export const TARGET_KIND_NAMES = Object.keys(MODULES) as TargetKind[];

export { KIND_FACTS, RUNBOOK_ARN_ENV, type TargetOfFamily } from './facts';
export type { CapacityTarget } from './family/capacity';
export { capacityMetrics } from './family/capacity';

export type DataTarget = TargetOfFamily<'database'>;
