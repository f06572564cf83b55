/** One family's kinds: what a family function loads of the registry, and the lookup among them. */
import type { Family } from '../../alarm-spec';
import type { TargetOfFamily } from '../facts';
import type { TargetKindModule } from '../kind';
import type { TargetOfKind } from '../schemas';

/** One family's kinds, by name: what its function loads of the registry (lambdas/shared/kinds/family). */
export type FamilyKinds<F extends Family> = { readonly [K in TargetOfFamily<F>['kind']]: TargetKindModule<TargetOfKind<K>> & { readonly family: F } };

/** The module of a target's kind among one family's kinds; throws for a kind of another family. */
export function kindIn<F extends Family>(kinds: FamilyKinds<F>, target: { readonly kind: string }): TargetKindModule<TargetOfFamily<F>> {
  if (!Object.hasOwn(kinds, target.kind)) throw new Error(`kind ${target.kind} is not among ${Object.keys(kinds).join(', ')}`);
  return (kinds as unknown as Record<string, TargetKindModule<TargetOfFamily<F>>>)[target.kind];
}
