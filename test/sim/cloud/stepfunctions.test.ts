/**
 * The in-memory Step Functions: real ASL run by aws-local-stepfunctions on simulated time. A task
 * asking to wait (`step: "wait"`, `waitSeconds`) makes the next task wait for the simulated clock; a
 * retried error waits the Retry's backoff; names are unique per state machine.
 */
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { AslDefinition } from '../../../sim/cloud/asl';
import { CallLog } from '../../../sim/cloud/recorder';
import { FakeStepFunctions } from '../../../sim/cloud/stepfunctions';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:task';
const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:sim-test';

/** Poll until done: Poll -> (step == wait ? Wait -> Poll) -> Done; ResourceBusy retried 60 s, x2. */
const DEFINITION: AslDefinition = {
  StartAt: 'Poll',
  States: {
    Poll: {
      Type: 'Task',
      Resource: FN,
      Retry: [{ ErrorEquals: ['ResourceBusy'], IntervalSeconds: 60, BackoffRate: 2, MaxAttempts: 5 }],
      Next: 'Waiting',
    } as never,
    Waiting: { Type: 'Choice', Choices: [{ Variable: '$.step', StringEquals: 'wait', Next: 'Wait' }], Default: 'Done' } as never,
    Wait: { Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'Poll' } as never,
    Done: { Type: 'Succeed' },
  },
};

function world(task: (state: Record<string, unknown>, at: number) => Promise<unknown>) {
  let clock = 1_000_000;
  const now = () => clock;
  const log = new CallLog(now);
  const sfn = new FakeStepFunctions(new Map([[ARN, { definition: DEFINITION, task: (event) => task(event as Record<string, unknown>, clock) }]]), log, now);
  /** Advance the simulated clock minute by minute, settling the executions at each. */
  const run = async (minutes: number) => {
    for (let i = 0; i < minutes; i++) {
      await sfn.settle();
      clock += 60_000;
    }
    await sfn.settle();
  };
  return { sfn, log, run, start: 1_000_000 };
}

describe('FakeStepFunctions', () => {
  test('a task that asks to wait is run again only once the simulated clock has passed the wait', async () => {
    const times: number[] = [];
    const w = world(async (state, at) => {
      times.push(at);
      return times.length < 3 ? { ...state, step: 'wait', waitSeconds: 120 } : { ...state, step: 'done' };
    });
    await w.sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'run-1', input: '{"goal":1}' }));
    await w.sfn.settle();
    expect(times).toEqual([w.start]);
    await w.run(1);
    expect(times).toHaveLength(1);
    await w.run(5);
    expect(times.map((t) => (t - w.start) / 1000)).toEqual([0, 120, 240]);
    const [record] = w.sfn.records();
    expect(record).toMatchObject({ name: 'run-1', status: 'SUCCEEDED', output: { goal: 1, step: 'done' } });
    expect(record.tasks.map((t) => t.state)).toEqual(['Poll', 'Poll', 'Poll']);
  });

  test("a retried error waits the Retry's backoff in simulated time (60 s, then 120 s)", async () => {
    const times: number[] = [];
    const w = world(async (state, at) => {
      times.push(at);
      if (times.length < 3) {
        const e = new Error('group is modifying');
        e.name = 'ResourceBusy';
        throw e;
      }
      return { ...state, step: 'done' };
    });
    await w.sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'run-2', input: '{}' }));
    await w.run(4);
    expect(times.map((t) => (t - w.start) / 1000)).toEqual([0, 60, 180]);
    expect(w.sfn.records()[0].status).toBe('SUCCEEDED');
  });

  test('a task error not retried fails the execution, and DescribeExecution says so', async () => {
    const w = world(async () => {
      const e = new Error('quota');
      e.name = 'TerminalError';
      throw e;
    });
    const { executionArn } = await w.sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'run-3', input: '{}' }));
    await w.run(1);
    const d = await w.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(d).toMatchObject({ name: 'run-3', status: 'FAILED' });
    expect(d.error).toMatch(/quota|TerminalError/);
  });

  test('names are unique per state machine; unknown machines and bad names are refused as AWS does', async () => {
    const w = world(async (state) => ({ ...state, step: 'done' }));
    await w.sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'same', input: '{}' }));
    await expect(w.sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'same', input: '{"other":1}' }))).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    await expect(w.sfn.send(new StartExecutionCommand({ stateMachineArn: `${ARN}-nope`, name: 'x', input: '{}' }))).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
    await expect(w.sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'has space', input: '{}' }))).rejects.toMatchObject({
      name: 'InvalidName',
    });
    await expect(w.sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'bad-json', input: '{' }))).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
    });
    await w.sfn.settle();
    expect(w.sfn.records()).toHaveLength(1);
    expect(w.log.of('stepfunctions', 'StartExecutionCommand')).toHaveLength(5);
  });
});
