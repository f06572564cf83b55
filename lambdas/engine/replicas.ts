/**
 * When to add or remove read replicas (RDS PostgreSQL/MySQL replicas or Aurora readers). Pure: no SDK,
 * no clock, no logger; the handler passes in what it observed and the time.
 */

/** RDS allows this many read replicas per source instance (and Aurora this many readers per cluster). */
export const MAX_REPLICAS_PER_SOURCE = 15;

export interface ReplicaPolicy {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly cpuHighPercent: number;
  readonly cpuLowPercent: number;
  readonly connectionsHigh?: number;
  readonly maxReplicaLagSeconds: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
}

export interface ReplicaFleet {
  /** Replicas the autoscaler created (tagged as its own). */
  readonly managed: number;
  /** Replicas of the same source made by anyone else: they count against the quota and share the load. */
  readonly unmanaged: number;
  /** Replicas (any) not `available` yet or being deleted: a change is still in progress. */
  readonly changing: number;
}

export interface ReplicaObservation {
  /** Average CPU percent of the source (Aurora: the writer) over the recent window. */
  readonly sourceCpu?: number;
  /** Average CPU percent of the replicas. */
  readonly replicaCpu?: number;
  /** DatabaseConnections of the source. */
  readonly connections?: number;
  /** Highest ReplicaLag of the replicas, seconds. */
  readonly maxLagSeconds?: number;
}

export interface ReplicaDecision {
  /** The number of the autoscaler's replicas wanted: absolute, never relative. */
  readonly desired: number;
  readonly direction: 'out' | 'in' | 'none';
  readonly reason: string;
}

export interface ReplicaInput {
  readonly policy: ReplicaPolicy;
  readonly fleet: ReplicaFleet;
  readonly observation: ReplicaObservation;
  /** Epoch ms now. */
  readonly now: number;
  /** Epoch ms of the last change the autoscaler started. */
  readonly lastActionAt?: number;
}

const fmt = (x: number | undefined, unit = '%') => (x === undefined ? 'n/a' : `${Math.round(x * 10) / 10}${unit}`);

/**
 * One replica at a time (creating one takes 15 minutes or more and snapshots the source); never below
 * `minReplicas`, never above `maxReplicas` nor the 15 a source allows with the replicas of others.
 */
export function decideReplicas(input: ReplicaInput): ReplicaDecision {
  const { policy, fleet, observation: o, now, lastActionAt } = input;
  const current = fleet.managed;
  const ceiling = Math.max(0, Math.min(policy.maxReplicas, MAX_REPLICAS_PER_SOURCE - fleet.unmanaged));
  const hold = (reason: string): ReplicaDecision => ({ desired: current, direction: 'none', reason: `${reason}; ${current} replica(s) kept` });
  const sinceAction = lastActionAt === undefined ? Infinity : (now - lastActionAt) / 1000;

  if (fleet.changing > 0) return hold(`${fleet.changing} replica(s) still being created or deleted: one change at a time`);
  if (current < policy.minReplicas && current < ceiling) {
    const desired = Math.min(policy.minReplicas, ceiling);
    return { desired, direction: 'out', reason: `${current} replica(s) below minReplicas ${policy.minReplicas}; ${current} -> ${desired}` };
  }
  if (current > policy.maxReplicas) {
    return {
      desired: policy.maxReplicas,
      direction: 'in',
      reason: `${current} replica(s) above maxReplicas ${policy.maxReplicas}; ${current} -> ${policy.maxReplicas}`,
    };
  }

  const hot: string[] = [];
  if (o.sourceCpu !== undefined && o.sourceCpu > policy.cpuHighPercent) hot.push(`source CPU ${fmt(o.sourceCpu)} > ${policy.cpuHighPercent}%`);
  if (o.replicaCpu !== undefined && o.replicaCpu > policy.cpuHighPercent) hot.push(`replica CPU ${fmt(o.replicaCpu)} > ${policy.cpuHighPercent}%`);
  if (policy.connectionsHigh !== undefined && o.connections !== undefined && o.connections > policy.connectionsHigh) {
    hot.push(`connections ${Math.round(o.connections)} > ${policy.connectionsHigh}`);
  }
  if (hot.length > 0) {
    const why = hot.join(', ');
    if (current >= ceiling) {
      const limit =
        ceiling < policy.maxReplicas
          ? `the ${MAX_REPLICAS_PER_SOURCE} replicas a source allows (${fleet.unmanaged} made by others)`
          : `maxReplicas ${policy.maxReplicas}`;
      return hold(`${why}, but already at ${limit}`);
    }
    if (sinceAction < policy.scaleOutCooldownSeconds)
      return hold(`${why}, but the last change was ${Math.round(sinceAction)} s ago (cooldown ${policy.scaleOutCooldownSeconds} s)`);
    return { desired: current + 1, direction: 'out', reason: `${why}; ${current} -> ${current + 1}` };
  }

  if (current <= policy.minReplicas) return hold(`source CPU ${fmt(o.sourceCpu)}, replica CPU ${fmt(o.replicaCpu)}; at minReplicas ${policy.minReplicas}`);
  const fit = replicaRemovalFit(policy, o, current + fleet.unmanaged);
  if (!fit.fits) return hold(fit.why);
  if (sinceAction < policy.scaleInCooldownSeconds) {
    return hold(`CPU is low, but the last change was ${Math.round(sinceAction)} s ago (scale-in cooldown ${policy.scaleInCooldownSeconds} s)`);
  }
  return { desired: current - 1, direction: 'in', reason: `${fit.reason}; ${current} -> ${current - 1}` };
}

/**
 * Whether one replica of `total` (every replica of the source, whoever made it) may go on what is
 * observed now: source and replica CPU low, no replica lagging, and the replicas left carrying the load
 * of the one removed well below the high mark. The database function decides with it; the runbook
 * checks it again on current metrics right before it deletes.
 */
export function replicaRemovalFit(
  policy: ReplicaPolicy,
  o: ReplicaObservation,
  total: number,
): { readonly fits: true; readonly reason: string } | { readonly fits: false; readonly why: string } {
  const sourceLow = o.sourceCpu !== undefined && o.sourceCpu < policy.cpuLowPercent;
  const replicasLow = o.replicaCpu === undefined || o.replicaCpu < policy.cpuLowPercent;
  if (!sourceLow || !replicasLow) {
    return { fits: false, why: `source CPU ${fmt(o.sourceCpu)}, replica CPU ${fmt(o.replicaCpu)}: not both below ${policy.cpuLowPercent}%` };
  }
  if (o.maxLagSeconds !== undefined && o.maxLagSeconds > policy.maxReplicaLagSeconds) {
    return { fits: false, why: `CPU is low but replica lag ${fmt(o.maxLagSeconds, ' s')} exceeds ${policy.maxReplicaLagSeconds} s` };
  }
  // Hysteresis: the replicas left must carry the load of the one removed and stay well below the high mark.
  if (o.replicaCpu !== undefined && total > 1) {
    const projected = (o.replicaCpu * total) / (total - 1);
    if (projected >= policy.cpuLowPercent + (policy.cpuHighPercent - policy.cpuLowPercent) / 2) {
      return {
        fits: false,
        why: `replica CPU ${fmt(o.replicaCpu)} would be ${fmt(projected)} on ${total - 1} replica(s), too close to ${policy.cpuHighPercent}%`,
      };
    }
  }
  return { fits: true, reason: `source CPU ${fmt(o.sourceCpu)} and replica CPU ${fmt(o.replicaCpu)} below ${policy.cpuLowPercent}%` };
}
