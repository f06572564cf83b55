import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import { createDeadLetterQueue, createFamilyFunction, FAMILY_ENTRIES } from '../../../lib/shared/function';
import { asg, config, TG, testApp } from '../helpers';

const cfg = config({ targets: [asg('web')] });

function build(app = testApp(), entry?: string, bundled = cfg) {
  const stack = new Stack(app, 'Test');
  const table = (id: string) => new dynamodb.Table(stack, id, { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const deadLetterQueue = createDeadLetterQueue(stack, 'Dlq');
  const fn = createFamilyFunction(stack, 'CapacityFunction', {
    family: 'capacity',
    config: bundled,
    stateTable: table('State'),
    idempotencyTable: table('Idem'),
    deadLetterQueue,
    logRetention: logs.RetentionDays.TWO_WEEKS,
    entry,
  });
  return { stack, fn, deadLetterQueue, template: Template.fromStack(stack) };
}

describe('createFamilyFunction', () => {
  const { stack, template, deadLetterQueue, fn } = build();
  const dlqArn = { 'Fn::GetAtt': [stack.getLogicalId(deadLetterQueue.node.defaultChild as never), 'Arn'] };

  test('the capacity family points at its handler', () => {
    expect(FAMILY_ENTRIES.capacity).toMatch(/lambdas\/scalers\/capacity\/handler\.ts$/);
  });

  test('arm64, Node.js 22 or newer, 512 MB, 60 s, active tracing, no reserved concurrency, the table names and Powertools settings', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Runtime: Match.stringLikeRegexp('^nodejs(2[2-9]|[3-9]\\d)\\.x$'),
      MemorySize: 512,
      Timeout: 60,
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: Match.absent(),
      Environment: {
        Variables: Match.objectLike({
          STATE_TABLE_NAME: { Ref: Match.stringLikeRegexp('^State') },
          IDEMPOTENCY_TABLE_NAME: { Ref: Match.stringLikeRegexp('^Idem') },
          POWERTOOLS_SERVICE_NAME: 'autoscaler',
          POWERTOOLS_METRICS_NAMESPACE: 'Autoscaler',
        }),
      },
      // failures reach the queue through the on-failure destination only (a second way would deliver them twice)
      DeadLetterConfig: Match.absent(),
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^CapacityFunctionLogGroup') } },
    });
  });

  test('its own log group with the given retention (not the deprecated logRetention custom resource)', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  test('asynchronous invocation: 2 retries, 15 minutes, failures to the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 900,
      DestinationConfig: { OnFailure: { Destination: dlqArn } },
    });
  });

  test('its role uses no AWS managed policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }),
      ManagedPolicyArns: Match.absent(),
    });
    expect(fn.role).toBeDefined();
  });

  /** Synthesizes the config-echo fixture with bundling on; what its handler returns, run from the asset directory. */
  function echoBundle(bundled: typeof cfg) {
    const app = testApp({ 'aws:cdk:bundling-stacks': ['**'] });
    build(app, path.join(__dirname, '..', 'fixtures', 'config-echo.ts'), bundled);
    // CDK and esbuild report each bundle on stderr; a green run stays quiet.
    const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let assembly: ReturnType<typeof app.synth>;
    try {
      assembly = app.synth();
    } finally {
      quiet.mockRestore();
    }
    const assetDirs = fs.readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
    const bundles = assetDirs.map((d) => path.join(assembly.directory, d, 'index.js')).filter((f) => fs.existsSync(f));
    expect(bundles).toHaveLength(1);
    const code = fs.readFileSync(bundles[0], 'utf8');
    const mod = { exports: {} as { handler?: () => Promise<unknown> } };
    new Function('module', 'exports', 'require', '__dirname', code)(
      mod,
      mod.exports,
      (id: string) => (id.startsWith('@aws-sdk/') ? {} : require(id)),
      path.dirname(bundles[0]),
    );
    return { code, file: bundles[0], handler: mod.exports.handler! };
  }

  test('bundles the parsed config next to the handler and leaves the AWS SDK external', async () => {
    const { code, file, handler } = echoBundle(cfg);
    expect(code).toContain('require("@aws-sdk/client-sqs")');
    expect(fs.existsSync(`${file}.map`)).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(path.dirname(file), 'autoscaler-config.json'), 'utf8'))).toEqual(cfg);
    await expect(handler()).resolves.toEqual(cfg);
  });

  test('its source map names the sources without holding their text, which Node would parse at every cold start', () => {
    const { file } = echoBundle(cfg);
    const map = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as { sources: string[]; sourcesContent?: unknown };
    expect(map.sources.length).toBeGreaterThan(0);
    expect(map.sourcesContent).toBeUndefined();
  });

  test('another config is another asset: a deploy ships the new config', () => {
    const assetOf = (bundled: typeof cfg) => {
      const { file } = echoBundle(bundled);
      return path.basename(path.dirname(file));
    };
    expect(assetOf(cfg)).not.toBe(assetOf(config({ targets: [asg('web', { maxCapacity: 11 })] })));
  });

  test('a config of 1,000 targets (over the 128 KiB a command-line argument may hold) bundles', async () => {
    const large = config({ targets: Array.from({ length: 1000 }, (_, i) => asg(`web-${i}`, { targetGroup: { ...TG, requestsPerTarget: 1000 } })) });
    expect(JSON.stringify(large).length).toBeGreaterThan(128 * 1024);
    const { handler } = echoBundle(large);
    await expect(handler()).resolves.toMatchObject({ targets: expect.arrayContaining([expect.objectContaining({ id: 'web-999' })]) });
  });
});
