/**
 * The CLI's real dependencies: AWS SDK clients for the command line's `--region` and `--profile`
 * (else the SDK's default chain: AWS_REGION, AWS_PROFILE, the environment's keys, SSO, the instance
 * role) and the state store over the deployed table.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoStateStore } from '../lambdas/state/dynamo';
import type { AwsOptions, CliDeps } from './deps';

export function awsDeps({ region, profile }: AwsOptions): CliDeps {
  // Every client of one command line shares the region and profile it names.
  const aws = { ...(region ? { region } : {}), ...(profile ? { profile } : {}) };
  const cloudFormation = new CloudFormationClient(aws);
  return {
    cloudFormation,
    cloudWatch: new CloudWatchClient(aws),
    autoScaling: new AutoScalingClient(aws),
    ecs: new ECSClient(aws),
    sqs: new SQSClient(aws),
    rds: new RDSClient(aws),
    elastiCache: new ElastiCacheClient(aws),
    cloudFront: new CloudFrontClient(aws),
    sfn: new SFNClient(aws),
    sts: new STSClient(aws),
    sns: new SNSClient(aws),
    region: async () => {
      try {
        return await cloudFormation.config.region();
      } catch {
        return 'no region';
      }
    },
    store: (tableName) => new DynamoStateStore({ tableName, client: DynamoDBDocumentClient.from(new DynamoDBClient(aws)) }),
    now: Date.now,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  };
}
