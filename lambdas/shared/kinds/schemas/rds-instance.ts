/**
 * The config schema of `rds-instance` targets (synth only); the kind is
 * lambdas/shared/kinds/rds-instance.ts.
 */
import { z } from 'zod';
import { DAY, dbInstanceClass, dbInstanceIdentifier, missingDataHoldSchema, percent, targetId } from '../../config/fields';

/** The instance class of an RDS instance, moved along a ladder by the `rds-instance` runbook. */
export const rdsInstanceTargetSchema = z.strictObject({
  kind: z.literal('rds-instance'),
  id: targetId,
  /** The RDS instance whose class changes. */
  instanceIdentifier: dbInstanceIdentifier,
  /** Instance classes from smallest to largest, each larger than the one before; the instance moves one rung at a time. */
  instanceClassLadder: z.array(dbInstanceClass).min(2).max(20),
  /** Average CPU percent above which the instance moves one rung up. @default 80 */
  cpuHighPercent: percent.default(80),
  /** Minutes CPU must stay above `cpuHighPercent` (a class change restarts the instance: be sure). @default 30 */
  cpuHighMinutes: z.number().int().min(5).max(1440).default(30),
  /** Average CPU percent below which the instance moves one rung down. @default 20 */
  cpuLowPercent: percent.default(20),
  /** Minutes CPU must stay below `cpuLowPercent`. @default 240 */
  cpuLowMinutes: z.number().int().min(30).max(1440).default(240),
  /** FreeableMemory, MiB, below which (for 15 minutes) the instance moves up. @default no memory signal */
  // Common sense: 4 TiB, the memory of RDS's largest classes.
  freeableMemoryLowMiB: z
    .number()
    .int()
    .positive()
    .max(4 * 1024 * 1024)
    .optional(),
  /**
   * Apply a class change now (the instance restarts, a Multi-AZ one fails over) or in the next
   * maintenance window.
   * @default false
   */
  applyImmediately: z.boolean().default(false),
  /** Least seconds after a class change before a move up. @default 86400 */
  // Common sense: thirty days.
  scaleOutCooldownSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * DAY)
    .default(86400),
  /** Least seconds after a class change before a move down. @default 86400 */
  scaleInCooldownSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * DAY)
    .default(86400),
  /** Late or missing metrics: no move down on them. @default late after 240 s */
  missingData: missingDataHoldSchema.prefault({}),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

export type RdsInstanceTarget = z.output<typeof rdsInstanceTargetSchema>;
