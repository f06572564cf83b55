/** The behaviour every InvalidationStore shares, run against each implementation. */
import type { DoneBatch, InvalidationStore } from '../../../lambdas/state/invalidations';
import { pathsUsed } from '../../../lambdas/state/invalidations';

const W = 1_748_779_200; // 2025-06-01T12:00:00Z

function done(extra: Partial<DoneBatch> = {}): DoneBatch {
  return {
    targetId: 'cdn',
    windowStart: W,
    outcome: 'sent',
    pathCount: 2,
    paths: ['/a', '/b'],
    invalidationId: 'I1',
    reason: 'r',
    at: W * 1000 + 61_000,
    ...extra,
  };
}

export function invalidationStoreContract(name: string, make: () => Promise<InvalidationStore>): void {
  describe(name, () => {
    test('paths added to one window in several calls form one open batch, without duplicates', async () => {
      const store = await make();
      expect(await store.addPaths('cdn', W, ['/a', '/b'])).toBe(true);
      expect(await store.addPaths('cdn', W, ['/b', '/c'])).toBe(true);
      expect(await store.addPaths('cdn', W + 60, ['/z'])).toBe(true);
      expect(await store.addPaths('other', W, ['/x'])).toBe(true);
      const open = await store.openBatches('cdn', W);
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ targetId: 'cdn', windowStart: W, attempts: 0 });
      expect([...open[0].paths].sort()).toEqual(['/a', '/b', '/c']);
      expect(open[0].planned).toBeUndefined();
      expect((await store.openBatches('cdn', W + 60)).map((b) => b.windowStart)).toEqual([W, W + 60]);
    });

    test('a plan is frozen once: a second plan gets the first one back, and the window takes no more paths', async () => {
      const store = await make();
      await store.addPaths('cdn', W, ['/a', '/b']);
      expect(await store.plan('cdn', W, ['/*'])).toEqual(['/*']);
      expect(await store.plan('cdn', W, ['/a', '/b'])).toEqual(['/*']);
      expect(await store.addPaths('cdn', W, ['/late'])).toBe(false);
      const [open] = await store.openBatches('cdn', W);
      expect(open.planned).toEqual(['/*']);
      expect(open.paths).not.toContain('/late');
    });

    test('a retry is counted and keeps the batch open', async () => {
      const store = await make();
      await store.addPaths('cdn', W, ['/a']);
      await store.plan('cdn', W, ['/a']);
      await store.noteRetry('cdn', W, 'TooManyInvalidationsInProgress');
      await store.noteRetry('cdn', W, 'TooManyInvalidationsInProgress');
      const [open] = await store.openBatches('cdn', W);
      expect(open).toMatchObject({ attempts: 2, lastError: 'TooManyInvalidationsInProgress', planned: ['/a'] });
    });

    test('a done batch leaves the open list, refuses late paths, and is recorded once', async () => {
      const store = await make();
      await store.addPaths('cdn', W, ['/a', '/b']);
      await store.plan('cdn', W, ['/a', '/b']);
      await store.complete(done(), 35);
      await store.complete(done({ invalidationId: 'I2', pathCount: 99 }), 35);
      expect(await store.openBatches('cdn', W + 600)).toEqual([]);
      expect(await store.addPaths('cdn', W, ['/late'])).toBe(false);
      expect(await store.plan('cdn', W, ['/x'])).toBeUndefined();
      expect(await store.doneBatches('cdn', W, W)).toEqual([done()]);
    });

    test('paths used sums sent batches of the period only', async () => {
      const store = await make();
      for (const [ws, outcome, count] of [
        [W - 86_400 * 40, 'sent', 500],
        [W, 'sent', 3],
        [W + 60, 'failed', 0],
        [W + 120, 'dry-run', 7],
        [W + 180, 'sent', 1],
      ] as const) {
        await store.addPaths('cdn', ws, ['/a']);
        await store.complete(done({ windowStart: ws, outcome, pathCount: count }), 35);
      }
      expect(await pathsUsed(store, 'cdn', W - 86_400, W + 3600)).toBe(4);
      expect(await pathsUsed(store, 'other', W - 86_400, W + 3600)).toBe(0);
    });
  });
}
