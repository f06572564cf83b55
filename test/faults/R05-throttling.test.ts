/**
 * R05: throttling on every AWS API the capacity family uses. Each call backs off exponentially
 * (bounded attempts, never a zero wait) and then succeeds; throttling that outlasts the backoff makes
 * the invocation fail (Lambda retries it later) with nothing written, never a tight loop.
 */
import { TransientError } from '../../lambdas/shared/errors';
import type { FaultCall } from '../../sim/cloud/faults';
import { eventOf, type Harness, type HarnessOptions, scheduleEvent, withHarness, useDynalite } from './support';

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

const ATTEMPTS = 4;

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

/** The waits form one exponential series per throttled call: none zero, each at least the one before. */
function expectBackoff(sleeps: readonly number[], perCall: number) {
  expect(sleeps.length % perCall).toBe(0);
  for (let i = 0; i < sleeps.length; i += perCall) {
    const series = sleeps.slice(i, i + perCall);
    series.forEach((w, k) => {
      expect(w).toBeGreaterThanOrEqual(250 * 2 ** k);
      expect(w).toBeLessThanOrEqual(500 * 2 ** k);
    });
  }
}

for (const api of APIS) {
  test(`R05 throttling on ${api.command.replace('Command', '')}: backs off, then succeeds`, async () => {
    await withHarness(throttling(api, ATTEMPTS - 1), async (h) => {
      const result = await h.handler(await overload(h));
      expect(result.targets[0]).toMatchObject({ outcome: 'applied' });
      expect(h.sleeps).toHaveLength(ATTEMPTS - 1);
      expectBackoff(h.sleeps, ATTEMPTS - 1);
      expect(h.writes()).toHaveLength(1);
    });
  });

  test(`R05 throttling on ${api.command.replace('Command', '')}: throttled on every attempt, the invocation fails for a later retry, bounded, nothing written`, async () => {
    await withHarness(throttling(api, Infinity), async (h) => {
      const event = await overload(h);
      const err = await h.handler(event).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      if (api.command === 'SetDesiredCapacityCommand' || api.command === 'UpdateServiceCommand') expect(err).toBeInstanceOf(TransientError);
      else expect((err as Error).name).toBe(api.error);
      const client = h.clients[api.client] as unknown as { faults: { attempted: FaultCall[] } };
      expect(client.faults.attempted.filter((c) => c.command === api.command)).toHaveLength(ATTEMPTS);
      expect(h.sleeps).toHaveLength(ATTEMPTS - 1);
      expectBackoff(h.sleeps, ATTEMPTS - 1);
      expect(h.writes()).toHaveLength(0);
      // the lease was given back: the retry a minute later is not blocked, and nothing recorded an action
      expect((await h.audit()).filter((e) => e.outcome === 'applied')).toHaveLength(0);
      expect(await h.store.acquireLease('web', 'probe', h.clock.now, 1)).toBe(true);
    });
  });
}

test('R05 throttling on the schedule\'s DescribeAlarms listing: backs off, then re-evaluates', async () => {
  let hits = 0;
  await withHarness(
    { db: db(), faults: { cloudWatch: { throttle: (c) => c.command === 'DescribeAlarmsCommand' && hits++ < 2, throttleError: 'Throttling' } } },
    async (h) => {
      await overload(h);
      const result = await h.handler(scheduleEvent(h.clock.now));
      expect(result).toMatchObject({ status: 'evaluated', targets: [{ outcome: 'applied' }] });
      expectBackoff(h.sleeps, 2);
    },
  );
});

test('R05 throttling on every call of every service at once: the invocation gives up within bounds and a later one succeeds', async () => {
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
      expect(attempted.length).toBeLessThanOrEqual(ATTEMPTS);
      expect(h.sleeps.every((w) => w >= 250)).toBe(true);
      expect(h.writes()).toHaveLength(0);

      storm = false;
      h.clock.advance(60);
      const retry = await h.handler(structuredClone(event));
      expect(retry.targets[0]).toMatchObject({ outcome: 'applied' });
      expect(h.writes()).toHaveLength(1);
    },
  );
});

test('R05 throttling on DynamoDB: the state store throttled on every call fails the invocation, nothing written to AWS', async () => {
  await withHarness(
    { db: db(), faults: { dynamo: { throttle: 1, throttleError: 'ProvisionedThroughputExceededException' } } },
    async (h) => {
      const event = await overload(h);
      await expect(h.handler(event)).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
      expect(h.writes()).toHaveLength(0);
      expect(h.clients.dynamo!.faults.attempted.length).toBeLessThanOrEqual(ATTEMPTS);
    },
  );
});
