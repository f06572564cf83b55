import fc from 'fast-check';
import { decideStorage, STORAGE_MODIFICATION_INTERVAL_SECONDS } from '../../../lambdas/engine/storage';

const GIB = 1024 ** 3;
const NOW = Date.UTC(2026, 10, 23, 12);
const policy = { usedHighPercent: 80, growRatio: 0.2, maxAllocatedGiB: 500 };

describe('decideStorage', () => {
  test('above 80% used grows by growRatio, rounded up to whole GiB', () => {
    expect(decideStorage({ policy, allocatedGiB: 100, freeBytes: 15 * GIB, now: NOW })).toEqual({
      allocatedGiB: 120,
      direction: 'up',
      reason: '85.0% of 100 GiB used > 80%; 100 -> 120 GiB',
    });
  });

  test('at or below the mark nothing changes', () => {
    expect(decideStorage({ policy, allocatedGiB: 100, freeBytes: 20 * GIB, now: NOW }).direction).toBe('none');
  });

  test('within 6 hours of the last storage change nothing changes, and the reason says so', () => {
    const d = decideStorage({ policy, allocatedGiB: 100, freeBytes: 5 * GIB, now: NOW, lastModifiedAt: NOW - 2 * 3600_000 });
    expect(d.reason).toMatch(/2\.0 h ago; RDS needs 6 h/);
  });

  test('growth stops at maxAllocatedGiB, and a step below the 10% RDS requires is not asked for', () => {
    expect(decideStorage({ policy, allocatedGiB: 450, freeBytes: 10 * GIB, now: NOW }).allocatedGiB).toBe(500);
    expect(decideStorage({ policy, allocatedGiB: 480, freeBytes: 10 * GIB, now: NOW }).direction).toBe('none');
  });

  test('properties: never shrinks, never above the maximum, grows at least 10%, never within 6 hours', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 2000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 20, max: 4000 }),
        fc.double({ min: 0.1, max: 1, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 48 * 3600_000 }), { nil: undefined }),
        (allocatedGiB, freeShare, maxAllocatedGiB, growRatio, since) => {
          const d = decideStorage({
            policy: { usedHighPercent: 80, growRatio, maxAllocatedGiB },
            allocatedGiB,
            freeBytes: freeShare * allocatedGiB * GIB,
            now: NOW,
            lastModifiedAt: since === undefined ? undefined : NOW - since,
          });
          if (d.direction === 'none') expect(d.allocatedGiB).toBe(allocatedGiB);
          else {
            expect(d.allocatedGiB).toBeLessThanOrEqual(maxAllocatedGiB);
            expect(d.allocatedGiB).toBeGreaterThanOrEqual(allocatedGiB * 1.1);
            if (since !== undefined) expect(since).toBeGreaterThanOrEqual(STORAGE_MODIFICATION_INTERVAL_SECONDS * 1000);
          }
        },
      ),
    );
  });
});
