/**
 * The simulated world of one policy: the fleet (billed from the desired increase until removed, ready
 * after provisioningSeconds, scale-in newest first at once), the web tier's utilization or the queue,
 * and the per-minute metrics as CloudWatch would publish them. O(1) per step apart from the minute
 * bookkeeping; no allocation per step.
 */

import { forEachMinute, newestVisibleMinute } from './minutes';
import type { Scenario } from './scenario';
import type { Trace } from './trace';

/** Units of one service: a stack of ready times (seconds from the trace start), newest last. */
export class Fleet {
  private readyAt: number[] = [];
  /** Launch numbers of the units, parallel to readyAt (instance ids for the fake cloud). */
  private serials: number[] = [];
  private launched = 0;
  constructor(
    initial: number,
    readonly provisioningSeconds: number,
  ) {
    for (let i = 0; i < initial; i++) {
      this.readyAt.push(-Infinity);
      this.serials.push(this.launched++);
    }
  }

  /** Billed units: every unit the desired count asks for. */
  get desired(): number {
    return this.readyAt.length;
  }

  /** Adds units (ready `provisioningSeconds` after `now`) or removes the newest ones at once. */
  setDesired(n: number, now: number): void {
    if (!Number.isInteger(n) || n < 0) throw new Error(`desired count must be a whole number >= 0, got ${n}`);
    while (this.readyAt.length < n) {
      this.readyAt.push(now + this.provisioningSeconds);
      this.serials.push(this.launched++);
    }
    if (this.readyAt.length > n) {
      this.readyAt.length = n;
      this.serials.length = n;
    }
  }

  /** Units whose ready time has come by `now` (a unit ready inside a step serves from the next one). */
  readyCount(now: number): number {
    // Ready times never decrease along the stack: binary search for the first one after now.
    let lo = 0,
      hi = this.readyAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.readyAt[mid] <= now) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Every unit, oldest first, with its launch number and ready time (for the fake cloud's instance lists). */
  units(): { serial: number; readyAt: number }[] {
    return this.readyAt.map((readyAt, i) => ({ serial: this.serials[i], readyAt }));
  }
}

export interface Action {
  readonly step: number;
  /** Seconds from the trace start. */
  readonly at: number;
  readonly from: number;
  readonly to: number;
}

export interface QueueState {
  readonly visible: number;
  readonly notVisible: number;
  /** Seconds; 0 when the queue is empty. */
  readonly ageOfOldest: number;
}

const EPS = 1e-9;

export class World {
  readonly kind: 'web' | 'queue';
  readonly steps: number;
  readonly stepSeconds: number;
  readonly fleet: Fleet;
  /** Epoch ms of the trace start (simulated time 0). */
  readonly start: number;
  readonly arrivals: Float64Array;
  /** r_t and b_t per step, counted after the step's decisions. */
  readonly ready: Float64Array;
  readonly billed: Float64Array;
  readonly actions: Action[] = [];
  /** Per-minute datapoints, NaN where none; minute m covers [60m, 60m + 60) s from the start. */
  readonly minutes: number;
  readonly cpu: Float64Array;
  readonly requestCount: Float64Array;
  readonly requestCountPerTarget: Float64Array;
  readonly queueVisible: Float64Array;
  readonly queueNotVisible: Float64Array;
  readonly queueAge: Float64Array;
  /** WebSocket connections open, average of each minute (NaN without the websockets extension). */
  readonly connections: Float64Array;
  /** Connections open at the end of each step (empty without the websockets extension). */
  readonly connectionsAtStep: Float64Array;
  /** Web: units in service, average of each minute (an Auto Scaling group's GroupInServiceInstances). */
  readonly inService: Float64Array;
  /** Minutes 0..completeMinutes-1 have their datapoint. */
  completeMinutes = 0;
  /** Queue: messages that waited longer than maxWaitSeconds (finalized by `finish`). */
  violatedMessages = 0;

  private readonly unitCapacity: number;
  private readonly maxWait: number;
  private step = 0;
  private desiredAtStepStart: number;
  // minute accumulators
  private readonly wSum: Float64Array;
  private readonly cpuW: Float64Array;
  private readonly readyW: Float64Array;
  private readonly connW: Float64Array;
  /** Mean seconds a connection stays open; 0 without the websockets extension. */
  private readonly connectionSeconds: number;
  private open = 0;
  // queue: one batch per arrival step, FIFO from `head`
  private readonly batch: Float64Array;
  private head = 0;
  private backlog = 0;
  private finished = false;

  constructor(scenario: Scenario, trace: Trace) {
    const kind = scenario.workload.kind;
    if (kind !== 'web' && kind !== 'queue') throw new Error(`the contract's World runs web and queue workloads; ${kind} has its own (sim/data)`);
    this.kind = kind;
    this.arrivals = trace.arrivals;
    this.start = trace.start;
    this.steps = trace.arrivals.length;
    this.stepSeconds = scenario.trace.stepSeconds;
    this.unitCapacity = scenario.workload.unitCapacity;
    this.maxWait = scenario.slo.maxWaitSeconds;
    this.fleet = new Fleet(scenario.workload.initialUnits, scenario.workload.provisioningSeconds);
    this.desiredAtStepStart = this.fleet.desired;
    this.ready = new Float64Array(this.steps);
    this.billed = new Float64Array(this.steps);
    this.minutes = Math.ceil((this.steps * this.stepSeconds) / 60);
    const m = () => new Float64Array(this.minutes).fill(NaN);
    this.cpu = m();
    this.requestCount = m();
    this.requestCountPerTarget = m();
    this.queueVisible = m();
    this.queueNotVisible = m();
    this.queueAge = m();
    this.connectionSeconds = scenario.workload.websockets?.connectionSeconds ?? 0;
    this.connections = m();
    this.inService = m();
    this.connectionsAtStep = new Float64Array(this.connectionSeconds ? this.steps : 0);
    this.connW = new Float64Array(this.connectionSeconds ? this.minutes : 0);
    this.wSum = new Float64Array(this.minutes);
    this.cpuW = new Float64Array(this.minutes);
    this.readyW = new Float64Array(this.minutes);
    this.batch = new Float64Array(this.kind === 'queue' ? this.steps : 0);
  }

  /** Seconds from the trace start to the start of step t. */
  timeOf(step: number): number {
    return step * this.stepSeconds;
  }

  /** The current step (the one being decided). */
  get currentStep(): number {
    return this.step;
  }

  /** Seconds from the trace start to now (the start of the current step). */
  get now(): number {
    return this.step * this.stepSeconds;
  }

  get desired(): number {
    return this.fleet.desired;
  }

  /** Ready units now. */
  readyNow(): number {
    return this.fleet.readyCount(this.now);
  }

  /** Applies a desired count now (scale-in at once, scale-out ready after provisioning). */
  setDesired(n: number): void {
    this.fleet.setDesired(n, this.now);
  }

  /** The queue as GetQueueAttributes reports it now (no CloudWatch delay). */
  queueState(): QueueState {
    const ready = this.step > 0 ? this.ready[this.step - 1] : this.fleet.readyCount(0);
    const notVisible = Math.min(ready, this.backlog);
    return {
      visible: this.backlog - notVisible,
      notVisible,
      ageOfOldest: this.backlog > EPS ? this.timeOf(this.step) - this.timeOf(this.head) : 0,
    };
  }

  /** The newest minute whose datapoint is visible now (-1: none): minute m is seen from 60(m + 2) s. */
  newestVisibleMinute(now = this.now): number {
    return newestVisibleMinute(now, this.completeMinutes);
  }

  /** Ends the current step after its decisions: counts r_t and b_t, serves it, publishes its minutes. */
  endStep(): void {
    const t = this.step;
    if (t >= this.steps) throw new Error('the trace has ended');
    const now = this.now;
    const d = this.stepSeconds;
    const r = this.fleet.readyCount(now);
    const b = this.fleet.desired;
    this.ready[t] = r;
    this.billed[t] = b;
    if (b !== this.desiredAtStepStart) this.actions.push({ step: t, at: now, from: this.desiredAtStepStart, to: b });

    const a = this.arrivals[t];
    // Open connections C with arrivals at rate l, each open tau s on average: dC/dt = l - C/tau, solved
    // over the step with l constant; the minute's datapoint is the average over it (sim/README.md).
    let openAvg = 0;
    if (this.connectionSeconds) {
      const tau = this.connectionSeconds;
      const steady = (a / d) * tau;
      const k = Math.exp(-d / tau);
      openAvg = steady + ((this.open - steady) * tau * (1 - k)) / d;
      this.open = steady + (this.open - steady) * k;
      this.connectionsAtStep[t] = this.open;
    }
    let cpu = 0;
    if (this.kind === 'web') {
      const l = a / d;
      cpu = r > 0 ? Math.min(100, (100 * l) / (r * this.unitCapacity)) : l > 0 ? 100 : 0;
    } else {
      this.serveQueue(t, a, r);
    }

    forEachMinute(
      now,
      d,
      this.minutes,
      (m, w) => {
        this.wSum[m] += w;
        this.cpuW[m] += cpu * w;
        this.readyW[m] += r * w;
        if (this.connectionSeconds) this.connW[m] += openAvg * w;
        if (this.kind === 'web') this.requestCount[m] = (Number.isNaN(this.requestCount[m]) ? 0 : this.requestCount[m]) + (a * w) / d;
      },
      (m) => this.completeMinute(m, r),
    );
    this.step = t + 1;
    this.desiredAtStepStart = this.fleet.desired;
    if (this.step === this.steps) this.finish();
  }

  private completeMinute(m: number, readyAtEnd: number): void {
    if (this.kind === 'web') {
      this.cpu[m] = this.cpuW[m] / this.wSum[m];
      const avgReady = this.readyW[m] / this.wSum[m];
      this.inService[m] = avgReady;
      if (avgReady > 0) this.requestCountPerTarget[m] = this.requestCount[m] / avgReady;
      if (this.connectionSeconds) this.connections[m] = this.connW[m] / this.wSum[m];
    } else {
      const notVisible = Math.min(readyAtEnd, this.backlog);
      this.queueVisible[m] = this.backlog - notVisible;
      this.queueNotVisible[m] = notVisible;
      this.queueAge[m] = this.backlog > EPS ? this.timeOf(this.step + 1) - this.timeOf(this.head) : 0;
    }
    this.completeMinutes = m + 1;
  }

  private serveQueue(t: number, arrivals: number, ready: number): void {
    const d = this.stepSeconds;
    this.batch[t] = arrivals;
    this.backlog += arrivals;
    let capacity = ready * this.unitCapacity * d;
    while (capacity > EPS && this.head <= t) {
      const take = Math.min(capacity, this.batch[this.head]);
      if ((t - this.head) * d > this.maxWait) this.violatedMessages += take;
      this.batch[this.head] -= take;
      this.backlog -= take;
      capacity -= take;
      if (this.batch[this.head] <= EPS) {
        this.backlog -= this.batch[this.head];
        this.batch[this.head] = 0;
        this.head++;
      }
    }
    if (this.backlog < EPS) this.backlog = 0;
    // skip emptied batches so `head` is the oldest message still queued
    while (this.head <= t && this.batch[this.head] <= EPS) this.head++;
  }

  /** Messages still queued at the end count as violations when they have waited too long by then. */
  private finish(): void {
    if (this.finished || this.kind !== 'queue') return;
    this.finished = true;
    const T = this.steps;
    for (let s = this.head; s < T; s++) if ((T - s) * this.stepSeconds > this.maxWait) this.violatedMessages += this.batch[s];
  }
}
