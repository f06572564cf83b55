/** Where an RDS instance should sit on its instance-class ladder. Pure. */

export interface InstanceClassPolicy {
  readonly instanceClassLadder: readonly string[];
  readonly cpuHighPercent: number;
  readonly cpuLowPercent: number;
  readonly freeableMemoryLowMiB?: number;
  /** Least seconds after a class change before a move up. */
  readonly scaleOutCooldownSeconds: number;
  /** Least seconds after a class change before a move down. */
  readonly scaleInCooldownSeconds: number;
}

/** What the database function observes of the instance (lambdas/scalers/database/observe.ts). */
export interface InstanceClassObservation {
  /** Average CPU over the high window (`cpuHighMinutes`), sustained. */
  readonly cpuHighWindow?: number;
  /** Highest CPU over the low window (`cpuLowMinutes`): a move down needs all of it below the mark. */
  readonly cpuLowWindowPeak?: number;
  /** Lowest FreeableMemory over the last 15 minutes, MiB. */
  readonly freeableMemoryMiB?: number;
}

export interface InstanceClassInput extends InstanceClassObservation {
  readonly policy: InstanceClassPolicy;
  readonly currentClass: string;
  /** A class change already waiting for the maintenance window. */
  readonly pendingClass?: string;
  readonly now: number;
  readonly lastActionAt?: number;
}

export interface InstanceClassDecision {
  readonly instanceClass: string;
  readonly direction: 'up' | 'down' | 'none';
  readonly reason: string;
}

const pct = (x: number) => `${Math.round(x * 10) / 10}%`;

export function decideInstanceClass(input: InstanceClassInput): InstanceClassDecision {
  const { policy, currentClass: cur } = input;
  const ladder = policy.instanceClassLadder;
  const at = ladder.indexOf(cur);
  const hold = (reason: string): InstanceClassDecision => ({ instanceClass: cur, direction: 'none', reason: `${reason}; ${cur} kept` });
  if (at < 0) return hold(`${cur} is not on the ladder (${ladder.join(', ')})`);
  if (input.pendingClass) return hold(`a change to ${input.pendingClass} already waits for the maintenance window`);
  const since = input.lastActionAt === undefined ? Infinity : (input.now - input.lastActionAt) / 1000;

  const hot: string[] = [];
  if (input.cpuHighWindow !== undefined && input.cpuHighWindow > policy.cpuHighPercent) hot.push(`CPU ${pct(input.cpuHighWindow)} > ${policy.cpuHighPercent}%`);
  if (policy.freeableMemoryLowMiB !== undefined && input.freeableMemoryMiB !== undefined && input.freeableMemoryMiB < policy.freeableMemoryLowMiB) {
    hot.push(`freeable memory ${Math.round(input.freeableMemoryMiB)} MiB < ${policy.freeableMemoryLowMiB} MiB`);
  }
  if (hot.length > 0) {
    const why = hot.join(', ');
    if (at === ladder.length - 1) return hold(`${why}, but already on the largest class of the ladder`);
    if (since < policy.scaleOutCooldownSeconds)
      return hold(`${why}, but the last class change was ${Math.round(since)} s ago (scale-out cooldown ${policy.scaleOutCooldownSeconds} s)`);
    return { instanceClass: ladder[at + 1], direction: 'up', reason: `${why}; ${cur} -> ${ladder[at + 1]}` };
  }
  const low = lowSignals(policy, input);
  if (low) return hold(low);
  if (at === 0) return hold('already on the smallest class of the ladder');
  if (since < policy.scaleInCooldownSeconds)
    return hold(`CPU is low, but the last class change was ${Math.round(since)} s ago (scale-in cooldown ${policy.scaleInCooldownSeconds} s)`);
  const fit = classDownFit(policy, input, ladder[at - 1]);
  if (!fit.fits) return hold(fit.why);
  return { instanceClass: ladder[at - 1], direction: 'down', reason: `${fit.reason}; ${cur} -> ${ladder[at - 1]}` };
}

/** Why CPU and memory do not allow a move down, or undefined when they do. */
function lowSignals(policy: InstanceClassPolicy, o: InstanceClassObservation): string | undefined {
  if (o.cpuLowWindowPeak === undefined || o.cpuLowWindowPeak >= policy.cpuLowPercent) {
    return `CPU ${o.cpuLowWindowPeak === undefined ? 'n/a' : pct(o.cpuLowWindowPeak)} at its peak is not below ${policy.cpuLowPercent}%`;
  }
  if (policy.freeableMemoryLowMiB !== undefined && (o.freeableMemoryMiB === undefined || o.freeableMemoryMiB < 4 * policy.freeableMemoryLowMiB)) {
    // A smaller class has about half the memory: keep twice the mark free on it.
    return `CPU is low but freeable memory ${o.freeableMemoryMiB === undefined ? 'n/a' : `${Math.round(o.freeableMemoryMiB)} MiB`} is under 4 x ${policy.freeableMemoryLowMiB} MiB`;
  }
  return undefined;
}

/**
 * Whether a move one rung down to `lower` may be made on what is observed now: the CPU peak of the
 * whole low window under `cpuLowPercent`, freeable memory 4 times its mark, and the peak doubled (about
 * half the capacity) under 75% of `cpuHighPercent`. The database function decides with it; the runbook
 * checks it again on current metrics right before it writes.
 */
export function classDownFit(
  policy: InstanceClassPolicy,
  o: InstanceClassObservation,
  lower: string,
): { readonly fits: true; readonly reason: string } | { readonly fits: false; readonly why: string } {
  const low = lowSignals(policy, o);
  if (low) return { fits: false, why: low };
  const peak = o.cpuLowWindowPeak!;
  // Hysteresis: on a class of about half the capacity the peak would about double; it must stay well under the high mark.
  if (peak * 2 >= policy.cpuHighPercent * 0.75) {
    return { fits: false, why: `CPU peak ${pct(peak)} would be about ${pct(peak * 2)} on ${lower}, too close to ${policy.cpuHighPercent}%` };
  }
  return { fits: true, reason: `CPU peak ${pct(peak)} < ${policy.cpuLowPercent}%` };
}
