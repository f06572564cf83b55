/** `rds-instance`: the instance class of an RDS instance, moved along a ladder by the `rds-instance` runbook. */
import { type AlarmSpec, type MetricRef, type ThresholdAlarmInput, thresholdAlarm } from '../alarm-spec';
import { checkLadder } from '../config/checks';
import { rdsResource } from '../config/resources';
import { KIND_FACTS } from './facts';
import type { KindRules, TargetKindModule } from './kind';
import type { RdsInstanceTarget } from './schemas/rds-instance';

export type { RdsInstanceTarget } from './schemas/rds-instance';

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
  ...KIND_FACTS['rds-instance'],
  alarms: rdsInstanceAlarms,
} satisfies TargetKindModule<RdsInstanceTarget>;

/** What synth alone runs of the kind (./rules.ts): the resources a target names, and its checks beyond its schema. */
export const rdsInstanceRules = {
  resources: (t) => [rdsResource(['instanceIdentifier'], 'instance (class)', 'rds-class', t.instanceIdentifier)],
  check: (t, at, ctx) => {
    checkLadder(t.instanceClassLadder, [...at, 'instanceClassLadder'], ctx);
    if (t.cpuLowPercent >= t.cpuHighPercent) {
      ctx.addIssue({ code: 'custom', path: [...at, 'cpuLowPercent'], message: `${t.cpuLowPercent} must be below cpuHighPercent ${t.cpuHighPercent}` });
    }
  },
} satisfies KindRules<RdsInstanceTarget>;
