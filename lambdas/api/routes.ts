/**
 * The operator API's routes over the operator's actions (lambdas/control): the same core the CLI
 * calls, so a pause, an override or a page of history is the same whichever way it is asked for.
 *
 * API Gateway sends each request as an HTTP API event, payload format 2.0: `requestContext.http.method`,
 * `rawPath`, `queryStringParameters` (repeated names joined with commas), `body` (base64 when
 * `isBase64Encoded`), and, on a route with IAM authorization, the caller in
 * `requestContext.authorizer.iam` (`userArn`) (API Gateway Developer Guide, "Create AWS Lambda proxy
 * integrations for HTTP APIs"). Routing is by method and path rather than by route key, so a request
 * that reaches the `$default` route gets the same 404 or 405 as one the table names.
 *
 * Every answer is JSON. Bad input is a 400 whose `problems` name each field and value; an unknown
 * target or route a 404; a method a path does not take a 405 with `allow`. Nothing is written before
 * the request has been judged whole.
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as v from 'valibot';
import type { Notifier } from '../adapters/sns';
import { type HistoryCursor, historyPage } from '../control/history';
import { targetMetrics } from '../control/metrics';
import { endOverride, setOverride } from '../control/overrides';
import { latestRecommendations } from '../control/recommendations';
import { globalSwitches, targetState } from '../control/status';
import { setSwitch } from '../control/switches';
import { targetOf, UnknownTargetError } from '../control/targets';
import { API_ROUTES, type ApiRoute, type ApiRouteKey, routeKey } from '../shared/api-routes';
import type { AutoscalerConfig } from '../shared/config';
import { ConfigError } from '../shared/config/error';
import type { Override } from '../shared/overrides';
import { problemsOf, type Schema } from '../shared/validate';
import type { StateStore } from '../state/store';

export type ApiEvent = APIGatewayProxyEventV2WithIAMAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;

export interface ApiDeps {
  readonly config: AutoscalerConfig;
  readonly store: StateStore;
  /** Epoch ms now. */
  readonly now: () => number;
  /** @default nobody is told */
  readonly notifier?: Notifier;
}

/** A request refused with a status and the reason; `problems` name each bad field and value. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems?: readonly string[],
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What a route is given: the request as parsed, who is calling, and the deployment. */
interface Request {
  readonly deps: ApiDeps;
  /** The caller's IAM ARN. */
  readonly caller: string;
  /** The path's `{id}`, where it has one. */
  readonly id?: string;
  readonly query: Readonly<Record<string, string>>;
  /** The parsed JSON body; undefined when there is none. */
  readonly body: unknown;
}

type Route = (r: Request) => Promise<{ status?: number; body: unknown }>;

const DEFAULT_HISTORY_LIMIT = 50;
const MAX_HISTORY_LIMIT = 1000;
const DEFAULT_RECENT = 10;
const MAX_RECENT = 100;

/** A whole number from 1 to `max`, a power of ten, as a query parameter (a regex, so the refusal shows the value). */
const count = (max: 10 | 100 | 1000) =>
  v.pipe(v.string(), v.regex(new RegExp(`^(?:[1-9]\\d{0,${String(max).length - 2}}|${max})$`), `must be a whole number from 1 to ${max}`), v.transform(Number));
const ISO_TIME = 'must be an ISO 8601 time such as 2026-12-01T18:00:00Z';
const isoTime = v.pipe(
  v.string(),
  v.regex(/^\d{4}-\d{2}-\d{2}/, ISO_TIME),
  v.check((s) => !Number.isNaN(Date.parse(s)), ISO_TIME),
  v.transform(Date.parse),
);

const noQuery = v.strictObject({});
const metricsQuery = v.strictObject({ target: v.optional(v.string()), recent: v.optional(count(MAX_RECENT)) });
const recommendationsQuery = v.strictObject({ target: v.optional(v.string()) });
const historyQuery = v.strictObject({
  target: v.optional(v.string()),
  since: v.optional(isoTime),
  until: v.optional(isoTime),
  limit: v.optional(count(MAX_HISTORY_LIMIT)),
  next: v.optional(v.string()),
});
const switchBody = v.optional(
  v.strictObject({ target: v.optional(v.pipe(v.string(), v.minLength(1))), reason: v.optional(v.pipe(v.string(), v.maxLength(500))) }),
);

/** A page token: the query it continues and where it stands. Opaque to the caller (base64url JSON). */
const tokenSchema = v.strictObject({
  t: v.optional(v.string()),
  f: v.number(),
  u: v.number(),
  a: v.number(),
  s: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

function parse<T>(schema: Schema<T>, input: unknown, what: string): T {
  const checked = problemsOf(schema, input);
  if (checked.problems) throw new ApiError(400, `bad ${what}`, checked.problems);
  return checked.output;
}

function pageToken(q: { targetId?: string; from: number; to: number }, next: HistoryCursor): string {
  return Buffer.from(JSON.stringify({ ...(q.targetId !== undefined ? { t: q.targetId } : {}), f: q.from, u: q.to, a: next.at, s: next.skip })).toString(
    'base64url',
  );
}

function readToken(token: string): v.InferOutput<typeof tokenSchema> {
  try {
    return v.parse(tokenSchema, JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
  } catch {
    throw new ApiError(400, 'bad query string', [`next: "${token.slice(0, 80)}" is not a page token this API gave`]);
  }
}

const overrideJson = (o: Override) => ({ ...o, expiresAt: new Date(o.expiresAt).toISOString(), setAt: new Date(o.setAt).toISOString() });

/** The override body as the core takes it: `expiresAt` may be an ISO 8601 time (or epoch ms). */
function overrideInput(body: unknown): unknown {
  if (body === undefined) throw new ApiError(400, 'bad request body', ['body: is required (an object with expiresAt and min, max, target, paused or dryRun)']);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'bad request body', ['body: must be a JSON object']);
  const { expiresAt } = body as { expiresAt?: unknown };
  if (typeof expiresAt !== 'string') return body;
  const at = /^\d{4}-\d{2}-\d{2}/.test(expiresAt) ? Date.parse(expiresAt) : Number.NaN;
  if (Number.isNaN(at)) throw new ApiError(400, 'bad request body', [`expiresAt: "${expiresAt}" is not an ISO 8601 time such as 2026-12-01T18:00:00Z`]);
  return { ...body, expiresAt: at };
}

const switchRoute =
  (paused: boolean): Route =>
  async ({ deps, caller, query, body }) => {
    parse(noQuery, query, 'query string');
    const b = parse(switchBody, body, 'request body');
    const r = await setSwitch({ ...deps, actor: caller }, 'paused', paused, b?.target, b?.reason);
    return { body: { target: r.scope, paused, actor: caller, stillOnForEveryTarget: r.stillOnForEveryTarget, message: `${r.what}: ${r.subject}` } };
  };

/** Every route of the table, served; the type makes a route the table lists and this one lacks a compile error. */
const ROUTES: Readonly<Record<ApiRouteKey, Route>> = {
  'GET /status': async ({ deps, query }) => {
    parse(noQuery, query, 'query string');
    const now = deps.now();
    const [global, targets] = await Promise.all([
      globalSwitches(deps.store),
      Promise.all(deps.config.targets.map(async (t) => (await targetState(deps.config, deps.store, t, now)).state)),
    ]);
    return { body: { prefix: deps.config.prefix, dryRun: deps.config.dryRun, global, targets } };
  },
  'GET /targets/{id}': async ({ deps, id, query }) => {
    parse(noQuery, query, 'query string');
    const target = targetOf(deps.config, id!);
    const { state } = await targetState(deps.config, deps.store, target, deps.now());
    return { body: { ...state, config: target } };
  },
  'GET /metrics': async ({ deps, query }) => {
    const q = parse(metricsQuery, query, 'query string');
    const targets = q.target !== undefined ? [targetOf(deps.config, q.target)] : deps.config.targets;
    const now = deps.now();
    return { body: { targets: await Promise.all(targets.map((t) => targetMetrics(deps.config, deps.store, t, now, q.recent ?? DEFAULT_RECENT))) } };
  },
  'GET /history': async ({ deps, query }) => {
    const q = parse(historyQuery, query, 'query string');
    const limit = q.limit ?? DEFAULT_HISTORY_LIMIT;
    let page: { targetId?: string; from: number; to: number; after?: HistoryCursor };
    if (q.next !== undefined) {
      // The token carries the query it continues; only the page size may change.
      const extra = (['target', 'since', 'until'] as const).filter((k) => q[k] !== undefined);
      if (extra.length)
        throw new ApiError(
          400,
          'bad query string',
          extra.map((k) => `${k}: not with next (the token carries the query it continues)`),
        );
      const t = readToken(q.next);
      page = { targetId: t.t, from: t.f, to: t.u, after: { at: t.a, skip: t.s } };
    } else {
      page = { targetId: q.target, from: q.since ?? 0, to: q.until ?? deps.now() };
    }
    const { entries, next } = await historyPage(deps.config, deps.store, { ...page, limit });
    return {
      body: { entries: entries.map((e) => ({ ...e, time: new Date(e.at).toISOString() })), ...(next ? { next: pageToken(page, next) } : {}) },
    };
  },
  'GET /recommendations': async ({ deps, query }) => {
    const q = parse(recommendationsQuery, query, 'query string');
    return { body: { recommendations: await latestRecommendations(deps.config, deps.store, q.target) } };
  },
  'POST /pause': switchRoute(true),
  'POST /resume': switchRoute(false),
  'PUT /targets/{id}/overrides': async ({ deps, caller, id, query, body }) => {
    parse(noQuery, query, 'query string');
    targetOf(deps.config, id!);
    const input = overrideInput(body);
    try {
      const { override, warning } = await setOverride({ ...deps, actor: caller }, id!, input);
      return { body: { override: overrideJson(override), ...(warning ? { warning } : {}) } };
    } catch (err) {
      if (err instanceof ConfigError) throw new ApiError(400, 'override refused', err.problems);
      throw err;
    }
  },
  'DELETE /targets/{id}/overrides': async ({ deps, caller, id, query }) => {
    parse(noQuery, query, 'query string');
    targetOf(deps.config, id!);
    const result = await endOverride({ ...deps, actor: caller }, id!);
    if (!result) throw new ApiError(404, `target "${id}" has no override in force`);
    return { body: { override: overrideJson(result.override), ...(result.warning ? { warning: result.warning } : {}) } };
  },
};

/** The routes whose path matches, each with the `{id}` it took. */
function matching(path: string): { route: ApiRoute; id?: string }[] {
  const found: { route: ApiRoute; id?: string }[] = [];
  for (const route of API_ROUTES) {
    const pattern = new RegExp(`^${route.path.replace('{id}', '([^/]+)')}$`);
    const m = pattern.exec(path);
    if (m) found.push({ route, ...(m[1] !== undefined ? { id: decoded(m[1]) } : {}) });
  }
  return found;
}

/** A path segment, percent-decoded; a malformed escape is bad input, not a failure. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'bad path', [`path: "${segment}" is not a valid percent-encoded segment`]);
  }
}

function json(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): ApiResult {
  return { statusCode: status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

function bodyOf(event: ApiEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, 'bad request body', [`body: not JSON (${(err as Error).message})`]);
  }
}

/** Serves one request; never throws for a problem of the request (only for the store's own failures). */
export async function serve(event: ApiEvent, deps: ApiDeps): Promise<ApiResult> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/+$/, '') : event.rawPath;
  try {
    const found = matching(path);
    if (found.length === 0) throw new ApiError(404, `no route ${path} (routes: ${[...new Set(API_ROUTES.map((r) => r.path))].join(', ')})`);
    const hit = found.find((f) => f.route.method === method);
    if (!hit) {
      const allow = found.map((f) => f.route.method).join(', ');
      throw new ApiError(405, `${path} takes ${allow}, not ${method}`, undefined, { allow });
    }
    // Every route is deployed with IAM authorization, so API Gateway has refused an unsigned or
    // unauthorized call with 403 before this; a request without a caller never came through it.
    const caller = event.requestContext.authorizer?.iam?.userArn;
    if (!caller) throw new ApiError(403, 'the API takes IAM (SigV4) signed requests only');
    const query = Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
    const out = await ROUTES[routeKey(hit.route)]({ deps, caller, id: hit.id, query, body: bodyOf(event) });
    return json(out.status ?? 200, out.body);
  } catch (err) {
    if (err instanceof ApiError) return json(err.status, { error: err.message, ...(err.problems ? { problems: err.problems } : {}) }, err.headers);
    if (err instanceof UnknownTargetError) return json(404, { error: err.message });
    throw err;
  }
}
