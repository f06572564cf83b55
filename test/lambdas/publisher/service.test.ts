/**
 * The broker reader on the real path: the Redis client of the deployed handler (connectRedis) against
 * Redis servers that speak the wire protocol on the loopback (test/support/resp-server.ts), publishing to
 * the simulator's in-memory CloudWatch.
 */
import { connectRedis } from '../../../lambdas/publisher/handler';
import { MAX_METRICS_PER_PUT, type PublisherDeps, publishDepths } from '../../../lambdas/publisher/service';
import { parseConfig, type RedisWorkersTarget } from '../../../lambdas/shared/config';
import { FakeCloudWatch, MetricStore, metricKey } from '../../../sim/cloud/cloudwatch';
import { CallLog } from '../../../sim/cloud/recorder';
import { RespServer } from '../../support/resp-server';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const VPC = { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] };
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:celery-broker-AbCdEf';
const WORKERS = (service: string) => ({ kind: 'ecs-service', cluster: 'celery', service });

let servers: RespServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

async function server(options?: Parameters<typeof RespServer.start>[0]) {
  const s = await RespServer.start(options);
  servers.push(s);
  return s;
}

/** A port nothing listens on: a server started and stopped. */
async function closedPort(): Promise<number> {
  const s = await RespServer.start();
  await s.stop();
  return s.port;
}

function targets(brokers: Record<string, Record<string, unknown>>): RedisWorkersTarget[] {
  const config = parseConfig({
    prefix: 'shop',
    targets: Object.entries(brokers).map(([id, broker]) => ({
      kind: 'redis-workers',
      id,
      broker: { host: '127.0.0.1', tls: false, vpc: VPC, ...broker },
      workers: WORKERS(id),
      messagesPerSecondPerWorker: 1,
    })),
  });
  return config.targets as RedisWorkersTarget[];
}

function world(list: RedisWorkersTarget[], secrets: Record<string, string> = {}) {
  const log = new CallLog(() => NOW);
  const store = new MetricStore();
  const errors: { message: string; extra: Record<string, unknown> }[] = [];
  const deps: PublisherDeps = {
    prefix: 'shop',
    targets: list,
    // A short timeout: a broker that does not answer fails fast.
    connect: (broker, auth) => connectRedis(broker, auth, 2_000),
    secret: async (arn) => {
      if (!(arn in secrets)) throw new Error(`ResourceNotFoundException: ${arn}`);
      return secrets[arn];
    },
    cloudWatch: new FakeCloudWatch(store, log, () => NOW),
    now: () => NOW,
    log: { info: () => undefined, error: (message, ...extra) => void errors.push({ message, extra: Object.assign({}, ...extra) }) },
  };
  const value = (metricName: string, dimensions: Record<string, string>) =>
    store.aggregate(metricKey('shop/Celery', metricName, dimensions), NOW, 60, 'Maximum', NOW)?.value;
  return { deps, log, errors, value, puts: () => log.of('cloudwatch', 'PutMetricDataCommand') };
}

describe('the broker reader', () => {
  test('publishes each queue, the total and the unacknowledged of a target, in <prefix>/Celery at one-minute resolution', async () => {
    const redis = await server();
    redis.list('celery', 12).list('mail', 5).hash('unacked', 3).list('other-app', 99);
    const w = world(targets({ celery: { port: redis.port, queues: ['celery', 'mail'] } }));
    await expect(publishDepths(w.deps)).resolves.toEqual({ published: ['celery'], failed: [] });
    expect(w.value('QueueDepth', { Target: 'celery', Queue: 'celery' })).toBe(12);
    expect(w.value('QueueDepth', { Target: 'celery', Queue: 'mail' })).toBe(5);
    expect(w.value('QueueDepth', { Target: 'celery' })).toBe(17);
    expect(w.value('UnackedMessages', { Target: 'celery' })).toBe(3);
    const [put] = w.puts();
    const input = put.input as { Namespace: string; MetricData: { StorageResolution: number; Unit: string; Timestamp: Date }[] };
    expect(input.Namespace).toBe('shop/Celery');
    expect(input.MetricData.every((d) => d.StorageResolution === 60 && d.Unit === 'Count' && d.Timestamp.getTime() === NOW)).toBe(true);
    // Exact keys only, in one pipeline: no KEYS, no SCAN, nothing of the other application's.
    expect(redis.commands.map((c) => c[0])).toEqual(['HLEN', 'LLEN', 'LLEN']);
    expect(redis.commands.flat()).not.toContain('other-app');
  });

  test('with priorities, a queue is its list and its lists of priority steps 3, 6 and 9 (kombu: "<queue>\\x06\\x16<n>")', async () => {
    const redis = await server();
    redis.list('celery', 2).list('celery\x06\x163', 4).list('celery\x06\x166', 8).list('celery\x06\x169', 16).list('celery\x06\x161', 1000);
    const w = world(
      targets({ prio: { port: redis.port, queues: ['celery'], priorities: true }, plain: { port: redis.port, queues: ['celery'], database: 1 } }),
    );
    await publishDepths(w.deps);
    expect(w.value('QueueDepth', { Target: 'prio' })).toBe(30);
    // Without priorities the queue's own list only; and the database is the configured one (SELECT 1: empty).
    expect(w.value('QueueDepth', { Target: 'plain' })).toBe(0);
    expect(redis.commands).toContainEqual(['SELECT', '1']);
  });

  test('AUTH with the secret: a plain token, or JSON with an ACL user and password', async () => {
    const token = await server({ auth: { password: 's3cret' } });
    token.list('celery', 7);
    const acl = await server({ auth: { username: 'celery', password: 'pw' } });
    acl.list('celery', 9);
    const other = `${SECRET.slice(0, -6)}ZyXwVu`;
    const w = world(
      targets({
        a: { port: token.port, queues: ['celery'], authSecretArn: SECRET },
        b: { port: acl.port, queues: ['celery'], authSecretArn: other },
      }),
      { [SECRET]: 's3cret', [other]: JSON.stringify({ username: 'celery', password: 'pw' }) },
    );
    await publishDepths(w.deps);
    expect(w.value('QueueDepth', { Target: 'a' })).toBe(7);
    expect(w.value('QueueDepth', { Target: 'b' })).toBe(9);
    expect(acl.commands[0]).toEqual(['AUTH', 'celery', 'pw']);
  });

  test('two targets on one broker share one connection and one pipeline', async () => {
    const redis = await server();
    redis.list('celery', 1).list('mail', 2);
    const w = world(targets({ a: { port: redis.port, queues: ['celery'] }, b: { port: redis.port, queues: ['mail'] } }));
    await publishDepths(w.deps);
    expect(redis.commands.map((c) => c[0])).toEqual(['HLEN', 'LLEN', 'LLEN']);
    expect([w.value('QueueDepth', { Target: 'a' }), w.value('QueueDepth', { Target: 'b' })]).toEqual([1, 2]);
  });

  test('a broker it cannot reach: logged, no datapoint for its targets, the other brokers published; the run fails at the end', async () => {
    const up = await server();
    up.list('celery', 4);
    const down = await closedPort();
    const w = world(targets({ alive: { port: up.port, queues: ['celery'] }, dead: { port: down, queues: ['celery'] } }));
    await expect(publishDepths(w.deps)).rejects.toThrow(/queue depth not published for "dead" \(cannot connect to 127\.0\.0\.1:\d+/);
    expect(w.value('QueueDepth', { Target: 'alive' })).toBe(4);
    expect(w.value('QueueDepth', { Target: 'dead' })).toBeUndefined();
    expect(w.value('UnackedMessages', { Target: 'dead' })).toBeUndefined();
    expect(w.errors).toEqual([expect.objectContaining({ extra: expect.objectContaining({ target: 'dead', broker: `redis://127.0.0.1:${down}/0` }) })]);
  });

  test('a wrong AUTH token or a missing secret: that broker only', async () => {
    const locked = await server({ auth: { password: 'right' } });
    locked.list('celery', 4);
    const open = await server();
    open.list('celery', 2);
    const w = world(targets({ locked: { port: locked.port, queues: ['celery'], authSecretArn: SECRET }, open: { port: open.port, queues: ['celery'] } }), {
      [SECRET]: 'wrong',
    });
    await expect(publishDepths(w.deps)).rejects.toThrow(/"locked" \(.*WRONGPASS/);
    expect(w.value('QueueDepth', { Target: 'locked' })).toBeUndefined();
    expect(w.value('QueueDepth', { Target: 'open' })).toBe(2);
  });

  test('a queue key that is not a list: that target gets no datapoint, the others on the broker do', async () => {
    const redis = await server();
    redis.string('celery', 'not a queue').list('mail', 3);
    const w = world(targets({ bad: { port: redis.port, queues: ['celery'] }, good: { port: redis.port, queues: ['mail'] } }));
    await expect(publishDepths(w.deps)).rejects.toThrow(/"bad" \(LLEN "celery": WRONGTYPE/);
    expect(w.value('QueueDepth', { Target: 'bad' })).toBeUndefined();
    expect(w.value('QueueDepth', { Target: 'good' })).toBe(3);
  });

  test(`more than ${MAX_METRICS_PER_PUT} datapoints go in several PutMetricData requests, no target split between two`, async () => {
    const redis = await server();
    // 60 targets x (20 queues + total + unacked) = 1,320 datapoints: 45 targets (990) in the first request.
    const many: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < 60; i++) many[`t${i}`] = { port: redis.port, queues: Array.from({ length: 20 }, (_, j) => `t${i}-q${j}`) };
    const w = world(targets(many));
    await publishDepths(w.deps);
    const requests = w.puts().map((p) => (p.input as { MetricData: { Dimensions: { Value: string }[] }[] }).MetricData);
    expect(requests.map((r) => r.length)).toEqual([990, 330]);
    const targetsOf = (r: (typeof requests)[number]) => new Set(r.map((d) => d.Dimensions[0].Value));
    const [first, second] = requests.map(targetsOf);
    expect([...first].filter((t) => second.has(t))).toEqual([]);
    // The second request refused: its 15 targets are reported, the first 45 published.
    let call = 0;
    const half = { send: async () => (++call === 2 ? Promise.reject(new Error('Throttling')) : {}) };
    const message = await publishDepths({ ...w.deps, cloudWatch: half }).then(
      () => '',
      (err: Error) => err.message,
    );
    expect(message.match(/\(PutMetricData: Throttling\)/g)).toHaveLength(15);
    expect(message).toContain('"t45" (PutMetricData: Throttling)');
    expect(message).not.toContain('"t44"');
  });

  test('PutMetricData refused: every target of the request is reported once as not published', async () => {
    const redis = await server();
    redis.list('celery', 1).list('mail', 2);
    const w = world(targets({ a: { port: redis.port, queues: ['celery'] }, b: { port: redis.port, queues: ['mail'] } }));
    const refused = { send: async () => Promise.reject(new Error('AccessDenied')) };
    await expect(publishDepths({ ...w.deps, cloudWatch: refused })).rejects.toThrow(
      'queue depth not published for "a" (PutMetricData: AccessDenied), "b" (PutMetricData: AccessDenied)',
    );
  });
});
