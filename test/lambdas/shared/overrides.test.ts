import { applyOverride, type Override, switchesInForce } from '../../../lambdas/shared/overrides';
import { MemoryStateStore } from '../../../lambdas/state/memory';
import { ALL_KINDS_CONFIG } from '../../support/configs';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const HOUR = 3_600_000;
const OPS = 'arn:aws:iam::123456789012:user/ops';

const target = (id: string) => ALL_KINDS_CONFIG.targets.find((t) => t.id === id)!;

describe('applyOverride', () => {
  const o = (extra: Partial<Override>): Override => ({ targetId: 'web', expiresAt: NOW + HOUR, setAt: NOW, setBy: OPS, ...extra });

  test("the override's fields replace the deployed ones while it is in force, and it says so", () => {
    const t = applyOverride(target('web'), o({ min: 4, max: 8, target: 55 }), NOW);
    expect(t).toMatchObject({ minCapacity: 4, maxCapacity: 8, targetCpu: 55 });
    expect(t.override?.description).toBe(`override minCapacity 4, maxCapacity 8, targetCpu 55 until 2026-11-30T13:00:00.000Z by ${OPS}`);
  });

  test('at its expiry the deployed target returns, unchanged', () => {
    const deployed = target('web');
    expect(applyOverride(deployed, o({ max: 8 }), NOW + HOUR)).toBe(deployed);
    expect(applyOverride(deployed, undefined, NOW)).toBe(deployed);
  });

  test("another target's override is not applied", () => {
    const deployed = target('api');
    expect(applyOverride(deployed, o({ max: 8 }), NOW)).toBe(deployed);
  });

  test('a stored override beyond the deployed bounds (edited by hand) is clamped to them', () => {
    expect(applyOverride(target('web'), o({ min: 0, max: 50 }), NOW)).toMatchObject({ minCapacity: 2, maxCapacity: 10 });
    expect(applyOverride(target('web'), o({ min: 9, max: 5 }), NOW)).toMatchObject({ minCapacity: 5, maxCapacity: 5 });
  });

  test('replica bounds on an rds-replicas target', () => {
    expect(applyOverride(target('orders-db'), o({ targetId: 'orders-db', min: 1, max: 1 }), NOW)).toMatchObject({ minReplicas: 1, maxReplicas: 1 });
  });
});

describe('switchesInForce', () => {
  test("an override's pause and dry-run count while it is in force, and say whose they are", async () => {
    const store = new MemoryStateStore();
    await store.setOverride({ targetId: 'web', paused: true, expiresAt: NOW + HOUR, setAt: NOW, setBy: OPS });
    expect(await switchesInForce(store, 'web', NOW)).toMatchObject({ paused: true, dryRun: false, override: { setBy: OPS } });
    expect(await switchesInForce(store, 'web', NOW + HOUR)).toEqual({ paused: false, dryRun: false });
    expect(await switchesInForce(store, 'api', NOW)).toEqual({ paused: false, dryRun: false });
  });

  test("a stored switch already on is the stored switch's, not the override's", async () => {
    const store = new MemoryStateStore();
    await store.setOverride({ targetId: 'web', dryRun: true, expiresAt: NOW + HOUR, setAt: NOW, setBy: OPS });
    await store.setSwitch('*', 'dryRun', true);
    expect(await switchesInForce(store, 'web', NOW)).toEqual({ paused: false, dryRun: true });
  });
});
