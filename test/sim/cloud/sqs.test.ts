import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { CallLog } from '../../../sim/cloud/recorder';
import { FakeSqs } from '../../../sim/cloud/sqs';
import { World } from '../../../sim/world';
import { queueScenario, traceOf } from '../helpers';

describe('FakeSqs', () => {
  const url = 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs';

  test('GetQueueAttributes reads the simulated queue at once, values as strings', async () => {
    const world = new World(queueScenario({ workload: { unitCapacity: 1, initialUnits: 1 }, target: { minUnits: 1 } }), traceOf([150, 0]));
    const sqs = new FakeSqs(new Map([[url, () => world.queueState()]]), new CallLog(() => 0));
    world.endStep();
    const res = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(res.Attributes).toEqual({ ApproximateNumberOfMessages: '89', ApproximateNumberOfMessagesNotVisible: '1' });
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes.ApproximateNumberOfMessagesDelayed).toBe('0');
  });

  test('unknown queues and commands are errors', async () => {
    const sqs = new FakeSqs(new Map(), new CallLog(() => 0));
    await expect(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }))).rejects.toThrow('in-memory SQS does not implement SendMessageCommand');
  });
});
