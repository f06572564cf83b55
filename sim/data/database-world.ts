/**
 * The simulated database (an extension of the scenario contract, sim/data/README.md): an RDS
 * PostgreSQL source and its read replicas, the replicas being the units. Each step's queries are split
 * into writes, which the source serves, and reads, spread evenly over the ready replicas (the source
 * serves them while none is ready), as a Django database router reading the published reader
 * endpoints does. A replica is billed from its creation until it is deleted and serves from
 * `provisioningSeconds` after its creation; a deleted one stops serving and being billed at once.
 * Metrics follow the contract's CloudWatch timing: minute m is visible from the start of minute m + 2.
 */

import { forEachMinute, newestVisibleMinute } from '../minutes';
import type { Scenario } from '../scenario';
import type { Trace } from '../trace';
import type { Action } from '../world';
import type { ReplicaBackend, ReplicaUnit } from './backends';
import { databaseIdeal } from './database-ideal';

export class DatabaseWorld implements ReplicaBackend {
  readonly kind = 'database' as const;
  readonly steps: number;
  readonly stepSeconds: number;
  readonly start: number;
  readonly arrivals: Float64Array;
  /** Ready and billed replicas per step, counted after the step's decisions. */
  readonly ready: Float64Array;
  readonly billed: Float64Array;
  readonly actions: Action[] = [];
  /** Queries served above `maxUtilization` of an instance's capacity (the source's or the replicas'). */
  violated = 0;
  readonly minutes: number;
  /** CPUUtilization of the source per minute (NaN: none yet). */
  readonly sourceCpu: Float64Array;
  /** CPUUtilization of each ready replica per minute (all alike; NaN when none was ready). */
  readonly replicaCpu: Float64Array;
  /** The replicas ready at the end of each minute: the ones with a datapoint for it. */
  readonly readyIds: (readonly string[])[];
  completeMinutes = 0;

  private readonly unitCapacity: number;
  private readonly readShare: number;
  private readonly maxUtilization: number;
  private readonly provisioningSeconds: number;
  private list: ReplicaUnit[] = [];
  private serial = 0;
  private step = 0;
  private billedAtStepStart: number;
  private readonly wSum: Float64Array;
  private readonly srcW: Float64Array;
  private readonly repW: Float64Array;
  private readonly repWSum: Float64Array;

  /**
   * @param initialReplica the id and tags of the k-th replica there at the start (the autoscaler's run
   *   tags them as its own); default `replica-<k>` untagged.
   */
  constructor(scenario: Scenario, trace: Trace, initialReplica?: (k: number) => { id: string; tags: Readonly<Record<string, string>> }) {
    if (scenario.workload.kind !== 'database' || !scenario.workload.database)
      throw new Error(`a DatabaseWorld needs a database scenario, not ${scenario.workload.kind}`);
    this.steps = trace.arrivals.length;
    this.stepSeconds = scenario.trace.stepSeconds;
    this.start = trace.start;
    this.arrivals = trace.arrivals;
    this.unitCapacity = scenario.workload.unitCapacity;
    this.readShare = scenario.workload.database.readShare;
    this.maxUtilization = scenario.slo.maxUtilization;
    this.provisioningSeconds = scenario.workload.provisioningSeconds;
    for (let k = 1; k <= scenario.workload.initialUnits; k++) {
      const { id, tags } = initialReplica?.(k) ?? { id: `replica-${k}`, tags: {} };
      this.list.push({ id, tags, createdAt: -Infinity, readyAt: -Infinity });
      this.serial = k;
    }
    this.billedAtStepStart = this.list.length;
    this.ready = new Float64Array(this.steps);
    this.billed = new Float64Array(this.steps);
    this.minutes = Math.ceil((this.steps * this.stepSeconds) / 60);
    this.sourceCpu = new Float64Array(this.minutes).fill(NaN);
    this.replicaCpu = new Float64Array(this.minutes).fill(NaN);
    this.readyIds = new Array(this.minutes).fill([]);
    this.wSum = new Float64Array(this.minutes);
    this.srcW = new Float64Array(this.minutes);
    this.repW = new Float64Array(this.minutes);
    this.repWSum = new Float64Array(this.minutes);
  }

  /** Seconds from the trace start to the start of the current step. */
  now(): number {
    return this.step * this.stepSeconds;
  }

  get currentStep(): number {
    return this.step;
  }

  replicas(): readonly ReplicaUnit[] {
    return this.list;
  }

  /** Billed replicas now. */
  get desired(): number {
    return this.list.length;
  }

  readyNow(): number {
    return this.readyAt(this.now());
  }

  private readyAt(time: number): number {
    let n = 0;
    for (const r of this.list) if (r.readyAt <= time) n++;
    return n;
  }

  addReplica(id: string, tags: Readonly<Record<string, string>>, instanceClass?: string): void {
    if (this.list.some((r) => r.id === id)) throw new Error(`replica ${id} exists`);
    const now = this.now();
    this.list.push({ id, tags, instanceClass, createdAt: now, readyAt: now + this.provisioningSeconds });
  }

  removeReplica(id: string): void {
    const i = this.list.findIndex((r) => r.id === id);
    if (i < 0) throw new Error(`no replica ${id}`);
    this.list.splice(i, 1);
  }

  /** The baselines' way: a desired count, new replicas created now, the newest removed first. */
  setDesired(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new Error(`desired replicas must be a whole number >= 0, got ${n}`);
    while (this.list.length < n) this.addReplica(`replica-${++this.serial}`, {});
    while (this.list.length > n) this.list.pop();
  }

  /** The newest minute whose datapoint is visible now (-1: none). */
  newestVisibleMinute(): number {
    return newestVisibleMinute(this.now(), this.completeMinutes);
  }

  /**
   * "Database CPU" of minute m as a dashboard shows it: the busier of the source and the replicas'
   * average. NaN when the minute has no datapoint.
   */
  databaseCpu(m: number): number {
    const r = this.replicaCpu[m];
    return Number.isNaN(r) ? this.sourceCpu[m] : Math.max(this.sourceCpu[m], r);
  }

  /** Ends the current step after its decisions: counts it, serves it, publishes its minutes. */
  endStep(): void {
    const t = this.step;
    if (t >= this.steps) throw new Error('the trace has ended');
    const now = this.now();
    const d = this.stepSeconds;
    const r = this.readyAt(now);
    const b = this.list.length;
    this.ready[t] = r;
    this.billed[t] = b;
    if (b !== this.billedAtStepStart) this.actions.push({ step: t, at: now, from: this.billedAtStepStart, to: b });

    const l = this.arrivals[t] / d;
    const reads = l * this.readShare;
    const sourceLoad = r > 0 ? l - reads : l;
    const cap = this.unitCapacity;
    const m = this.maxUtilization;
    const over = Math.max(0, sourceLoad - m * cap) + (r > 0 ? Math.max(0, reads - m * r * cap) : 0);
    this.violated += over * d;
    const srcCpu = Math.min(100, (100 * sourceLoad) / cap);
    const repCpu = r > 0 ? Math.min(100, (100 * reads) / (r * cap)) : NaN;

    forEachMinute(
      now,
      d,
      this.minutes,
      (mi, w) => {
        this.wSum[mi] += w;
        this.srcW[mi] += srcCpu * w;
        if (!Number.isNaN(repCpu)) {
          this.repW[mi] += repCpu * w;
          this.repWSum[mi] += w;
        }
      },
      (mi) => {
        this.sourceCpu[mi] = this.srcW[mi] / this.wSum[mi];
        if (this.repWSum[mi] > 0) this.replicaCpu[mi] = this.repW[mi] / this.repWSum[mi];
        this.readyIds[mi] = this.list.filter((u) => u.readyAt <= now).map((u) => u.id);
        this.completeMinutes = mi + 1;
      },
    );
    this.step = t + 1;
    this.billedAtStepStart = this.list.length;
  }

  /** Replicas wanted in step t at the target utilization (the score's ideal). */
  static ideal(scenario: Scenario, arrivals: number): number {
    return databaseIdeal(scenario, arrivals);
  }
}
