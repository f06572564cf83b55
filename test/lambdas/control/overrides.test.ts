import type { Notification } from '../../../lambdas/adapters/sns';
import { endOverride, overridesInForce, setOverride } from '../../../lambdas/control/overrides';
import { ConfigError } from '../../../lambdas/shared/config';
import { MemoryStateStore } from '../../../lambdas/state/memory';
import { ALL_KINDS_CONFIG } from '../../support/configs';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const HOUR = 3_600_000;

function rig() {
  const store = new MemoryStateStore();
  const told: Notification[] = [];
  let now = NOW;
  const deps = { config: ALL_KINDS_CONFIG, store, now: () => now, actor: 'ops', notifier: { notify: async (n: Notification) => void told.push(n) } };
  return { store, told, deps, at: (t: number) => (now = t) };
}

test('set, then end: each stored, audited with the actor and announced; the ended one is kept with its end', async () => {
  const { store, told, deps, at } = rig();
  const { override, warning } = await setOverride(deps, 'orders-db', { max: 1, expiresAt: NOW + HOUR });
  expect(warning).toBeUndefined();
  expect(override).toMatchObject({ targetId: 'orders-db', max: 1, setBy: 'ops' });
  expect(await overridesInForce(store, NOW)).toEqual([override]);
  at(NOW + 60_000);
  const ended = await endOverride(deps, 'orders-db');
  expect(ended?.override.expiresAt).toBe(NOW + 60_000);
  expect(await overridesInForce(store, NOW + 60_000)).toEqual([]);
  expect((await store.listAudit('orders-db', 0, NOW + HOUR)).map((e) => e.reason)).toEqual([
    'override ended by ops: was maxReplicas 1 until 2026-11-30T13:00:00.000Z by ops',
    'override set: maxReplicas 1 until 2026-11-30T13:00:00.000Z by ops',
  ]);
  expect(told.map((n) => n.subject)).toEqual([
    'shop: override of orders-db: maxReplicas 1 until 2026-11-30T13:00:00.000Z by ops',
    'shop: override of orders-db ended',
  ]);
});

test('ending none, or one already run out, does nothing', async () => {
  const { store, told, deps, at } = rig();
  expect(await endOverride(deps, 'web')).toBeUndefined();
  await setOverride(deps, 'web', { paused: true, expiresAt: NOW + 1000 });
  at(NOW + 1000);
  expect(await endOverride(deps, 'web')).toBeUndefined();
  expect(told).toHaveLength(1);
  expect(await store.listAudit('web', 0, NOW + HOUR)).toHaveLength(1);
});

test('a refused override leaves nothing behind', async () => {
  const { store, told, deps } = rig();
  await expect(setOverride(deps, 'web', { max: 99, expiresAt: NOW + HOUR })).rejects.toThrow(ConfigError);
  expect(await store.listOverrides()).toEqual([]);
  expect(await store.listAudit('web', 0, NOW + HOUR)).toEqual([]);
  expect(told).toEqual([]);
});
