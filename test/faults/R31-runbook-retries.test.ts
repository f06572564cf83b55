/**
 * R31: the runbooks under one retry policy. A task's AWS calls go through the SDK layer (deployed: the
 * clients' `maxAttempts` and adaptive mode; here `withSdkRetries`, which stands for it); throttling or
 * a 5xx that outlasts it leaves the task as `ServiceUnavailable`, which every task state retries with
 * backoff, as it retries Lambda's own errors (`Lambda.TooManyRequestsException` included), before
 * anything is caught as terminal. Run on the synthesized ASL with aws-local-stepfunctions, the real task
 * handlers in-process, RDS answered at the SDK boundary, CloudFront by a small in-memory distribution.
 */
import type { Context } from 'aws-lambda';
import { CloudWatchAdapter } from '../../lambdas/adapters/cloudwatch';
import { ElastiCacheAdapter } from '../../lambdas/adapters/elasticache';
import { RdsAdapter } from '../../lambdas/adapters/rds';
import { Route53Adapter } from '../../lambdas/adapters/route53';
import type { Notification } from '../../lambdas/adapters/sns';
import { SsmAdapter } from '../../lambdas/adapters/ssm';
import type { SendClient } from '../../lambdas/adapters/types';
import { createRunbookTask } from '../../lambdas/runbooks/handler';
import { createCdnHandler } from '../../lambdas/scalers/cdn/handler';
import { SDK_MAX_ATTEMPTS } from '../../lambdas/shared/clients';
import { ServiceUnavailableError } from '../../lambdas/shared/errors';
import { MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { MemoryInvalidationStore } from '../../lambdas/state/invalidations';
import { MemoryStateStore } from '../../lambdas/state/memory';
import { LAMBDA_ERRORS, LAMBDA_RETRY, SERVICE_RETRY } from '../../lib/runbooks/runbook';
import { FakeCloudWatch, MetricStore } from '../../sim/cloud/cloudwatch';
import { type ErrorRule, type FaultCall, withFaults, withSdkRetries } from '../../sim/cloud/faults';
import { CallLog, commandName } from '../../sim/cloud/recorder';
import { FakeElastiCache, FakeRds, FakeRoute53, FakeSsm } from '../runbooks/fake-aws';
import { dataConfig, RDS_INSTANCE } from '../runbooks/fixtures';
import { functionArn, runLocally, synthesizeRunbooks, type TaskHandler } from '../runbooks/harness';

const CDN = { kind: 'cloudfront', id: 'cdn', distributionId: 'E2QWRUHAPOMQZL', triggers: [{ s3: { bucket: 'shop-static' } }] };
const config = dataConfig([RDS_INSTANCE, CDN]);
const synthesized = synthesizeRunbooks(config);
const NOW = Date.parse('2026-11-23T12:00:00Z');

/** Every runbook's state machine, by logical id. */
const MACHINES = Object.keys(synthesized.template.findResources('AWS::StepFunctions::StateMachine'));

// ------------------------------------------------------------------------------ the definitions

test('R31 every task of every runbook retries Lambda throttling and ServiceUnavailable with backoff, and nothing catch-all', () => {
  expect(MACHINES.length).toBeGreaterThanOrEqual(5);
  let tasks = 0;
  for (const id of MACHINES) {
    const states = synthesized.definition(id).States;
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Task') continue;
      tasks++;
      const retry = (state.Retry ?? []) as {
        ErrorEquals: string[];
        IntervalSeconds: number;
        BackoffRate: number;
        MaxAttempts: number;
        MaxDelaySeconds?: number;
        JitterStrategy?: string;
      }[];
      const lambda = retry.find((r) => r.ErrorEquals.includes('Lambda.TooManyRequestsException'));
      expect({ id, name, errors: lambda?.ErrorEquals }).toEqual({ id, name, errors: [...LAMBDA_ERRORS] });
      expect(lambda).toMatchObject({ IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: LAMBDA_RETRY.maxAttempts, JitterStrategy: 'FULL' });
      const service = retry.find((r) => r.ErrorEquals.includes(ServiceUnavailableError.NAME));
      expect(service).toMatchObject({
        ErrorEquals: [ServiceUnavailableError.NAME],
        IntervalSeconds: 10,
        BackoffRate: 2,
        MaxAttempts: SERVICE_RETRY.maxAttempts,
        JitterStrategy: 'FULL',
      });
      // bounded: every retrier backs off, has a cap on its attempts, and none retries everything
      for (const r of retry) {
        expect(r.BackoffRate).toBeGreaterThan(1);
        expect(r.MaxAttempts).toBeLessThanOrEqual(30);
        expect(r.ErrorEquals).not.toContain('States.ALL');
        expect(r.ErrorEquals).not.toContain('States.TaskFailed');
      }
    }
  }
  expect(tasks).toBeGreaterThanOrEqual(15);
});

// ------------------------------------------------------------------------------ the data tier's runbooks

interface DataWorld {
  readonly rds: FakeRds;
  /** What the SDK layer in front of RDS did. */
  readonly sdk: ReturnType<typeof withSdkRetries>['sdk'];
  readonly faults: { attempted: FaultCall[] };
  readonly store: MemoryStateStore;
  readonly notifications: Notification[];
  run(machine: string, input: Record<string, unknown>, name: string, lambda?: (task: TaskHandler) => TaskHandler): ReturnType<typeof runLocally>;
}

/** The data tier's runbooks over the fake RDS, its calls failing as `errors` say, under the SDK layer. */
function dataWorld(errors: ErrorRule[] = []): DataWorld {
  const rds = new FakeRds();
  const faulty = withFaults(rds.client, { errors });
  const sdk = withSdkRetries(faulty);
  const store = new MemoryStateStore();
  const notifications: Notification[] = [];
  const task = createRunbookTask({
    config,
    rds: new RdsAdapter(sdk),
    elastiCache: new ElastiCacheAdapter(new FakeElastiCache().client),
    ssm: new SsmAdapter(new FakeSsm().client),
    route53: new Route53Adapter(new FakeRoute53().client),
    cloudWatch: new CloudWatchAdapter(new FakeCloudWatch(new MetricStore(), new CallLog(() => NOW), () => NOW)),
    store,
    notifier: { notify: async (n) => void notifications.push(n) },
    now: () => NOW,
  });
  const arn = functionArn(synthesized.logicalId(synthesized.autoscaler.dataRunbooks!.taskFunction));
  return {
    rds,
    sdk: sdk.sdk,
    faults: faulty.faults,
    store,
    notifications,
    run: (machine, input, name, lambda = (t) => t) => runLocally(synthesized.definition(machine), { [arn]: lambda(task) }, input, { name }),
  };
}

const OURS = { [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: 'orders-db' };

function withSource(w: DataWorld) {
  w.rds.add({ id: 'orders-primary', status: 'available', engine: 'postgres', instanceClass: 'db.r6g.xlarge', backupRetentionPeriod: 7 });
  w.rds.add({ id: 'orders-db-ro-1', status: 'available', sourceId: 'orders-primary', tags: OURS });
}

const tries = (calls: { task: string }[], task: string) => calls.filter((c) => c.task === task).length;
const creates = (w: DataWorld) => w.faults.attempted.filter((c) => c.command === 'CreateDBInstanceReadReplicaCommand').length;

test('R31 a throttled RDS call in a task no longer fails the run: the SDK layer retries it, then the state machine does, then it succeeds', async () => {
  // throttled on the SDK layer's 4 attempts of the first task run and the first 2 of the second
  const w = dataWorld([{ command: 'CreateDBInstanceReadReplicaCommand', error: 'Throttling', message: 'Rate exceeded', times: SDK_MAX_ATTEMPTS + 2 }]);
  withSource(w);
  const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'orders-db-add-2-throttled');
  expect(run.error).toBeUndefined();
  expect(run.output).toMatchObject({ outcome: 'succeeded' });
  // the task ran twice (the first ended as ServiceUnavailable), the SDK layer made 4 + 3 requests
  expect(tries(run.calls, 'replicas.create')).toBe(2);
  expect(creates(w)).toBe(SDK_MAX_ATTEMPTS + 3);
  expect(w.sdk.exhausted).toBe(1);
  expect(w.rds.instances.get('orders-db-ro-2')?.status).toBe('available');
  expect((await w.store.listAudit('orders-db', 0, Number.MAX_SAFE_INTEGER)).map((e) => e.outcome)).toEqual(['applied']);
});

test('R31 a 5xx on DescribeDBInstances is retried the same way: the run succeeds', async () => {
  const w = dataWorld([{ command: 'DescribeDBInstancesCommand', error: 'InternalFailure', status: 500, times: SDK_MAX_ATTEMPTS + 1 }]);
  withSource(w);
  const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'orders-db-add-2-5xx');
  expect(run.error).toBeUndefined();
  expect(run.output).toMatchObject({ outcome: 'succeeded' });
  expect(run.calls[0].task).toBe('replicas.reconcile');
  expect(run.calls[1].task).toBe('replicas.reconcile');
});

test('R31 throttling that never ends: bounded retries, then the run is reported and fails as ServiceUnavailable, nothing created', async () => {
  const w = dataWorld([{ command: 'CreateDBInstanceReadReplicaCommand', error: 'Throttling', message: 'Rate exceeded' }]);
  withSource(w);
  const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'orders-db-add-2-storm');
  expect(run.error?.message).toMatch(/ServiceUnavailable/);
  expect(tries(run.calls, 'replicas.create')).toBe(SERVICE_RETRY.maxAttempts + 1);
  expect(creates(w)).toBe((SERVICE_RETRY.maxAttempts + 1) * SDK_MAX_ATTEMPTS);
  expect(w.rds.instances.has('orders-db-ro-2')).toBe(false);
  const audit = await w.store.listAudit('orders-db', 0, Number.MAX_SAFE_INTEGER);
  expect(audit).toEqual([expect.objectContaining({ outcome: 'failed', reason: expect.stringMatching(/ServiceUnavailable: Throttling: Rate exceeded/) })]);
  expect(w.notifications).toEqual([expect.objectContaining({ subject: expect.stringMatching(/runbook FAILED/) })]);
});

test('R31 a terminal error is not retried by the service retry: one task run, caught, reported', async () => {
  const w = dataWorld([{ command: 'CreateDBInstanceReadReplicaCommand', error: 'InstanceQuotaExceeded' }]);
  withSource(w);
  const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'orders-db-add-2-quota');
  expect(run.error).toBeDefined();
  expect(tries(run.calls, 'replicas.create')).toBe(1);
  expect(creates(w)).toBe(1);
});

/** Lambda's answer when the function has no concurrency left: the invocation never reaches the handler. */
function lambdaThrottled(times: number): (task: TaskHandler) => TaskHandler {
  let left = times;
  return (task) => async (event) => {
    if (left-- > 0) throw Object.assign(new Error('Rate Exceeded.'), { name: 'Lambda.TooManyRequestsException' });
    return task(event);
  };
}

test('R31 Lambda.TooManyRequestsException on a task invocation is retried: the run succeeds', async () => {
  const w = dataWorld();
  withSource(w);
  const run = await w.run('RdsReplicas', { targetId: 'orders-db', desiredReplicas: 2 }, 'orders-db-add-2-lambda', lambdaThrottled(3));
  expect(run.error).toBeUndefined();
  expect(run.output).toMatchObject({ outcome: 'succeeded' });
  expect(creates(w)).toBe(1);
});

// ------------------------------------------------------------------------------ the invalidate runbook

/** One distribution's invalidations, answered in memory; each invalidation completes on its second look. */
function fakeCloudFront(): SendClient & { invalidations: { id: string; ref: string; paths: string[]; looks: number }[] } {
  const invalidations: { id: string; ref: string; paths: string[]; looks: number }[] = [];
  return {
    invalidations,
    async send(command: { input: Record<string, any> }) {
      const input = command.input;
      switch (commandName(command)) {
        case 'GetDistributionCommand':
          return { Distribution: { Id: input.Id, Status: 'Deployed', DomainName: 'd111111abcdef8.cloudfront.net', DistributionConfig: { Enabled: true } } };
        case 'CreateInvalidationCommand': {
          const batch = input.InvalidationBatch;
          let inv = invalidations.find((i) => i.ref === batch.CallerReference);
          if (!inv) {
            inv = { id: `I${invalidations.length + 1}`, ref: batch.CallerReference, paths: batch.Paths.Items, looks: 0 };
            invalidations.push(inv);
          }
          return { Invalidation: { Id: inv.id, Status: 'InProgress', InvalidationBatch: batch } };
        }
        case 'GetInvalidationCommand': {
          const inv = invalidations.find((i) => i.id === input.Id)!;
          inv.looks++;
          return {
            Invalidation: {
              Id: inv.id,
              Status: inv.looks >= 2 ? 'Completed' : 'InProgress',
              InvalidationBatch: { CallerReference: inv.ref, Paths: { Quantity: inv.paths.length, Items: inv.paths } },
            },
          };
        }
        default:
          throw new Error(`unexpected ${commandName(command)}`);
      }
    },
  };
}

const context = { awsRequestId: 'req', functionName: 'cdn', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

function invalidate(errors: ErrorRule[], name: string, lambda: (task: TaskHandler) => TaskHandler = (t) => t) {
  const cloudFront = fakeCloudFront();
  const faulty = withFaults(cloudFront, { errors });
  const handler = createCdnHandler({
    config,
    store: new MemoryStateStore(),
    batches: new MemoryInvalidationStore(),
    cloudFront: withSdkRetries(faulty),
    now: () => NOW,
    sleep: async () => {},
  });
  const arn = functionArn(synthesized.logicalId(synthesized.autoscaler.functions.cdn!));
  const task: TaskHandler = (event) => handler(event, context) as Promise<unknown>;
  return {
    cloudFront,
    faults: faulty.faults,
    result: runLocally(synthesized.definition('InvalidateRunbook'), { [arn]: lambda(task) }, { targetId: 'cdn', paths: ['/index.html'] }, { name }),
  };
}

test('R31 invalidate runbook: CreateInvalidation throttled past the SDK layer is retried by the state machine, one invalidation made', async () => {
  const w = invalidate([{ command: 'CreateInvalidationCommand', error: 'Throttling', message: 'Rate exceeded', times: SDK_MAX_ATTEMPTS + 1 }], 'cdn-throttled');
  const run = await w.result;
  expect(run.error).toBeUndefined();
  expect(run.output).toMatchObject({ status: 'Completed' });
  expect(tries(run.calls, 'invalidate.create')).toBe(2);
  expect(w.faults.attempted.filter((c) => c.command === 'CreateInvalidationCommand')).toHaveLength(SDK_MAX_ATTEMPTS + 2);
  expect(w.cloudFront.invalidations).toHaveLength(1);
});

test('R31 invalidate runbook: Lambda.TooManyRequestsException on a task invocation is retried: the run completes', async () => {
  const w = invalidate([], 'cdn-lambda', lambdaThrottled(2));
  const run = await w.result;
  expect(run.error).toBeUndefined();
  expect(run.output).toMatchObject({ status: 'Completed' });
});
