/**
 * The daily recommender as synthesized (lib/recommender.ts): a Distributed Map over the targets'
 * indices, in batches, a bounded number at once; started daily by EventBridge Scheduler; least
 * privilege; cdk-nag clean; nothing of it unless enabled.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';
import { parseConfig } from '../../lambdas/shared/config';
import { buildApp } from '../../lib/app';
import {
  MAX_CONCURRENT_BATCHES,
  RECOMMENDER_SCHEDULE,
  RECOMMENDER_STATE_TABLE_ACTIONS,
  REPLAY_SECONDS_PER_TARGET,
  TARGETS_PER_BATCH,
} from '../../lib/recommender';
import { resolveIntrinsics } from '../../sim/cloud/asl';
import { asg, ecs, TG, testApp, validationFindings } from './helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
const QUEUE = (name: string) => `https://sqs.eu-west-1.amazonaws.com/123456789012/${name}`;

function synth(recommendations: unknown, targets: unknown[] = TARGETS) {
  const config = parseConfig({ prefix: 'shop', targets, recommendations });
  const built = buildApp(config, { app: testApp(), env: { account: '123456789012', region: 'eu-west-1' } });
  const template = Template.fromStack(built.stack);
  const resources = template.toJSON().Resources as Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  return { ...built, template, resources, ofType };
}

const TARGETS = [
  asg('web', { targetGroup: { ...TG, requestsPerTarget: 4200 } }),
  ecs('api'), // no target group: its requests are not in CloudWatch, not replayed
  {
    kind: 'queue-workers',
    id: 'celery',
    queueUrl: QUEUE('celery'),
    workers: { kind: 'ecs-service', cluster: 'shop', service: 'celery' },
    messagesPerSecondPerWorker: 2,
  },
];
const enabled = synth({ enabled: true });
const machineId = () => enabled.stack.getLogicalId(enabled.autoscaler.recommender!.stateMachine.node.defaultChild as never);
const definition = () => JSON.parse(resolveIntrinsics(enabled.resources[machineId()].Properties.DefinitionString));

test('shop-recommend: a Standard state machine, traced and logged, of the targets it replays by index, then a Distributed Map over them in batches', () => {
  expect(enabled.resources[machineId()].Properties).toMatchObject({
    StateMachineName: 'shop-recommend',
    StateMachineType: 'STANDARD',
    TracingConfiguration: { Enabled: true },
  });
  const asl = definition();
  expect(asl.StartAt).toBe('Targets');
  // web and celery: api has no target group, so no history to read.
  expect(asl.States.Targets).toMatchObject({ Type: 'Pass', Result: { indices: [0, 1] }, Next: 'Recommend' });
  expect(asl.States.Recommend).toMatchObject({
    Type: 'Map',
    ItemsPath: '$.indices',
    ItemBatcher: { MaxItemsPerBatch: TARGETS_PER_BATCH },
    MaxConcurrency: MAX_CONCURRENT_BATCHES,
    ToleratedFailurePercentage: 100,
    ResultPath: null,
    ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    End: true,
  });
  const fnId = enabled.stack.getLogicalId(enabled.autoscaler.recommender!.function.node.defaultChild as never);
  const task = asl.States.Recommend.ItemProcessor.States.ReplayBatch;
  expect(task).toMatchObject({ Type: 'Task', End: true });
  expect(JSON.stringify(task.Resource)).toContain(fnId);
  expect(task.Retry[0].ErrorEquals).toContain('Lambda.TooManyRequestsException');
});

test('5,000 targets finish within the hour, and their indices stay far below the 256 KiB a state input may hold', () => {
  expect((5000 * REPLAY_SECONDS_PER_TARGET) / MAX_CONCURRENT_BATCHES).toBeLessThanOrEqual(3600);
  expect(TARGETS_PER_BATCH * REPLAY_SECONDS_PER_TARGET).toBeLessThanOrEqual(900 / 2);
  expect(JSON.stringify({ indices: Array.from({ length: 5000 }, (_, i) => i) }).length).toBeLessThan(262_144 / 8);
});

test('one function: a full vCPU, 15 minutes; its role reads metrics and puts items in the state table, nothing else but logs and tracing', () => {
  const fn = enabled.autoscaler.recommender!.function;
  const fnProps = enabled.resources[enabled.stack.getLogicalId(fn.node.defaultChild as never)].Properties;
  expect(fnProps).toMatchObject({ MemorySize: 1769, Timeout: 900 });
  const roleId = enabled.stack.getLogicalId(fn.role!.node.defaultChild as never);
  const statements = enabled
    .ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
  expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(
    [
      ...RECOMMENDER_STATE_TABLE_ACTIONS,
      'cloudwatch:GetMetricData',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ].sort(),
  );
  const tableId = enabled.stack.getLogicalId(enabled.autoscaler.stateTable.node.defaultChild as never);
  expect(JSON.stringify(statements.find((s) => [s.Action].flat().includes('dynamodb:PutItem'))!.Resource)).toContain(tableId);
});

test('EventBridge Scheduler starts it daily; its role may start this state machine and reach the dead-letter queue, nothing else', () => {
  const schedule = enabled.ofType('AWS::Scheduler::Schedule').find(([, s]) => s.Properties.ScheduleExpression === RECOMMENDER_SCHEDULE);
  expect(schedule).toBeDefined();
  const target = schedule![1].Properties.Target;
  expect(JSON.stringify(target.Arn)).toContain(machineId());
  const roleId = target.RoleArn['Fn::GetAtt'][0];
  const statements = enabled
    .ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string }[]);
  expect(statements.map((s) => s.Action).sort()).toEqual(['sqs:SendMessage', 'states:StartExecution']);
});

test("the function's errors and the state machine's failed runs are self-alarms", () => {
  const names = enabled.ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
  expect(names).toEqual(expect.arrayContaining(['shop-self/function/recommender/errors', 'shop-self/function/recommender/throttles']));
  expect(names.some((n: string) => n.startsWith('shop-self/') && n.includes('recommend') && !n.includes('function'))).toBe(true);
});

test('the definition runs: every target index reaches the function, and the results stay out of the output (aws-local-stepfunctions)', async () => {
  const seen: unknown[] = [];
  const machine = new StateMachine(definition(), { validationOptions: { checkPaths: true, checkArn: false } });
  const fnArn = JSON.stringify(definition().States.Recommend.ItemProcessor.States.ReplayBatch.Resource).replace(/"/g, '');
  const run = machine.run(
    {},
    {
      overrides: {
        taskResourceLocalHandlers: {
          ReplayBatch: async (input: unknown) => {
            seen.push(input);
            return { recommended: [], failed: [] };
          },
        },
      },
    },
  );
  expect(fnArn).not.toBe('');
  // The Map's results are discarded (ResultPath null): the run's output is its input, however many targets.
  expect(await run.result).toEqual({ indices: [0, 1] });
  // aws-local-stepfunctions 3 runs a Distributed Map as a Map: each item alone, its ItemBatcher not applied (in
  // AWS the function gets { Items: [0, 1] }; the ItemBatcher is asserted in the definition above).
  expect(seen).toEqual([0, 1]);
});

test('cdk-nag (AwsSolutions) and CloudFormation validation report nothing unacknowledged', () => {
  const { app } = synth({ enabled: true });
  expect(validationFindings(app)).toEqual([]);
});

test('not asked for, nothing of it is deployed', () => {
  const { autoscaler, ofType } = synth(undefined);
  expect(autoscaler.recommender).toBeUndefined();
  expect(ofType('AWS::StepFunctions::StateMachine').filter(([, m]) => m.Properties.StateMachineName === 'shop-recommend')).toEqual([]);
});

test('enabled with no target it can replay is refused, naming what it replays', () => {
  expect(() => synth({ enabled: true }, [ecs('api')])).toThrow(
    /recommendations.enabled: no target to replay; the recommender replays queue-workers targets and asg or ecs-service targets with targetGroup.requestsPerTarget/,
  );
});
