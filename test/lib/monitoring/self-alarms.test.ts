/** Self-alarms as the Autoscaler construct wires them (lib/monitoring/self-alarms.ts). */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Autoscaler } from '../../../lib/autoscaler';
import { asg, config, ecs, TG, testApp } from '../helpers';

const withEmail = config({
  notifications: { email: 'ops@example.com' },
  targets: [asg('web', { targetGroup: { ...TG, requestsPerTarget: 1000 } }), ecs('api')],
});

function synth(cfg = withEmail, extend?: (a: Autoscaler) => void) {
  const stack = new Stack(testApp(), 'Test');
  const autoscaler = new Autoscaler(stack, 'Autoscaler', { config: cfg });
  extend?.(autoscaler);
  return { stack, autoscaler, template: Template.fromStack(stack) };
}

describe('self-alarms', () => {
  const { stack, autoscaler, template } = synth();
  const topicId = stack.getLogicalId(autoscaler.notifications.topic.node.defaultChild as never);

  test.each([
    ['shop-self/dlq/depth', 'ApproximateNumberOfMessagesVisible', 'AWS/SQS', 'Maximum'],
    ['shop-self/function/capacity/errors', 'Errors', 'AWS/Lambda', 'Sum'],
    ['shop-self/function/capacity/throttles', 'Throttles', 'AWS/Lambda', 'Sum'],
  ])('%s: %s above 0 alarms and tells the topic, and so does its return to OK', (name, metricName, namespace, statistic) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: name,
      MetricName: metricName,
      Namespace: namespace,
      Statistic: statistic,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
  });

  test('their names cannot be taken for a target alarm (they do not start with "<prefix>/")', () => {
    for (const name of Object.keys(autoscaler.selfAlarms.alarms)) expect(name.startsWith('shop/')).toBe(false);
  });

  test('their number does not grow with the number of targets', () => {
    const many = config({ targets: Array.from({ length: 12 }, (_, i) => (i % 2 ? asg(`web-${i}`) : ecs(`api-${i}`))) });
    expect(Object.keys(synth(many).autoscaler.selfAlarms.alarms)).toHaveLength(Object.keys(autoscaler.selfAlarms.alarms).length);
  });
});
