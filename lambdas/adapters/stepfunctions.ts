/** Step Functions: start a runbook execution under a deterministic name, so duplicates collapse. */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { awsErrorName, TerminalError } from '../shared/errors';
import type { SendClient } from './types';

export class StepFunctionsAdapter {
  constructor(private readonly client: SendClient) {}

  /**
   * Starts the execution; an execution of that name already there (ExecutionAlreadyExists) means the
   * same action was started before: success, reported as `duplicate`.
   */
  async start(stateMachineArn: string, name: string, input: Record<string, unknown>): Promise<{ status: 'started' | 'duplicate'; executionArn?: string }> {
    try {
      const res = await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return { status: 'started', executionArn: res.executionArn };
    } catch (err) {
      const code = awsErrorName(err);
      if (code === 'ExecutionAlreadyExists') return { status: 'duplicate' };
      if (code === 'StateMachineDoesNotExist' || code === 'InvalidName' || code === 'InvalidExecutionInput' || code === 'AccessDeniedException') {
        throw new TerminalError(`StartExecution ${name}: ${code}: ${(err as Error).message}`, code, err);
      }
      throw err;
    }
  }
}
