/**
 * CloudFront invalidation planning: pure functions over plain data (no SDK, no clock, no logger).
 *
 * A batch of paths gathered over one coalescing window becomes one invalidation that respects
 * CloudFront's limits on what may be in progress per distribution (3,000 paths, 15 of them wildcard
 * paths) and the monthly path budget, collapsing paths to directory wildcards when they do not fit.
 */

/** What CloudFront allows in progress per distribution at one time. */
export const CLOUDFRONT_LIMITS = {
  /** Paths (individual files and wildcards alike) in progress. */
  paths: 3000,
  /** Wildcard paths in progress. */
  wildcards: 15,
} as const;

/** The root wildcard: every object of the distribution. */
export const ROOT_WILDCARD = '/*';

export function isWildcard(path: string): boolean {
  return path.endsWith('*');
}

/** Whether `wildcard` (ending in `*`) covers `path` (a path or another wildcard). */
export function covers(wildcard: string, path: string): boolean {
  return isWildcard(wildcard) && path !== wildcard && path.startsWith(wildcard.slice(0, -1));
}

/**
 * The same set of objects, stated once: duplicates removed, every path (or wildcard) that a
 * wildcard of the set covers dropped. Sorted, so equal inputs give equal outputs.
 */
export function normalizePaths(paths: Iterable<string>): string[] {
  const unique = [...new Set(paths)].sort();
  const wildcards = unique.filter(isWildcard).map((w) => w.slice(0, -1));
  // A sorted list of wildcard stems: a path is covered when a stem shorter than it is a prefix of it.
  const stems = new Set(wildcards);
  return unique.filter((p) => {
    const self = isWildcard(p) ? p.slice(0, -1) : undefined;
    for (let i = p.length - (self === undefined ? 0 : 1); i >= 1; i--) {
      const stem = p.slice(0, i);
      if (stem !== self && stems.has(stem)) return false;
    }
    return true;
  });
}

/** Counts as CloudFront does: every path one, wildcards also against their own limit. */
export function countPaths(paths: readonly string[]): { paths: number; wildcards: number } {
  let wildcards = 0;
  for (const p of paths) if (isWildcard(p)) wildcards++;
  return { paths: paths.length, wildcards };
}

/** Directory segments of a path: `/static/css/app.css` -> `['static', 'css']`; `/a/b*` -> `['a']`. */
function directories(path: string): string[] {
  const parts = path.split('/').slice(1, -1);
  return parts;
}

/**
 * Every path under `depth` directories or more replaced by the wildcard of its first `depth`
 * directories (`/static/css/app.css` at depth 2: `/static/css/*`, at depth 1: `/static/*`), then
 * normalized. Paths under fewer directories stay as they are.
 */
export function collapseToDepth(paths: readonly string[], depth: number): string[] {
  const out = paths.map((p) => {
    const dirs = directories(p);
    if (dirs.length < depth) return p;
    return `/${dirs
      .slice(0, depth)
      .map((d) => `${d}/`)
      .join('')}*`;
  });
  return normalizePaths(out);
}

export interface PathRoom {
  /** Paths that may still be sent (wildcards included). */
  readonly paths: number;
  /** Wildcard paths that may still be sent. */
  readonly wildcards: number;
}

/**
 * The finest collapse of `paths` that fits `room`: the paths as they are if they fit, else every path
 * cut to the deepest directory level at which the whole set fits (`/static/css/*`), else `/*`.
 * Undefined when not even `/*` fits (no room for any path, or for any wildcard when one is needed).
 */
export function fitPaths(paths: readonly string[], room: PathRoom): string[] | undefined {
  const normalized = normalizePaths(paths);
  const fits = (set: readonly string[]) => {
    const c = countPaths(set);
    return c.paths <= room.paths && c.wildcards <= room.wildcards;
  };
  if (fits(normalized)) return normalized;
  const deepest = normalized.reduce((max, p) => Math.max(max, directories(p).length), 0);
  for (let depth = deepest; depth >= 0; depth--) {
    const collapsed = collapseToDepth(normalized, depth);
    if (fits(collapsed)) return collapsed;
  }
  return fits([ROOT_WILDCARD]) ? [ROOT_WILDCARD] : undefined;
}

/** What the distribution already has in progress. */
export interface InProgress {
  readonly paths: number;
  readonly wildcards: number;
}

export interface InvalidationPolicy {
  /** Paths a calendar month may invalidate before batches collapse to as few wildcards as cover them. */
  readonly monthlyPathBudget: number;
}

export interface InvalidationInput {
  /** Every path the batch's events asked for. */
  readonly requested: readonly string[];
  readonly inProgress: InProgress;
  /** Paths already invalidated this calendar month (a wildcard counts one). */
  readonly usedThisMonth: number;
  readonly policy: InvalidationPolicy;
}

export type InvalidationPlan =
  | {
      readonly action: 'invalidate';
      /** The paths to send, normalized and within every limit. */
      readonly paths: string[];
      /** Whether paths were merged into wildcards to fit the limits or the budget. */
      readonly collapsed: boolean;
      /** Whether this batch reaches past the monthly budget (collapsed to as few paths as cover it). */
      readonly overBudget: boolean;
      readonly reason: string;
    }
  | {
      /** Nothing fits next to what is in progress now: the batch waits for a later tick. */
      readonly action: 'wait';
      readonly reason: string;
    }
  | {
      /** The batch asked for nothing. */
      readonly action: 'none';
      readonly reason: string;
    };

/**
 * Plans one batch's invalidation. Limits first (what is in progress leaves the room), then the budget:
 * a batch that would take the month past `monthlyPathBudget` is collapsed to at most the budget that
 * is left, and one that starts past it to a single path (its widest common directory wildcard).
 */
export function planInvalidation(input: InvalidationInput): InvalidationPlan {
  const requested = normalizePaths(input.requested);
  if (requested.length === 0) return { action: 'none', reason: 'the batch holds no path' };
  const room: PathRoom = {
    paths: Math.max(0, CLOUDFRONT_LIMITS.paths - input.inProgress.paths),
    wildcards: Math.max(0, CLOUDFRONT_LIMITS.wildcards - input.inProgress.wildcards),
  };
  const inRoom = fitPaths(requested, room);
  const busy = `${input.inProgress.paths} path(s), ${input.inProgress.wildcards} wildcard(s) in progress`;
  if (!inRoom) {
    return {
      action: 'wait',
      reason: `${requested.length} path(s) do not fit next to ${busy} (limits ${CLOUDFRONT_LIMITS.paths} / ${CLOUDFRONT_LIMITS.wildcards})`,
    };
  }
  const left = input.policy.monthlyPathBudget - input.usedThisMonth;
  let paths = inRoom;
  let overBudget = false;
  if (paths.length > left) {
    overBudget = true;
    paths = fitPaths(paths, { paths: Math.max(1, left), wildcards: room.wildcards }) ?? paths;
  }
  const collapsed = paths.length !== requested.length || paths.some((p, i) => p !== requested[i]);
  const parts = [`${requested.length} requested path(s)`];
  if (collapsed) parts.push(`collapsed to ${paths.length} (${countPaths(paths).wildcards} wildcard(s))`);
  parts.push(`next to ${busy}`);
  parts.push(
    overBudget
      ? `over the monthly budget: ${input.usedThisMonth} of ${input.policy.monthlyPathBudget} used`
      : `${input.usedThisMonth + paths.length} of ${input.policy.monthlyPathBudget} monthly paths`,
  );
  return { action: 'invalidate', paths, collapsed, overBudget, reason: parts.join('; ') };
}

/** The CallerReference of a batch: the same for every retry of the batch, different for every batch. */
export function callerReference(targetId: string, windowStart: number): string {
  return `${targetId}-${windowStart}`;
}

/** The start (epoch seconds) of the coalescing window holding `epochMs`. */
export function windowStartOf(epochMs: number, coalesceSeconds: number): number {
  const seconds = Math.floor(epochMs / 1000);
  return seconds - (((seconds % coalesceSeconds) + coalesceSeconds) % coalesceSeconds);
}

/** The calendar month (UTC) holding `epochMs`, as its first and last window starts' bounds, epoch seconds. */
export function monthOf(epochMs: number): { label: string; from: number; to: number } {
  const d = new Date(epochMs);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
  const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000 - 1;
  return { label: `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`, from, to };
}

/**
 * The path of an S3 object behind the distribution: the key without the trigger's `prefix`, under
 * its `pathPrefix`, each segment URL-encoded as CloudFront expects (a `*` in a key is a character,
 * not a wildcard). Undefined when the key is outside the prefix or names a "folder".
 */
export function objectPath(key: string, prefix: string, pathPrefix: string): string | undefined {
  if (!key.startsWith(prefix) || key.endsWith('/')) return undefined;
  const rest = key.slice(prefix.length);
  if (!rest) return undefined;
  const base = pathPrefix.endsWith('/') ? pathPrefix : `${pathPrefix}/`;
  const encoded = rest
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/\*/g, '%2A')
        .replace(/[!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
  return `${base}${encoded}`;
}
