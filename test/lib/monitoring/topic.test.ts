/** The notification topic as the Autoscaler construct wires it (lib/monitoring/topic.ts). */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../lib/app';
import { Autoscaler } from '../../../lib/autoscaler';
import { asg, config, ecs, TG, testApp, validationFindings } from '../helpers';

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

describe('notification topic', () => {
  const { stack, autoscaler, template } = synth();
  const topicId = stack.getLogicalId(autoscaler.notifications.topic.node.defaultChild as never);
  const keyId = stack.getLogicalId(autoscaler.notifications.key.node.defaultChild as never);

  test('is encrypted with a rotating customer managed key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('refuses publishes without TLS and lets CloudWatch alarms of this account publish', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      }),
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Principal: { Service: 'cloudwatch.amazonaws.com' } })]),
      }),
    });
  });

  test('the configured email is subscribed', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topicId } });
  });

  test('without an email there is no subscription', () => {
    synth(config({ targets: [asg('web')] })).template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('the function gets the topic ARN and may publish to it and use its key, nothing wider', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TOPIC_ARN: { Ref: topicId } }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topicId } },
          { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        ]),
      },
    });
  });
});

test('topic, dashboard and self-alarms synthesize with zero unacknowledged cdk-nag or CloudFormation findings', () => {
  const { app } = buildApp(withEmail, { app: testApp() });
  expect(validationFindings(app)).toEqual([]);
});
