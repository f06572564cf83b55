import { historyPage } from '../../../lambdas/control/history';
import { UnknownTargetError } from '../../../lambdas/control/targets';
import { DynamoStateStore } from '../../../lambdas/state/dynamo';
import type { AuditEntry } from '../../../lambdas/state/store';
import { ALL_KINDS_CONFIG } from '../../support/configs';
import { useDynalite } from '../../support/dynalite';

const db = useDynalite();
const NOW = Date.parse('2026-11-30T12:00:00Z');

async function storeWith(entries: AuditEntry[]) {
  const store = new DynamoStateStore({ tableName: await db().stateTable(), client: db().doc });
  for (const e of entries) await store.appendAudit(e, 30);
  return store;
}

const entry = (targetId: string, at: number, reason: string): AuditEntry => ({ targetId, at, outcome: 'held', previous: 2, desired: 2, reason });

test('pages through every partition newest first, each entry once, even when many share a millisecond', async () => {
  // Seven entries over three partitions, four of them in one millisecond.
  const written = [
    entry('web', NOW - 5000, 'a'),
    entry('web', NOW - 1000, 'b'),
    entry('api', NOW - 1000, 'c'),
    entry('*', NOW - 1000, 'd'),
    entry('web', NOW - 1000, 'e'),
    entry('api', NOW - 3000, 'f'),
    entry('web', NOW, 'g'),
  ];
  const store = await storeWith(written);
  const whole = (await historyPage(ALL_KINDS_CONFIG, store, { from: 0, to: NOW, limit: 100 })).entries;
  expect(whole.map((e) => e.at)).toEqual([...written].map((e) => e.at).sort((a, b) => b - a));
  for (const limit of [1, 2, 3]) {
    const seen: string[] = [];
    let after: Awaited<ReturnType<typeof historyPage>>['next'];
    for (let pages = 0; pages < 20; pages++) {
      const page = await historyPage(ALL_KINDS_CONFIG, store, { from: 0, to: NOW, limit, after });
      expect(page.entries.length).toBeLessThanOrEqual(limit);
      seen.push(...page.entries.map((e) => e.reason));
      after = page.next;
      if (!after) break;
    }
    expect(seen).toEqual(whole.map((e) => e.reason));
  }
});

test('one target, a time range, and the last page says so', async () => {
  const store = await storeWith([entry('web', NOW - 2 * 3_600_000, 'old'), entry('web', NOW - 60_000, 'new'), entry('api', NOW - 60_000, 'other')]);
  const page = await historyPage(ALL_KINDS_CONFIG, store, { targetId: 'web', from: NOW - 3_600_000, to: NOW, limit: 10 });
  expect(page).toEqual({ entries: [expect.objectContaining({ reason: 'new' })] });
});

test('an unknown target is refused, naming the ones there are', async () => {
  const store = await storeWith([]);
  await expect(historyPage(ALL_KINDS_CONFIG, store, { targetId: 'nope', from: 0, to: NOW, limit: 1 })).rejects.toThrow(UnknownTargetError);
  await expect(historyPage(ALL_KINDS_CONFIG, store, { targetId: 'nope', from: 0, to: NOW, limit: 1 })).rejects.toThrow(/no target "nope" .*targets: web, api/);
});
