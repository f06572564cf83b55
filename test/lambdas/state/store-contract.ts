/**
 * The StateStore contract: the same tests run against every implementation (memory and DynamoDB), so
 * the simulator's store and the deployed one cannot drift apart.
 */
import {
  type AuditEntry,
  type DecisionSummary,
  LeaseLostError,
  type Override,
  type StateStore,
  type StoredRecommendation,
  type TargetRecord,
} from '../../../lambdas/state/store';

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const LEASE_SECONDS = 30;
const LEASE_MS = LEASE_SECONDS * 1000;

const decision: DecisionSummary = {
  at: T0,
  previous: 2,
  desired: 4,
  direction: 'out',
  reason: 'CPU 82.5% above 70% for 5 minutes',
  figures: { cpu: 82.5, threshold: 70 },
  outcome: 'applied',
};

function entry(targetId: string, at: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return { targetId, at, outcome: 'held', reason: `decision at ${at}`, ...overrides };
}

/** Defines the contract tests for one implementation; `makeStore` returns an empty store each time. */
export function storeContract(name: string, makeStore: () => Promise<StateStore>): void {
  describe(name, () => {
    let store: StateStore;

    beforeEach(async () => {
      store = await makeStore();
    });

    describe('lease', () => {
      test('the first owner acquires a free lease and a second owner is denied while it runs', async () => {
        expect(await store.acquireLease('web', 'a', T0, LEASE_SECONDS)).toBe(true);
        expect(await store.acquireLease('web', 'b', T0 + 1, LEASE_SECONDS)).toBe(false);
        expect(await store.acquireLease('web', 'b', T0 + LEASE_MS - 1, LEASE_SECONDS)).toBe(false);
      });

      test('leases on different targets are independent', async () => {
        expect(await store.acquireLease('web', 'a', T0, LEASE_SECONDS)).toBe(true);
        expect(await store.acquireLease('workers', 'b', T0, LEASE_SECONDS)).toBe(true);
      });

      test("a crashed holder's lease expires and the next owner proceeds; the old holder can no longer save", async () => {
        expect(await store.acquireLease('web', 'crashed', T0, LEASE_SECONDS)).toBe(true);
        // The holder never releases. Until the lease runs out, nobody else gets in.
        expect(await store.acquireLease('web', 'next', T0 + LEASE_MS - 1, LEASE_SECONDS)).toBe(false);
        // A lease that expires at `now` is over.
        expect(await store.acquireLease('web', 'next', T0 + LEASE_MS, LEASE_SECONDS)).toBe(true);
        await expect(store.saveTarget({ targetId: 'web', lastActionAt: T0 }, 'crashed')).rejects.toBeInstanceOf(LeaseLostError);
        await store.saveTarget({ targetId: 'web', lastActionAt: T0 + LEASE_MS }, 'next');
        expect(await store.getTarget('web')).toEqual({ targetId: 'web', lastActionAt: T0 + LEASE_MS });
      });

      test('the same owner re-acquires its lease and extends it', async () => {
        expect(await store.acquireLease('web', 'a', T0, LEASE_SECONDS)).toBe(true);
        expect(await store.acquireLease('web', 'a', T0 + 20_000, LEASE_SECONDS)).toBe(true);
        // The first lease would have ended at T0 + 30 s; the renewed one runs to T0 + 50 s.
        expect(await store.acquireLease('web', 'b', T0 + 40_000, LEASE_SECONDS)).toBe(false);
        expect(await store.acquireLease('web', 'b', T0 + 50_000, LEASE_SECONDS)).toBe(true);
      });

      test('release by the owner frees the lease at once', async () => {
        await store.acquireLease('web', 'a', T0, LEASE_SECONDS);
        await store.releaseLease('web', 'a');
        expect(await store.acquireLease('web', 'b', T0 + 1, LEASE_SECONDS)).toBe(true);
      });

      test('release by a non-owner is a no-op', async () => {
        await store.acquireLease('web', 'a', T0, LEASE_SECONDS);
        await expect(store.releaseLease('web', 'b')).resolves.toBeUndefined();
        expect(await store.acquireLease('web', 'c', T0 + 1, LEASE_SECONDS)).toBe(false);
        await store.saveTarget({ targetId: 'web', lastActionAt: T0 }, 'a');
      });

      test('release of a lease nobody holds is a no-op', async () => {
        await expect(store.releaseLease('nobody-here', 'a')).resolves.toBeUndefined();
        await store.acquireLease('web', 'a', T0, LEASE_SECONDS);
        await store.releaseLease('web', 'a');
        await expect(store.releaseLease('web', 'a')).resolves.toBeUndefined();
      });

      test('two concurrent invocations on one target: exactly one acquires', async () => {
        const owners = Array.from({ length: 10 }, (_, i) => `invocation-${i}`);
        const results = await Promise.all(owners.map((o) => store.acquireLease('web', o, T0, LEASE_SECONDS)));
        expect(results.filter((r) => r)).toHaveLength(1);
        // The winner is the one that can save; every loser is refused.
        const winner = owners[results.indexOf(true)];
        await store.saveTarget({ targetId: 'web', lastActionAt: T0 }, winner);
        for (const loser of owners.filter((o) => o !== winner)) {
          await expect(store.saveTarget({ targetId: 'web' }, loser)).rejects.toBeInstanceOf(LeaseLostError);
        }
      });

      test('concurrent invocations on an expired lease: exactly one takes it over', async () => {
        await store.acquireLease('web', 'crashed', T0, LEASE_SECONDS);
        const later = T0 + 2 * LEASE_MS;
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.acquireLease('web', `invocation-${i}`, later, LEASE_SECONDS)));
        expect(results.filter((r) => r)).toHaveLength(1);
      });
    });

    describe('target record', () => {
      test('an unknown target has no record', async () => {
        expect(await store.getTarget('web')).toBeUndefined();
      });

      test('holding a lease does not create a record', async () => {
        await store.acquireLease('web', 'a', T0, LEASE_SECONDS);
        expect(await store.getTarget('web')).toBeUndefined();
      });

      test('getTarget returns what saveTarget stored', async () => {
        const record: TargetRecord = {
          targetId: 'web',
          memory: { breaches: [T0 - 60_000, T0], lastCpu: 82.5, nested: { streak: 3, label: 'hot', flag: false } },
          lastDecision: decision,
          lastActionAt: T0,
          lastExecution: 'web-out-4-29',
        };
        await store.acquireLease('web', 'a', T0, LEASE_SECONDS);
        await store.saveTarget(record, 'a');
        expect(await store.getTarget('web')).toEqual(record);
      });

      test('saveTarget replaces the record: fields left out are gone', async () => {
        await store.acquireLease('web', 'a', T0, LEASE_SECONDS);
        await store.saveTarget({ targetId: 'web', memory: { x: 1 }, lastDecision: decision, lastActionAt: T0 }, 'a');
        await store.saveTarget({ targetId: 'web', memory: { y: 2 } }, 'a');
        expect(await store.getTarget('web')).toEqual({ targetId: 'web', memory: { y: 2 } });
      });

      test('saveTarget without the lease throws LeaseLostError and stores nothing', async () => {
        await expect(store.saveTarget({ targetId: 'web', lastActionAt: T0 }, 'a')).rejects.toBeInstanceOf(LeaseLostError);
        expect(await store.getTarget('web')).toBeUndefined();
      });

      test("saveTarget under another owner's lease throws LeaseLostError and keeps the holder's record", async () => {
        await store.acquireLease('web', 'a', T0, LEASE_SECONDS);
        await store.saveTarget({ targetId: 'web', lastActionAt: T0 }, 'a');
        const err = await store.saveTarget({ targetId: 'web', lastActionAt: T0 + 1 }, 'b').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LeaseLostError);
        expect(err).toMatchObject({ targetId: 'web', owner: 'b' });
        expect(await store.getTarget('web')).toEqual({ targetId: 'web', lastActionAt: T0 });
      });

      test('saveTarget after releasing the lease throws LeaseLostError', async () => {
        await store.acquireLease('web', 'a', T0, LEASE_SECONDS);
        await store.releaseLease('web', 'a');
        await expect(store.saveTarget({ targetId: 'web' }, 'a')).rejects.toBeInstanceOf(LeaseLostError);
      });

      test('saveTarget keeps the lease', async () => {
        await store.acquireLease('web', 'a', T0, LEASE_SECONDS);
        await store.saveTarget({ targetId: 'web', lastActionAt: T0 }, 'a');
        expect(await store.acquireLease('web', 'b', T0 + 1, LEASE_SECONDS)).toBe(false);
        await store.saveTarget({ targetId: 'web', lastActionAt: T0 + 2 }, 'a');
        await store.releaseLease('web', 'a');
        expect(await store.acquireLease('web', 'b', T0 + 3, LEASE_SECONDS)).toBe(true);
        expect(await store.getTarget('web')).toEqual({ targetId: 'web', lastActionAt: T0 + 2 });
      });

      test('releasing the lease keeps the record', async () => {
        await store.acquireLease('web', 'a', T0, LEASE_SECONDS);
        await store.saveTarget({ targetId: 'web', memory: { x: 1 } }, 'a');
        await store.releaseLease('web', 'a');
        expect(await store.getTarget('web')).toEqual({ targetId: 'web', memory: { x: 1 } });
      });
    });

    describe('first seen (put-if-absent, no lease)', () => {
      test('the first record wins; a later one returns the first, unchanged', async () => {
        expect(await store.recordFirstSeen('cache', { shards: 4, replicasPerShard: 2 }, T0)).toEqual({ at: T0, values: { shards: 4, replicasPerShard: 2 } });
        expect(await store.recordFirstSeen('cache', { shards: 1, replicasPerShard: 0 }, T0 + 60_000)).toEqual({
          at: T0,
          values: { shards: 4, replicasPerShard: 2 },
        });
        expect((await store.getTarget('cache'))?.firstSeen).toEqual({ at: T0, values: { shards: 4, replicasPerShard: 2 } });
      });

      test('needs no lease, even while another owner holds it', async () => {
        await store.acquireLease('cache', 'holder', T0, LEASE_SECONDS);
        expect(await store.recordFirstSeen('cache', { shards: 2 }, T0)).toEqual({ at: T0, values: { shards: 2 } });
        // The holder still saves; the lease was not touched.
        await store.saveTarget({ targetId: 'cache', lastActionAt: T0 }, 'holder');
        expect(await store.acquireLease('cache', 'other', T0 + 1, LEASE_SECONDS)).toBe(false);
      });

      test('a record holding only what was first seen is a record', async () => {
        await store.recordFirstSeen('cache', { shards: 3 }, T0);
        expect(await store.getTarget('cache')).toEqual({ targetId: 'cache', firstSeen: { at: T0, values: { shards: 3 } } });
      });

      test('saveTarget keeps it, whatever the record it saves holds', async () => {
        await store.recordFirstSeen('cache', { shards: 3, replicasPerShard: 1 }, T0);
        await store.acquireLease('cache', 'a', T0, LEASE_SECONDS);
        await store.saveTarget({ targetId: 'cache', lastActionAt: T0, lastExecution: 'cache-up-x-1' }, 'a');
        await store.saveTarget({ targetId: 'cache', lastActionAt: T0 + 1, firstSeen: { at: T0 + 1, values: { shards: 9 } } }, 'a');
        expect(await store.getTarget('cache')).toEqual({
          targetId: 'cache',
          lastActionAt: T0 + 1,
          firstSeen: { at: T0, values: { shards: 3, replicasPerShard: 1 } },
        });
      });

      test('concurrent first records: every caller gets the same one', async () => {
        const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => store.recordFirstSeen('cache', { shards: i + 1 }, T0 + i)));
        expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
        expect((await store.getTarget('cache'))?.firstSeen).toEqual(answers[0]);
      });
    });

    describe('audit', () => {
      test('an entry reads back as written', async () => {
        const full = entry('web', T0, {
          outcome: 'applied',
          previous: 2,
          desired: 4,
          direction: 'out',
          eventId: 'evt-1',
          figures: { cpu: 82.5 },
        });
        await store.appendAudit(full, 30);
        expect(await store.listAudit('web', T0, T0)).toEqual([full]);
      });

      test('entries come back newest first, whatever the order they were written in', async () => {
        for (const at of [T0 + 2000, T0, T0 + 3000, T0 + 1000]) await store.appendAudit(entry('web', at), 30);
        const listed = await store.listAudit('web', T0, T0 + 3000);
        expect(listed.map((e) => e.at)).toEqual([T0 + 3000, T0 + 2000, T0 + 1000, T0]);
      });

      test('the time range is inclusive at both ends and excludes everything outside', async () => {
        for (const at of [T0 - 1, T0, T0 + 500, T0 + 1000, T0 + 1001]) await store.appendAudit(entry('web', at), 30);
        const listed = await store.listAudit('web', T0, T0 + 1000);
        expect(listed.map((e) => e.at)).toEqual([T0 + 1000, T0 + 500, T0]);
      });

      test('the limit keeps the newest entries', async () => {
        for (let i = 0; i < 10; i++) await store.appendAudit(entry('web', T0 + i * 1000), 30);
        const listed = await store.listAudit('web', T0, T0 + 60_000, 3);
        expect(listed.map((e) => e.at)).toEqual([T0 + 9000, T0 + 8000, T0 + 7000]);
      });

      test('a limit above the number of entries returns them all', async () => {
        for (let i = 0; i < 5; i++) await store.appendAudit(entry('web', T0 + i), 30);
        expect(await store.listAudit('web', T0, T0 + 10, 50)).toHaveLength(5);
      });

      test('entries of other targets are not listed', async () => {
        await store.appendAudit(entry('web', T0), 30);
        await store.appendAudit(entry('web-2', T0 + 1), 30);
        await store.appendAudit(entry('workers', T0 + 2), 30);
        expect(await store.listAudit('web', T0, T0 + 10)).toEqual([entry('web', T0)]);
        expect(await store.listAudit('nobody', T0, T0 + 10)).toEqual([]);
      });

      test('two entries in the same millisecond are both kept', async () => {
        const a = entry('web', T0, { eventId: 'a' });
        const b = entry('web', T0, { eventId: 'b' });
        await Promise.all([store.appendAudit(a, 30), store.appendAudit(b, 30)]);
        const listed = await store.listAudit('web', T0, T0);
        expect(listed).toHaveLength(2);
        expect(listed).toEqual(expect.arrayContaining([a, b]));
      });

      test('an empty or reversed range lists nothing', async () => {
        await store.appendAudit(entry('web', T0), 30);
        expect(await store.listAudit('web', T0 + 1, T0 + 10)).toEqual([]);
        expect(await store.listAudit('web', T0 + 10, T0)).toEqual([]);
      });
    });

    describe('switches', () => {
      test('nothing is paused or dry-run by default', async () => {
        expect(await store.getSwitches('web')).toEqual({ paused: false, dryRun: false });
      });

      test('a global switch applies to every target', async () => {
        await store.setSwitch('*', 'paused', true);
        expect(await store.getSwitches('web')).toEqual({ paused: true, dryRun: false });
        expect(await store.getSwitches('workers')).toEqual({ paused: true, dryRun: false });
        expect(await store.getSwitches('*')).toEqual({ paused: true, dryRun: false });
      });

      test("a target's switch applies to that target only", async () => {
        await store.setSwitch('web', 'dryRun', true);
        expect(await store.getSwitches('web')).toEqual({ paused: false, dryRun: true });
        expect(await store.getSwitches('workers')).toEqual({ paused: false, dryRun: false });
        expect(await store.getSwitches('*')).toEqual({ paused: false, dryRun: false });
      });

      test("the global and the target's switches are or'ed", async () => {
        await store.setSwitch('*', 'dryRun', true);
        await store.setSwitch('web', 'dryRun', false);
        await store.setSwitch('web', 'paused', true);
        await store.setSwitch('*', 'paused', false);
        expect(await store.getSwitches('web')).toEqual({ paused: true, dryRun: true });
        expect(await store.getSwitches('workers')).toEqual({ paused: false, dryRun: true });
      });

      test('setting one switch leaves the other alone, and false turns it back off', async () => {
        await store.setSwitch('web', 'paused', true);
        await store.setSwitch('web', 'dryRun', true);
        await store.setSwitch('web', 'paused', false);
        expect(await store.getSwitches('web')).toEqual({ paused: false, dryRun: true });
        await store.setSwitch('web', 'dryRun', false);
        expect(await store.getSwitches('web')).toEqual({ paused: false, dryRun: false });
      });
    });

    describe('overrides', () => {
      const override = (targetId: string, extra: Partial<Override> = {}): Override => ({
        targetId,
        min: 4,
        max: 8,
        expiresAt: T0 + 3_600_000,
        setAt: T0,
        setBy: 'arn:aws:iam::123456789012:user/ops',
        ...extra,
      });

      test('a target without one has none, and none are listed', async () => {
        expect(await store.getOverride('web')).toBeUndefined();
        expect(await store.listOverrides()).toEqual([]);
      });

      test('reads back as written, an expired one too (the reader judges expiry)', async () => {
        const full = override('web', { target: 55, paused: true, dryRun: false, reason: 'launch', expiresAt: T0 - 1 });
        await store.setOverride(full);
        expect(await store.getOverride('web')).toEqual(full);
      });

      test("a new override replaces the target's earlier one, fields left out are gone; other targets keep theirs", async () => {
        await store.setOverride(override('web', { target: 55 }));
        await store.setOverride(override('workers'));
        await store.setOverride(override('web', { min: undefined, max: 6 }));
        expect(await store.getOverride('web')).toEqual(override('web', { min: undefined, max: 6 }));
        expect(await store.getOverride('workers')).toEqual(override('workers'));
        expect((await store.listOverrides()).map((o) => o.targetId).sort()).toEqual(['web', 'workers']);
      });

      test('overrides are not switches, and switches are not overrides', async () => {
        await store.setOverride(override('web', { paused: true }));
        await store.setSwitch('web', 'dryRun', true);
        expect(await store.getSwitches('web')).toEqual({ paused: false, dryRun: true });
        expect(await store.listOverrides()).toHaveLength(1);
      });
    });

    describe('recommendations', () => {
      const recommendation = (targetId: string, extra: Partial<StoredRecommendation> = {}): StoredRecommendation => ({
        targetId,
        kind: 'asg',
        computedAt: T0,
        trace: { from: T0 - 14 * 86_400_000, to: T0, steps: 20_160, stepSeconds: 60, source: 'CloudWatch ALB RequestCount of targetgroup/web/1' },
        verdict: 'change',
        current: { settings: { targetCpu: 50, scaleInStabilizationSeconds: 900 }, figures: { violationPct: 0.1, costRatio: 1.4, reversalsPerDay: null } },
        recommended: { settings: { targetCpu: 70, scaleInStabilizationSeconds: 900 }, figures: { violationPct: 0.1, costRatio: 1.1, reversalsPerDay: null } },
        monthly: { unitHours: -1200, dollars: -99.84, price: { perUnitHour: 0.0832, source: 't3.large' } },
        notes: ['memory is not in the trace'],
        ...extra,
      });

      test('none at first; each reads back as written, listed by target id', async () => {
        expect(await store.listRecommendations()).toEqual([]);
        await store.putRecommendation(recommendation('workers', { kind: 'queue-workers', verdict: 'keep', recommended: undefined, monthly: undefined }));
        await store.putRecommendation(recommendation('web'));
        expect(await store.listRecommendations()).toEqual([
          recommendation('web'),
          recommendation('workers', { kind: 'queue-workers', verdict: 'keep', recommended: undefined, monthly: undefined }),
        ]);
      });

      test("the next run's record replaces the target's last one whole", async () => {
        await store.putRecommendation(recommendation('web'));
        const later = recommendation('web', {
          computedAt: T0 + 86_400_000,
          verdict: 'cannot-judge',
          reason: 'too short',
          current: undefined,
          recommended: undefined,
          monthly: undefined,
        });
        await store.putRecommendation(later);
        expect(await store.listRecommendations()).toEqual([later]);
      });

      test('recommendations are not target records, overrides or audit entries', async () => {
        await store.putRecommendation(recommendation('web'));
        expect(await store.getTarget('web')).toBeUndefined();
        expect(await store.listOverrides()).toEqual([]);
        expect(await store.listAudit('web', 0, T0 * 2)).toEqual([]);
      });
    });
  });
}
