/**
 * The broker reader's Redis client (lambdas/publisher/resp.ts, through connectRedis as the handler uses
 * it) against the wire-protocol server of test/support/resp-server.ts, over TCP and TLS, and against
 * raw sockets that misbehave: silent, slow, closing, answering in pieces.
 */
import { execFileSync } from 'node:child_process';
import type * as dns from 'node:dns';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectRedis } from '../../../lambdas/publisher/handler';
import { parseReply, RespClient, RespError } from '../../../lambdas/publisher/resp';
import type { BrokerClient } from '../../../lambdas/publisher/service';
import type { RedisBroker } from '../../../lambdas/shared/kinds/redis-workers';
import { RespServer } from '../../support/resp-server';

const VPC = { subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] };
const broker = (port: number, extra: Partial<RedisBroker> = {}): RedisBroker => ({
  host: '127.0.0.1',
  port,
  tls: false,
  database: 0,
  queues: ['celery'],
  priorities: false,
  vpc: VPC,
  ...extra,
});

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function server(options?: Parameters<typeof RespServer.start>[0]) {
  const s = await RespServer.start(options);
  closers.push(() => s.stop());
  return s;
}

/** A raw TCP server on the loopback whose connections `onConnection` handles. */
async function raw(onConnection: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => s.close(resolve));
  });
  return (s.address() as net.AddressInfo).port;
}

async function client(b: RedisBroker, auth?: { username?: string; password: string }, timeoutMs = 2_000, tlsOptions = {}): Promise<BrokerClient> {
  const c = await connectRedis(b, auth, timeoutMs, tlsOptions);
  closers.push(() => c.close());
  return c;
}

describe('commands and replies', () => {
  test('LLEN and HLEN in one pipeline, each reply to its command, an error reply to its command only', async () => {
    const redis = await server();
    redis.list('celery', 3).hash('unacked', 2).string('broken', 'x');
    const c = await client(broker(redis.port));
    const replies = await c.lengths([
      { op: 'llen', key: 'celery' },
      { op: 'llen', key: 'broken' },
      { op: 'hlen', key: 'unacked' },
      { op: 'llen', key: 'absent' },
    ]);
    expect(replies.slice(0, 1)).toEqual([3]);
    expect(replies[1]).toBeInstanceOf(RespError);
    expect((replies[1] as Error).message).toMatch(/^WRONGTYPE /);
    expect(replies.slice(2)).toEqual([2, 0]);
    expect(redis.commands).toEqual([
      ['LLEN', 'celery'],
      ['LLEN', 'broken'],
      ['HLEN', 'unacked'],
      ['LLEN', 'absent'],
    ]);
  });

  test('the commands of a pipeline leave in one write, before any reply', async () => {
    const chunks: string[] = [];
    const port = await raw((socket) =>
      socket.on('data', (d) => {
        chunks.push(d.toString('latin1'));
        socket.write(':1\r\n:2\r\n');
      }),
    );
    const c = await client(broker(port));
    expect(
      await c.lengths([
        { op: 'llen', key: 'a' },
        { op: 'hlen', key: 'b' },
      ]),
    ).toEqual([1, 2]);
    expect(chunks).toEqual(['*2\r\n$4\r\nLLEN\r\n$1\r\na\r\n*2\r\n$4\r\nHLEN\r\n$1\r\nb\r\n']);
  });

  test('replies that arrive a byte at a time, and a key in UTF-8 (kombu priority keys hold control characters)', async () => {
    const received: Buffer[] = [];
    const port = await raw((socket) =>
      socket.on('data', async (d) => {
        received.push(d);
        for (const byte of Buffer.from(':42\r\n-ERR no\r\n')) {
          socket.write(Buffer.from([byte]));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }),
    );
    const c = await client(broker(port));
    const replies = await c.lengths([
      { op: 'llen', key: 'céléry\x06\x163' },
      { op: 'llen', key: 'x' },
    ]);
    expect(replies[0]).toBe(42);
    expect((replies[1] as Error).message).toBe('ERR no');
    expect(Buffer.concat(received).toString('utf8')).toContain('$11\r\ncéléry\x06\x163\r\n');
  });

  test('SELECT when the database is not 0; none for 0', async () => {
    const redis = await server();
    redis.list('celery', 5, 2);
    expect(await (await client(broker(redis.port, { database: 2 }))).lengths([{ op: 'llen', key: 'celery' }])).toEqual([5]);
    expect(await (await client(broker(redis.port))).lengths([{ op: 'llen', key: 'celery' }])).toEqual([0]);
    expect(redis.commands.map((c) => c[0])).toEqual(['SELECT', 'LLEN', 'LLEN']);
  });

  test('a database the server does not have: no connection, with Redis’s reason', async () => {
    const redis = await server({ databases: 4 });
    await expect(client(broker(redis.port, { database: 9 }))).rejects.toThrow(/^cannot connect to 127\.0\.0\.1:\d+: ERR DB index is out of range$/);
  });
});

describe('AUTH', () => {
  test('a password alone, then an ACL user and password', async () => {
    const token = await server({ auth: { password: 's3cret' } });
    token.list('celery', 1);
    expect(await (await client(broker(token.port), { password: 's3cret' })).lengths([{ op: 'llen', key: 'celery' }])).toEqual([1]);
    expect(token.commands[0]).toEqual(['AUTH', 's3cret']);
    const acl = await server({ auth: { username: 'celery', password: 'pw' } });
    acl.list('celery', 2);
    expect(await (await client(broker(acl.port, { database: 1 }), { username: 'celery', password: 'pw' })).lengths([{ op: 'llen', key: 'celery' }])).toEqual([
      0,
    ]);
    expect(acl.commands.slice(0, 2)).toEqual([
      ['AUTH', 'celery', 'pw'],
      ['SELECT', '1'],
    ]);
  });

  test('a wrong password: no connection, with Redis’s reason', async () => {
    const redis = await server({ auth: { password: 'right' } });
    await expect(client(broker(redis.port), { password: 'wrong' })).rejects.toThrow(/^cannot connect to 127\.0\.0\.1:\d+: WRONGPASS /);
  });

  test('no AUTH where the server wants one: each command answered NOAUTH', async () => {
    const redis = await server({ auth: { password: 'right' } });
    const [reply] = await (await client(broker(redis.port))).lengths([{ op: 'llen', key: 'celery' }]);
    expect((reply as Error).message).toMatch(/^NOAUTH /);
  });
});

describe('TLS', () => {
  let dir: string;
  const pem = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-tls-'));
    // A CA, and a certificate it signs for the broker's name (redis.test) and the loopback address.
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=test CA',
    );
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=redis.test',
    );
    fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:redis.test,IP:127.0.0.1\n');
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'san.ext',
    );
  });
  const tlsServer = () => server({ tls: { key: pem('server.key'), cert: pem('server.pem') } });
  /** redis.test is the loopback, for this client only. */
  const lookup: net.LookupFunction = (_host, options, callback) =>
    (options as dns.LookupOptions).all
      ? (callback as never as (e: null, a: dns.LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }])
      : callback(null, '127.0.0.1', 4);

  test('by host name: the name sent as SNI and checked against the certificate, AUTH and commands inside TLS', async () => {
    const redis = await tlsServer();
    redis.list('celery', 6);
    const c = await client(broker(redis.port, { host: 'redis.test', tls: true }), { password: 'p' }, 2_000, { ca: pem('ca.pem'), lookup });
    expect(await c.lengths([{ op: 'llen', key: 'celery' }])).toEqual([6]);
    expect(redis.servernames).toEqual(['redis.test']);
    expect(redis.commands.map((x) => x[0])).toEqual(['AUTH', 'LLEN']);
  });

  test('by IP address: no SNI, the address checked against the certificate', async () => {
    const redis = await tlsServer();
    const c = await client(broker(redis.port, { tls: true }), undefined, 2_000, { ca: pem('ca.pem') });
    expect(await c.lengths([{ op: 'llen', key: 'celery' }])).toEqual([0]);
    expect(redis.servernames).toEqual([false]);
  });

  test('a certificate from a CA the client does not trust (Node’s defaults): no connection', async () => {
    const redis = await tlsServer();
    await expect(client(broker(redis.port, { tls: true }))).rejects.toThrow(/^cannot connect to 127\.0\.0\.1:\d+: .*(self-signed|unable to (get|verify))/);
    expect(redis.commands).toEqual([]);
  });

  test('a certificate for another name: no connection', async () => {
    const redis = await tlsServer();
    const other = broker(redis.port, { host: 'other.test', tls: true });
    await expect(client(other, undefined, 2_000, { ca: pem('ca.pem'), lookup })).rejects.toThrow(/^cannot connect to other\.test:\d+: .*other\.test/);
  });

  test('a broker without TLS when TLS is configured: no connection', async () => {
    // Redis answers what is not RESP with a protocol error and closes the connection.
    const port = await raw((socket) => socket.on('data', () => socket.end('-ERR Protocol error: invalid multibulk length\r\n')));
    await expect(client(broker(port, { tls: true }), undefined, 2_000)).rejects.toThrow(/^cannot connect to 127\.0\.0\.1:\d+: /);
  });
});

describe('every wait is bounded', () => {
  const silent = () => raw(() => undefined);

  test('a broker that accepts and never answers AUTH: no connection after the timeout', async () => {
    const port = await silent();
    const t = Date.now();
    await expect(client(broker(port), { password: 'p' }, 200)).rejects.toThrow('cannot connect to 127.0.0.1');
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
    expect(Date.now() - t).toBeLessThan(1_500);
  });

  test('a TLS handshake that never completes: no connection after the timeout', async () => {
    const port = await silent();
    await expect(client(broker(port, { tls: true }), undefined, 200)).rejects.toThrow(
      /^cannot connect to 127\.0\.0\.1:\d+: connecting timed out after 200 ms$/,
    );
  });

  test('a command that is never answered: the pipeline fails after the timeout, and so does the next', async () => {
    const port = await silent();
    const c = await client(broker(port), undefined, 200);
    await expect(c.lengths([{ op: 'llen', key: 'celery' }])).rejects.toThrow('1 command(s) timed out after 200 ms');
    await expect(c.lengths([{ op: 'llen', key: 'celery' }])).rejects.toThrow('timed out');
  });

  test('a port nothing listens on: no connection, with the reason', async () => {
    const port = await raw(() => undefined);
    await closers.pop()!();
    await expect(client(broker(port))).rejects.toThrow(/^cannot connect to 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });

  test('a connection closed before the replies: the pipeline fails at once', async () => {
    const port = await raw((socket) => socket.on('data', () => socket.end(':1\r\n')));
    const c = await client(broker(port), undefined, 5_000);
    const t = Date.now();
    await expect(
      c.lengths([
        { op: 'llen', key: 'a' },
        { op: 'llen', key: 'b' },
      ]),
    ).rejects.toThrow('connection closed');
    expect(Date.now() - t).toBeLessThan(1_000);
  });

  test('a reply to no command, or one that is not RESP: the connection is dropped', async () => {
    const port = await raw((socket) => socket.on('data', () => socket.write(':1\r\n:2\r\n')));
    const c = await client(broker(port));
    await expect(c.lengths([{ op: 'llen', key: 'a' }])).resolves.toEqual([1]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(c.lengths([{ op: 'llen', key: 'a' }])).rejects.toThrow('a reply to no command');
    const garbage = await raw((socket) => socket.on('data', () => socket.write('HTTP/1.1 400 Bad Request\r\n')));
    await expect((await client(broker(garbage))).lengths([{ op: 'llen', key: 'a' }])).rejects.toThrow('not a RESP2 reply: "HTTP/1.1 400 Bad Req"');
  });
});

describe('parseReply', () => {
  const parse = (s: string) => parseReply(Buffer.from(s), 0);
  test.each([
    ['+OK\r\n', 'OK'],
    [':-3\r\n', -3],
    ['$5\r\nhé\r\n\r\n', 'hé\r\n'],
    ['$-1\r\n', null],
    ['*-1\r\n', null],
    ['*3\r\n:1\r\n$1\r\na\r\n*1\r\n+b\r\n', [1, 'a', ['b']]],
  ])('%j', (wire, value) => {
    expect(parse(wire)).toEqual({ value, end: Buffer.byteLength(wire) });
  });

  test('an error reply is a RespError with its message', () => {
    const { value } = parse('-WRONGTYPE Operation against a key\r\n')!;
    expect(value).toBeInstanceOf(RespError);
    expect((value as Error).message).toBe('WRONGTYPE Operation against a key');
  });

  test.each(['', ':1', ':1\r', '$3\r\nab', '$3\r\nabc\r', '*2\r\n:1\r\n'])('incomplete %j: undefined until whole', (wire) => {
    expect(parse(wire)).toBeUndefined();
  });

  test('from an offset', () => {
    expect(parseReply(Buffer.from(':1\r\n:22\r\n'), 4)).toEqual({ value: 22, end: 9 });
  });
});

test('RespClient.connect without connectRedis: the options as given', async () => {
  const redis = await server({ auth: { username: 'u', password: 'p' } });
  const c = await RespClient.connect({ host: '127.0.0.1', port: redis.port, username: 'u', password: 'p', database: 3, timeoutMs: 1_000 });
  closers.push(() => c.close());
  expect(await c.pipeline([['PING'], ['LLEN', 'x']], 1_000)).toEqual(['PONG', 0]);
});
