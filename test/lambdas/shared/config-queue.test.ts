import { parseConfig } from '../../../lambdas/shared/config';
import { queueArn, queueParts } from '../../../lambdas/shared/kinds/queue-workers';
import { configProblems } from '../../support/config-problems';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-default';

function queue(extra: Record<string, unknown> = {}) {
  return {
    id: 'default-workers',
    kind: 'queue-workers',
    queueUrl: QUEUE,
    workers: { kind: 'ecs-service', cluster: 'celery', service: 'default-worker' },
    messagesPerSecondPerWorker: 2,
    ...extra,
  };
}

const problems = configProblems;

describe('queue-workers config', () => {
  test('documented defaults fill in what is not given', () => {
    const t = parseConfig({ targets: [queue()] }).targets[0];
    expect(t).toEqual({
      ...queue(),
      // no scale-in protection: the workers holding in-flight messages (one each, Celery's prefetch of 1) stay
      workers: { kind: 'ecs-service', cluster: 'celery', service: 'default-worker', scaleInProtection: false, messagesInFlightPerWorker: 1 },
      maxWaitSeconds: 300,
      alerts: [],
      minCapacity: 0,
      maxCapacity: 10,
      idleSeconds: 300,
      warmupSeconds: 60,
      scaleInStabilizationSeconds: 60,
      reversalHoldWorkerMinutes: 70,
      scaleInCooldownSeconds: 60,
      maxStepDownRatio: 1,
      ageAlarmRatio: 0.5,
      dryRun: false,
    });
  });

  test('an ASG fleet and a dead-letter queue are accepted', () => {
    const c = parseConfig({
      targets: [
        queue({ workers: { kind: 'asg', autoScalingGroupName: 'celery' }, deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/celery-dlq' }),
      ],
    });
    expect(c.targets[0]).toMatchObject({ workers: { kind: 'asg' } });
  });

  test("scale-in protection and the messages a worker holds are the fleet's settings", () => {
    const c = parseConfig({
      targets: [queue({ workers: { kind: 'asg', autoScalingGroupName: 'celery', scaleInProtection: true, messagesInFlightPerWorker: 8 } })],
    });
    expect(c.targets[0]).toMatchObject({ workers: { scaleInProtection: true, messagesInFlightPerWorker: 8 } });
  });

  test.each([
    [{ queueUrl: 'https://example.com/queue' }, /targets\[0\]\.queueUrl: "https:\/\/example.com\/queue" must be an SQS queue URL/],
    [{ queueUrl: 'arn:aws:sqs:eu-west-1:123456789012:q' }, /queueUrl: .* must be an SQS queue URL/],
    [{ messagesPerSecondPerWorker: 0 }, /messagesPerSecondPerWorker: 0 is below the minimum 0 \(exclusive\)/],
    [{ messagesPerSecondPerWorker: undefined }, /messagesPerSecondPerWorker: is required/],
    [{ maxWaitSeconds: 30 }, /maxWaitSeconds: 30 is below the minimum 60/],
    [{ workers: { kind: 'lambda', name: 'x' } }, /targets\[0\]\.workers/],
    [{ workers: { kind: 'ecs-service', cluster: 'c' } }, /workers\.service: is required/],
    [{ minCapacity: 5, maxCapacity: 3 }, /maxCapacity: 3 is below minCapacity 5/],
    [{ prefetch: 4 }, /targets\[0\]\.prefetch: unknown key/],
    [
      { workers: { kind: 'ecs-service', cluster: 'c', service: 's', messagesInFlightPerWorker: 0 } },
      /workers\.messagesInFlightPerWorker: 0 is below the minimum 1/,
    ],
    [{ workers: { kind: 'ecs-service', cluster: 'c', service: 's', messagesInFlightPerWorker: 2.5 } }, /workers\.messagesInFlightPerWorker: 2\.5 /],
    [{ workers: { kind: 'asg', autoScalingGroupName: 'g', scaleInProtection: 'yes' } }, /workers\.scaleInProtection/],
  ])('a bad field is named with its value: %o', (extra, message) => {
    expect(problems({ targets: [queue(extra)] }).join('\n')).toMatch(message);
  });

  test('queue URL parts and ARN (the ARN is what IAM needs)', () => {
    expect(queueParts(QUEUE)).toEqual({ region: 'eu-west-1', account: '123456789012', name: 'celery-default' });
    expect(queueArn('https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo')).toBe('arn:aws:sqs:us-east-1:123456789012:jobs.fifo');
    expect(queueParts('https://eu-west-1.queue.amazonaws.com/123456789012/legacy').region).toBe('eu-west-1');
  });
});

describe('capacity windows config', () => {
  const night = { name: 'night', target: 'default-workers', start: 'cron(0 23 * * ? *)', end: 'cron(0 8 * * ? *)', timezone: 'Europe/Paris', maxCapacity: 1 };

  test('a window parses, time zone defaulting to UTC', () => {
    const c = parseConfig({
      targets: [queue()],
      windows: [night, { name: 'batch', target: 'default-workers', start: 'cron(0 2 * * ? *)', durationMinutes: 30, minCapacity: 5 }],
    });
    expect(c.windows).toHaveLength(2);
    expect(c.windows[1].timezone).toBe('UTC');
    expect(parseConfig({ targets: [queue()] }).windows).toEqual([]);
  });

  test.each([
    [{ target: 'nope' }, /windows\[0\]\.target: "nope" is not the id of any target/],
    [{ end: undefined }, /windows\[0\]: needs exactly one of end \(a cron\) and durationMinutes/],
    [{ durationMinutes: 60 }, /needs exactly one of end/],
    [{ timezone: 'Mars/Olympus' }, /windows\[0\]\.timezone: "Mars\/Olympus" is not an IANA time zone/],
    [{ start: 'cron(0 23 * * * *)' }, /windows\[0\]\.start: .*one of day-of-month and day-of-week must be "\?"/],
    [{ start: 'rate(1 hour)' }, /windows\[0\]\.start: .* must be an EventBridge cron expression/],
    [{ minCapacity: 5, maxCapacity: 2 }, /windows\[0\]\.minCapacity: the window's floor 5 is above its ceiling 2/],
    [{ maxCapacity: undefined }, /sets neither minCapacity nor maxCapacity/],
  ])('a bad window is named: %o', (extra, message) => {
    expect(problems({ targets: [queue()], windows: [{ ...night, ...extra }] }).join('\n')).toMatch(message);
  });

  test('window names are unique, and windows apply to capacity and queue targets only', () => {
    const cdn = { id: 'cdn', kind: 'cloudfront', distributionId: 'E2QWRUHAPOMQZL' };
    const out = problems({ targets: [queue(), cdn], windows: [night, night, { ...night, name: 'x', target: 'cdn' }] }).join('\n');
    expect(out).toMatch(/windows\[1\]\.name: "night" is already the name of windows\[0\]/);
    expect(out).toMatch(/windows\[2\]\.target: "cdn" is a cloudfront target; windows apply to asg, ecs-service, queue-workers/);
  });
});
