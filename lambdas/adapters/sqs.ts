/**
 * Amazon SQS: a queue's depth (visible and in flight) from GetQueueAttributes, which has no CloudWatch
 * lag. Throttling and server errors are the SDK's to retry (lambdas/shared/clients.ts); a queue has no
 * transitional state to wait out, so nothing is retried here.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { awsErrorName, TerminalError, TransientError } from '../shared/errors';
import type { SendClient } from './types';

export interface QueueDepth {
  /** ApproximateNumberOfMessages: waiting to be taken. */
  readonly visible: number;
  /** ApproximateNumberOfMessagesNotVisible: taken by a consumer, not yet deleted. */
  readonly notVisible: number;
  /** ApproximateNumberOfMessagesDelayed: not yet visible because of a delay. */
  readonly delayed: number;
}

/** Errors that will not go away by retrying: a missing queue, a denied call. */
const TERMINAL = new Set([
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidAddress',
  'InvalidSecurity',
  'KmsAccessDenied',
]);

const ATTRIBUTES = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;

export class SqsAdapter {
  constructor(private readonly client: SendClient) {}

  async depth(queueUrl: string): Promise<QueueDepth> {
    let res: { Attributes?: Record<string, string> };
    try {
      res = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...ATTRIBUTES] }));
    } catch (err) {
      const name = awsErrorName(err);
      const text = `GetQueueAttributes ${queueUrl}: ${name}: ${(err as Error).message}`;
      if (TERMINAL.has(name)) throw new TerminalError(text, name, err);
      throw new TransientError(text, err);
    }
    const attr = res.Attributes ?? {};
    const number = (key: string): number => {
      const v = Number(attr[key] ?? '0');
      if (!Number.isFinite(v) || v < 0) throw new TransientError(`GetQueueAttributes ${queueUrl}: ${key} is "${attr[key]}", not a count`);
      return v;
    };
    return { visible: number(ATTRIBUTES[0]), notVisible: number(ATTRIBUTES[1]), delayed: number(ATTRIBUTES[2]) };
  }
}
