/**
 * R28: a target in another region or account than the stack. The config names most resources by name
 * alone (they are the stack's); SQS queue URLs carry their region and account. When the stack's
 * environment is known, `cdk synth` refuses a queue (or dead-letter queue) elsewhere, naming the
 * target's path, the queue's region/account and the stack's. When it is not (an environment-agnostic
 * stack), the queue family talks to each queue through a client of the queue's own region, one per
 * region, built once: the real queue handler on the simulator's in-memory SQS, ECS and Auto Scaling,
 * state on dynalite; and the real SDK client, whose signed request is read at its HTTP handler.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

/** What the SDK hands its HTTP handler, as far as read here. */
interface HttpRequest {
  readonly hostname: string;
  readonly headers: Record<string, string>;
}

import type { SendClient } from '../../lambdas/adapters/types';
import { createQueueHandler, deployedSqs, sqsByQueueRegion } from '../../lambdas/scalers/queue/handler';
import type { QueueResult } from '../../lambdas/scalers/queue/service';
import { parseConfig } from '../../lambdas/shared/config';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import { FakeAutoScaling, FakeEcs } from '../../sim/cloud/capacity';
import { CallLog } from '../../sim/cloud/recorder';
import { FakeSqs } from '../../sim/cloud/sqs';
import { configFile, STACK_TRACE, synth } from './config-entries';
import { Clock, Fleet, lambdaContext, scheduleEvent, T0, useDynalite } from './support';

const ACCOUNT = '123456789012';
const url = (region: string, name: string, account = ACCOUNT) => `https://sqs.${region}.amazonaws.com/${account}/${name}`;

function workers(id: string, queueUrl: string, extra: Record<string, unknown> = {}) {
  return { kind: 'queue-workers', id, queueUrl, workers: { kind: 'ecs-service', cluster: 'celery', service: id }, messagesPerSecondPerWorker: 1, ...extra };
}

describe('R28 with the stack in eu-west-1, account 123456789012', () => {
  const env = { region: 'eu-west-1', account: ACCOUNT };

  test.each([
    [
      'a queue in another region',
      workers('reports', url('us-east-1', 'reports')),
      'targets[1].queueUrl: the queue of target "reports" is in region us-east-1 (the stack\'s: eu-west-1); a target must be in the stack\'s region and account (deploy one stack per region and account)',
    ],
    [
      'a queue in another account',
      workers('reports', url('eu-west-1', 'reports', '210987654321')),
      'targets[1].queueUrl: the queue of target "reports" is in account 210987654321 (the stack\'s: 123456789012); a target must be in the stack\'s region and account (deploy one stack per region and account)',
    ],
    [
      'a queue in both another region and another account (the legacy URL host)',
      workers('reports', `https://ap-southeast-2.queue.amazonaws.com/210987654321/reports`),
      "targets[1].queueUrl: the queue of target \"reports\" is in region ap-southeast-2 (the stack's: eu-west-1) and account 210987654321 (the stack's: 123456789012); a target must be in the stack's region and account (deploy one stack per region and account)",
    ],
    [
      'a dead-letter queue in another region',
      workers('reports', url('eu-west-1', 'reports'), { deadLetterQueueUrl: url('us-west-2', 'reports-dlq') }),
      'targets[1].deadLetterQueueUrl: the dead-letter queue of target "reports" is in region us-west-2 (the stack\'s: eu-west-1); a target must be in the stack\'s region and account (deploy one stack per region and account)',
    ],
  ])("%s: synth fails naming the target path, its region/account and the stack's", (_name, target, line) => {
    const file = configFile({ prefix: 'shop', targets: [workers('default', url('eu-west-1', 'default')), target] });
    const res = synth(file, env);
    expect([res.code, res.escaped, res.built]).toEqual([1, undefined, undefined]);
    expect(res.stderr.split('\n')).toEqual([`${file}: invalid autoscaler config:`, `  ${line}`, '']);
    expect(res.stderr).not.toMatch(STACK_TRACE);
  });

  test("queues of the stack's region and account synthesize", () => {
    const file = configFile({
      prefix: 'shop',
      targets: [workers('default', url('eu-west-1', 'default'), { deadLetterQueueUrl: url('eu-west-1', 'default-dlq') })],
    });
    const res = synth(file, env);
    expect([res.code, res.escaped, res.stderr]).toEqual([0, undefined, '']);
    expect(res.built?.stack.region).toBe('eu-west-1');
  });

  test('only what is known is checked: a stack with a known region and no account refuses the region only', () => {
    const file = configFile({
      prefix: 'shop',
      targets: [workers('reports', url('eu-west-1', 'reports', '210987654321')), workers('other', url('us-east-1', 'other', '210987654321'))],
    });
    const res = synth(file, { region: 'eu-west-1' });
    expect(res.code).toBe(1);
    expect(res.stderr.split('\n').slice(1, -1)).toEqual([
      expect.stringMatching(/^ {2}targets\[1\]\.queueUrl: the queue of target "other" is in region us-east-1 \(the stack's: eu-west-1\); /),
    ]);
  });
});

test('R28 an environment-agnostic stack (region and account are tokens) synthesizes queues of any region', () => {
  const file = configFile({
    prefix: 'shop',
    targets: [workers('default', url('eu-west-1', 'default')), workers('reports', url('ap-southeast-2', 'reports', '210987654321'))],
  });
  const res = synth(file);
  expect([res.code, res.escaped, res.stderr]).toEqual([0, undefined, '']);
});

// ---- environment-agnostic: a client per queue region ----

const db = useDynalite();

test("R28 the queue family reads each queue through a client of the queue's own region, one per region, built once", async () => {
  const clock = new Clock(T0);
  const log = new CallLog(() => clock.now);
  const regions: Record<string, { queues: Map<string, () => { visible: number; notVisible: number; ageOfOldest: number }>; log: CallLog }> = {};
  const queue = (region: string, name: string, visible: number) => {
    regions[region] ??= { queues: new Map(), log: new CallLog(() => clock.now) };
    regions[region].queues.set(url(region, name), () => ({ visible, notVisible: 0, ageOfOldest: visible ? 60 : 0 }));
    return url(region, name);
  };
  const config = parseConfig({
    prefix: 'shop',
    targets: [
      workers('default', queue('eu-west-1', 'default', 1200)),
      workers('reports', queue('ap-southeast-2', 'reports', 3000)),
      workers('mail', queue('eu-west-1', 'mail', 0)),
    ],
  });
  const built: string[] = [];
  const sqs = sqsByQueueRegion((region) => {
    built.push(String(region));
    const r = regions[String(region)];
    if (!r) throw new Error(`no SQS client for region ${String(region)}`);
    return new FakeSqs(r.queues, r.log);
  });
  const fleets = { default: new Fleet(clock, 1, 60), reports: new Fleet(clock, 1, 60), mail: new Fleet(clock, 0, 60) };
  const ecs = new FakeEcs(
    Object.entries(fleets).map(([service, backend]) => ({ cluster: 'celery', service, backend })),
    log,
  );
  const handler = createQueueHandler({
    config,
    store: new DynamoStateStore({ tableName: await db().stateTable(), client: db().doc }),
    sqs,
    cloudWatch: { send: () => Promise.reject(new Error('a queue-workers target reads no CloudWatch')) },
    ecs,
    autoScaling: new FakeAutoScaling([], log),
    now: () => clock.now,
    sleep: async () => undefined,
  });

  for (let poll = 1; poll <= 3; poll++) {
    clock.advance(60);
    const res = (await handler(scheduleEvent(clock.now, 'queue'), lambdaContext(`poll-${poll}`))) as QueueResult;
    expect(res.targets.map((t) => t.outcome)).not.toContain('error');
  }
  // One client per region, built on first use and kept for every later call.
  expect(built.sort()).toEqual(['ap-southeast-2', 'eu-west-1']);
  // Each region's SQS saw its own queues only, every poll.
  const read = (region: string) => regions[region].log.of('sqs', 'GetQueueAttributesCommand').map((c) => (c.input as { QueueUrl: string }).QueueUrl);
  expect(new Set(read('eu-west-1'))).toEqual(new Set([url('eu-west-1', 'default'), url('eu-west-1', 'mail')]));
  expect(new Set(read('ap-southeast-2'))).toEqual(new Set([url('ap-southeast-2', 'reports')]));
  expect(read('eu-west-1')).toHaveLength(6);
  expect(read('ap-southeast-2')).toHaveLength(3);
  // And the backlog read there drove the decisions.
  expect(fleets.reports.desired).toBeGreaterThan(1);
  expect(fleets.default.desired).toBeGreaterThan(1);
});

/** The real SDK client, stopped at its HTTP handler: the request as it would leave, signed. */
function capture() {
  const requests: HttpRequest[] = [];
  const requestHandler = {
    handle: async (request: HttpRequest) => {
      requests.push(request);
      return {
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Buffer.from(JSON.stringify({ Attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' } })),
        },
      };
    },
  };
  return { requests, requestHandler, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } };
}

const scope = (r: HttpRequest) => /Credential=[^/]+\/\d{8}\/([^/]+)\/sqs\/aws4_request/.exec(String(r.headers.authorization))?.[1];
const read = (client: SendClient, queueUrl: string) =>
  client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));

test("R28 the deployed SQS clients sign each call for the queue's region and send it there", async () => {
  const { requests, requestHandler, credentials } = capture();
  const sqs = deployedSqs({ region: 'us-east-1', requestHandler, credentials, logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
  await read(sqs, url('eu-west-1', 'default'));
  await read(sqs, url('ap-southeast-2', 'reports'));
  await read(sqs, 'https://us-west-2.queue.amazonaws.com/123456789012/legacy');
  expect(requests.map((r) => [r.hostname, scope(r)])).toEqual([
    ['sqs.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['sqs.ap-southeast-2.amazonaws.com', 'ap-southeast-2'],
    ['us-west-2.queue.amazonaws.com', 'us-west-2'], // the SDK sends to the URL's own host
  ]);
});

test("R28 why: one client of the function's region sends to the queue's host but signs for its own region", async () => {
  const { requests, requestHandler, credentials } = capture();
  const one = new SQSClient({ region: 'us-east-1', requestHandler, credentials, logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
  await read(one, url('eu-west-1', 'default'));
  expect([requests[0].hostname, scope(requests[0])]).toEqual(['sqs.eu-west-1.amazonaws.com', 'us-east-1']); // refused by SQS: wrong credential scope
});
