import fc from 'fast-check';
import {
  CLOUDFRONT_LIMITS,
  callerReference,
  collapseToDepth,
  countPaths,
  covers,
  fitPaths,
  monthOf,
  normalizePaths,
  objectPath,
  planInvalidation,
  windowStartOf,
} from '../../../lambdas/engine/cloudfront';

const segment = fc.constantFrom('static', 'css', 'js', 'img', 'app', 'v2', 'a', 'b');
const file = fc.constantFrom('index.html', 'app.css', 'main.js', 'logo.png', 'x', 'y.txt');
const plainPath = fc.tuple(fc.array(segment, { maxLength: 4 }), file).map(([dirs, f]) => `/${dirs.map((d) => `${d}/`).join('')}${f}`);
const wildcardPath = fc.array(segment, { maxLength: 3 }).map((dirs) => `/${dirs.map((d) => `${d}/`).join('')}*`);
const anyPath = fc.oneof({ weight: 5, arbitrary: plainPath }, { weight: 1, arbitrary: wildcardPath });

/** Whether every object `path` names is invalidated by one of `out`. */
function coveredBy(out: readonly string[], path: string): boolean {
  return out.some((o) => o === path || covers(o, path));
}

describe('normalizePaths', () => {
  test('duplicates and paths under a wildcard of the batch are dropped', () => {
    expect(normalizePaths(['/a.css', '/static/css/x.css', '/static/*', '/a.css', '/static/css/*', '/b'])).toEqual(['/a.css', '/b', '/static/*']);
  });

  test('a wildcard covers the path it extends, not a sibling directory', () => {
    expect(normalizePaths(['/app*', '/app.js', '/app/x', '/ap'])).toEqual(['/ap', '/app*']);
    expect(normalizePaths(['/static/*', '/staticfiles/x'])).toEqual(['/static/*', '/staticfiles/x']);
  });

  test('property: the result covers every input, has no duplicate and nothing covered by another of its paths', () => {
    fc.assert(
      fc.property(fc.array(anyPath, { maxLength: 60 }), (paths) => {
        const out = normalizePaths(paths);
        expect(new Set(out).size).toBe(out.length);
        for (const p of paths) expect(coveredBy(out, p)).toBe(true);
        for (const a of out) for (const b of out) expect(covers(a, b)).toBe(false);
        expect(out.every((p) => paths.includes(p))).toBe(true);
      }),
    );
  });
});

describe('collapseToDepth', () => {
  test('cuts deeper paths to the wildcard of their first directories', () => {
    expect(collapseToDepth(['/static/css/a.css', '/static/css/b.css', '/static/js/c.js', '/static/x.js', '/index.html'], 2)).toEqual([
      '/index.html',
      '/static/css/*',
      '/static/js/*',
      '/static/x.js',
    ]);
    expect(collapseToDepth(['/static/css/a.css', '/static/x.js', '/index.html'], 1)).toEqual(['/index.html', '/static/*']);
    expect(collapseToDepth(['/static/css/a.css', '/index.html'], 0)).toEqual(['/*']);
  });
});

describe('fitPaths', () => {
  test('a set that fits is returned as it is', () => {
    expect(fitPaths(['/b', '/a'], { paths: 2, wildcards: 0 })).toEqual(['/a', '/b']);
  });

  test('too many files collapse to the longest common directory wildcards', () => {
    const files = Array.from({ length: 4000 }, (_, i) => `/static/css/f${i}.css`);
    expect(fitPaths([...files, '/index.html'], { paths: 3000, wildcards: 15 })).toEqual(['/index.html', '/static/css/*']);
  });

  test('more than 15 wildcards collapse one level up, and to /* at worst', () => {
    const wild = Array.from({ length: 20 }, (_, i) => `/assets/v${i}/*`);
    expect(fitPaths(wild, { paths: 3000, wildcards: 15 })).toEqual(['/assets/*']);
    const top = Array.from({ length: 20 }, (_, i) => `/d${i}/*`);
    expect(fitPaths(top, { paths: 3000, wildcards: 15 })).toEqual(['/*']);
  });

  test('nothing fits without room for a single path, or for a wildcard when one is needed', () => {
    expect(fitPaths(['/a'], { paths: 0, wildcards: 15 })).toBeUndefined();
    expect(fitPaths(['/a', '/b'], { paths: 1, wildcards: 0 })).toBeUndefined();
    expect(fitPaths(['/a', '/b'], { paths: 2, wildcards: 0 })).toEqual(['/a', '/b']);
  });

  test('property: any output respects the room and still covers every requested path', () => {
    fc.assert(
      fc.property(
        fc.array(anyPath, { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 16 }),
        (paths, roomPaths, roomWild) => {
          const out = fitPaths(paths, { paths: roomPaths, wildcards: roomWild });
          if (out === undefined) {
            // Only when not even /* fits.
            expect(roomPaths < 1 || roomWild < 1).toBe(true);
            return;
          }
          const c = countPaths(out);
          expect(c.paths).toBeLessThanOrEqual(roomPaths);
          expect(c.wildcards).toBeLessThanOrEqual(roomWild);
          for (const p of paths) expect(coveredBy(out, p)).toBe(true);
        },
      ),
    );
  });
});

describe('planInvalidation', () => {
  const policy = { monthlyPathBudget: 1000 };
  const idle = { paths: 0, wildcards: 0 };

  test('paths within every limit and the budget are sent as requested', () => {
    const plan = planInvalidation({ requested: ['/a.css', '/b.js', '/a.css'], inProgress: idle, usedThisMonth: 10, policy });
    expect(plan).toMatchObject({ action: 'invalidate', paths: ['/a.css', '/b.js'], collapsed: false, overBudget: false });
  });

  test('an empty batch plans nothing', () => {
    expect(planInvalidation({ requested: [], inProgress: idle, usedThisMonth: 0, policy }).action).toBe('none');
  });

  test('what is in progress leaves less room: 15 wildcards in progress and a wildcard batch waits', () => {
    const plan = planInvalidation({ requested: ['/a/*', '/b/*'], inProgress: { paths: 15, wildcards: 15 }, usedThisMonth: 0, policy });
    expect(plan.action).toBe('wait');
    expect(plan.reason).toContain('15 wildcard(s) in progress');
  });

  test('files still go out next to 15 wildcards in progress', () => {
    const plan = planInvalidation({ requested: ['/a.css'], inProgress: { paths: 15, wildcards: 15 }, usedThisMonth: 0, policy });
    expect(plan).toMatchObject({ action: 'invalidate', paths: ['/a.css'] });
  });

  test('a batch that passes the monthly budget is collapsed to the budget left and flagged', () => {
    const requested = ['/static/css/a.css', '/static/css/b.css', '/static/js/c.js', '/static/js/d.js'];
    const plan = planInvalidation({ requested, inProgress: idle, usedThisMonth: 998, policy });
    expect(plan).toMatchObject({ action: 'invalidate', paths: ['/static/css/*', '/static/js/*'], overBudget: true, collapsed: true });
    expect(plan.reason).toContain('over the monthly budget: 998 of 1000');
  });

  test('past the budget a batch becomes a single path: its widest common wildcard', () => {
    const requested = ['/static/css/a.css', '/static/js/c.js', '/static/img/x.png'];
    const plan = planInvalidation({ requested, inProgress: idle, usedThisMonth: 1200, policy });
    expect(plan).toMatchObject({ action: 'invalidate', paths: ['/static/*'], overBudget: true });
  });

  test('property: every planned invalidation respects 3,000 paths / 15 wildcards with what is in progress, and covers the request', () => {
    fc.assert(
      fc.property(
        fc.array(anyPath, { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 1500 }),
        (requested, inPaths, inWild, used, budget) => {
          const inProgress = { paths: Math.max(inPaths, inWild), wildcards: inWild };
          const plan = planInvalidation({ requested, inProgress, usedThisMonth: used, policy: { monthlyPathBudget: budget } });
          if (plan.action !== 'invalidate') return;
          const c = countPaths(plan.paths);
          expect(c.paths + inProgress.paths).toBeLessThanOrEqual(CLOUDFRONT_LIMITS.paths);
          expect(c.wildcards + inProgress.wildcards).toBeLessThanOrEqual(CLOUDFRONT_LIMITS.wildcards);
          for (const p of requested) expect(coveredBy(plan.paths, p)).toBe(true);
          if (!plan.overBudget) expect(used + c.paths).toBeLessThanOrEqual(budget);
        },
      ),
    );
  });

  test('property: large S3 uploads (up to 5,000 files) always fit the limits', () => {
    fc.assert(
      fc.property(fc.array(plainPath, { minLength: 1, maxLength: 5000 }), fc.nat(10), (paths, n) => {
        const many = paths.map((p, i) => p.replace(/(\.[a-z]+)?$/, `-${i % (n + 1)}$1`));
        const plan = planInvalidation({ requested: many, inProgress: idle, usedThisMonth: 0, policy: { monthlyPathBudget: 100000 } });
        expect(plan.action).toBe('invalidate');
        if (plan.action === 'invalidate') {
          expect(plan.paths.length).toBeLessThanOrEqual(3000);
          expect(countPaths(plan.paths).wildcards).toBeLessThanOrEqual(15);
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe('windows, months and references', () => {
  test('events of one window share its start; the next window starts coalesceSeconds later', () => {
    const t = Date.UTC(2025, 5, 1, 12, 0, 0);
    expect(windowStartOf(t + 5_000, 60)).toBe(t / 1000);
    expect(windowStartOf(t + 59_999, 60)).toBe(t / 1000);
    expect(windowStartOf(t + 60_000, 60)).toBe(t / 1000 + 60);
  });

  test('the CallerReference is the target and the window start', () => {
    expect(callerReference('cdn', 1748779200)).toBe('cdn-1748779200');
  });

  test('a month spans its first to its last second, UTC', () => {
    expect(monthOf(Date.UTC(2025, 1, 14, 3))).toEqual({ label: '2025-02', from: Date.UTC(2025, 1, 1) / 1000, to: Date.UTC(2025, 2, 1) / 1000 - 1 });
  });
});

describe('objectPath', () => {
  test('the key under the prefix becomes a path under pathPrefix, URL-encoded per segment', () => {
    expect(objectPath('static/css/app.css', 'static/', '/assets/')).toBe('/assets/css/app.css');
    expect(objectPath('img/a b*.png', '', '/')).toBe('/img/a%20b%2A.png');
  });

  test('keys outside the prefix and folder markers make no path', () => {
    expect(objectPath('private/x', 'static/', '/')).toBeUndefined();
    expect(objectPath('static/css/', 'static/', '/')).toBeUndefined();
    expect(objectPath('static/', 'static/', '/')).toBeUndefined();
  });
});
