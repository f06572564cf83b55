/**
 * R11: malformed and foreign events are rejected before any AWS call (DynamoDB included), and
 * Lambda's asynchronous invocation ends with them in the dead-letter queue. The asynchronous path is
 * the synthesized template's: every function that a rule, a schedule or an EventInvokeConfig invokes
 * asynchronously is found there, and its handler is driven through `LambdaAsync` configured from that
 * function's own MaximumRetryAttempts, on-failure destination and DeadLetterConfig. Removing the
 * destination or a retry setting from the construct, or adding a second way to the queue, turns a
 * case red.
 */
import type { Context } from 'aws-lambda';
import type { SendClient } from '../../lambdas/adapters/types';
import { createCdnHandler } from '../../lambdas/scalers/cdn/handler';
import { createDatabaseHandler } from '../../lambdas/scalers/database/handler';
import { createQueueHandler } from '../../lambdas/scalers/queue/handler';
import type { Family } from '../../lambdas/shared/alarms';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { RejectedEventError } from '../../lambdas/shared/errors';
import { logger } from '../../lambdas/shared/powertools';
import { MemoryInvalidationStore } from '../../lambdas/state/invalidations';
import { MemoryStateStore } from '../../lambdas/state/memory';
import { ASYNC_RETRY_ATTEMPTS } from '../../lib/shared/function';
import alarmFixture from '../fixtures/cloudwatch-alarm-state-change.json';
import codePipeline from '../fixtures/codepipeline-execution-state-change.json';
import ecsDeployment from '../fixtures/ecs-deployment-state-change.json';
import s3Object from '../fixtures/s3-object-created.json';
import scheduleFixture from '../fixtures/scheduler-reevaluate.json';
import { EXAMPLE_CONFIG } from '../lib/helpers';
import { asyncInvokeConfigs, Clock, type InvocationRecord, LambdaAsync, lambdaContext, synthesize, useDynalite, withHarness } from './support';

const db = useDynalite();

const config = loadConfigFile(EXAMPLE_CONFIG);
const { stack, autoscaler, template } = synthesize(config);
const wiring = asyncInvokeConfigs(template.toJSON().Resources);
const dlqId = stack.getLogicalId(autoscaler.deadLetterQueue.node.defaultChild as never);
const FAMILIES = Object.entries(autoscaler.functions).map(([family, fn]) => ({
  family: family as Family,
  id: stack.getLogicalId(fn!.node.defaultChild as never),
}));

/** The asynchronous settings of the family's function, read from the template. */
function asyncConfigOf(family: Family) {
  const id = FAMILIES.find((f) => f.family === family)!.id;
  const c = wiring.get(id);
  if (!c) throw new Error(`nothing invokes the ${family} function (${id}) asynchronously`);
  return c;
}

const MALFORMED: Record<string, unknown> = {
  'not an object': 'hello',
  null: null,
  'an empty object': {},
  'an array of events': [alarmFixture],
  'alarm name not a string': { ...alarmFixture, detail: { ...alarmFixture.detail, alarmName: 42 } },
  'alarm name empty': { ...alarmFixture, detail: { ...alarmFixture.detail, alarmName: '' } },
  'unknown alarm state': { ...alarmFixture, detail: { ...alarmFixture.detail, state: { ...alarmFixture.detail.state, value: 'BROKEN' } } },
  'no detail': { ...alarmFixture, detail: undefined },
  'time not a date': { ...alarmFixture, time: 'yesterday' },
  'wrong source': { ...alarmFixture, source: 'evil.source' },
  'ECS deployment event (cdn family)': ecsDeployment,
  'CodePipeline event (cdn family)': codePipeline,
  'S3 object event (cdn family)': s3Object,
  'schedule with an extra field': { ...scheduleFixture, extra: true },
  'schedule with a bad time': { ...scheduleFixture, scheduledTime: 'soon' },
  'schedule with another action': { ...scheduleFixture, action: 'delete-everything' },
};

/** Malformed for every family's function, whatever events it takes. */
const MALFORMED_FOR_ALL = [
  'not an object',
  'null',
  'an empty object',
  'an array of events',
  'wrong source',
  'schedule with another action',
  'schedule with a bad time',
];

/** What the dead-letter queue holds after `event` failed every attempt: one record, of this event, with the rejection. */
function expectOneDeadLetter(lambda: LambdaAsync, event: unknown) {
  expect(lambda.config.onFailure).toBe(dlqId);
  expect(lambda.allMessages()).toHaveLength(1);
  const [record] = lambda.messages(dlqId) as InvocationRecord[];
  expect(record).toMatchObject({
    requestPayload: event,
    requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: lambda.config.maximumRetryAttempts + 1 },
    responsePayload: { errorType: 'RejectedEventError', errorMessage: expect.stringMatching(/^event rejected: /) },
  });
}

/** Retries after a failed attempt, as the construct sets them (Lambda's default would be 2 as well, set or not). */
const RETRIES = 2;

test('R11 the template: every family function is invoked asynchronously, its retries and event age set (not left to defaults), and nothing else is', () => {
  expect(FAMILIES.map((f) => f.family).sort()).toEqual(['capacity', 'cdn', 'database', 'queue']);
  expect([...wiring.keys()].sort()).toEqual(FAMILIES.map((f) => f.id).sort());
  expect(ASYNC_RETRY_ATTEMPTS).toBe(RETRIES);
  for (const { family } of FAMILIES) {
    const c = asyncConfigOf(family);
    // a rule or a schedule, and its EventInvokeConfig
    expect(c.invokedBy.length).toBeGreaterThanOrEqual(2);
    expect(c).toMatchObject({ explicit: true, maximumRetryAttempts: RETRIES, maximumEventAgeSeconds: 900, onFailure: dlqId });
  }
});

for (const [name, event] of Object.entries(MALFORMED)) {
  test(`R11 malformed event (${name}): the capacity function rejects it with no AWS call, and after Lambda's retries it is in the dead-letter queue once`, async () => {
    await withHarness({ db: db(), faults: { dynamo: {} } }, async (h) => {
      const error = jest.spyOn(logger, 'error');
      const lambda = new LambdaAsync(asyncConfigOf('capacity'), { handler: (e) => h.handler(e), clock: h.clock });
      const run = await lambda.invoke(event);
      expect(run.attempts).toBe(RETRIES + 1);
      expect(run.errors.every((e) => e instanceof RejectedEventError)).toBe(true);
      expectOneDeadLetter(lambda, event);
      expect(h.calls.calls).toHaveLength(0);
      expect(h.clients.dynamo!.faults.attempted).toHaveLength(0);
      expect(error).toHaveBeenCalledWith('malformed or foreign event rejected', expect.objectContaining({ why: expect.any(String) }));
      error.mockRestore();
    });
  });
}

/** Clients and stores that record every use: a malformed event must use none. */
function recorder() {
  const used: string[] = [];
  const client = (service: string): SendClient => ({
    send: async (command: { constructor: { name: string } }) => {
      used.push(`${service}:${command.constructor.name}`);
      throw new Error(`${service} must not be called`);
    },
  });
  const spy = <T extends object>(what: string, target: T): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const v = Reflect.get(t, prop, receiver);
        return typeof v === 'function'
          ? (...args: unknown[]) => {
              used.push(`${what}.${String(prop)}`);
              return v.apply(t, args);
            }
          : v;
      },
    });
  return { used, client, store: spy('store', new MemoryStateStore()), batches: spy('batches', new MemoryInvalidationStore()) };
}

/** The family's real handler over recording clients and in-memory stores. */
function familyHandler(
  family: Exclude<Family, 'capacity'>,
  r: ReturnType<typeof recorder>,
  clock: Clock,
): (event: unknown, context: Context) => Promise<unknown> {
  const common = { config, store: r.store, now: () => clock.now, sleep: async () => undefined };
  switch (family) {
    case 'queue':
      return createQueueHandler({
        ...common,
        sqs: r.client('sqs'),
        cloudWatch: r.client('cloudwatch'),
        autoScaling: r.client('autoscaling'),
        ecs: r.client('ecs'),
      });
    case 'database':
      return createDatabaseHandler({
        ...common,
        rds: r.client('rds'),
        elastiCache: r.client('elasticache'),
        cloudWatch: r.client('cloudwatch'),
        stepFunctions: r.client('sfn'),
        runbooks: {},
      });
    case 'cdn':
      return createCdnHandler({ ...common, batches: r.batches, cloudFront: r.client('cloudfront') });
  }
}

for (const family of ['queue', 'database', 'cdn'] as const) {
  for (const name of MALFORMED_FOR_ALL) {
    const event = MALFORMED[name];
    test(`R11 malformed event (${name}) to the ${family} function: rejected with no AWS call, in the dead-letter queue once`, async () => {
      const r = recorder();
      const clock = new Clock();
      const handler = familyHandler(family, r, clock);
      let n = 0;
      const lambda = new LambdaAsync(asyncConfigOf(family), { handler: (e) => handler(e, lambdaContext(`req-${++n}`)), clock });
      const run = await lambda.invoke(event);
      expect(run.attempts).toBe(RETRIES + 1);
      expect(run.errors.every((e) => e instanceof RejectedEventError)).toBe(true);
      expectOneDeadLetter(lambda, event);
      expect(r.used).toEqual([]);
    });
  }
}
