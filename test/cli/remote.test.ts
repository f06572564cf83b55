/**
 * `npx autoscaler --api URL ...`: the CLI's requests, SigV4-signed, to a local HTTP server that checks
 * each signature as API Gateway would (the same key, the same canonical request) and hands the request
 * to the API's routes as an HTTP API event, over the state table on dynalite.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { regionOfApiUrl, signedApiClient } from '../../cli/api-client';
import { type CliDeps, runCli } from '../../cli/program';
import { type ApiEvent, serve } from '../../lambdas/api/routes';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import fixture from '../fixtures/apigateway-http-api-iam.json';
import { ALL_KINDS_CONFIG } from '../support/configs';
import { useDynalite } from '../support/dynalite';

const db = useDynalite();
const NOW = Date.parse('2026-11-30T12:00:00Z');
const REGION = 'eu-west-1';
const KEY = { accessKeyId: 'AKIDOPERATOR', secretAccessKey: 'operator-secret' };
const CALLER = fixture.requestContext.authorizer.iam.userArn;

let server: Server;
let url: string;
let store: DynamoStateStore;
const requests: string[] = [];

/** Whether the request's Authorization is the one its own signed headers give with KEY (what API Gateway checks). */
async function signatureHolds(req: IncomingMessage, path: string, query: Record<string, string>, body: string | undefined): Promise<boolean> {
  const auth = String(req.headers.authorization ?? '');
  const signedNames = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  if (!signedNames.length || !scope || scope[2] !== 'execute-api' || !signedNames.includes('host')) return false;
  const headers = Object.fromEntries(signedNames.map((n) => [n, String(req.headers[n] ?? '')]));
  // The payload's hash as received, not as the client declares it.
  if ('x-amz-content-sha256' in headers)
    headers['x-amz-content-sha256'] = createHash('sha256')
      .update(body ?? '')
      .digest('hex');
  const date = String(req.headers['x-amz-date']).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
  const signer = new SignatureV4({ service: 'execute-api', region: scope[1], sha256: Sha256, credentials: KEY });
  const [hostname, port] = String(req.headers.host).split(':');
  const again = await signer.sign(
    { method: req.method!, protocol: 'http:', hostname, port: Number(port), path, query, headers, body },
    { signingDate: new Date(date) },
  );
  return again.headers.authorization === auth;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', async () => {
      const u = new URL(req.url!, 'http://127.0.0.1');
      const query = Object.fromEntries(u.searchParams);
      requests.push(`${req.method} ${u.pathname}`);
      if (!(await signatureHolds(req, u.pathname, query, body || undefined))) {
        res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Forbidden"}');
        return;
      }
      const e = structuredClone(fixture) as unknown as Record<string, any>;
      Object.assign(e, { routeKey: '$default', rawPath: u.pathname, rawQueryString: u.searchParams.toString(), queryStringParameters: query });
      Object.assign(e.requestContext.http, { method: req.method, path: u.pathname });
      if (body) e.body = body;
      const out = await serve(e as unknown as ApiEvent, { config: ALL_KINDS_CONFIG, store, now: () => NOW });
      res.writeHead(out.statusCode ?? 200, out.headers as Record<string, string>).end(out.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(async () => {
  store = new DynamoStateStore({ tableName: await db().stateTable(), client: db().doc });
  requests.length = 0;
});

/** The CLI with every AWS client unreachable: over --api, nothing but the API may be called. */
async function run(secret: string, ...args: string[]) {
  let out = '';
  let err = '';
  const unreachable = { send: async () => Promise.reject(new Error('no AWS client may be called over --api')) };
  const deps: CliDeps = {
    cloudFormation: unreachable,
    cloudWatch: unreachable,
    autoScaling: unreachable,
    ecs: unreachable,
    sqs: unreachable,
    rds: unreachable,
    elastiCache: unreachable,
    cloudFront: unreachable,
    sfn: unreachable,
    sts: unreachable,
    sns: unreachable,
    region: async () => REGION,
    store: () => {
      throw new Error('no state store over --api');
    },
    now: () => NOW,
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    api: (u) => signedApiClient(u, { region: REGION }, { credentials: { ...KEY, secretAccessKey: secret } }),
  };
  const code = await runCli(['--api', url, ...args], deps);
  return { code, out, err };
}

test('pause, override, status, history and resume over the API, each request signed; the state table holds what the CLI did', async () => {
  expect(await run(KEY.secretAccessKey, 'pause', 'web')).toEqual({ code: 0, out: 'paused: target web\n', err: '' });
  expect(await store.getSwitches('web')).toEqual({ paused: true, dryRun: false });
  const set = await run(KEY.secretAccessKey, 'override', 'set', 'api', '--max', '6', '--for', '2h', '--reason', 'sale');
  expect(set).toMatchObject({ code: 0, out: 'override set: api: until 2026-11-30T14:00:00.000Z (in 2h00m)\n' });
  expect(await store.getOverride('api')).toMatchObject({ max: 6, setBy: CALLER, reason: 'sale' });
  const status = JSON.parse((await run(KEY.secretAccessKey, '-o', 'json', 'status')).out);
  expect(status.targets.find((t: { id: string }) => t.id === 'web')).toMatchObject({ paused: true });
  expect(status.targets.find((t: { id: string }) => t.id === 'api')).toMatchObject({ bounds: { min: 2, max: 6 } });
  expect((await run(KEY.secretAccessKey, 'status')).out).toMatch(/^web\s+asg\s+2\s+10\s+-\s+paused$/m);
  expect((await run(KEY.secretAccessKey, 'override', 'list', '-o', 'text')).out).toMatch(
    /^api\tmaxCapacity 6 until .*\t2h00m\tarn:aws:sts::123456789012:assumed-role\/Operator\/alice\tsale\n$/,
  );
  const history = await run(KEY.secretAccessKey, 'history', '--since', '1h', '-o', 'text');
  // Both in the same millisecond (the clock stands still here): by target id.
  expect(
    history.out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t').slice(1, 3)),
  ).toEqual([
    ['api', 'control'],
    ['web', 'control'],
  ]);
  expect(await run(KEY.secretAccessKey, 'resume', 'web')).toMatchObject({ code: 0, out: 'resumed: target web\n' });
  expect(await run(KEY.secretAccessKey, 'override', 'end', 'api')).toMatchObject({ code: 0 });
  expect(requests).toEqual([
    'POST /pause',
    'PUT /targets/api/overrides',
    'GET /status',
    'GET /status',
    'GET /status',
    'GET /history',
    'POST /resume',
    'DELETE /targets/api/overrides',
  ]);
});

test("the API's refusals are one line with the reason, and nothing is written", async () => {
  const beyond = await run(KEY.secretAccessKey, 'override', 'set', 'web', '--max', '99', '--for', '1h');
  expect(beyond).toEqual({
    code: 1,
    out: '',
    err: 'autoscaler: PUT /targets/web/overrides: 400 override refused: max: 99 is outside the deployed minCapacity-maxCapacity 2-10 of "web"\n',
  });
  const unknown = await run(KEY.secretAccessKey, 'pause', 'nope');
  expect(unknown.code).toBe(1);
  expect(unknown.err).toMatch(/^autoscaler: POST \/pause: 404 no target "nope" in this deployment/);
  expect(await store.listOverrides()).toEqual([]);
  expect(await store.listAudit('web', 0, NOW + 1)).toEqual([]);
});

test('a request signed with the wrong key is refused with 403, and the CLI says what the caller needs', async () => {
  const res = await run('not-the-secret', 'pause');
  expect(res.code).toBe(1);
  expect(res.err).toBe(
    'autoscaler: the API refused the call (403 Forbidden): the caller needs execute-api:Invoke on POST /pause, and the request must be signed for region eu-west-1\n',
  );
  expect(await store.getSwitches('*')).toEqual({ paused: false, dryRun: false });
});

test('recommendations: the stored ones through GET /recommendations, as without --api', async () => {
  await store.putRecommendation({
    targetId: 'web',
    kind: 'asg',
    computedAt: NOW - 3_600_000,
    trace: { from: NOW - 14 * 86_400_000, to: NOW - 3_600_000, steps: 20_100, stepSeconds: 60, source: 'CloudWatch ...' },
    verdict: 'change',
    current: { settings: { targetCpu: 70 }, figures: {} },
    recommended: { settings: { targetCpu: 60 }, figures: {} },
    monthly: { unitHours: 365, noPrice: 'no unitPrice in the config' },
  });
  const res = await run(KEY.secretAccessKey, 'recommendations', '--target', 'web', '-o', 'text');
  expect(res).toEqual({ code: 0, out: 'web\tasg\t2026-11-30T11:00:00Z\t2026-11-16..2026-11-30\tchange\t+365\tno price\ttargetCpu 70 -> 60\n', err: '' });
  expect(requests).toEqual(['GET /recommendations']);
});

test('commands the API does not serve say so, and call nothing', async () => {
  for (const [args, name] of [
    [['explain', 'web'], 'explain'],
    [['dry-run', 'on'], 'dry-run'],
    [['runbook', 'start', 'redis', '--input', '{}'], 'runbook start'],
  ] as const) {
    const res = await run(KEY.secretAccessKey, ...args);
    expect(res).toEqual({
      code: 1,
      out: '',
      err: `autoscaler: ${name} is not served by the operator API: run it without --api (it then talks to the stack)\n`,
    });
  }
  expect(requests).toEqual([]);
});

test('the region comes from --region, else from the execute-api URL; a URL that is not one is refused', () => {
  expect(regionOfApiUrl(new URL('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/'))).toBe('eu-west-1');
  expect(regionOfApiUrl(new URL('https://ops.example.com/'))).toBeUndefined();
  expect(() => signedApiClient('not a url', {})).toThrow('--api "not a url" is not a URL');
  expect(() => signedApiClient('http://api.example.com/', { region: REGION })).toThrow('must be https');
});
