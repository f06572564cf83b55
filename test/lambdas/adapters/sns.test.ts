import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_SUBJECT_LENGTH, SnsNotifier, snsSubject } from '../../../lambdas/adapters/sns';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:shop-autoscaler';

beforeEach(() => sns.reset());

test('publishes the subject and the body as indented JSON to the topic', async () => {
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  await new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC).notify({
    subject: '[shop] web: scaled out 4 -> 6',
    body: { targetId: 'web', desired: 6 },
  });
  const input = sns.commandCalls(PublishCommand)[0].args[0].input;
  expect(input.TopicArn).toBe(TOPIC);
  expect(input.Subject).toBe('[shop] web: scaled out 4 -> 6');
  expect(JSON.parse(input.Message!)).toEqual({ targetId: 'web', desired: 6 });
});

test('a publish error reaches the caller (it decides whether it matters)', async () => {
  sns.on(PublishCommand).rejects(Object.assign(new Error('denied'), { name: 'AuthorizationErrorException' }));
  await expect(new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC).notify({ subject: 's', body: {} })).rejects.toThrow('denied');
});

test('an empty topic ARN is refused at construction', () => {
  expect(() => new SnsNotifier(new SNSClient({ region: 'eu-west-1' }), '')).toThrow('topicArn must not be empty');
});

describe('snsSubject', () => {
  test('a long subject is cut to 100 characters and ends with an ellipsis', () => {
    const subject = snsSubject(`[shop] ${'x'.repeat(200)}`);
    expect(subject).toHaveLength(MAX_SUBJECT_LENGTH);
    expect(subject.endsWith('...')).toBe(true);
  });

  test('line breaks, control characters and non-ASCII are removed; the arrow becomes ->', () => {
    expect(snsSubject('  web:\n scaled\tout 2 \u2192 3 caf\u00e9\u0007 ')).toBe('web: scaled out 2 -> 3 cafe');
  });

  test('a subject with nothing printable left gets a fallback', () => {
    expect(snsSubject('\u2603\n')).toBe('autoscaler notification');
  });

  test('a short ASCII subject is kept as it is', () => {
    expect(snsSubject('[shop] api: FAILED to scale out 2 -> 4')).toBe('[shop] api: FAILED to scale out 2 -> 4');
  });
});
