/**
 * The cdn handler end to end: real handler code, batches and switches in DynamoDB (dynalite), and
 * CloudFront answered by aws-sdk-client-mock with CloudFront's own rules (a repeated CallerReference
 * with the same paths returns the first invalidation; in-progress invalidations count against the limits).
 */

import { CloudFrontClient, CreateInvalidationCommand, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Notification } from '../../../../lambdas/adapters/sns';
import { createCdnHandler } from '../../../../lambdas/scalers/cdn/handler';
import type { CdnResult } from '../../../../lambdas/scalers/cdn/service';
import { type AutoscalerConfigInput, parseConfig } from '../../../../lambdas/shared/config';
import { RejectedEventError } from '../../../../lambdas/shared/errors';
import { DynamoStateStore } from '../../../../lambdas/state/dynamo';
import { DynamoInvalidationStore } from '../../../../lambdas/state/invalidations-dynamo';
import pipelineFixture from '../../../fixtures/codepipeline-execution-state-change.json';
import ecsFixture from '../../../fixtures/ecs-deployment-state-change.json';
import s3Fixture from '../../../fixtures/s3-object-created.json';
import { useDynalite } from '../../../support/dynalite';

const context = { awsRequestId: 'req-1', functionName: 'cdn', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const T0 = Date.parse('2025-06-01T12:00:00Z'); // the fixtures' window start
const W0 = T0 / 1000;

function cfg(extra: Record<string, unknown> = {}, top: Partial<AutoscalerConfigInput> = {}) {
  return parseConfig({
    prefix: 'shop',
    ...top,
    targets: [
      {
        kind: 'cloudfront',
        id: 'cdn',
        distributionId: 'E2QWRUHAPOMQZL',
        triggers: [
          { ecsDeployment: { cluster: 'django-shop', service: 'django-shop-web' } },
          { codePipeline: { pipeline: 'django-shop-frontend', paths: ['/index.html', '/app/*'] } },
          { s3: { bucket: 'django-shop-static', prefix: 'static/', pathPrefix: '/static/' } },
        ],
        ...extra,
      },
    ],
  });
}

// ---- CloudFront, as it behaves ----
interface FakeInvalidation {
  id: string;
  ref: string;
  paths: string[];
  status: 'InProgress' | 'Completed';
}
const cf = mockClient(CloudFrontClient);
let invalidations: FakeInvalidation[];
let busy: number; // the next N CreateInvalidation calls answer TooManyInvalidationsInProgress
let failWith: string | undefined;

function awsError(name: string, message = name) {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

function cloudFrontBehaves() {
  invalidations = [];
  busy = 0;
  failWith = undefined;
  cf.reset();
  cf.on(CreateInvalidationCommand).callsFake((input) => {
    if (failWith) throw awsError(failWith);
    if (busy > 0) {
      busy--;
      throw awsError(
        'TooManyInvalidationsInProgress',
        'Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations.',
      );
    }
    const batch = input.InvalidationBatch;
    const paths: string[] = batch.Paths.Items;
    expect(batch.Paths.Quantity).toBe(paths.length);
    const same = invalidations.find((i) => i.ref === batch.CallerReference);
    if (same) {
      if (JSON.stringify(same.paths) !== JSON.stringify(paths)) throw awsError('InvalidationBatchAlreadyExists');
      return {
        Invalidation: { Id: same.id, Status: same.status, InvalidationBatch: { CallerReference: same.ref, Paths: { Quantity: paths.length, Items: paths } } },
      };
    }
    const inv: FakeInvalidation = { id: `I${invalidations.length + 1}ABCDEF`, ref: batch.CallerReference, paths, status: 'InProgress' };
    invalidations.push(inv);
    return { Location: `https://cloudfront.amazonaws.com/${inv.id}`, Invalidation: { Id: inv.id, Status: 'InProgress', InvalidationBatch: batch } };
  });
  cf.on(ListInvalidationsCommand).callsFake(() => ({
    InvalidationList: { IsTruncated: false, Quantity: invalidations.length, Items: [...invalidations].reverse().map((i) => ({ Id: i.id, Status: i.status })) },
  }));
  cf.on(GetInvalidationCommand).callsFake((input) => {
    const inv = invalidations.find((i) => i.id === input.Id)!;
    return {
      Invalidation: {
        Id: inv.id,
        Status: inv.status,
        InvalidationBatch: { CallerReference: inv.ref, Paths: { Quantity: inv.paths.length, Items: inv.paths } },
      },
    };
  });
}
const creates = () => cf.commandCalls(CreateInvalidationCommand);

// ---- DynamoDB (dynalite) ----
const local = useDynalite();
let doc: DynamoDBDocumentClient;
beforeAll(() => {
  doc = local().doc;
});
const newTable = () => local().stateTable();

/** A handler over a fresh table, with a clock the test moves. */
async function world(config = cfg()) {
  const tableName = await newTable();
  const clock = { now: T0 + 40_000 };
  const store = new DynamoStateStore({ tableName, client: doc });
  const batches = new DynamoInvalidationStore({ tableName, client: doc });
  const notes: Notification[] = [];
  const notifier = { notify: async (n: Notification) => void notes.push(n) };
  const handler = createCdnHandler({
    config,
    store,
    batches,
    notifier,
    cloudFront: new CloudFrontClient({ region: 'us-east-1' }),
    now: () => clock.now,
    sleep: async () => {},
  });
  const send = (event: unknown) => handler(event, context) as Promise<CdnResult>;
  const tick = (at: number) => {
    clock.now = at;
    return send({ source: 'autoscaler.scheduler', action: 'reevaluate', family: 'cdn', scheduledTime: new Date(at).toISOString(), executionId: `x-${at}` });
  };
  return { send, tick, clock, store, batches, notes };
}

function s3Event(key: string, id: string, time = s3Fixture.time) {
  return { ...s3Fixture, id, time, detail: { ...s3Fixture.detail, object: { ...s3Fixture.detail.object, key } } };
}

beforeEach(() => cloudFrontBehaves());

describe('cdn handler: coalescing', () => {
  test('N deploy events in one window give one invalidation with the merged paths', async () => {
    const w = await world();
    const events = [
      ecsFixture,
      pipelineFixture,
      s3Event('static/css/app.3f2a9c.css', 'e1'),
      s3Event('static/js/main.js', 'e2'),
      s3Event('static/js/main.js', 'e3'),
      ecsFixture, // redelivered
    ];
    for (const e of events) expect((await w.send(e)).status).toBe('recorded');
    expect(creates()).toHaveLength(0); // nothing is sent while the window is open

    const open = await w.tick(T0 + 50_000);
    expect(open.status).toBe('ignored');
    expect(creates()).toHaveLength(0);

    const flushed = await w.tick(T0 + 60_000);
    expect(flushed.batches).toMatchObject([{ outcome: 'sent', windowStart: W0, invalidationId: 'I1ABCDEF' }]);
    expect(creates()).toHaveLength(1);
    // ECS asks for /*, which covers every other path of the window.
    expect(creates()[0].args[0].input).toEqual({
      DistributionId: 'E2QWRUHAPOMQZL',
      InvalidationBatch: { CallerReference: `cdn-${W0}`, Paths: { Quantity: 1, Items: ['/*'] } },
    });
    // The next tick finds nothing left to send.
    expect((await w.tick(T0 + 120_000)).batches).toEqual([]);
    expect(creates()).toHaveLength(1);
    const audit = await w.store.listAudit('cdn', T0, T0 + 600_000);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'applied' });
  });

  test('files of one window are merged, deduplicated and sent together; the next window is a second invalidation', async () => {
    const w = await world();
    await w.send(s3Event('static/css/a.css', 'e1'));
    await w.send(s3Event('static/css/b.css', 'e2'));
    await w.send(pipelineFixture);
    await w.send(s3Event('static/css/a.css', 'e3'));
    w.clock.now = T0 + 70_000;
    await w.send(s3Event('static/img/late.png', 'e4', '2025-06-01T12:01:10Z'));
    await w.tick(T0 + 61_000);
    expect(creates()).toHaveLength(1);
    expect(creates()[0].args[0].input.InvalidationBatch).toEqual({
      CallerReference: `cdn-${W0}`,
      Paths: { Quantity: 4, Items: ['/app/*', '/index.html', '/static/css/a.css', '/static/css/b.css'] },
    });
    await w.tick(T0 + 121_000);
    expect(creates()).toHaveLength(2);
    expect(creates()[1].args[0].input.InvalidationBatch).toEqual({
      CallerReference: `cdn-${W0 + 60}`,
      Paths: { Quantity: 1, Items: ['/static/img/late.png'] },
    });
  });

  test('an event for a window already sent goes into the current window, not lost', async () => {
    const w = await world();
    await w.send(s3Event('static/a.css', 'e1'));
    await w.tick(T0 + 61_000);
    w.clock.now = T0 + 70_000;
    const late = await w.send(s3Event('static/b.css', 'e2')); // event time in the sent window
    expect(late.batches).toMatchObject([{ outcome: 'recorded', windowStart: W0 + 60 }]);
    await w.tick(T0 + 121_000);
    expect(creates().map((c) => c.args[0].input.InvalidationBatch?.Paths?.Items)).toEqual([['/static/a.css'], ['/static/b.css']]);
  });
});

describe('cdn handler: limits and budget', () => {
  test('more files than CloudFront allows in progress are collapsed to directory wildcards', async () => {
    const w = await world();
    invalidations.push({ id: 'OLD', ref: 'old', paths: Array.from({ length: 2990 }, (_, i) => `/old/${i}`), status: 'InProgress' });
    for (let i = 0; i < 12; i++) await w.send(s3Event(`static/css/f${i}.css`, `e${i}`));
    await w.tick(T0 + 60_000);
    expect(creates()).toHaveLength(1);
    expect(creates()[0].args[0].input.InvalidationBatch?.Paths?.Items).toEqual(['/static/css/*']);
  });

  test('with 15 wildcards in progress a wildcard batch waits, and goes out once they complete', async () => {
    const w = await world();
    for (let i = 0; i < 15; i++) invalidations.push({ id: `W${i}`, ref: `w${i}`, paths: [`/w${i}/*`], status: 'InProgress' });
    await w.send(ecsFixture);
    const first = await w.tick(T0 + 60_000);
    expect(first.batches).toMatchObject([{ outcome: 'waiting' }]);
    expect(creates()).toHaveLength(0);
    for (const inv of invalidations) inv.status = 'Completed';
    const second = await w.tick(T0 + 120_000);
    expect(second.batches).toMatchObject([{ outcome: 'sent' }]);
    expect(creates()[0].args[0].input.InvalidationBatch).toEqual({ CallerReference: `cdn-${W0}`, Paths: { Quantity: 1, Items: ['/*'] } });
  });

  test('past the monthly budget the batch is collapsed to one wildcard and flagged', async () => {
    const w = await world(cfg({ monthlyPathBudget: 3 }));
    for (const [i, key] of ['static/css/a.css', 'static/css/b.css', 'static/js/c.js'].entries()) await w.send(s3Event(key, `a${i}`));
    await w.tick(T0 + 60_000); // 3 paths: exactly the budget
    for (const [i, key] of ['static/css/d.css', 'static/js/e.js'].entries()) await w.send(s3Event(key, `b${i}`, '2025-06-01T12:01:30Z'));
    const over = await w.tick(T0 + 120_000);
    expect(creates()).toHaveLength(2);
    expect(creates()[1].args[0].input.InvalidationBatch?.Paths?.Items).toEqual(['/static/*']);
    expect(over.batches[0].reason).toContain('over the monthly budget: 3 of 3');
    expect(w.notes.map((n) => n.subject)).toEqual(['[shop] cdn: invalidated 3 path(s)', '[shop] cdn: invalidated 1 path(s) (monthly path budget exceeded)']);
    expect(w.notes[1].body).toMatchObject({ overBudget: true, monthlyPathBudget: 3, paths: ['/static/*'], distributionId: 'E2QWRUHAPOMQZL' });
  });
});

describe('cdn handler: retries', () => {
  test('a retried flush of the same batch does not invalidate twice', async () => {
    const w = await world();
    await w.send(s3Event('static/a.css', 'e1'));
    await w.tick(T0 + 60_000);
    // The same batch sent again (a flush that crashed after CreateInvalidation, before recording it).
    await w.batches.addPaths('cdn', W0 + 600, ['/x']); // unrelated later batch stays open
    const again = await w.send({
      source: 'autoscaler.scheduler',
      action: 'reevaluate',
      family: 'cdn',
      scheduledTime: new Date(T0 + 60_000).toISOString(),
      executionId: 'retry',
    });
    expect(again.batches).toEqual([]);
    // At CloudFront, a repeated CallerReference with the same paths is the same invalidation.
    const { CloudFrontAdapter } = await import('../../../../lambdas/adapters/cloudfront');
    const adapter = new CloudFrontAdapter(new CloudFrontClient({ region: 'us-east-1' }));
    const repeat = await adapter.createInvalidation('E2QWRUHAPOMQZL', `cdn-${W0}`, ['/static/a.css']);
    expect(repeat.id).toBe('I1ABCDEF');
    expect(invalidations).toHaveLength(1);
  });

  test('a flush that crashed after sending resends the frozen paths with the same CallerReference: still one invalidation', async () => {
    const w = await world();
    await w.send(s3Event('static/a.css', 'e1'));
    await w.send(s3Event('static/b.css', 'e2'));
    // A first tick planned and sent, then died before recording the batch as done.
    await w.batches.plan('cdn', W0, ['/static/a.css', '/static/b.css']);
    const { CloudFrontAdapter } = await import('../../../../lambdas/adapters/cloudfront');
    await new CloudFrontAdapter(new CloudFrontClient({ region: 'us-east-1' })).createInvalidation('E2QWRUHAPOMQZL', `cdn-${W0}`, [
      '/static/a.css',
      '/static/b.css',
    ]);
    const result = await w.tick(T0 + 120_000);
    expect(result.batches).toMatchObject([{ outcome: 'sent', invalidationId: 'I1ABCDEF' }]);
    expect(creates()).toHaveLength(2);
    expect(invalidations).toHaveLength(1);
  });

  test('TooManyInvalidationsInProgress keeps the batch, and the next tick sends the same paths', async () => {
    const w = await world();
    await w.send(s3Event('static/a.css', 'e1'));
    busy = 1;
    const first = await w.tick(T0 + 60_000);
    expect(first.batches).toMatchObject([{ outcome: 'waiting' }]);
    expect(first.batches[0].reason).toContain('TooManyInvalidationsInProgress');
    const [open] = await w.batches.openBatches('cdn', W0);
    expect(open).toMatchObject({ attempts: 1, planned: ['/static/a.css'] });
    // A path recorded after the plan does not change what the retry sends (same CallerReference, same paths).
    w.clock.now = T0 + 70_000;
    await w.send(s3Event('static/z.css', 'e2', '2025-06-01T12:00:30Z'));
    const second = await w.tick(T0 + 120_000);
    expect(second.batches.find((b) => b.windowStart === W0)).toMatchObject({ outcome: 'sent' });
    const refs = creates().map((c) => [c.args[0].input.InvalidationBatch?.CallerReference, c.args[0].input.InvalidationBatch?.Paths?.Items]);
    // The late path went to the next window, sent as its own invalidation once that window closed.
    expect(refs).toEqual([
      [`cdn-${W0}`, ['/static/a.css']],
      [`cdn-${W0}`, ['/static/a.css']],
      [`cdn-${W0 + 60}`, ['/static/z.css']],
    ]);
    expect(invalidations).toHaveLength(2);
  });

  test('NoSuchDistribution is recorded as failed and not retried', async () => {
    const w = await world();
    await w.send(s3Event('static/a.css', 'e1'));
    failWith = 'NoSuchDistribution';
    const result = await w.tick(T0 + 60_000);
    expect(result.batches).toMatchObject([{ outcome: 'failed' }]);
    await w.tick(T0 + 120_000);
    expect(creates()).toHaveLength(1);
    const [entry] = await w.store.listAudit('cdn', T0, T0 + 600_000);
    expect(entry).toMatchObject({ outcome: 'failed' });
    expect(entry.reason).toContain('NoSuchDistribution');
    expect(w.notes.map((n) => n.subject)).toEqual(['[shop] cdn: invalidation FAILED']);
  });
});

describe('cdn handler: notifications', () => {
  test('a notification that cannot be published does not undo or repeat the invalidation', async () => {
    const tableName = await newTable();
    const batches = new DynamoInvalidationStore({ tableName, client: doc });
    const handler = createCdnHandler({
      config: cfg(),
      store: new DynamoStateStore({ tableName, client: doc }),
      batches,
      notifier: { notify: async () => Promise.reject(new Error('SNS is down')) },
      cloudFront: new CloudFrontClient({ region: 'us-east-1' }),
      now: () => T0 + 61_000,
      sleep: async () => {},
    });
    await handler(s3Event('static/a.css', 'e1'), context);
    const result = (await handler(
      { source: 'autoscaler.scheduler', action: 'reevaluate', family: 'cdn', scheduledTime: '2025-06-01T12:01:01Z', executionId: 'n' },
      context,
    )) as CdnResult;
    expect(result.batches).toMatchObject([{ outcome: 'sent' }]);
    expect(await batches.openBatches('cdn', W0 + 3600)).toEqual([]);
    expect(creates()).toHaveLength(1);
  });
});

describe('cdn handler: switches and bad input', () => {
  test('dry-run records the plan and sends nothing', async () => {
    const w = await world(cfg({ dryRun: true }));
    await w.send(ecsFixture);
    const result = await w.tick(T0 + 60_000);
    expect(result.batches).toMatchObject([{ outcome: 'dry-run', paths: ['/*'] }]);
    expect(cf.calls()).toHaveLength(0);
  });

  test('a paused target keeps its batch until resumed', async () => {
    const w = await world();
    await w.send(ecsFixture);
    await w.store.setSwitch('cdn', 'paused', true);
    expect((await w.tick(T0 + 60_000)).batches).toMatchObject([{ outcome: 'paused' }]);
    await w.store.setSwitch('cdn', 'paused', false);
    expect((await w.tick(T0 + 120_000)).batches).toMatchObject([{ outcome: 'sent' }]);
    expect(creates()).toHaveLength(1);
  });

  test('malformed events are rejected before any AWS call', async () => {
    const w = await world();
    await expect(w.send({ ...ecsFixture, detail: { eventType: 'INFO' } })).rejects.toThrow(RejectedEventError);
    await expect(w.send({ hello: 'world' })).rejects.toThrow(/event rejected/);
    await expect(w.send({ ...s3Fixture, detail: { bucket: { name: 'x' } } })).rejects.toThrow(RejectedEventError);
    expect(cf.calls()).toHaveLength(0);
    expect(await w.batches.openBatches('cdn', W0 + 3600)).toEqual([]);
  });

  test('foreign events (other service, pipeline failed, other bucket, key outside the prefix) record nothing', async () => {
    const w = await world();
    const foreign = [
      { ...ecsFixture, resources: ['arn:aws:ecs:eu-west-1:111122223333:service/django-shop/other'] },
      { ...ecsFixture, detail: { ...ecsFixture.detail, eventName: 'SERVICE_DEPLOYMENT_FAILED' } },
      { ...pipelineFixture, detail: { ...pipelineFixture.detail, state: 'FAILED' } },
      { ...s3Fixture, detail: { ...s3Fixture.detail, bucket: { name: 'someone-else' } } },
      s3Event('private/secret.txt', 'p1'),
    ];
    for (const e of foreign) expect((await w.send(e)).status).toBe('rejected');
    expect(await w.batches.openBatches('cdn', W0 + 3600)).toEqual([]);
    expect(cf.calls()).toHaveLength(0);
  });

  test('a tick for another family is rejected without an AWS call', async () => {
    const w = await world();
    const result = await w.send({
      source: 'autoscaler.scheduler',
      action: 'reevaluate',
      family: 'capacity',
      scheduledTime: '2025-06-01T12:01:00Z',
      executionId: 'x',
    });
    expect(result.status).toBe('rejected');
    expect(cf.calls()).toHaveLength(0);
  });
});
