/**
 * The deployment's notification topic: every action, refusal and failure the functions report, and
 * every self-alarm. Encrypted with a customer managed key (CloudWatch alarms cannot publish to a topic
 * under the AWS managed SNS key), TLS only, with an optional email subscription from the config.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationTopicProps {
  /** The deployment's prefix, for the topic's display name and descriptions. */
  readonly prefix: string;
  /**
   * An email address subscribed to the topic (AWS asks it to confirm first).
   * @default no subscription
   */
  readonly email?: string;
}

export class NotificationTopic extends Construct {
  public readonly topic: sns.Topic;
  /** The topic's key; publishers need kms:GenerateDataKey and kms:Decrypt on it. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);

    this.key = new kms.Key(this, 'Key', {
      description: `${props.prefix} autoscaler: notification topic encryption`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch alarm actions publish to the encrypted topic as the CloudWatch service.
    const account = Stack.of(this).account;
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheTopic',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `${props.prefix} autoscaler`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );

    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /**
   * Lets a function publish: sns:Publish on this topic and the two key operations encryption needs,
   * named exactly (Topic.grantPublish would grant `kms:GenerateDataKey*`).
   */
  grantPublish(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topic.topicArn] });
    this.key.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
  }
}
