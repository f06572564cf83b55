/**
 * The `invalidate` runbook, run locally: the ASL from the synthesized template, its tasks served by the
 * real cdn handler in-process, CloudFront answered by aws-sdk-client-mock with CloudFront's own rules.
 */

import { CloudFrontClient, CreateInvalidationCommand, GetDistributionCommand, GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createCdnHandler } from '../../lambdas/scalers/cdn/handler';
import { parseConfig } from '../../lambdas/shared/config';
import { MemoryInvalidationStore } from '../../lambdas/state/invalidations';
import { MemoryStateStore } from '../../lambdas/state/memory';
import { INVALIDATE_BUSY_RETRY } from '../../lib/runbooks/cloudfront';
import { functionArn, runLocally, synthesizeRunbooks } from './harness';

const config = parseConfig({
  prefix: 'shop',
  targets: [{ kind: 'cloudfront', id: 'cdn', distributionId: 'E2QWRUHAPOMQZL', triggers: [{ s3: { bucket: 'shop-static' } }] }],
});
const synthesized = synthesizeRunbooks(config);
const definition = synthesized.definition('InvalidateRunbook');
const cdnFn = synthesized.autoscaler.functions.cdn!;

const cf = mockClient(CloudFrontClient);
let invalidations: Array<{ id: string; ref: string; paths: string[]; polls: number }>;
let busy: number;

function awsError(name: string) {
  return Object.assign(new Error(name), { name, $metadata: {} });
}

beforeEach(() => {
  invalidations = [];
  busy = 0;
  cf.reset();
  cf.on(GetDistributionCommand).callsFake((input) => {
    if (input.Id !== 'E2QWRUHAPOMQZL') throw awsError('NoSuchDistribution');
    return { Distribution: { Id: input.Id, Status: 'Deployed', DomainName: 'd111111abcdef8.cloudfront.net', DistributionConfig: { Enabled: true } } };
  });
  cf.on(CreateInvalidationCommand).callsFake((input) => {
    if (busy > 0) {
      busy--;
      throw awsError('TooManyInvalidationsInProgress');
    }
    const { CallerReference: ref, Paths } = input.InvalidationBatch;
    const same = invalidations.find((i) => i.ref === ref);
    if (same) {
      if (JSON.stringify(same.paths) !== JSON.stringify(Paths.Items)) throw awsError('InvalidationBatchAlreadyExists');
      return { Invalidation: { Id: same.id, Status: 'InProgress', InvalidationBatch: input.InvalidationBatch } };
    }
    const inv = { id: `I${invalidations.length + 1}RUNBOOK`, ref, paths: Paths.Items, polls: 0 };
    invalidations.push(inv);
    return { Invalidation: { Id: inv.id, Status: 'InProgress', InvalidationBatch: input.InvalidationBatch } };
  });
  // In progress on the first look, Completed on the second.
  cf.on(GetInvalidationCommand).callsFake((input) => {
    const inv = invalidations.find((i) => i.id === input.Id)!;
    inv.polls++;
    return {
      Invalidation: {
        Id: inv.id,
        Status: inv.polls >= 2 ? 'Completed' : 'InProgress',
        InvalidationBatch: { CallerReference: inv.ref, Paths: { Quantity: inv.paths.length, Items: inv.paths } },
      },
    };
  });
});

const context = { awsRequestId: 'req', functionName: 'cdn', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

function run(input: Record<string, unknown>, name: string, store = new MemoryStateStore()) {
  const handler = createCdnHandler({
    config,
    store,
    batches: new MemoryInvalidationStore(),
    cloudFront: new CloudFrontClient({ region: 'us-east-1' }),
    now: () => Date.UTC(2025, 5, 1, 12),
    sleep: async () => {},
  });
  const handlers = { [functionArn(synthesized.logicalId(cdnFn))]: (event: unknown) => handler(event, context) as Promise<unknown> };
  return runLocally(definition, handlers, input, { name });
}

describe('invalidate runbook', () => {
  test('explicit paths: check, create with the execution CallerReference, wait with backoff until Completed', async () => {
    const store = new MemoryStateStore();
    const result = await run({ targetId: 'cdn', paths: ['/static/*', '/index.html', '/static/css/a.css'] }, 'after-hotfix-42', store);
    expect(result.error).toBeUndefined();
    expect(result.calls.map((c) => c.task)).toEqual(['invalidate.check', 'invalidate.create', 'invalidate.poll', 'invalidate.poll']);
    expect(result.output).toMatchObject({ status: 'Completed', invalidationId: 'I1RUNBOOK', callerReference: 'cdn-run-after-hotfix-42', waitSeconds: 60 });
    const creates = cf.commandCalls(CreateInvalidationCommand);
    expect(creates).toHaveLength(1);
    expect(creates[0].args[0].input).toEqual({
      DistributionId: 'E2QWRUHAPOMQZL',
      InvalidationBatch: { CallerReference: 'cdn-run-after-hotfix-42', Paths: { Quantity: 2, Items: ['/index.html', '/static/*'] } },
    });
    const audit = await store.listAudit('cdn', 0, Date.now() + 1e12);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'applied', eventId: 'after-hotfix-42' });
  });

  test('TooManyInvalidationsInProgress is retried with backoff by the state machine, not dropped', async () => {
    busy = 2;
    const result = await run({ targetId: 'cdn', paths: ['/index.html'] }, 'busy-run');
    expect(result.error).toBeUndefined();
    expect(result.calls.filter((c) => c.task === 'invalidate.create')).toHaveLength(3);
    expect(invalidations).toHaveLength(1);
    expect(definition.States.CreateInvalidation.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ErrorEquals: ['InvalidationsBusyError'],
          IntervalSeconds: INVALIDATE_BUSY_RETRY.interval.toSeconds(),
          BackoffRate: 2,
          MaxAttempts: INVALIDATE_BUSY_RETRY.maxAttempts,
        }),
      ]),
    );
  });

  test('a second run with the same execution name (a redrive) does not invalidate twice', async () => {
    await run({ targetId: 'cdn', paths: ['/index.html'] }, 'same-name');
    const again = await run({ targetId: 'cdn', paths: ['/index.html'] }, 'same-name');
    expect(again.error).toBeUndefined();
    expect(cf.commandCalls(CreateInvalidationCommand)).toHaveLength(2);
    expect(invalidations).toHaveLength(1);
  });

  test('an unknown target or a bad path fails the run before any CloudFront call', async () => {
    const unknown = await run({ targetId: 'nope', paths: ['/index.html'] }, 'bad-target');
    expect(unknown.error?.message).toMatch(/targetId "nope" is not a configured cloudfront target \(cdn\)/);
    const badPath = await run({ targetId: 'cdn', paths: ['index.html'] }, 'bad-path');
    expect(badPath.error?.message).toMatch(/input rejected: paths\.0: must start with "\/"/);
    const tooWild = await run({ targetId: 'cdn', paths: Array.from({ length: 16 }, (_, i) => `/d${i}/*`) }, 'too-wild');
    expect(tooWild.error?.message).toMatch(/16 wildcard paths: CloudFront allows 15/);
    expect(cf.calls()).toHaveLength(0);
  });
});

describe('invalidate runbook infrastructure', () => {
  test('a Standard state machine named <prefix>-invalidate, logged and traced, registered as a runbook', () => {
    synthesized.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'shop-invalidate',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    expect(synthesized.autoscaler.runbooks.invalidate).toBeDefined();
    expect(Object.keys(definition.States).sort()).toEqual([
      'CheckDistribution',
      'CheckInvalidation',
      'Completed',
      'CreateInvalidation',
      'Done',
      'DryRunStopped',
      'Failed',
      'NotifyStopped',
      'PausedStopped',
      'StoppedBy',
      'WaitForInvalidation',
    ]);
  });
});
