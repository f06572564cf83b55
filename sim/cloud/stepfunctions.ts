/**
 * In-memory Step Functions that runs the real runbook definitions (the synthesized ASL) with
 * aws-local-stepfunctions on simulated time. The interpreter runs at once (every Wait and retry
 * interval overridden to 0); simulated time is kept by gating each Lambda task: a task does not start
 * before the time the run asked to wait for. The runbooks' convention makes that time known: a task
 * that wants a wait returns `step: "wait"` and `waitSeconds`, the only way their Wait states are
 * entered; a task failing with an error its state retries is retried after that Retry's own backoff
 * (IntervalSeconds, BackoffRate, MaxDelaySeconds, as the ASL says).
 * `settle()` runs every execution as far as the current simulated time allows.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { AslDefinition } from './asl';
import { type CallLog, commandName, FakeServiceError, metadata, uuidLike } from './recorder';

/** A Lambda task function run in-process: a JSON event in, a JSON result out. */
export type TaskHandler = (event: unknown) => Promise<unknown>;

/** A Retry entry of the ASL. */
interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
}

export interface MachineSpec {
  readonly definition: AslDefinition;
  /** The task function serving every Task state of the definition. */
  readonly task: TaskHandler;
}

export interface ExecutionRecord {
  readonly name: string;
  readonly arn: string;
  readonly stateMachineArn: string;
  readonly input: unknown;
  /** Epoch ms. */
  readonly startedAt: number;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  stoppedAt?: number;
  output?: unknown;
  error?: string;
  /** Every task run, with its simulated start time (epoch ms). */
  readonly tasks: { readonly state: string; readonly task: string; readonly at: number }[];
}

interface Running {
  readonly record: ExecutionRecord;
  /** Epoch ms before which the next task must not start. */
  notBefore: number;
  /** Consecutive failures of the current task that its Retry retries. */
  retries: number;
  /** Set while a task waits for simulated time to reach `notBefore`. */
  release?: () => void;
  done: boolean;
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;

export class FakeStepFunctions {
  private readonly machines = new Map<string, { spec: MachineSpec; machine: StateMachine }>();
  private readonly executions = new Map<string, Running>();
  private requests = 0;

  constructor(
    machines: ReadonlyMap<string, MachineSpec>,
    private readonly log: CallLog,
    /** Simulated epoch ms now. */
    private readonly now: () => number,
  ) {
    for (const [arn, spec] of machines) {
      this.machines.set(arn, {
        spec,
        machine: new StateMachine(spec.definition as unknown as StateMachineDefinition, { validationOptions: { checkPaths: true, checkArn: true } }),
      });
    }
  }

  /** Every execution started, oldest first. */
  records(): ExecutionRecord[] {
    return [...this.executions.values()].map((e) => e.record);
  }

  async send(command: { input?: any }): Promise<any> {
    const name = commandName(command);
    const input = command.input ?? {};
    this.log.record('stepfunctions', name, input);
    const meta = metadata(uuidLike(`states/${++this.requests}`));
    switch (name) {
      case 'StartExecutionCommand': {
        const m = this.machines.get(input.stateMachineArn);
        if (!m) throw new FakeServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(input.stateMachineArn)}'`);
        const execName: string = input.name ?? uuidLike(`execution/${this.requests}`);
        if (!NAME.test(execName)) throw new FakeServiceError('InvalidName', `Invalid Name: '${execName}'`);
        const arn = `${String(input.stateMachineArn).replace(':stateMachine:', ':execution:')}:${execName}`;
        // Names are unique per state machine for 90 days, whatever the input.
        if (this.executions.has(arn)) throw new FakeServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(input.input ?? '{}');
        } catch {
          throw new FakeServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
        }
        this.start(arn, execName, input.stateMachineArn, m, parsed);
        return { executionArn: arn, startDate: new Date(this.now()), ...meta };
      }
      case 'DescribeExecutionCommand': {
        const e = this.executions.get(input.executionArn);
        if (!e) throw new FakeServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(input.executionArn)}'`);
        const r = e.record;
        return {
          executionArn: r.arn,
          stateMachineArn: r.stateMachineArn,
          name: r.name,
          status: r.status,
          startDate: new Date(r.startedAt),
          ...(r.stoppedAt !== undefined ? { stopDate: new Date(r.stoppedAt) } : {}),
          input: JSON.stringify(r.input),
          ...(r.output !== undefined ? { output: JSON.stringify(r.output) } : {}),
          ...(r.error !== undefined ? { error: r.error } : {}),
          ...meta,
        };
      }
      default:
        throw new Error(`in-memory Step Functions does not implement ${name}`);
    }
  }

  private start(arn: string, name: string, machineArn: string, m: { spec: MachineSpec; machine: StateMachine }, input: unknown): void {
    const record: ExecutionRecord = { name, arn, stateMachineArn: machineArn, input, startedAt: this.now(), status: 'RUNNING', tasks: [] };
    const run: Running = { record, notBefore: this.now(), retries: 0, done: false };
    this.executions.set(arn, run);
    const handlers: Record<string, (event: unknown) => Promise<unknown>> = {};
    const waits: Record<string, number> = {};
    const retries: Record<string, number> = {};
    for (const [state, def] of Object.entries(m.spec.definition.States)) {
      if (def.Type === 'Wait') waits[state] = 0;
      if (def.Retry) retries[state] = 0;
      if (def.Type === 'Task') handlers[state] = (event) => this.runTask(run, state, m.spec.task, (def.Retry ?? []) as Retrier[], event);
    }
    const execution = m.machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: retries },
      context: { Execution: { Name: name, Id: arn } },
    });
    execution.result.then(
      (output) => {
        record.status = 'SUCCEEDED';
        record.output = output;
        this.finish(run);
      },
      (err: unknown) => {
        record.status = 'FAILED';
        record.error = (err as Error)?.message ?? String(err);
        this.finish(run);
      },
    );
  }

  private finish(run: Running): void {
    run.done = true;
    run.record.stoppedAt = this.now();
  }

  private async runTask(run: Running, state: string, task: TaskHandler, retriers: readonly Retrier[], event: unknown): Promise<unknown> {
    if (this.now() < run.notBefore) await new Promise<void>((resolve) => (run.release = resolve));
    const at = this.now();
    run.record.tasks.push({ state, task: String((event as { task?: unknown })?.task), at });
    let out: unknown;
    try {
      // A real invocation: JSON in, JSON out.
      out = JSON.parse(JSON.stringify((await task(JSON.parse(JSON.stringify(event)))) ?? null));
    } catch (err) {
      const name = (err as Error)?.name ?? 'Error';
      const r = retriers.find((x) => x.ErrorEquals.includes(name) || x.ErrorEquals.includes('States.ALL'));
      if (r) {
        run.retries++;
        // Step Functions' defaults: 1 s, x2, no cap.
        const delay = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** (run.retries - 1);
        run.notBefore = at + 1000 * Math.min(r.MaxDelaySeconds ?? Infinity, delay);
      }
      throw err;
    }
    run.retries = 0;
    const o = out as { step?: unknown; waitSeconds?: unknown } | null;
    if (o?.step === 'wait' && typeof o.waitSeconds === 'number') run.notBefore = at + 1000 * o.waitSeconds;
    return out;
  }

  /**
   * Runs every execution as far as the simulated time now allows: releases the tasks whose time has
   * come, and returns once each execution has finished or waits for a later time.
   */
  async settle(): Promise<void> {
    for (;;) {
      const now = this.now();
      let released = false;
      for (const run of this.executions.values()) {
        if (run.release && now >= run.notBefore) {
          const release = run.release;
          run.release = undefined;
          release();
          released = true;
        }
      }
      let spins = 0;
      while ([...this.executions.values()].some((r) => !r.done && !r.release)) {
        await new Promise((resolve) => setImmediate(resolve));
        if (++spins > 1_000_000) throw new Error('a state machine execution neither finished nor waited');
      }
      if (!released && ![...this.executions.values()].some((r) => r.release && now >= r.notBefore)) return;
    }
  }
}
