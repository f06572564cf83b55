/** rds-storage: grows an RDS instance's allocated storage ahead of full (lambdas/engine/storage.ts). */
import { decideStorage, STORAGE_MODIFICATION_INTERVAL_SECONDS } from '../../engine/storage';
import type { RdsStorageTarget } from '../../shared/config';
import { TerminalError } from '../../shared/errors';
import { rdsStorageMetrics } from '../../shared/kinds/rds-storage';
import { LOOKBACK_MINUTES, min } from './observe';
import type { DataKind, Plan } from './plan';

export const rdsStorage: DataKind<RdsStorageTarget> = {
  async plan({ target, now, lastActionAt }, { rds, cloudWatch }): Promise<Plan> {
    const i = await rds.instance(target.instanceIdentifier);
    if (!i || i.allocatedGiB === undefined) throw new TerminalError(`instance "${target.instanceIdentifier}" not found`, 'DBInstanceNotFound');
    const s = await cloudWatch.series([{ id: 'free', metric: rdsStorageMetrics(target).freeStorage }], now - LOOKBACK_MINUTES * 60_000, now, 60);
    const freeBytes = min(s.free);
    if (freeBytes === undefined) return { change: false, reason: `no FreeStorageSpace datapoints for ${i.id} in ${LOOKBACK_MINUTES} minutes`, figures: {} };
    if (i.status !== 'available') return { change: false, reason: `${i.id} is ${i.status}; decided again once available`, figures: { freeBytes } };
    const d = decideStorage({ policy: target, allocatedGiB: i.pendingStorageGiB ?? i.allocatedGiB, freeBytes, now, lastModifiedAt: lastActionAt });
    const figures = { allocatedGiB: i.allocatedGiB, freeGiB: Math.round((freeBytes / 1024 ** 3) * 100) / 100, desiredGiB: d.allocatedGiB };
    if (d.direction === 'none') return { change: false, reason: d.reason, figures };
    return {
      change: true,
      reason: d.reason,
      action: 'grow',
      goal: d.allocatedGiB,
      input: { targetId: target.id, allocatedGiB: d.allocatedGiB },
      windowSeconds: STORAGE_MODIFICATION_INTERVAL_SECONDS,
      figures,
    };
  },
  // The used share of storage is no alarm.
  polled: () => true,
};
