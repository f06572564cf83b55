/**
 * Runs the real state machine definitions locally: the ASL is taken from the synthesized template
 * (the `DefinitionString`'s Fn::Join resolved to plain ASL), every Lambda task is mapped to the real
 * task handler in-process, and aws-local-stepfunctions executes it. Waits and retry intervals are 0.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { type RunOptions as LocalRunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { Autoscaler } from '../../lib/autoscaler';
import { type AslState, functionArn, resolveIntrinsics } from '../../sim/cloud/asl';
import { testApp } from '../lib/helpers';

export { functionArn };

export interface SynthesizedRunbooks {
  readonly stack: Stack;
  readonly autoscaler: Autoscaler;
  readonly template: Template;
  /** The plain ASL of a state machine whose logical id contains `name` (`RdsReplicas`, `Redis`, `RdsStorage`). */
  definition(name: string): StateMachineDefinition & { States: Record<string, AslState> };
  /** The logical id of a function, as its ARN appears in the ASL. */
  logicalId(fn: lambda.IFunction): string;
}

export function synthesizeRunbooks(config: AutoscalerConfig): SynthesizedRunbooks {
  const stack = new Stack(testApp(), 'Runbooks');
  const autoscaler = new Autoscaler(stack, 'Autoscaler', { config });
  const template = Template.fromStack(stack);
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const parsed = new Map<string, StateMachineDefinition & { States: Record<string, AslState> }>();
  return {
    stack,
    autoscaler,
    template,
    definition(name) {
      const ids = Object.keys(machines).filter((id) => id.includes(name));
      if (ids.length !== 1) throw new Error(`expected one state machine named like ${name}, found ${ids.join(', ') || 'none'}`);
      if (!parsed.has(ids[0])) parsed.set(ids[0], JSON.parse(resolveIntrinsics(machines[ids[0]].Properties.DefinitionString)));
      return parsed.get(ids[0])!;
    },
    logicalId(fn) {
      return stack.getLogicalId(fn.node.defaultChild as never);
    },
  };
}

/** Each definition is validated once (aws-local-stepfunctions checks the ASL and its paths and ARNs). */
const machines = new WeakMap<object, StateMachine>();
function validated(definition: StateMachineDefinition): StateMachine {
  let machine = machines.get(definition);
  if (!machine) {
    machine = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: true } });
    machines.set(definition, machine);
  }
  return machine;
}

export type TaskHandler = (event: unknown) => Promise<unknown>;

export interface RunResult {
  /** The execution's output when it succeeded. */
  readonly output?: Record<string, unknown>;
  /** The execution's error when it failed (`ExecutionError`'s message names the error and cause). */
  readonly error?: Error;
  /** Every task state entered, in order, with the task it ran. */
  readonly calls: { state: string; task: string }[];
  readonly aborted: boolean;
}

export interface RunOptions {
  /** The execution's name (`$$.Execution.Name`). */
  readonly name: string;
  /** Called after each task with its state name; return true to abort the execution there (a crash). */
  readonly abortAfter?: (state: string, output: unknown) => boolean;
}

/**
 * Runs `definition` with every Task whose Resource is a key of `handlers` (function ARNs) executed
 * in-process, every Wait and retry interval 0.
 */
export async function runLocally(
  definition: StateMachineDefinition & { States: Record<string, AslState> },
  handlers: Readonly<Record<string, TaskHandler>>,
  input: Record<string, unknown>,
  options: RunOptions,
): Promise<RunResult> {
  const calls: { state: string; task: string }[] = [];
  const taskResourceLocalHandlers: NonNullable<NonNullable<LocalRunOptions['overrides']>['taskResourceLocalHandlers']> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  let abort: () => void = () => undefined;
  let aborted = false;
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
    if (state.Retry) retryIntervalOverrides[name] = 0;
    if (state.Type !== 'Task') continue;
    const fn = state.Resource && handlers[state.Resource];
    if (!fn) throw new Error(`task state ${name} has resource ${state.Resource}, which no local handler serves`);
    taskResourceLocalHandlers[name] = async (event) => {
      calls.push({ state: name, task: String((event as { task?: unknown }).task) });
      // A real invocation: JSON in, JSON out.
      const out = JSON.parse(JSON.stringify((await fn(JSON.parse(JSON.stringify(event)))) ?? null));
      if (options.abortAfter?.(name, out)) {
        aborted = true;
        abort();
      }
      return out;
    };
  }
  const machine = validated(definition);
  const execution = machine.run(input as Parameters<StateMachine['run']>[0], {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
    context: { Execution: { Name: options.name, Id: `arn:aws:states:us-east-1:123456789012:execution:test:${options.name}` } },
    noThrowOnAbort: true,
  });
  abort = execution.abort;
  try {
    const output = (await execution.result) as Record<string, unknown> | null;
    return { output: output ?? undefined, calls, aborted };
  } catch (error) {
    return { error: error as Error, calls, aborted };
  }
}
