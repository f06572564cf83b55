/**
 * rds-replicas: read replicas of an RDS source, or the readers of an Aurora cluster. Counts the live
 * replicas (those the autoscaler made and the others), observes the source's and the replicas' load,
 * and decides how many it wants (lambdas/engine/replicas.ts).
 */
import type { DbInstanceInfo } from '../../adapters/rds';
import { decideReplicas } from '../../engine/replicas';
import { isManaged } from '../../runbooks/replicas';
import type { RdsReplicasTarget } from '../../shared/config';
import { TerminalError } from '../../shared/errors';
import { replicaSourceMetrics } from '../../shared/kinds/rds-replicas';
import { figuresOf, observeReplicas } from './observe';
import type { DataKind, Plan } from './plan';

/** Replica states that will not serve again by themselves: not counted. */
const STRANDED = new Set(['failed', 'incompatible-parameters', 'incompatible-restore', 'incompatible-network', 'storage-full']);

export const rdsReplicas: DataKind<RdsReplicasTarget> = {
  async plan({ target, now, lastActionAt }, { prefix, rds, cloudWatch }): Promise<Plan> {
    let replicas: DbInstanceInfo[];
    if (target.clusterIdentifier) {
      const cluster = await rds.cluster(target.clusterIdentifier);
      if (!cluster) throw new TerminalError(`Aurora cluster "${target.clusterIdentifier}" not found`, 'DBClusterNotFound');
      replicas = await rds.instances(cluster.members.filter((m) => !m.writer).map((m) => m.id));
    } else {
      const source = await rds.instance(target.sourceInstanceIdentifier!);
      if (!source) throw new TerminalError(`source instance "${target.sourceInstanceIdentifier}" not found`, 'DBInstanceNotFound');
      replicas = await rds.instances(source.replicaIds);
    }
    const live = replicas.filter((r) => !STRANDED.has(r.status));
    const managed = live.filter((r) => isManaged(prefix, target.id, r));
    const fleet = {
      managed: managed.length,
      unmanaged: live.length - managed.length,
      changing: live.filter((r) => r.status === 'creating' || r.status === 'deleting').length,
    };
    const observation = await observeReplicas(cloudWatch, target, live, now);
    const d = decideReplicas({ policy: target, fleet, observation, now, lastActionAt });
    const figures: Record<string, number> = { managed: fleet.managed, unmanaged: fleet.unmanaged, desired: d.desired, ...figuresOf(observation) };
    if (d.direction === 'none') return { change: false, reason: d.reason, figures };
    return {
      change: true,
      reason: d.reason,
      action: d.direction === 'out' ? 'add' : 'remove',
      goal: d.desired,
      input: { targetId: target.id, desiredReplicas: d.desired },
      windowSeconds: d.direction === 'out' ? target.scaleOutCooldownSeconds : target.scaleInCooldownSeconds,
      figures,
    };
  },

  // The CPU of each RDS replica is no alarm (the replicas change), and with the reads on them the
  // source's CPU alarm may never fire; Aurora targets have their readers' alarm.
  polled: (target) => !target.clusterIdentifier,
  probe: (target) => replicaSourceMetrics(target).cpu,

  meanwhile(target) {
    const m = target.missingData;
    return `decisions on the newest data, no replica removed while none new arrives; ${m.fallback === 'fixed' ? `at least ${m.count} once missing ${m.fallbackAfterSeconds} s` : 'fallback hold'}`;
  },

  /**
   * Fallback `fixed`: at least `count` of the target's own replicas once the metrics are missing, no
   * sooner than `scaleOutCooldownSeconds` after its last change (as any addition).
   */
  whenMissing(target, plan, sinceActionSeconds): Plan {
    const m = target.missingData;
    if (m.fallback !== 'fixed' || m.count === undefined || sinceActionSeconds < target.scaleOutCooldownSeconds) return plan;
    const count = m.count;
    const managed = plan.figures.managed;
    const goal = plan.change && typeof plan.goal === 'number' ? plan.goal : managed;
    if (managed === undefined || goal === undefined || goal >= count) return plan;
    return {
      change: true,
      reason: `${plan.reason}; fallback "fixed", at least ${count} replicas: ${managed} -> ${count}`,
      action: 'add',
      goal: count,
      input: { targetId: target.id, desiredReplicas: count },
      windowSeconds: target.scaleOutCooldownSeconds,
      figures: { ...plan.figures, desired: count },
      memory: plan.memory,
    };
  },
};
