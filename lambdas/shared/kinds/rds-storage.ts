/** `rds-storage`: the allocated storage of an RDS instance, grown ahead of full by the `rds-storage` runbook. */
import { type AlarmSpec, type MetricRef, thresholdAlarm } from '../alarm-spec';
import { rdsResource } from '../config/resources';
import { KIND_FACTS } from './facts';
import type { KindRules, TargetKindModule } from './kind';
import type { RdsStorageTarget } from './schemas/rds-storage';

export type { RdsStorageTarget } from './schemas/rds-storage';

const GIB = 1024 ** 3;

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
  ...KIND_FACTS['rds-storage'],
  alarms: rdsStorageAlarms,
} satisfies TargetKindModule<RdsStorageTarget>;

/** What synth alone runs of the kind (./rules.ts): the resources a target names, and its checks beyond its schema. */
export const rdsStorageRules = {
  resources: (t) => [rdsResource(['instanceIdentifier'], 'instance (storage)', 'rds-storage', t.instanceIdentifier)],
} satisfies KindRules<RdsStorageTarget>;
