/** rds-instance: moves an RDS instance along its class ladder, now or in the maintenance window (lambdas/engine/instance-class.ts). */
import { decideInstanceClass } from '../../engine/instance-class';
import type { RdsInstanceTarget } from '../../shared/config';
import { TerminalError } from '../../shared/errors';
import { rdsInstanceMetrics } from '../../shared/kinds/rds-instance';
import { observeInstance } from './observe';
import type { DataKind, Plan } from './plan';

export const rdsInstance: DataKind<RdsInstanceTarget> = {
  async plan({ target, now, lastActionAt }, { rds, cloudWatch }): Promise<Plan> {
    const i = await rds.instance(target.instanceIdentifier);
    if (!i?.instanceClass) throw new TerminalError(`instance "${target.instanceIdentifier}" not found`, 'DBInstanceNotFound');
    if (i.status !== 'available') return { change: false, reason: `${i.id} is ${i.status}; decided again once available`, figures: {} };
    const observation = await observeInstance(cloudWatch, target, now);
    const d = decideInstanceClass({ policy: target, currentClass: i.instanceClass, pendingClass: i.pendingInstanceClass, ...observation, now, lastActionAt });
    const figures: Record<string, number> = {};
    if (observation.cpuHighWindow !== undefined) figures.cpuHighWindow = Math.round(observation.cpuHighWindow * 100) / 100;
    if (observation.freeableMemoryMiB !== undefined) figures.freeableMiB = Math.round(observation.freeableMemoryMiB);
    if (d.direction === 'none') return { change: false, reason: d.reason, figures };
    return {
      change: true,
      reason: `${d.reason}${target.applyImmediately ? ' now' : ' in the maintenance window'}`,
      action: d.direction,
      goal: d.instanceClass,
      input: { targetId: target.id, instanceClass: d.instanceClass },
      windowSeconds: d.direction === 'up' ? target.scaleOutCooldownSeconds : target.scaleInCooldownSeconds,
      figures,
    };
  },
  // Its CPU alarms bring it to the schedule, and a probe of its CPU when its metrics are late.
  polled: () => false,
  probe: (target) => rdsInstanceMetrics(target).cpu,
};
