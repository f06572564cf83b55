/**
 * The config schema of `rds-storage` targets (synth only); the kind is
 * lambdas/shared/kinds/rds-storage.ts.
 */
import { z } from 'zod';
import { dbInstanceIdentifier, missingDataHoldSchema, percent, targetId } from '../../config/fields';

/** Allocated storage of an RDS instance, grown ahead of full by the `rds-storage` runbook. */
export const rdsStorageTargetSchema = z.strictObject({
  kind: z.literal('rds-storage'),
  id: targetId,
  /** The RDS instance whose storage grows. */
  instanceIdentifier: dbInstanceIdentifier,
  /** Used storage percent (from FreeStorageSpace) above which storage grows (the seed rule: 80). @default 80 */
  usedHighPercent: percent.default(80),
  /** Each growth adds this share of the allocated storage (RDS needs at least 10%). @default 0.2 */
  growRatio: z.number().min(0.1).max(1).default(0.2),
  /** Allocated storage, GiB, never exceeded. */
  maxAllocatedGiB: z.number().int().min(20).max(65536),
  /** Late or missing metrics: no move down on them. @default late after 240 s */
  missingData: missingDataHoldSchema.prefault({}),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

export type RdsStorageTarget = z.output<typeof rdsStorageTargetSchema>;
