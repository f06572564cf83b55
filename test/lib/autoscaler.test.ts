import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { alarmRulePattern, allAlarms, reevaluateScheduleInput } from '../../lambdas/shared/alarms';
import { type AutoscalerConfig, ConfigError } from '../../lambdas/shared/config';
import { Autoscaler } from '../../lib/autoscaler';
import { asg, config, ecs, TG, testApp } from './helpers';

function synth(cfg: AutoscalerConfig, logRetention?: logs.RetentionDays) {
  const stack = new Stack(testApp(), 'Test');
  const autoscaler = new Autoscaler(stack, 'Autoscaler', { config: cfg, logRetention });
  return { stack, autoscaler, template: Template.fromStack(stack) };
}

const mixed = config({ targets: [asg('web', { targetGroup: { ...TG, requestsPerTarget: 1000 } }), ecs('api')] });

describe('Autoscaler', () => {
  const { autoscaler, template } = synth(mixed);

  test('synthesizes every alarm of the shared specs, named exactly, and exposes them by name', () => {
    const specs = allAlarms(mixed);
    // The targets' alarms, and the self-alarms whose number does not depend on the targets.
    template.resourceCountIs('AWS::CloudWatch::Alarm', specs.length + Object.keys(autoscaler.selfAlarms.alarms).length);
    expect(Object.keys(autoscaler.alarms).sort()).toEqual(specs.map((s) => s.name).sort());
    for (const spec of specs) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', Match.objectLike({ AlarmName: spec.name, Threshold: spec.threshold }));
    }
  });

  test('the state table has pk/sk string keys, ttl, on-demand billing, PITR, AWS managed encryption and is retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      }),
    });
  });

  test('the idempotency table has an id string key, expiration TTL, on-demand billing and PITR', () => {
    template.hasResourceProperties(
      'AWS::DynamoDB::Table',
      Match.objectLike({
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
  });

  test('the dead-letter queue is encrypted (SSE-SQS) and refuses requests without TLS', () => {
    template.hasResourceProperties('AWS::SQS::Queue', Match.objectLike({ SqsManagedSseEnabled: true }));
    template.hasResourceProperties(
      'AWS::SQS::QueuePolicy',
      Match.objectLike({
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        }),
      }),
    );
  });

  test('the capacity rule matches exactly alarmRulePattern and targets the function with the DLQ and retries', () => {
    const fnId = Stack.of(autoscaler).getLogicalId(autoscaler.functions.capacity!.node.defaultChild as never);
    const dlqId = Stack.of(autoscaler).getLogicalId(autoscaler.deadLetterQueue.node.defaultChild as never);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: alarmRulePattern('shop', 'capacity'),
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 },
        }),
      ],
    });
  });

  test('the re-evaluation schedule runs every minute, without a flexible window, with the shared input and the DLQ', () => {
    const resources = template.findResources('AWS::Scheduler::Schedule');
    expect(Object.keys(resources)).toHaveLength(1);
    const props = Object.values(resources)[0].Properties;
    expect(props).toMatchObject({ ScheduleExpression: 'rate(1 minute)', FlexibleTimeWindow: { Mode: 'OFF' }, State: 'ENABLED' });
    expect(JSON.parse(props.Target.Input)).toEqual(reevaluateScheduleInput('capacity'));
    expect(props.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 });
    expect(props.Target.DeadLetterConfig.Arn['Fn::GetAtt'][1]).toBe('Arn');
    expect(autoscaler.schedules.capacity).toBeDefined();
  });

  test("the scheduler's role may invoke the capacity function only, and send to the DLQ", () => {
    const fnId = Stack.of(autoscaler).getLogicalId(autoscaler.functions.capacity!.node.defaultChild as never);
    template.hasResourceProperties(
      'AWS::IAM::Role',
      Match.objectLike({
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: Match.anyValue() })],
        }),
      }),
    );
    // The scheduler's policy (the set-capacity state machine's role invokes the runbook task function).
    const policies = Object.fromEntries(
      Object.entries(
        template.findResources('AWS::IAM::Policy', {
          Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction' })]) } },
        }),
      ).filter(([id]) => !id.includes('StateMachine')),
    );
    expect(Object.keys(policies)).toHaveLength(1);
    const statements = Object.values(policies)[0].Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } }));
    const dlqId = Stack.of(autoscaler).getLogicalId(autoscaler.deadLetterQueue.node.defaultChild as never);
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [dlqId, 'Arn'] } }));
    expect(statements).toHaveLength(2);
  });

  test('the function may read and write both tables and write to its own log group', () => {
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    for (const table of [autoscaler.stateTable, autoscaler.idempotencyTable]) {
      const id = Stack.of(table).getLogicalId(table.node.defaultChild as never);
      expect(policy).toContain(`"Fn::GetAtt":["${id}","Arn"]`);
    }
    expect(policy).toContain('dynamodb:PutItem');
    expect(policy).toContain('logs:PutLogEvents');
  });

  test('log retention defaults to one month and can be set', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    synth(mixed, logs.RetentionDays.ONE_WEEK).template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('exposes one target construct per configured target', () => {
    expect(Object.keys(autoscaler.targets).sort()).toEqual(['api', 'web']);
  });
});

describe('Autoscaler scales with targets in alarms only', () => {
  test.each([1, 20])('%i targets: one rule, one function, one schedule, one log group; one set-capacity runbook and its task function', (n) => {
    const targets = Array.from({ length: n }, (_, i) => (i % 2 ? ecs(`t${i}`) : asg(`t${i}`, { targetGroup: TG })));
    const cfg = config({ targets });
    const { template, autoscaler } = synth(cfg);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    // The capacity function's, the task function's, the set-capacity state machine's.
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    template.resourceCountIs('AWS::CloudWatch::Alarm', allAlarms(cfg).length + Object.keys(autoscaler.selfAlarms.alarms).length);
    expect(Object.keys(autoscaler.functions)).toEqual(['capacity']);
    expect(Object.keys(autoscaler.rules)).toEqual(['capacity']);
  });
});

describe('Autoscaler validation', () => {
  test('an invalid config passed to the construct fails with the same ConfigError lines as the CLI', () => {
    const stack = new Stack(testApp(), 'Test');
    const bad = { ...mixed, targets: [{ ...mixed.targets[0], minCapacity: 5, maxCapacity: 3, bogus: 1 }] } as unknown as AutoscalerConfig;
    let error: unknown;
    try {
      new Autoscaler(stack, 'Autoscaler', { config: bad });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(
      expect.arrayContaining(['targets[0].bogus: unknown key', 'targets[0].maxCapacity: 3 is below minCapacity 5']),
    );
  });
});
