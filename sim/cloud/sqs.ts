/**
 * In-memory SQS for the queue workload: GetQueueAttributes answers at once (no CloudWatch delay)
 * from the simulated queue, with attribute values as strings like the real API.
 */
import type { QueueState } from '../world';
import { type CallLog, commandName, FakeServiceError, metadata, uuidLike } from './recorder';

export class FakeSqs {
  private requests = 0;
  constructor(
    /** Queue URL -> its state now. */
    private readonly queues: ReadonlyMap<string, () => QueueState>,
    private readonly log: CallLog,
  ) {}

  async send(command: { input?: any }): Promise<any> {
    const name = commandName(command);
    const input = command.input ?? {};
    this.log.record('sqs', name, input);
    const meta = metadata(uuidLike(`sqs/${++this.requests}`));
    switch (name) {
      case 'GetQueueAttributesCommand': {
        const state = this.queues.get(input.QueueUrl);
        if (!state) throw new FakeServiceError('QueueDoesNotExist', 'The specified queue does not exist.');
        const s = state();
        const all: Record<string, string> = {
          ApproximateNumberOfMessages: String(Math.round(s.visible)),
          ApproximateNumberOfMessagesNotVisible: String(Math.round(s.notVisible)),
          ApproximateNumberOfMessagesDelayed: '0',
        };
        const wanted: string[] = input.AttributeNames ?? [];
        const Attributes = wanted.includes('All') ? all : Object.fromEntries(wanted.filter((a) => a in all).map((a) => [a, all[a]]));
        return { Attributes, ...meta };
      }
      default:
        throw new Error(`in-memory SQS does not implement ${name}`);
    }
  }
}
