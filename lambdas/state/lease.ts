/** Running a piece of work under a target's lease: one decision per target at a time. */
import { randomUUID } from 'node:crypto';
import type { StateStore } from './store';

/**
 * How long a target's lease lasts: longer than any invocation of a function that takes it (their
 * timeout is 60 s), so Lambda ends a stuck holder before its lease can expire under it, and short
 * enough that a crashed holder blocks the target for a minute and a half at most.
 */
export const LEASE_SECONDS = 90;

/** The lease was held by another invocation; nothing was done. */
export const BUSY = Symbol('busy');

/**
 * Takes the target's lease for `ttlSeconds` (owner: the event key plus a random suffix, so a
 * redelivered event is a different owner), runs `work`, and gives the lease back even when it throws.
 */
export async function withTargetLease<T>(
  store: StateStore,
  targetId: string,
  eventKey: string,
  now: number,
  ttlSeconds: number,
  work: (owner: string) => Promise<T>,
): Promise<T | typeof BUSY> {
  const owner = `${eventKey}#${randomUUID().slice(0, 8)}`;
  if (!(await store.acquireLease(targetId, owner, now, ttlSeconds))) return BUSY;
  try {
    return await work(owner);
  } finally {
    await store.releaseLease(targetId, owner);
  }
}
