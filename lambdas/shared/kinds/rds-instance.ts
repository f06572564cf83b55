/** `rds-instance`: the instance class of an RDS instance, moved along a ladder by the `rds-instance` runbook. */
import { z } from 'zod';
import { type AlarmSpec, type MetricRef, type ThresholdAlarmInput, thresholdAlarm } from '../alarm-spec';
import { checkLadder } from '../config/checks';
import { DAY, dbInstanceClass, dbInstanceIdentifier, missingDataHoldSchema, percent, targetId } from '../config/fields';
import { rdsResource } from '../config/resources';
import type { TargetKindModule } from './kind';

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

export function rdsInstanceMetrics(target: RdsInstanceTarget): { cpu: MetricRef; freeableMemory: MetricRef } {
  const d = { DBInstanceIdentifier: target.instanceIdentifier };
  return {
    cpu: { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: d, stat: 'Average' },
    freeableMemory: { namespace: 'AWS/RDS', metricName: 'FreeableMemory', dimensions: d, stat: 'Minimum' },
  };
}

/**
 * CPU high and low over long windows (a class change restarts the instance), and free memory low. The
 * long windows use 5-minute periods, so even 24 hours stays within CloudWatch's 288 datapoints.
 */
export function rdsInstanceAlarms(prefix: string, target: RdsInstanceTarget): AlarmSpec[] {
  const m = rdsInstanceMetrics(target);
  const i = target.instanceIdentifier;
  const long = (s: ThresholdAlarmInput): AlarmSpec => {
    const periods = Math.max(1, Math.round(s.minutes / 5));
    return { ...thresholdAlarm(prefix, target.id, s), periodSeconds: 300, evaluationPeriods: periods, datapointsToAlarm: periods };
  };
  const alarms = [
    long({
      signal: 'cpu',
      direction: 'high',
      metric: m.cpu,
      threshold: target.cpuHighPercent,
      minutes: target.cpuHighMinutes,
      description: `${target.id}: CPU of ${i} above ${target.cpuHighPercent}% for ${target.cpuHighMinutes} minutes: a larger class`,
    }),
    long({
      signal: 'cpu',
      direction: 'low',
      metric: m.cpu,
      threshold: target.cpuLowPercent,
      minutes: target.cpuLowMinutes,
      description: `${target.id}: CPU of ${i} below ${target.cpuLowPercent}% for ${target.cpuLowMinutes} minutes: a smaller class`,
    }),
  ];
  if (target.freeableMemoryLowMiB !== undefined) {
    alarms.push({
      ...thresholdAlarm(prefix, target.id, {
        signal: 'memory',
        direction: 'low',
        metric: m.freeableMemory,
        threshold: target.freeableMemoryLowMiB * 1024 * 1024,
        minutes: 15,
        description: `${target.id}: freeable memory of ${i} below ${target.freeableMemoryLowMiB} MiB for 15 minutes: a larger class`,
      }),
      // Too little free memory is the overload here; no data is no reason to act.
      treatMissingData: 'missing',
    });
  }
  return alarms;
}

export const rdsInstance = {
  schema: rdsInstanceTargetSchema,
  family: 'database',
  namespaces: ['AWS/RDS'],
  alarms: rdsInstanceAlarms,
  windows: false,
  resources: (t) => [rdsResource(['instanceIdentifier'], 'instance (class)', 'rds-class', t.instanceIdentifier)],
  check: (t, at, ctx) => {
    checkLadder(t.instanceClassLadder, [...at, 'instanceClassLadder'], ctx);
    if (t.cpuLowPercent >= t.cpuHighPercent) {
      ctx.addIssue({ code: 'custom', path: [...at, 'cpuLowPercent'], message: `${t.cpuLowPercent} must be below cpuHighPercent ${t.cpuHighPercent}` });
    }
  },
  runbook: { name: 'rds-instance', arnEnv: 'RUNBOOK_RDS_INSTANCE_ARN' },
} satisfies TargetKindModule<RdsInstanceTarget>;
