/**
 * `npx autoscaler <command>`: the operator CLI with the real AWS clients (default credential chain:
 * environment, profile, SSO, instance role) and the state table named by the stack's outputs.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runCli } from '../cli/program';
import { DynamoStateStore } from '../lambdas/state/dynamo';

const cloudFormation = new CloudFormationClient({});

runCli(process.argv.slice(2), {
  cloudFormation,
  cloudWatch: new CloudWatchClient({}),
  autoScaling: new AutoScalingClient({}),
  ecs: new ECSClient({}),
  sfn: new SFNClient({}),
  sts: new STSClient({}),
  region: async () => {
    try {
      return await cloudFormation.config.region();
    } catch {
      return 'no region (set AWS_REGION or a profile region)';
    }
  },
  store: (tableName) => new DynamoStateStore({ tableName, client: DynamoDBDocumentClient.from(new DynamoDBClient({})) }),
  now: Date.now,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`autoscaler: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
