import { alarmRulePattern, allAlarms } from '../../../../lambdas/shared/alarms';
import { parseConfig, resourcesOf, type TargetConfig } from '../../../../lambdas/shared/config';
import { backlogAlarmThreshold, type RabbitmqWorkersTarget, rabbitmqQueueMetrics } from '../../../../lambdas/shared/kinds/rabbitmq-workers';
import { configProblems } from '../../../support/config-problems';

function rabbit(extra: Record<string, unknown> = {}) {
  return {
    id: 'mail-workers',
    kind: 'rabbitmq-workers',
    broker: 'shop-broker',
    queue: 'mail',
    workers: { kind: 'ecs-service', cluster: 'celery', service: 'mail-worker' },
    messagesPerSecondPerWorker: 2,
    ...extra,
  };
}

const problems = configProblems;

const parsed = (extra: Record<string, unknown> = {}) => parseConfig({ prefix: 'shop', targets: [rabbit(extra)] }).targets[0] as RabbitmqWorkersTarget;

describe('rabbitmq-workers config', () => {
  test('documented defaults fill in what is not given, as queue-workers names them', () => {
    expect(parsed()).toEqual({
      ...rabbit(),
      virtualHost: '/',
      workers: { kind: 'ecs-service', cluster: 'celery', service: 'mail-worker', scaleInProtection: false, messagesInFlightPerWorker: 1 },
      maxWaitSeconds: 300,
      minCapacity: 0,
      maxCapacity: 10,
      idleSeconds: 300,
      warmupSeconds: 60,
      scaleInStabilizationSeconds: 60,
      reversalHoldWorkerMinutes: 70,
      scaleInCooldownSeconds: 60,
      maxStepDownRatio: 1,
      missingData: { lateAfterSeconds: 240 },
      dryRun: false,
    });
  });

  test('an ASG fleet, a virtual host and the fleet settings are accepted', () => {
    const t = parsed({
      virtualHost: 'celery-prod',
      queue: 'celery.priority~high:v2',
      workers: { kind: 'asg', autoScalingGroupName: 'mail', scaleInProtection: true, messagesInFlightPerWorker: 8 },
      missingData: { lateAfterSeconds: 600 },
    });
    expect(t).toMatchObject({ virtualHost: 'celery-prod', workers: { kind: 'asg', scaleInProtection: true, messagesInFlightPerWorker: 8 } });
  });

  test.each([
    [{ broker: 'b-1234abcd-56ef-78ab-90cd-1234567890ab.mq.eu-west-1.amazonaws.com' }, /targets\[0\]\.broker: ".*" must be an Amazon MQ broker name/],
    [{ broker: 'shop broker' }, /targets\[0\]\.broker: "shop broker" must be an Amazon MQ broker name/],
    [{ broker: 'x'.repeat(51) }, /targets\[0\]\.broker: "x{51}" must be an Amazon MQ broker name: 1-50/],
    [{ broker: undefined }, /targets\[0\]\.broker: is required/],
    [{ queue: 'mail queue' }, /targets\[0\]\.queue: "mail queue" must be a queue name of 1-255 printable ASCII characters without blanks/],
    [{ queue: 'é-mails' }, /targets\[0\]\.queue: "é-mails" must be a queue name .* \(Amazon MQ publishes no metrics for other names\)/],
    [{ queue: '' }, /targets\[0\]\.queue: "" must be a queue name/],
    [{ virtualHost: 'prod\thost' }, /targets\[0\]\.virtualHost: "prod\\thost" must be a virtual host name/],
    [{ messagesPerSecondPerWorker: 0 }, /targets\[0\]\.messagesPerSecondPerWorker: 0 is below the minimum 0 \(exclusive\)/],
    [{ maxWaitSeconds: 30 }, /targets\[0\]\.maxWaitSeconds: 30 is below the minimum 60/],
    [{ minCapacity: 5, maxCapacity: 3 }, /targets\[0\]\.maxCapacity: 3 is below minCapacity 5/],
    [{ missingData: { lateAfterSeconds: 60 } }, /targets\[0\]\.missingData\.lateAfterSeconds: 60 is below the minimum 120/],
    [{ missingData: { fallback: 'fixed' } }, /targets\[0\]\.missingData\.fallback: unknown key/],
    [{ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/mail' }, /targets\[0\]\.queueUrl: unknown key/],
    [{ ageAlarmRatio: 0.5 }, /targets\[0\]\.ageAlarmRatio: unknown key/],
    [{ workers: { kind: 'ecs-service', cluster: 'celery', service: 'mail-*' } }, /targets\[0\]\.workers\.service: "mail-\*" must name one resource/],
  ])('a bad field is named with its value: %o', (extra, message) => {
    expect(problems({ targets: [rabbit(extra)] }).join('\n')).toMatch(message);
  });

  test('a window may set its floor and ceiling', () => {
    const c = parseConfig({
      targets: [rabbit()],
      windows: [{ name: 'night', target: 'mail-workers', start: 'cron(0 22 * * ? *)', durationMinutes: 60, maxCapacity: 1 }],
    });
    expect(c.windows).toHaveLength(1);
  });
});

describe('rabbitmq-workers signals, alarms and resources', () => {
  test('the queue metrics are AWS/AmazonMQ MessageReadyCount and MessageUnacknowledgedCount by Broker, VirtualHost and Queue', () => {
    const dimensions = { Broker: 'shop-broker', VirtualHost: '/', Queue: 'mail' };
    expect(rabbitmqQueueMetrics(parsed())).toEqual({
      ready: { namespace: 'AWS/AmazonMQ', metricName: 'MessageReadyCount', dimensions, stat: 'Maximum' },
      unacknowledged: { namespace: 'AWS/AmazonMQ', metricName: 'MessageUnacknowledgedCount', dimensions, stat: 'Maximum' },
    });
  });

  test('one backlog alarm: more ready messages than one worker takes within the wait SLO, on 1-minute datapoints; no data is no backlog', () => {
    const t = parsed({ messagesPerSecondPerWorker: 0.5, maxWaitSeconds: 600 });
    expect(backlogAlarmThreshold(t)).toBe(300);
    const config = parseConfig({ prefix: 'shop', targets: [rabbit({ messagesPerSecondPerWorker: 0.5, maxWaitSeconds: 600 })] });
    expect(allAlarms(config)).toEqual([
      expect.objectContaining({
        name: 'shop/mail-workers/backlog/high',
        signal: 'backlog',
        metric: expect.objectContaining({ namespace: 'AWS/AmazonMQ', metricName: 'MessageReadyCount' }),
        periodSeconds: 60,
        evaluationPeriods: 1,
        threshold: 300,
        comparison: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      }),
    ]);
  });

  test("the queue family's rule matches AmazonMQ alarms", () => {
    expect(JSON.stringify(alarmRulePattern('shop', 'queue'))).toContain('"AWS/AmazonMQ"');
  });

  test('it acts on the broker/virtual host/queue triple and on its fleet', () => {
    expect(resourcesOf(parsed() as TargetConfig).map((r) => [r.path.join('.'), r.key])).toEqual([
      ['queue', 'amazonmq:shop-broker///mail'],
      ['workers.service', 'ecs:celery/mail-worker'],
    ]);
  });
});
