/**
 * The database function's table of data target kinds: one entry per kind, checked by the compiler
 * (a kind without its entry, or an entry of the wrong kind, does not build).
 */
import type { DataTarget } from '../../shared/config';
import type { DataKind } from './plan';
import { rdsInstance } from './plan-instance';
import { redis } from './plan-redis';
import { rdsReplicas } from './plan-replicas';
import { rdsStorage } from './plan-storage';

export const DATA_KINDS: { readonly [K in DataTarget['kind']]: DataKind<Extract<DataTarget, { kind: K }>> } = {
  'rds-replicas': rdsReplicas,
  redis,
  'rds-storage': rdsStorage,
  'rds-instance': rdsInstance,
};

/** The entry of a target's kind. */
export function dataKind<T extends DataTarget>(target: T): DataKind<T> {
  // The table's type pairs each kind with its entry; TypeScript cannot follow that pairing through an index.
  return DATA_KINDS[target.kind] as unknown as DataKind<T>;
}
