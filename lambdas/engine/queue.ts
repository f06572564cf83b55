/**
 * The queue-workers decision engine: pure, no I/O, no clock.
 *
 * decideQueue(input) -> { decision, memory }: from the queue's depth now (visible and in flight, as
 * GetQueueAttributes reports it), the fleet's desired, ready and busy counts and what earlier polls
 * remembered, the number of workers that drains the backlog within the wait SLO and keeps up with
 * the arrival rate. The handler, the simulator and the property tests all call this.
 *
 * - Arrival rate from successive polls: what the queue gained plus what the workers completed. When
 *   the backlog at the last poll outlasted the interval the workers were busy throughout and the
 *   completions are exact (ready x throughput x interval); otherwise the estimate takes the lower
 *   bound (everything that was queued got done), and an underestimate shows up as backlog at the next poll.
 *   The fleet keeps up with the lower of the last two intervals' rates: a batch seen over one interval
 *   is work the deadlines size, not a rate to keep up with.
 * - The backlog dated by arrival interval: the arrivals counted at each poll, against the completions
 *   (arrivals minus backlog), tell how many of the queued messages (FIFO) arrived in each poll interval,
 *   so a big batch behind a trickle is as urgent as its real age. An age reported by CloudWatch (the
 *   age alarm) is used for the oldest messages when it is older.
 * - Deadlines: a queued message must be taken before it has waited maxWaitSeconds. Ready workers serve
 *   at once, new ones after warmupSeconds; the engine asks for the fewest workers whose work done by
 *   each interval's deadline covers its place in the queue, and at least arrival rate / throughput so
 *   that the queue does not grow behind it. Messages already past saving (due before a new worker could
 *   start) are sized to be taken within a poll interval after the warm-up, not by sending the ceiling.
 * - Fast out, slow in: a scale-out is applied at once; a scale-in waits scaleInCooldownSeconds after
 *   any change, goes no lower than the highest recommendation of the last scaleInStabilizationSeconds,
 *   removes at most maxStepDownRatio of the fleet, and never goes below the busy (protected) workers.
 * - Calm: a scale-in that would reverse a scale-out within REVERSAL_WINDOW_SECONDS waits the window out
 *   when that idles at most reversalHoldWorkerMinutes (reversalHold): a small batch's workers stay a
 *   few minutes more instead of a worker stopped and another started around every batch.
 * - In flight, unprotected: without scale-in protection nothing keeps ECS or Auto Scaling from stopping
 *   a worker that holds messages, so a scale-in goes no lower than the workers the in-flight messages
 *   need, ceil(in flight / messagesInFlightPerWorker) (the ceiling in force still wins). With
 *   protection the service itself spares the busy workers, and the engine leaves the choice to it.
 * - Zero and back: the last worker goes only after idleSeconds with nothing visible and nothing in
 *   flight; the first message seen from zero asks for a worker at once. Work back sooner after zero
 *   than the fleet had waited doubles the wait (up to an hour), and a flow found by the very first poll
 *   after zero sets it to the hour at once: a trickle that one worker keeps out of sight does not
 *   wake the fleet every few minutes.
 */

import { pick } from './pick';

export interface QueuePolicy {
  /** Bounds in force now (the active capacity window's, if any). */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Messages one worker completes per second. */
  readonly messagesPerSecondPerWorker: number;
  readonly maxWaitSeconds: number;
  readonly warmupSeconds: number;
  readonly idleSeconds: number;
  readonly scaleInStabilizationSeconds: number;
  readonly scaleInCooldownSeconds: number;
  readonly maxStepDownRatio: number;
  /**
   * Whether the workers protect themselves from scale-in while they work (ECS task scale-in
   * protection, Auto Scaling instance protection). Without it a scale-in goes no lower than the
   * workers holding the in-flight messages.
   */
  readonly scaleInProtection: boolean;
  /** Messages one worker holds in flight (taken, not yet deleted): Celery's concurrency x prefetch multiplier. */
  readonly messagesInFlightPerWorker: number;
  /**
   * The most idle worker-minutes a scale-in may be held to keep it from reversing a scale-out within
   * REVERSAL_WINDOW_SECONDS (0: never held).
   */
  readonly reversalHoldWorkerMinutes: number;
}

export interface QueueObservation {
  /** ApproximateNumberOfMessages (visible, waiting). */
  readonly visible: number;
  /** ApproximateNumberOfMessagesNotVisible (in flight: taken by a worker, not yet deleted). */
  readonly notVisible: number;
  /** ApproximateAgeOfOldestMessage from CloudWatch, seconds, when known (it lags; used as a lower bound). */
  readonly ageOfOldestSeconds?: number;
}

export interface QueueFleet {
  /** The desired count the fleet has now. */
  readonly desired: number;
  /** Workers running now. */
  readonly ready: number;
  /** Workers protected from scale-in because they are working (ASG instance protection). @default 0 */
  readonly busy?: number;
}

/** What the engine keeps between polls of one target (stored with the target's state). */
export interface QueueMemory {
  /** The previous poll: when, the backlog then, the workers ready then. */
  readonly lastPoll?: { readonly at: number; readonly backlog: number; readonly ready: number };
  /** Arrivals counted since the first poll (estimated), at each recent poll, oldest first. */
  readonly arrivals: readonly { readonly at: number; readonly total: number }[];
  /** Raw recommendations of the stabilization window, oldest first. */
  readonly recommendations: readonly { readonly at: number; readonly desired: number }[];
  /** Since when nothing has been visible or in flight (epoch ms); undefined while there is work. */
  readonly emptySince?: number;
  readonly lastChangeAt?: number;
  /**
   * When the desired count was last raised (epoch ms): by the engine, by hand (set-capacity), or by a
   * `policy: step` rule, which keeps this memory beside its own under the same name.
   */
  readonly lastScaleOutAt?: number;
  /** The arrival rate measured over the previous poll interval, messages/s. */
  readonly lastRate?: number;
  /** When the fleet last went to zero (epoch ms); undefined while it has workers. */
  readonly zeroSince?: number;
  /** The idle time required before going to zero now, seconds: idleSeconds, doubled each time work came back sooner than that. @default idleSeconds */
  readonly idleHoldSeconds?: number;
}

export const EMPTY_QUEUE_MEMORY: QueueMemory = { arrivals: [], recommendations: [] };

export interface QueueDecision {
  readonly previous: number;
  readonly desired: number;
  readonly direction: 'out' | 'in' | 'none';
  /** What held a wanted scale-in back. */
  readonly heldBy?: 'cooldown' | 'stabilization' | 'idle' | 'busy' | 'step' | 'in-flight' | 'reversal';
  readonly reason: string;
  readonly figures: Readonly<Record<string, number>>;
}

export interface QueueInput {
  readonly policy: QueuePolicy;
  readonly fleet: QueueFleet;
  readonly observation: QueueObservation;
  readonly memory: QueueMemory;
  /** Epoch milliseconds. */
  readonly now: number;
}

/** The longest the idle wait grows to when a trickle keeps waking the fleet: an hour. */
const MAX_IDLE_HOLD_SECONDS = 3600;
/**
 * Messages the first poll after zero must find to show a flow rather than one message that happened
 * to arrive: more than one.
 */
const FLOW_MESSAGES = 2;

/**
 * A scale-in this soon after a scale-out reverses it: the calm goal's definition (scenarios/README.md,
 * `reversals`: an action opposite in direction to the previous one and within 600 s of it).
 */
export const REVERSAL_WINDOW_SECONDS = 600;

/** Interval assumed before the first poll (the poller runs every minute). */
export const DEFAULT_POLL_SECONDS = 60;

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Work (messages) `n` workers do in `t` seconds from now when `ready` of them serve now and the rest after `warmup`. */
function workDone(n: number, ready: number, mu: number, warmup: number, t: number): number {
  if (t <= 0) return 0;
  const now = Math.min(n, ready);
  return mu * (now * t + (n - now) * Math.max(0, t - warmup));
}

/** A run of queued messages that arrived in one poll interval: the queue position of its last message and the age of its oldest. */
export interface BacklogSegment {
  /** Messages from the head of the queue to this segment's last one. */
  readonly end: number;
  /** Seconds the segment's oldest message has waited (an upper bound: the start of its poll interval). */
  readonly ageSeconds: number;
}

/**
 * The backlog cut by arrival interval, oldest first, from the arrivals counted at each poll: the
 * messages numbered (total_i, total_i+1] arrived between polls i and i+1; the queue holds those after
 * number `completed` (FIFO). Messages older than the bookkeeping form one segment of age
 * `olderThanHistory`.
 */
export function backlogSegments(
  history: readonly { readonly at: number; readonly total: number }[],
  completed: number,
  backlog: number,
  now: number,
  olderThanHistory: number,
): BacklogSegment[] {
  if (backlog <= 0) return [];
  const out: BacklogSegment[] = [];
  const first = history[0];
  if (!first || completed < first.total) {
    out.push({ end: Math.min(backlog, first ? first.total - completed : backlog), ageSeconds: olderThanHistory });
  }
  for (let i = 0; i + 1 < history.length; i++) {
    const end = Math.min(backlog, history[i + 1].total - completed);
    if (end <= 0 || end <= (out.length ? out[out.length - 1].end : 0)) continue;
    out.push({ end, ageSeconds: Math.max(0, (now - history[i].at) / 1000) });
  }
  if (!out.length || out[out.length - 1].end < backlog) out.push({ end: backlog, ageSeconds: olderThanHistory });
  return out;
}

/**
 * The fewest workers (up to `cap`; `cap + 1` when even that is not enough) whose work done by each
 * segment's deadline covers the segment's place in the queue. A segment's deadline is maxWait minus
 * its age, but never earlier than `floorSeconds` (a new worker's warm-up plus a poll interval):
 * messages already past saving are sized to be taken soon after new workers start, not by sending
 * the whole ceiling after them.
 */
export function workersForBacklog(segments: readonly BacklogSegment[], ready: number, p: QueuePolicy, cap: number, floorSeconds: number): number {
  if (!segments.length) return 0;
  const mu = p.messagesPerSecondPerWorker;
  const checks = segments.map((s) => ({ pos: s.end, deadline: Math.max(p.maxWaitSeconds - s.ageSeconds, floorSeconds) }));
  const enough = (n: number) => checks.every((c) => workDone(n, ready, mu, p.warmupSeconds, c.deadline) + 1e-9 >= c.pos);
  if (!enough(cap)) return cap + 1;
  // Feasibility grows with n: binary search the smallest n in [0, cap].
  let lo = 0,
    hi = cap;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (enough(mid)) hi = mid;
    else lo = mid + 1;
  }
  return Math.max(1, lo);
}

/**
 * Whether a wanted scale-in waits to keep from reversing the last scale-out. It waits when the last
 * change was a scale-out no more than REVERSAL_WINDOW_SECONDS ago and keeping the fleet until the
 * first poll past the window idles at most reversalHoldWorkerMinutes, counted as if every worker but
 * one (minCapacity, if higher; none when the scale-in goes to zero) were idle from now on: an upper
 * bound, so that what a hold costs is known when it begins. For the same fleet and floor the bound
 * only shrinks as the window runs out, so a hold once begun lasts to the window's end: a scale-in
 * that went later inside the window would reverse the scale-out all the same.
 */
function reversalHold(p: QueuePolicy, m: QueueMemory, now: number, current: number, next: number, cadence: number): string | undefined {
  const last = m.lastScaleOutAt;
  if (last === undefined || m.lastChangeAt !== last || p.reversalHoldWorkerMinutes <= 0) return undefined;
  const since = (now - last) / 1000;
  if (since > REVERSAL_WINDOW_SECONDS) return undefined;
  const kept = Math.min(next, Math.max(p.minCapacity, 1));
  const idleMinutes = (Math.max(0, current - kept) * (REVERSAL_WINDOW_SECONDS - since + cadence)) / 60;
  if (idleMinutes > p.reversalHoldWorkerMinutes) return undefined;
  return `the scale-out was ${Math.round(since)} s ago; ${current} kept to ${REVERSAL_WINDOW_SECONDS} s idle at most ${Math.round(idleMinutes)} worker-minutes (reversalHoldWorkerMinutes ${p.reversalHoldWorkerMinutes})`;
}

export function decideQueue(input: QueueInput): { decision: QueueDecision; memory: QueueMemory } {
  const { policy: p, fleet, observation: o, memory: m, now } = input;
  const mu = p.messagesPerSecondPerWorker;
  const visible = Math.max(0, o.visible);
  const inFlight = Math.max(0, o.notVisible);
  const backlog = visible + inFlight;
  const current = fleet.desired;
  const busy = Math.max(0, fleet.busy ?? 0);
  // Workers that hold the in-flight messages, when nothing else keeps them from being stopped.
  const holding = p.scaleInProtection ? 0 : Math.ceil(inFlight / p.messagesInFlightPerWorker - 1e-9);

  // 1. Arrivals since the last poll, and the rate.
  const last = m.lastPoll;
  const interval = last && now > last.at ? (now - last.at) / 1000 : DEFAULT_POLL_SECONDS;
  let arrived = backlog;
  if (last && now > last.at) {
    const capacity = mu * last.ready * interval;
    // Completions were at least min(capacity, backlog then): exact when the workers stayed busy.
    arrived = Math.max(0, backlog - last.backlog + Math.min(capacity, last.backlog));
  }
  const rate = last && now > last.at ? arrived / interval : 0;

  // 2. The backlog by arrival interval (FIFO): how long its messages have waited.
  const previousTotal = m.arrivals.length ? m.arrivals[m.arrivals.length - 1].total : 0;
  const total = previousTotal + arrived;
  const completed = total - backlog;
  const history = [...m.arrivals, { at: now, total }];
  const olderThanHistory = (m.arrivals.length ? (now - m.arrivals[0].at) / 1000 : 0) + interval;
  let segments = backlogSegments(history, completed, backlog, now, olderThanHistory);
  // CloudWatch's age of the oldest message (the alarm) is a lower bound for the oldest segment.
  if (o.ageOfOldestSeconds !== undefined && segments.length) {
    segments = [{ ...segments[0], ageSeconds: Math.max(segments[0].ageSeconds, o.ageOfOldestSeconds) }, ...segments.slice(1)];
  }
  const age = segments.length ? segments[0].ageSeconds : 0;

  // 3. Workers needed: the backlog by its deadlines, and the arrival rate.
  const ceiling = Math.max(p.maxCapacity, busy);
  // The next decision comes a poll interval from now (a gap longer than the SLO is an outage, not the cadence).
  const cadence = interval <= p.maxWaitSeconds ? interval : DEFAULT_POLL_SECONDS;
  const forBacklog = workersForBacklog(segments, fleet.ready, p, ceiling, p.warmupSeconds + cadence);
  // A rate seen over one interval only may be a batch, which the backlog's deadlines size; a rate that
  // lasts two intervals is the load to keep up with.
  const sustained = m.lastRate !== undefined ? Math.min(rate, m.lastRate) : rate;
  const forRate = Math.ceil(sustained / mu - 1e-9);
  let needed = Math.max(forBacklog, forRate);
  if (backlog > 0) needed = Math.max(needed, 1);

  // 4. Idle bookkeeping: zero only after idleSeconds with nothing visible or in flight.
  const emptySince = backlog > 0 ? undefined : (m.emptySince ?? now);
  const idleFor = emptySince === undefined ? 0 : (now - emptySince) / 1000;
  // A fleet woken sooner after going to zero than it had waited idle was serving a trickle that a
  // worker keeps out of sight (every poll finds the queue empty): wait twice as long next time, up to
  // MAX_IDLE_HOLD_SECONDS. When the very first poll after zero already finds a flow (FLOW_MESSAGES or
  // more), the trickle never paused: doubling would only go to zero and back a few more times on the
  // way to the hour (each time a worker stopped and another started within minutes), so the wait
  // goes to the hour at once. Zero that lasts as long as the wait resets it.
  const longestHold = Math.max(p.idleSeconds, MAX_IDLE_HOLD_SECONDS);
  let idleHold = m.idleHoldSeconds ?? p.idleSeconds;
  if (m.zeroSince !== undefined) {
    const quietFor = (now - m.zeroSince) / 1000;
    const firstPoll = m.lastPoll?.at === m.zeroSince;
    if (backlog > 0 && quietFor < idleHold) idleHold = firstPoll && backlog >= FLOW_MESSAGES ? longestHold : Math.min(longestHold, idleHold * 2);
    else if (quietFor >= idleHold) idleHold = p.idleSeconds;
  }
  const idle = backlog === 0 && idleFor >= idleHold;

  const recommendations = [...m.recommendations.filter((r) => r.at > now - p.scaleInStabilizationSeconds * 1000), { at: now, desired: needed }];

  const clamp = (n: number) => Math.min(p.maxCapacity, Math.max(p.minCapacity, n));
  let desired = current;
  let holdWhy: string | undefined;
  let heldBy: QueueDecision['heldBy'];
  let why: string;
  const target = clamp(needed);
  if (target > current) {
    desired = target;
    why = `scale out to ${desired}`;
  } else if (target < current) {
    // Scale-in: cooldown, stabilization, step, idle floor; each can only hold it higher. A ceiling
    // lowered by a capacity window applies at once. Busy workers are never removed.
    const sinceChange = m.lastChangeAt === undefined ? Infinity : (now - m.lastChangeAt) / 1000;
    const stabilized = clamp(Math.max(...recommendations.map((r) => r.desired)));
    const step = Math.max(1, Math.floor(current * p.maxStepDownRatio));
    // Keep one worker warm until the queue has been idle for idleSeconds.
    const warmFloor = !idle && backlog === 0 && current > 0 ? Math.min(1, p.maxCapacity) : 0;
    let next: number;
    if (sinceChange < p.scaleInCooldownSeconds) {
      next = current;
      heldBy = 'cooldown';
    } else {
      next = Math.min(current, Math.max(target, stabilized, current - step, warmFloor));
      if (next > target) heldBy = next === warmFloor ? 'idle' : next === stabilized ? 'stabilization' : 'step';
      const hold = reversalHold(p, m, now, current, next, cadence);
      if (next < current && hold) {
        next = current;
        heldBy = 'reversal';
        holdWhy = hold;
      }
    }
    if (current > p.maxCapacity) next = Math.min(next, p.maxCapacity);
    // Unprotected workers holding messages stay; a lowered ceiling (the operator's bound) still applies.
    const inFlightFloor = Math.min(current, p.maxCapacity, holding);
    if (next < inFlightFloor) {
      next = inFlightFloor;
      heldBy = 'in-flight';
    }
    if (next < busy) {
      next = Math.min(current, busy);
      heldBy = 'busy';
    }
    desired = next;
    why = desired < current ? `scale in to ${desired}` : `scale-in held by ${heldBy}${holdWhy ? `: ${holdWhy}` : ''}`;
  } else {
    why = 'no change';
  }

  const direction = desired > current ? 'out' : desired < current ? 'in' : 'none';
  const figures = {
    visible,
    inFlight,
    backlog,
    ageSeconds: round(age),
    arrivalRate: round(rate, 3),
    forBacklog: Math.min(forBacklog, ceiling),
    forRate,
    needed,
    ready: fleet.ready,
    busy,
    holding,
    minCapacity: p.minCapacity,
    maxCapacity: p.maxCapacity,
    idleSeconds: round(idleFor),
    idleHoldSeconds: idleHold,
  };
  const reason =
    `backlog ${visible} visible + ${inFlight} in flight, oldest ~${Math.round(age)} s, arrivals ${round(rate, 2)}/s at ${mu}/s per worker: ` +
    `${forBacklog > ceiling ? `more than ${ceiling}` : forBacklog} for the ${p.maxWaitSeconds} s wait, ${forRate} to keep up` +
    `${backlog === 0 ? `; idle ${Math.round(idleFor)} s of ${idleHold}${idleHold > p.idleSeconds ? ` (idleSeconds ${p.idleSeconds}, longer while a trickle kept waking the fleet)` : ''}` : ''}; bounds ${p.minCapacity}-${p.maxCapacity}` +
    `${busy ? `, ${busy} busy` : ''}` +
    `${holding ? `; no scale-in protection: ${holding} worker(s) hold the ${inFlight} in flight at ${p.messagesInFlightPerWorker} each` : ''}` +
    `; ${current} -> ${desired} (${why})`;

  // Arrival totals: keep enough history to date a message up to twice the wait SLO back.
  const horizon = now - 2 * p.maxWaitSeconds * 1000 - interval * 1000;
  const arrivals = backlog === 0 ? [{ at: now, total: 0 }] : [...m.arrivals.filter((a) => a.at >= horizon), { at: now, total }];
  return {
    decision: { previous: current, desired, direction, heldBy: desired > target && target < current ? heldBy : undefined, reason, figures },
    memory: {
      lastPoll: { at: now, backlog, ready: fleet.ready },
      arrivals,
      recommendations,
      emptySince,
      lastChangeAt: desired !== current ? now : m.lastChangeAt,
      lastScaleOutAt: desired > current ? now : m.lastScaleOutAt,
      lastRate: rate,
      zeroSince: desired === 0 ? (current === 0 ? m.zeroSince : now) : undefined,
      idleHoldSeconds: idleHold,
    },
  };
}

/** The policy fields a queue target carries under the same names (the rest: bounds and workers). */
const TARGET_FIELDS = [
  'messagesPerSecondPerWorker',
  'maxWaitSeconds',
  'warmupSeconds',
  'idleSeconds',
  'scaleInStabilizationSeconds',
  'scaleInCooldownSeconds',
  'maxStepDownRatio',
  'reversalHoldWorkerMinutes',
] as const;

/** The engine's policy of a queue-workers target, with the bounds in force now. */
export function queuePolicyOf(
  target: Pick<QueuePolicy, (typeof TARGET_FIELDS)[number] | 'minCapacity' | 'maxCapacity'> & {
    workers: { scaleInProtection: boolean; messagesInFlightPerWorker: number };
  },
  bounds?: { minCapacity: number; maxCapacity: number },
): QueuePolicy {
  return {
    ...pick(target, TARGET_FIELDS),
    minCapacity: bounds?.minCapacity ?? target.minCapacity,
    maxCapacity: bounds?.maxCapacity ?? target.maxCapacity,
    scaleInProtection: target.workers.scaleInProtection,
    messagesInFlightPerWorker: target.workers.messagesInFlightPerWorker,
  };
}
