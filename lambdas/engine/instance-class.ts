/** Where an RDS instance should sit on its instance-class ladder. Pure. */

export interface InstanceClassPolicy {
  readonly instanceClassLadder: readonly string[];
  readonly cpuHighPercent: number;
  readonly cpuLowPercent: number;
  readonly freeableMemoryLowMiB?: number;
  readonly cooldownSeconds: number;
}

export interface InstanceClassInput {
  readonly policy: InstanceClassPolicy;
  readonly currentClass: string;
  /** A class change already waiting for the maintenance window. */
  readonly pendingClass?: string;
  /** Average CPU over the high window (`cpuHighMinutes`), sustained. */
  readonly cpuHighWindow?: number;
  /** Highest CPU over the low window (`cpuLowMinutes`): a move down needs all of it below the mark. */
  readonly cpuLowWindowPeak?: number;
  /** Lowest FreeableMemory over the last 15 minutes, MiB. */
  readonly freeableMemoryMiB?: number;
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
    if (since < policy.cooldownSeconds) return hold(`${why}, but the last class change was ${Math.round(since)} s ago (cooldown ${policy.cooldownSeconds} s)`);
    return { instanceClass: ladder[at + 1], direction: 'up', reason: `${why}; ${cur} -> ${ladder[at + 1]}` };
  }
  if (input.cpuLowWindowPeak === undefined || input.cpuLowWindowPeak >= policy.cpuLowPercent) {
    return hold(`CPU ${input.cpuLowWindowPeak === undefined ? 'n/a' : pct(input.cpuLowWindowPeak)} at its peak is not below ${policy.cpuLowPercent}%`);
  }
  if (policy.freeableMemoryLowMiB !== undefined && (input.freeableMemoryMiB === undefined || input.freeableMemoryMiB < 4 * policy.freeableMemoryLowMiB)) {
    // A smaller class has about half the memory: keep twice the mark free on it.
    return hold(`CPU is low but freeable memory ${input.freeableMemoryMiB === undefined ? 'n/a' : `${Math.round(input.freeableMemoryMiB)} MiB`} is under 4 x ${policy.freeableMemoryLowMiB} MiB`);
  }
  if (at === 0) return hold('already on the smallest class of the ladder');
  if (since < policy.cooldownSeconds) return hold(`CPU is low, but the last class change was ${Math.round(since)} s ago (cooldown ${policy.cooldownSeconds} s)`);
  // Hysteresis: on a class of about half the capacity the peak would about double; it must stay well under the high mark.
  if (input.cpuLowWindowPeak * 2 >= policy.cpuHighPercent * 0.75) {
    return hold(`CPU peak ${pct(input.cpuLowWindowPeak)} would be about ${pct(input.cpuLowWindowPeak * 2)} on ${ladder[at - 1]}, too close to ${policy.cpuHighPercent}%`);
  }
  return { instanceClass: ladder[at - 1], direction: 'down', reason: `CPU peak ${pct(input.cpuLowWindowPeak)} < ${policy.cpuLowPercent}%; ${cur} -> ${ladder[at - 1]}` };
}
