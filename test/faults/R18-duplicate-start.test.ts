/**
 * R18: the same runbook started twice under the same deterministic name. The database family's real
 * handler starts the rds-replicas state machine; the first invocation crashes after StartExecution
 * succeeded (the state table write fails), Lambda retries the event, and the retry asks for the same
 * execution again. Step Functions (answered at the SDK boundary, keeping its executions) refuses the
 * second StartExecution with ExecutionAlreadyExists: one execution exists, and the retry reports the
 * start as a success (a duplicate), not as an error. RDS is the runbooks' fake (test/runbooks/fake-aws.ts).
 */

import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { createDatabaseHandler } from '../../lambdas/scalers/database/handler';
import type { DatabaseResult } from '../../lambdas/scalers/database/service';
import { parseConfig } from '../../lambdas/shared/config';
import { MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import type { StateStore } from '../../lambdas/state/store';
import rdsAlarm from '../fixtures/cloudwatch-alarm-state-change-rds.json';
import { awsError, FakeRds } from '../runbooks/fake-aws';
import { RDS_REPLICAS } from '../runbooks/fixtures';
import { Clock, type Harness, invokeAsync, lambdaContext, useDynalite } from './support';

const db = useDynalite();
const REPLICAS_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:shop-rds-replicas';
const EVENT_TIME = Date.parse(rdsAlarm.time);

/** Step Functions' executions by state machine and name: a name is used once (ExecutionAlreadyExists). */
class FakeStepFunctions {
  readonly client = new SFNClient({ region: 'eu-west-1' });
  readonly mock = mockClient(this.client);
  readonly executions = new Map<string, { stateMachineArn: string; name: string; input: string }>();
  constructor() {
    this.mock.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string; input: string }) => {
      const key = `${input.stateMachineArn}:${input.name}`;
      if (this.executions.has(key)) throw awsError('ExecutionAlreadyExists', `Execution Already Exists: '${key}'`);
      this.executions.set(key, input);
      return { executionArn: key.replace(':stateMachine:', ':execution:'), startDate: new Date(EVENT_TIME) };
    });
  }
  starts() {
    return this.mock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
  }
}

/** CloudWatch: the source's CPU at 91% (everything else 50), the CPU alarm in ALARM. */
function cloudWatch(): CloudWatchClient {
  const client = new CloudWatchClient({ region: 'eu-west-1' });
  const cw = mockClient(client);
  cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: { Id: string }[] }) => ({
    MetricDataResults: input.MetricDataQueries.map((q) => ({
      Id: q.Id,
      Timestamps: [1, 2, 3].map((i) => new Date(EVENT_TIME - i * 60_000)),
      Values: [1, 2, 3].map(() => (q.Id === 'cpu' ? 91 : 50)),
    })),
  }));
  cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'shop/orders-db/cpu/high', StateValue: 'ALARM' }] });
  return client;
}

/** The state store, whose first `failures` target writes fail (the function crashed after acting). */
function crashingOnSave(store: StateStore, failures: number): StateStore {
  let left = failures;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'saveTarget') {
        return async (...args: Parameters<StateStore['saveTarget']>) => {
          if (left-- > 0) throw new Error('Lambda runtime exited: Runtime.ExitError');
          return target.saveTarget(...args);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

test('R18 the same state machine started twice with the same name: one execution, the second treated as success', async () => {
  const rds = new FakeRds();
  rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge' });
  rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: { [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: 'orders-db' } });
  const sfn = new FakeStepFunctions();
  const clock = new Clock(EVENT_TIME + 15_000);
  const durable = new DynamoStateStore({ tableName: await db().stateTable(), client: db().doc });
  const handle = createDatabaseHandler({
    config: parseConfig({ prefix: 'shop', targets: [RDS_REPLICAS] }),
    store: crashingOnSave(durable, 1),
    rds: rds.client,
    elastiCache: new ElastiCacheClient({ region: 'eu-west-1' }),
    cloudWatch: cloudWatch(),
    stepFunctions: sfn.client,
    runbooks: { 'rds-replicas': REPLICAS_ARN },
    now: () => clock.now,
  });
  let invocations = 0;
  const results: DatabaseResult[] = [];
  // Lambda's asynchronous invocation (support.ts) drives the database handler the way it drives the capacity one.
  const h = {
    clock,
    handler: (async (event: unknown) => void results.push(await handle(event, lambdaContext(`req-${++invocations}`)))) as unknown as Harness['handler'],
  };
  const deadLetters: unknown[] = [];

  const { attempts, errors } = await invokeAsync(h, rdsAlarm, 2, deadLetters);

  // the first attempt started the runbook and then crashed; the retry (a minute later, the same 20-minute window) succeeded
  expect(attempts).toBe(2);
  expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/Runtime.ExitError/)]);
  expect(deadLetters).toEqual([]);
  const window = Math.floor((EVENT_TIME + 15_000) / 1000 / 1200);
  const name = `orders-db-add-2-${window}`;
  expect(sfn.starts().map((s) => [s.stateMachineArn, s.name])).toEqual([
    [REPLICAS_ARN, name],
    [REPLICAS_ARN, name],
  ]);
  // one execution, with the first start's input
  expect([...sfn.executions.values()]).toEqual([{ stateMachineArn: REPLICAS_ARN, name, input: sfn.starts()[0].input }]);
  expect(JSON.parse(sfn.starts()[0].input!)).toMatchObject({ targetId: 'orders-db', desiredReplicas: 2 });
  // the second start is reported as success: applied, a duplicate of the one already running
  expect(results).toHaveLength(1);
  expect(results[0].targets).toEqual([
    expect.objectContaining({
      targetId: 'orders-db',
      outcome: 'applied',
      execution: { name, status: 'duplicate' },
      reason: expect.stringMatching(/already started/),
    }),
  ]);
  const audit = await durable.listAudit('orders-db', 0, Number.MAX_SAFE_INTEGER);
  expect(audit.map((e) => e.outcome)).toEqual(['applied']);
  expect((await durable.getTarget('orders-db'))?.lastActionAt).toBe(clock.now);

  // a later delivery of the same event changes nothing: the recorded result, no third start
  h.clock.advance(60);
  await h.handler(structuredClone(rdsAlarm));
  expect(results[1]).toEqual(results[0]);
  expect(sfn.starts()).toHaveLength(2);
  expect(sfn.executions.size).toBe(1);
});
