/**
 * The operator API end to end: HTTP API events (payload format 2.0, IAM authorizer) into `serve`,
 * over the DynamoDB store on dynalite, with the control core the CLI uses.
 */
import type { Notification } from '../../../lambdas/adapters/sns';
import { type ApiDeps, type ApiEvent, serve } from '../../../lambdas/api/routes';
import { historyPage } from '../../../lambdas/control/history';
import { API_ROUTES } from '../../../lambdas/shared/api-routes';
import { DynamoStateStore } from '../../../lambdas/state/dynamo';
import { ALL_TARGETS, type AuditEntry, type StoredRecommendation } from '../../../lambdas/state/store';
import fixture from '../../fixtures/apigateway-http-api-iam.json';
import { ALL_KINDS_CONFIG } from '../../support/configs';
import { useDynalite } from '../../support/dynalite';

const db = useDynalite();
const NOW = Date.parse('2026-11-30T12:00:00Z');
const HOUR = 3_600_000;
const CALLER = fixture.requestContext.authorizer.iam.userArn;

interface Call {
  readonly query?: Record<string, string>;
  /** A JSON value, or raw text when a string. */
  readonly body?: unknown;
  readonly base64?: boolean;
  /** `null`: no IAM identity in the request context. */
  readonly caller?: string | null;
}

/** An HTTP API event as API Gateway sends it, from the recorded one. */
function event(method: string, path: string, call: Call = {}): ApiEvent {
  const e = structuredClone(fixture) as unknown as Record<string, any>;
  const route = API_ROUTES.find((r) => r.method === method && new RegExp(`^${r.path.replace('{id}', '[^/]+')}$`).test(path));
  e.routeKey = route ? `${route.method} ${route.path}` : '$default';
  e.requestContext.routeKey = e.routeKey;
  e.rawPath = path;
  e.requestContext.http.method = method;
  e.requestContext.http.path = path;
  if (call.query) {
    e.queryStringParameters = call.query;
    e.rawQueryString = new URLSearchParams(call.query).toString();
  }
  if (call.body !== undefined) {
    const text = typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
    e.body = call.base64 ? Buffer.from(text).toString('base64') : text;
    e.isBase64Encoded = Boolean(call.base64);
  }
  if (call.caller === null) delete e.requestContext.authorizer;
  else if (call.caller) e.requestContext.authorizer.iam.userArn = call.caller;
  return e as unknown as ApiEvent;
}

async function rig() {
  const store = new DynamoStateStore({ tableName: await db().stateTable(), client: db().doc });
  const told: Notification[] = [];
  let now = NOW;
  const deps: ApiDeps = { config: ALL_KINDS_CONFIG, store, now: () => now, notifier: { notify: async (n) => void told.push(n) } };
  const call = async (method: string, path: string, c?: Call) => {
    const res = await serve(event(method, path, c), deps);
    return { status: res.statusCode, headers: res.headers, body: JSON.parse(res.body as string) };
  };
  /** Everything a request could have written. */
  const written = async () => ({
    audit: (await historyPage(ALL_KINDS_CONFIG, store, { from: 0, to: now + HOUR, limit: 1000 })).entries,
    overrides: await store.listOverrides(),
    switches: await Promise.all([ALL_TARGETS, 'web'].map((s) => store.getSwitches(s))),
    told: [...told],
  });
  return { store, told, call, written, at: (t: number) => (now = t) };
}

describe('reads', () => {
  test('GET /status: every target, the switches and the override in force, the bounds it sets', async () => {
    const { call } = await rig();
    await call('POST', '/pause', { body: { target: 'api' } });
    await call('PUT', '/targets/web/overrides', { body: { min: 3, max: 6, expiresAt: '2026-11-30T18:00:00Z' } });
    const { status, body } = await call('GET', '/status');
    expect(status).toBe(200);
    expect(body).toMatchObject({ prefix: 'shop', dryRun: false, global: { paused: false, dryRun: false } });
    expect(body.targets.map((t: { id: string }) => t.id)).toEqual(ALL_KINDS_CONFIG.targets.map((t) => t.id));
    const byId = Object.fromEntries(body.targets.map((t: { id: string }) => [t.id, t]));
    expect(byId.web).toMatchObject({ kind: 'asg', bounds: { min: 3, max: 6 }, paused: false, override: { until: '2026-11-30T18:00:00.000Z', by: CALLER } });
    expect(byId.api).toMatchObject({ paused: true, bounds: { min: 2, max: 10 } });
  });

  test('GET /targets/{id}: its state and deployed config; an unknown one is 404 naming those there are', async () => {
    const { call } = await rig();
    const web = await call('GET', '/targets/web');
    expect(web).toMatchObject({ status: 200, body: { id: 'web', kind: 'asg', paused: false, config: { autoScalingGroupName: 'shop-web', maxCapacity: 10 } } });
    const nope = await call('GET', '/targets/nope');
    expect(nope.status).toBe(404);
    expect(nope.body.error).toMatch(/^no target "nope" in this deployment \(targets: web, api, /);
  });

  test('GET /metrics: the last decision figures and the recent ones, per target or for one', async () => {
    const { store, call } = await rig();
    const decision = (at: number, cpu: number) => ({
      at,
      previous: 2,
      desired: 3,
      direction: 'out' as const,
      reason: `CPU ${cpu}%`,
      figures: { cpu },
      outcome: 'applied' as const,
    });
    await store.acquireLease('web', 'test', NOW, 60);
    await store.saveTarget({ targetId: 'web', lastDecision: decision(NOW - 60_000, 91) }, 'test');
    for (const [at, cpu] of [
      [NOW - 120_000, 80],
      [NOW - 60_000, 91],
    ])
      await store.appendAudit({ targetId: 'web', ...decision(at, cpu) }, 30);
    await store.appendAudit({ targetId: 'web', at: NOW - 30_000, outcome: 'control', actor: CALLER, reason: 'paused' }, 30);
    const all = await call('GET', '/metrics');
    expect(all.status).toBe(200);
    expect(all.body.targets).toHaveLength(ALL_KINDS_CONFIG.targets.length);
    const one = await call('GET', '/metrics', { query: { target: 'web', recent: '5' } });
    expect(one.body.targets).toEqual([
      {
        id: 'web',
        kind: 'asg',
        current: { at: '2026-11-30T11:59:00.000Z', outcome: 'applied', previous: 2, desired: 3, figures: { cpu: 91 } },
        recent: [expect.objectContaining({ figures: { cpu: 91 } }), expect.objectContaining({ figures: { cpu: 80 } })],
      },
    ]);
    // Control actions between decisions do not count against `recent`.
    const two = await call('GET', '/metrics', { query: { target: 'web', recent: '2' } });
    expect(two.body.targets[0].recent.map((d: { figures: { cpu: number } }) => d.figures.cpu)).toEqual([91, 80]);
    expect((await call('GET', '/metrics', { query: { recent: '0' } })).body).toEqual({
      error: 'bad query string',
      problems: ['recent: "0" must be a whole number from 1 to 100'],
    });
    expect((await call('GET', '/metrics', { query: { target: 'nope' } })).status).toBe(404);
  });

  test('GET /history: pages of `limit` entries, newest first, each once, through the opaque `next`', async () => {
    const { store, call } = await rig();
    const entries: AuditEntry[] = [0, 1, 2, 3, 4].map((i) => ({ targetId: i % 2 ? 'web' : 'api', at: NOW - i * 1000, outcome: 'held', reason: `e${i}` }));
    entries.push({ targetId: ALL_TARGETS, at: NOW - 2000, outcome: 'control', actor: CALLER, reason: 'e2b' });
    for (const e of entries) await store.appendAudit(e, 30);
    const seen: string[] = [];
    let next: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const res = await call('GET', '/history', { query: { limit: '2', ...(next ? { next } : {}) } });
      expect(res.status).toBe(200);
      expect(res.body.entries.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.entries.map((e: { reason: string; time: string }) => e.reason));
      next = res.body.next;
      if (!next) break;
    }
    expect(seen).toEqual(['e0', 'e1', 'e2b', 'e2', 'e3', 'e4']);
    const web = await call('GET', '/history', { query: { target: 'web', since: '2026-11-30T11:59:58Z' } });
    expect(web.body).toEqual({ entries: [expect.objectContaining({ reason: 'e1', time: '2026-11-30T11:59:59.000Z' })] });
  });

  test('GET /history refuses a bad limit, time, token or parameter, naming it', async () => {
    const { call } = await rig();
    const problems = async (query: Record<string, string>) => (await call('GET', '/history', { query })).body;
    expect(await problems({ limit: 'ten' })).toEqual({ error: 'bad query string', problems: ['limit: "ten" must be a whole number from 1 to 1000'] });
    expect((await problems({ limit: '1001' })).problems).toEqual(['limit: "1001" must be a whole number from 1 to 1000']);
    expect((await call('GET', '/history', { query: { limit: '1000' } })).status).toBe(200);
    expect((await problems({ since: 'yesterday' })).problems).toEqual(['since: "yesterday" must be an ISO 8601 time such as 2026-12-01T18:00:00Z']);
    expect((await problems({ next: 'garbage' })).problems).toEqual(['next: "garbage" is not a page token this API gave']);
    expect((await problems({ next: 'x', since: '2026-11-30T00:00:00Z' })).problems).toEqual([
      'since: not with next (the token carries the query it continues)',
    ]);
    expect((await problems({ page: '2' })).problems).toEqual(['page: unknown key']);
    expect((await call('GET', '/history', { query: { target: 'nope' } })).status).toBe(404);
  });

  test("GET /recommendations: each target's latest recommendation with its dollars a month, in config order, times in ISO 8601; ?target= one", async () => {
    const { call, store } = await rig();
    const DAY = 24 * HOUR;
    const record = (targetId: string, kind: string, extra: Partial<StoredRecommendation> = {}): StoredRecommendation => ({
      targetId,
      kind,
      computedAt: NOW - HOUR,
      trace: { from: NOW - 14 * DAY, to: NOW - HOUR, steps: 20_100, stepSeconds: 60, source: 'CloudWatch ...' },
      verdict: 'keep',
      current: { settings: { targetCpu: 70 }, figures: { violationPct: 0, costRatio: 1.2 } },
      ...extra,
    });
    await store.putRecommendation(record('celery', 'queue-workers'));
    await store.putRecommendation(
      record('web', 'asg', {
        verdict: 'change',
        recommended: { settings: { targetCpu: 60 }, figures: { violationPct: 0, costRatio: 1.1 } },
        monthly: { unitHours: -730, dollars: -60.74, price: { perUnitHour: 0.0832, source: 't3.large On-Demand, Linux, us-east-1' } },
      }),
    );
    await store.putRecommendation(record('gone', 'asg')); // a target no longer in the config
    const all = await call('GET', '/recommendations');
    expect(all.status).toBe(200);
    expect(all.body.recommendations.map((r: { targetId: string }) => r.targetId)).toEqual(['web', 'celery']);
    expect(all.body.recommendations[0]).toEqual({
      targetId: 'web',
      kind: 'asg',
      computedAt: '2026-11-30T11:00:00.000Z',
      trace: { from: '2026-11-16T12:00:00.000Z', to: '2026-11-30T11:00:00.000Z', steps: 20_100, stepSeconds: 60, source: 'CloudWatch ...' },
      verdict: 'change',
      current: { settings: { targetCpu: 70 }, figures: { violationPct: 0, costRatio: 1.2 } },
      recommended: { settings: { targetCpu: 60 }, figures: { violationPct: 0, costRatio: 1.1 } },
      monthly: { unitHours: -730, dollars: -60.74, price: { perUnitHour: 0.0832, source: 't3.large On-Demand, Linux, us-east-1' } },
    });
    const one = await call('GET', '/recommendations', { query: { target: 'celery' } });
    expect(one.body.recommendations.map((r: { targetId: string }) => r.targetId)).toEqual(['celery']);
    // A target of the config with no recommendation yet: none; an unknown one: 404; a bad parameter: 400.
    expect((await call('GET', '/recommendations', { query: { target: 'api' } })).body).toEqual({ recommendations: [] });
    expect((await call('GET', '/recommendations', { query: { target: 'nope' } })).status).toBe(404);
    expect((await call('GET', '/recommendations', { query: { days: '3' } })).body).toEqual({ error: 'bad query string', problems: ['days: unknown key'] });
  });
});

describe('pause and resume', () => {
  test('POST /pause without a body pauses every target, audited with the caller; resuming one says the global pause holds', async () => {
    const { store, call } = await rig();
    expect(await call('POST', '/pause')).toMatchObject({
      status: 200,
      body: { target: '*', paused: true, actor: CALLER, stillOnForEveryTarget: false, message: 'paused: every target' },
    });
    expect(await store.getSwitches('web')).toEqual({ paused: true, dryRun: false });
    const resumed = await call('POST', '/resume', { body: { target: 'web', reason: 'deploy done' } });
    expect(resumed.body).toMatchObject({ target: 'web', paused: false, stillOnForEveryTarget: true });
    expect((await store.listAudit(ALL_TARGETS, 0, NOW))[0]).toMatchObject({
      outcome: 'control',
      actor: CALLER,
      reason: `paused for every target by ${CALLER}`,
    });
    expect((await store.listAudit('web', 0, NOW))[0]).toMatchObject({ actor: CALLER, reason: `resumed for target web by ${CALLER} (deploy done)` });
  });

  test('POST /pause of one target, with the body base64-encoded as API Gateway may send it', async () => {
    const { store, call } = await rig();
    expect((await call('POST', '/pause', { body: { target: 'web' }, base64: true })).status).toBe(200);
    expect(await store.getSwitches('web')).toEqual({ paused: true, dryRun: false });
    expect(await store.getSwitches('api')).toEqual({ paused: false, dryRun: false });
  });

  test('refused, nothing written: malformed JSON, an unknown field, a bad value, an unknown target', async () => {
    const { call, written } = await rig();
    const before = await written();
    const malformed = await call('POST', '/pause', { body: '{"target": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.problems[0]).toMatch(/^body: not JSON/);
    expect((await call('POST', '/pause', { body: { target: 'web', forever: true } })).body).toEqual({
      error: 'bad request body',
      problems: ['forever: unknown key'],
    });
    expect((await call('POST', '/resume', { body: { target: 7 } })).body).toEqual({ error: 'bad request body', problems: ['target: 7 is not a string'] });
    const unknown = await call('POST', '/pause', { body: { target: 'nope' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/^no target "nope"/);
    expect(await written()).toEqual(before);
  });
});

describe('overrides', () => {
  test('PUT sets it, audited with the caller ARN and announced; DELETE ends it; a second DELETE is 404', async () => {
    const { store, told, call, at } = await rig();
    const set = await call('PUT', '/targets/web/overrides', { body: { max: 6, paused: true, expiresAt: '2026-11-30T14:00:00Z', reason: 'sale' } });
    expect(set).toMatchObject({
      status: 200,
      body: { override: { targetId: 'web', max: 6, paused: true, expiresAt: '2026-11-30T14:00:00.000Z', setAt: '2026-11-30T12:00:00.000Z', setBy: CALLER } },
    });
    expect(await store.getOverride('web')).toMatchObject({ max: 6, setBy: CALLER, expiresAt: NOW + 2 * HOUR });
    expect((await store.listAudit('web', 0, NOW))[0]).toMatchObject({
      actor: CALLER,
      reason: expect.stringMatching(/^override set: maxCapacity 6, paused until .* \(sale\)$/),
    });
    expect(told.map((n) => n.subject)).toEqual([expect.stringMatching(/^shop: override of web: maxCapacity 6, paused until/)]);
    at(NOW + 60_000);
    const ended = await call('DELETE', '/targets/web/overrides');
    expect(ended).toMatchObject({ status: 200, body: { override: { targetId: 'web', expiresAt: '2026-11-30T12:01:00.000Z' } } });
    expect((await store.listAudit('web', 0, NOW + HOUR))[0]).toMatchObject({ actor: CALLER, reason: expect.stringMatching(/^override ended by arn:/) });
    expect(await call('DELETE', '/targets/web/overrides')).toMatchObject({ status: 404, body: { error: 'target "web" has no override in force' } });
  });

  test('refused with the reason, nothing written: beyond the deployed bounds, an unknown target, a past or too distant expiry, a bad field', async () => {
    const { call, written } = await rig();
    const before = await written();
    const put = (id: string, body: unknown) => call('PUT', `/targets/${id}/overrides`, { body });
    const later = '2026-11-30T18:00:00Z';
    expect(await put('web', { max: 99, expiresAt: later })).toEqual({
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: { error: 'override refused', problems: ['max: 99 is outside the deployed minCapacity-maxCapacity 2-10 of "web"'] },
    });
    const unknown = await put('nope', { max: 2, expiresAt: later });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/^no target "nope" in this deployment/);
    expect((await put('web', { max: 4, expiresAt: '2026-11-30T11:00:00Z' })).body.problems).toEqual([
      'expiresAt: 2026-11-30T11:00:00.000Z is not in the future',
    ]);
    expect((await put('web', { max: 4, expiresAt: '2026-12-09T12:00:00Z' })).body.problems).toEqual([
      'expiresAt: 2026-12-09T12:00:00.000Z is more than 7 days away; a lasting change belongs in the config',
    ]);
    expect((await put('web', { max: 4, expiresAt: 'tomorrow' })).body.problems).toEqual([
      'expiresAt: "tomorrow" is not an ISO 8601 time such as 2026-12-01T18:00:00Z',
    ]);
    expect((await put('web', { max: 4, ceiling: 5, expiresAt: later })).body.problems).toEqual(['ceiling: unknown key']);
    expect((await put('web', { max: 4 })).body.problems).toEqual(['expiresAt: is required (number)']);
    expect((await call('PUT', '/targets/web/overrides')).body.problems).toEqual([
      'body: is required (an object with expiresAt and min, max, target, paused or dryRun)',
    ]);
    expect((await put('web', [1])).body.problems).toEqual(['body: must be a JSON object']);
    expect((await call('DELETE', '/targets/nope/overrides')).status).toBe(404);
    expect(await written()).toEqual(before);
  });
});

describe('routing', () => {
  test('an unknown path is 404 listing the routes; a method the path does not take is 405 with allow', async () => {
    const { call, written } = await rig();
    const before = await written();
    const missing = await call('GET', '/forecasts');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe(
      'no route /forecasts (routes: /status, /targets/{id}, /metrics, /history, /recommendations, /pause, /resume, /targets/{id}/overrides)',
    );
    expect(await call('DELETE', '/status')).toMatchObject({ status: 405, headers: { allow: 'GET' }, body: { error: '/status takes GET, not DELETE' } });
    expect(await call('GET', '/pause')).toMatchObject({ status: 405, headers: { allow: 'POST' } });
    expect(await call('POST', '/targets/web/overrides')).toMatchObject({ status: 405, headers: { allow: 'PUT, DELETE' } });
    expect((await call('GET', '/status/')).status).toBe(200);
    expect((await call('GET', '/targets/%E0%A4%A')).body).toEqual({ error: 'bad path', problems: ['path: "%E0%A4%A" is not a valid percent-encoded segment'] });
    expect((await call('GET', '/targets/w%65b')).body).toMatchObject({ id: 'web' });
    expect(await written()).toEqual(before);
  });

  test('a request without an IAM caller is 403 and writes nothing', async () => {
    const { call, written } = await rig();
    const before = await written();
    expect(await call('POST', '/pause', { caller: null })).toMatchObject({ status: 403, body: { error: 'the API takes IAM (SigV4) signed requests only' } });
    expect(await call('GET', '/status', { caller: null })).toMatchObject({ status: 403 });
    expect(await written()).toEqual(before);
  });
});
