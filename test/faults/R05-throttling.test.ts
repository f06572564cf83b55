/**
 * R05: throttling on every AWS API the capacity family uses, under one retry policy. The SDK layer
 * retries throttling and 5xx answers, SDK_MAX_ATTEMPTS attempts per call with backoff (deployed: the
 * clients' `maxAttempts` and adaptive mode; here `withSdkRetries`, which stands for it); the adapters'
 * own retry (`withRetry`) waits out transitional states only (ScalingActivityInProgressFault), never
 * throttling, and counts the SDK's attempts as its own. So no call is tried more than
 * DEFAULT_RETRY_ATTEMPTS - 1 + SDK_MAX_ATTEMPTS times whatever it meets, and throttling alone at most
 * SDK_MAX_ATTEMPTS times; throttling that outlasts it fails the invocation (Lambda retries it later)
 * with nothing written.
 */
import fc from 'fast-check';
import { AutoScalingAdapter } from '../../lambdas/adapters/autoscaling';
import { SDK_MAX_ATTEMPTS } from '../../lambdas/shared/clients';
import { TransientError } from '../../lambdas/shared/errors';
import { DEFAULT_RETRY_ATTEMPTS } from '../../lambdas/shared/retry';
import { type FaultCall, InjectedServiceError, withSdkRetries } from '../../sim/cloud/faults';
import { eventOf, type Harness, type HarnessOptions, scheduleEvent, useDynalite, withHarness } from './support';

const db = useDynalite();

/** Every API the capacity family calls, with the client it goes through and the error name the service uses. */
const APIS = [
  { client: 'cloudWatch', command: 'DescribeAlarmsCommand', error: 'Throttling', kind: 'asg' },
  { client: 'cloudWatch', command: 'GetMetricDataCommand', error: 'Throttling', kind: 'asg' },
  { client: 'autoScaling', command: 'DescribeAutoScalingGroupsCommand', error: 'Throttling', kind: 'asg' },
  { client: 'autoScaling', command: 'SetDesiredCapacityCommand', error: 'Throttling', kind: 'asg' },
  { client: 'ecs', command: 'DescribeServicesCommand', error: 'ThrottlingException', kind: 'ecs-service' },
  { client: 'ecs', command: 'UpdateServiceCommand', error: 'ThrottlingException', kind: 'ecs-service' },
] as const;

/** The most requests one call may make, whatever mix of errors it meets. */
const CALL_BOUND = DEFAULT_RETRY_ATTEMPTS - 1 + SDK_MAX_ATTEMPTS;

function throttling(api: (typeof APIS)[number], times: number): HarnessOptions {
  let hits = 0;
  const throttle = (call: FaultCall) => call.command === api.command && hits++ < times;
  return { db: db(), kind: api.kind, faults: { [api.client]: { throttle, throttleError: api.error } } };
}

/** An alarm event (and the schedule, for the DescribeAlarms listing) on an overloaded target. */
async function overload(h: Harness) {
  h.load(92);
  return eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
}

/** Requests for `command` that reached the faulted service. */
function attemptsOf(h: Harness, client: keyof Harness['clients'], command: string): number {
  return (h.clients[client] as unknown as { faults: { attempted: FaultCall[] } }).faults.attempted.filter((c) => c.command === command).length;
}

/** The SDK's waits for throttling: the k-th below min(1 s x 2^k, 20 s) (full jitter), never all zero. */
function expectSdkBackoff(delays: readonly number[]) {
  delays.forEach((d, k) => {
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThan(Math.min(1000 * 2 ** k, 20_000));
  });
  if (delays.length) expect(delays.some((d) => d > 0)).toBe(true);
}

test('R05 the policy: the SDK layer makes 4 attempts a call, and one call never makes more than 7 requests', () => {
  // Read by every case below; a change to either number is a change of policy this file has to follow.
  expect(SDK_MAX_ATTEMPTS).toBe(4);
  expect(CALL_BOUND).toBe(7);
  expect(CALL_BOUND).toBeLessThan(12);
});

for (const api of APIS) {
  const name = api.command.replace('Command', '');

  test(`R05 throttling on ${name}: the SDK layer retries it with backoff, the adapter does not, then it succeeds`, async () => {
    await withHarness(throttling(api, SDK_MAX_ATTEMPTS - 1), async (h) => {
      const result = await h.handler(await overload(h));
      expect(result.targets[0]).toMatchObject({ outcome: 'applied' });
      expect(attemptsOf(h, api.client, api.command)).toBe(SDK_MAX_ATTEMPTS);
      const sdk = h.sdk[api.client];
      expect(sdk.delays).toHaveLength(SDK_MAX_ATTEMPTS - 1);
      expectSdkBackoff(sdk.delays);
      expect(sdk.exhausted).toBe(0);
      // the adapters' own retry never waited: throttling is not theirs
      expect(h.sleeps).toEqual([]);
      expect(h.writes()).toHaveLength(1);
    });
  });

  test(`R05 throttling on ${name}: throttled on every attempt, ${SDK_MAX_ATTEMPTS} attempts and no more, the invocation fails for a later retry, nothing written`, async () => {
    await withHarness(throttling(api, Infinity), async (h) => {
      const event = await overload(h);
      const err = await h.handler(event).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      if (api.command === 'SetDesiredCapacityCommand' || api.command === 'UpdateServiceCommand') expect(err).toBeInstanceOf(TransientError);
      else expect((err as Error).name).toBe(api.error);
      expect(attemptsOf(h, api.client, api.command)).toBe(SDK_MAX_ATTEMPTS);
      expect(h.sdk[api.client].exhausted).toBe(1);
      expect(h.sleeps).toEqual([]);
      expect(h.writes()).toHaveLength(0);
      // the lease was given back: the retry a minute later is not blocked, and nothing recorded an action
      expect((await h.audit()).filter((e) => e.outcome === 'applied')).toHaveLength(0);
      expect(await h.store.acquireLease('web', 'probe', h.clock.now, 1)).toBe(true);
    });
  });
}

test('R05 ScalingActivityInProgress on SetDesiredCapacity: the adapter waits it out with its own backoff, the SDK layer does not retry it', async () => {
  await withHarness(
    {
      db: db(),
      faults: {
        autoScaling: { errors: [{ command: 'SetDesiredCapacityCommand', error: 'ScalingActivityInProgressFault', times: DEFAULT_RETRY_ATTEMPTS - 1 }] },
      },
    },
    async (h) => {
      const result = await h.handler(await overload(h));
      expect(result.targets[0]).toMatchObject({ outcome: 'applied' });
      expect(attemptsOf(h, 'autoScaling', 'SetDesiredCapacityCommand')).toBe(DEFAULT_RETRY_ATTEMPTS);
      expect(h.sdk.autoScaling.delays).toEqual([]);
      // 500 ms doubling, at least half of each ceiling (never a tight loop)
      expect(h.sleeps).toHaveLength(DEFAULT_RETRY_ATTEMPTS - 1);
      h.sleeps.forEach((w, k) => {
        expect(w).toBeGreaterThanOrEqual(250 * 2 ** k);
        expect(w).toBeLessThanOrEqual(500 * 2 ** k);
      });
    },
  );
});

test('R05 a server error (503) on UpdateService is retried by the SDK layer like throttling, and only there', async () => {
  await withHarness(
    {
      db: db(),
      kind: 'ecs-service',
      faults: { ecs: { errors: [{ command: 'UpdateServiceCommand', error: 'ServiceUnavailableException', status: 503, times: 2 }] } },
    },
    async (h) => {
      const result = await h.handler(await overload(h));
      expect(result.targets[0]).toMatchObject({ outcome: 'applied' });
      expect(attemptsOf(h, 'ecs', 'UpdateServiceCommand')).toBe(3);
      expect(h.sdk.ecs.delays).toHaveLength(2);
      expect(h.sleeps).toEqual([]);
    },
  );
});

test('R05 a validation error is tried once: neither layer retries what will fail the same way', async () => {
  await withHarness({ db: db(), faults: { autoScaling: { errors: [{ command: 'SetDesiredCapacityCommand', error: 'ValidationError' }] } } }, async (h) => {
    const result = await h.handler(await overload(h));
    expect(result.targets[0]).toMatchObject({ outcome: 'failed' });
    expect(attemptsOf(h, 'autoScaling', 'SetDesiredCapacityCommand')).toBe(1);
    expect(h.sdk.autoScaling.delays).toEqual([]);
    expect(h.sleeps).toEqual([]);
  });
});

test("R05 throttling on the schedule's DescribeAlarms listing: the SDK layer retries, then the target is re-evaluated", async () => {
  let hits = 0;
  await withHarness(
    { db: db(), faults: { cloudWatch: { throttle: (c) => c.command === 'DescribeAlarmsCommand' && hits++ < 2, throttleError: 'Throttling' } } },
    async (h) => {
      await overload(h);
      const result = await h.handler(scheduleEvent(h.clock.now));
      expect(result).toMatchObject({ status: 'evaluated', targets: [{ outcome: 'applied' }] });
      expect(h.sdk.cloudWatch.delays).toHaveLength(2);
      expect(h.sleeps).toEqual([]);
    },
  );
});

test("R05 throttling on every call of every service at once: the invocation gives up within one call's attempts and a later one succeeds", async () => {
  let storm = true;
  const throttle = () => storm;
  await withHarness(
    {
      db: db(),
      faults: {
        autoScaling: { throttle, throttleError: 'Throttling' },
        cloudWatch: { throttle, throttleError: 'Throttling' },
      },
    },
    async (h) => {
      const event = await overload(h);
      await expect(h.handler(event)).rejects.toThrow();
      const attempted = [h.clients.autoScaling, h.clients.cloudWatch].flatMap((c) => (c as unknown as { faults: { attempted: FaultCall[] } }).faults.attempted);
      expect(attempted.length).toBe(SDK_MAX_ATTEMPTS);
      expect(h.sleeps).toEqual([]);
      expect(h.writes()).toHaveLength(0);

      storm = false;
      h.clock.advance(60);
      const retry = await h.handler(structuredClone(event));
      expect(retry.targets[0]).toMatchObject({ outcome: 'applied' });
      expect(h.writes()).toHaveLength(1);
    },
  );
});

test("R05 throttling on DynamoDB: the state store throttled on every call fails the invocation after the SDK layer's attempts, nothing written to AWS", async () => {
  await withHarness({ db: db(), faults: { dynamo: { throttle: 1, throttleError: 'ProvisionedThroughputExceededException' } } }, async (h) => {
    const event = await overload(h);
    await expect(h.handler(event)).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(h.writes()).toHaveLength(0);
    expect(h.clients.dynamo!.faults.attempted.length).toBe(SDK_MAX_ATTEMPTS);
    expect(h.sdk.dynamo!.exhausted).toBe(1);
  });
});

/** What the Auto Scaling API answers to one SetDesiredCapacity request. */
type Answer = 'ok' | 'throttled' | 'in-progress' | 'unavailable' | 'invalid';

function answer(a: Exclude<Answer, 'ok'>): InjectedServiceError {
  if (a === 'throttled') return new InjectedServiceError('Throttling', 'Rate exceeded', 400);
  if (a === 'in-progress') return new InjectedServiceError('ScalingActivityInProgressFault', 'scaling activity in progress', 400);
  if (a === 'unavailable') return new InjectedServiceError('ServiceUnavailable', 'service unavailable', 503);
  return new InjectedServiceError('ValidationError', 'invalid', 400);
}

test(`R05 any sequence of answers: one SetDesiredCapacity makes at most ${CALL_BOUND} requests, throttling alone at most ${SDK_MAX_ATTEMPTS}, and the adapter waits only after ScalingActivityInProgress`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom<Answer>('ok', 'throttled', 'in-progress', 'unavailable', 'invalid'), { maxLength: 20 }), async (script) => {
      const seen: Answer[] = [];
      const service = {
        async send() {
          const a = script[seen.length] ?? 'ok';
          seen.push(a);
          if (a !== 'ok') throw answer(a);
          return {};
        },
      };
      const waits: number[] = [];
      const adapter = new AutoScalingAdapter(withSdkRetries(service), 'django-web', async (ms) => void waits.push(ms));
      const ok = await adapter.setDesired(5).then(
        () => true,
        () => false,
      );
      expect(seen.length).toBeLessThanOrEqual(CALL_BOUND);
      // the adapter's waits: one after each ScalingActivityInProgress it retried, none after anything else
      const retriedInProgress = seen.slice(0, -1).filter((a) => a === 'in-progress').length;
      expect(waits).toHaveLength(retriedInProgress);
      // throttling and 503s with nothing else in between never pass the SDK layer's attempts
      let run = 0;
      for (const a of seen) {
        run = a === 'throttled' || a === 'unavailable' ? run + 1 : 0;
        expect(run).toBeLessThanOrEqual(SDK_MAX_ATTEMPTS);
      }
      // it succeeds exactly when the service said ok within the bounds
      expect(ok).toBe(seen[seen.length - 1] === 'ok');
    }),
    {
      numRuns: 300,
      // the sequences that multiplied the attempts when each layer counted only its own
      examples: [
        [Array.from({ length: 4 }, () => ['throttled', 'throttled', 'throttled', 'in-progress'] as Answer[]).flat()],
        [['in-progress', 'throttled', 'in-progress', 'throttled', 'throttled', 'in-progress', 'throttled', 'throttled', 'throttled', 'throttled']],
        [Array.from({ length: 16 }, (): Answer => 'throttled')],
      ],
    },
  );
});
