/**
 * The operator API's routes, in one table the construct (lib/api.ts) deploys and the function
 * (lambdas/api/routes.ts) serves: a route in one and not the other is a compile error there.
 */

export const API_ROUTES = [
  { method: 'GET', path: '/status', does: "every target's state: last decision, last action, switches and override in force" },
  { method: 'GET', path: '/targets/{id}', does: "one target's state and its deployed config" },
  { method: 'GET', path: '/metrics', does: 'the figures of the last and recent decisions, per target' },
  { method: 'GET', path: '/history', does: 'the audit log, newest first, a page at a time' },
  { method: 'GET', path: '/recommendations', does: "each target's latest recommendation from its own history, with its cost a month" },
  { method: 'POST', path: '/pause', does: 'pause one target, or every target' },
  { method: 'POST', path: '/resume', does: 'resume one target, or every target' },
  { method: 'PUT', path: '/targets/{id}/overrides', does: "set a target's override (within the deployed bounds, expiring)" },
  { method: 'DELETE', path: '/targets/{id}/overrides', does: "end a target's override now" },
] as const;

export type ApiRoute = (typeof API_ROUTES)[number];
/** `GET /status`: API Gateway's route key. */
export type ApiRouteKey = ApiRoute extends infer R ? (R extends ApiRoute ? `${R['method']} ${R['path']}` : never) : never;

export const routeKey = (r: ApiRoute): ApiRouteKey => `${r.method} ${r.path}` as ApiRouteKey;
