/** When and by how much to grow an RDS instance's allocated storage. Pure. */

/** RDS refuses a storage modification within six hours of the previous one (or while it optimizes). */
export const STORAGE_MODIFICATION_INTERVAL_SECONDS = 6 * 3600;

export interface StoragePolicy {
  readonly usedHighPercent: number;
  readonly growRatio: number;
  readonly maxAllocatedGiB: number;
}

export interface StorageInput {
  readonly policy: StoragePolicy;
  readonly allocatedGiB: number;
  /** Lowest FreeStorageSpace of the recent window, bytes. */
  readonly freeBytes: number;
  readonly now: number;
  /** Epoch ms of the last storage modification (the autoscaler's or anyone's it knows of). */
  readonly lastModifiedAt?: number;
}

export interface StorageDecision {
  readonly allocatedGiB: number;
  readonly direction: 'up' | 'none';
  readonly reason: string;
}

const GIB = 1024 ** 3;

export function decideStorage(input: StorageInput): StorageDecision {
  const { policy, allocatedGiB, freeBytes, now, lastModifiedAt } = input;
  const usedPercent = Math.max(0, Math.min(100, 100 * (1 - freeBytes / (allocatedGiB * GIB))));
  const used = `${usedPercent.toFixed(1)}% of ${allocatedGiB} GiB used`;
  const hold = (reason: string): StorageDecision => ({ allocatedGiB, direction: 'none', reason: `${used}; ${reason}` });
  if (usedPercent <= policy.usedHighPercent) return hold(`not above ${policy.usedHighPercent}%`);
  if (allocatedGiB >= policy.maxAllocatedGiB) return hold(`already at maxAllocatedGiB ${policy.maxAllocatedGiB}`);
  const since = lastModifiedAt === undefined ? Infinity : (now - lastModifiedAt) / 1000;
  if (since < STORAGE_MODIFICATION_INTERVAL_SECONDS) {
    return hold(`the last storage change was ${(since / 3600).toFixed(1)} h ago; RDS needs ${STORAGE_MODIFICATION_INTERVAL_SECONDS / 3600} h between them`);
  }
  // RDS needs a growth of at least 10%; round up to whole GiB and stay within the maximum.
  const wanted = Math.max(Math.ceil(allocatedGiB * (1 + policy.growRatio)), Math.ceil(allocatedGiB * 1.1));
  const target = Math.min(policy.maxAllocatedGiB, wanted);
  if (target < Math.ceil(allocatedGiB * 1.1)) {
    return hold(`growing to maxAllocatedGiB ${policy.maxAllocatedGiB} would be less than the 10% RDS requires`);
  }
  return { allocatedGiB: target, direction: 'up', reason: `${used} > ${policy.usedHighPercent}%; ${allocatedGiB} -> ${target} GiB` };
}
