/** `rds-storage`: the allocated storage of an RDS instance, grown ahead of full by the `rds-storage` runbook. */
import { z } from 'zod';
import { type AlarmSpec, type MetricRef, thresholdAlarm } from '../alarm-spec';
import { dbInstanceIdentifier, missingDataHoldSchema, percent, targetId } from '../config/fields';
import { rdsResource } from '../config/resources';
import type { TargetKindModule } from './kind';

const GIB = 1024 ** 3;

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

export function rdsStorageMetrics(target: RdsStorageTarget): { freeStorage: MetricRef } {
  return {
    freeStorage: { namespace: 'AWS/RDS', metricName: 'FreeStorageSpace', dimensions: { DBInstanceIdentifier: target.instanceIdentifier }, stat: 'Minimum' },
  };
}

/**
 * FreeStorageSpace is in bytes and the allocated size is not known at synth, so the used share cannot
 * be an alarm threshold. The 1-minute schedule checks every storage target's real share (FreeStorageSpace
 * against DescribeDBInstances' AllocatedStorage); this alarm is the immediate trigger for the smallest
 * instances: free space below `(100 - usedHighPercent)%` of 20 GiB, the RDS minimum size.
 */
export function rdsStorageAlarms(prefix: string, target: RdsStorageTarget): AlarmSpec[] {
  const floorBytes = Math.round(((100 - target.usedHighPercent) / 100) * 20 * GIB);
  return [
    thresholdAlarm(prefix, target.id, {
      signal: 'storage',
      direction: 'low',
      metric: rdsStorageMetrics(target).freeStorage,
      threshold: floorBytes,
      minutes: 5,
      description: `${target.id}: free storage of ${target.instanceIdentifier} below ${(floorBytes / GIB).toFixed(1)} GiB for 5 minutes: grow storage`,
    }),
  ];
}

export const rdsStorage = {
  schema: rdsStorageTargetSchema,
  family: 'database',
  namespaces: ['AWS/RDS'],
  alarms: rdsStorageAlarms,
  windows: false,
  resources: (t) => [rdsResource(['instanceIdentifier'], 'instance (storage)', 'rds-storage', t.instanceIdentifier)],
  runbook: { name: 'rds-storage', arnEnv: 'RUNBOOK_RDS_STORAGE_ARN' },
} satisfies TargetKindModule<RdsStorageTarget>;
