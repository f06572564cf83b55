/**
 * The decision loop every scaling family runs its targets through: the lease, the switches read right
 * before the write, the hold after a terminal failure, the record (state, audit, notifications). The
 * families' own tests (test/faults) run it on their real paths; these pin the loop's rules on their own.
 */
import type { Notification } from '../../../lambdas/adapters/sns';
import type { MetricsCheck } from '../../../lambdas/engine/staleness';
import {
  type Decision,
  DecisionLoop,
  type LoopOptions,
  type LoopTarget,
  overridesChanged,
  recordsOnce,
  withinGroupBounds,
} from '../../../lambdas/scalers/decision-loop';
import { parseConfig } from '../../../lambdas/shared/config';
import { TerminalError } from '../../../lambdas/shared/errors';
import { MemoryStateStore } from '../../../lambdas/state/memory';

const config = parseConfig({
  prefix: 'autoscaler',
  targets: [{ id: 'web', kind: 'asg', autoScalingGroupName: 'django-web', minCapacity: 1, maxCapacity: 10 }],
});
const target: LoopTarget = { id: 'web', kind: 'asg', dryRun: false };
const T0 = Date.parse('2024-05-01T12:00:00Z');

let store: MemoryStateStore;
let clock: number;
let told: Notification[];
let writes: number;

beforeEach(() => {
  store = new MemoryStateStore();
  clock = T0;
  told = [];
  writes = 0;
});

function loop(options: LoopOptions<LoopTarget> = {}, notify: (n: Notification) => Promise<void> = async (n) => void told.push(n)) {
  return new DecisionLoop<LoopTarget>({ config, store, now: () => clock, notifier: { notify } }, options);
}

/** A decision to go from 2 to `desired` units; its write counts itself. */
function scale(desired: number, extra: Partial<Decision> = {}): Decision {
  return {
    change: desired !== 2,
    reason: `2 -> ${desired}`,
    count: { previous: 2, desired },
    figures: { cpu: 90 },
    act: async () => {
      writes++;
      return {};
    },
    ...extra,
  };
}

const audit = () => store.listAudit('web', 0, Number.MAX_SAFE_INTEGER);

test('a change is made once, and recorded as applied: state, audit entry, notification', async () => {
  const result = await loop({ tellDecisions: true }).run(target, 'e1', async () => scale(4));
  expect(result).toEqual({ targetId: 'web', outcome: 'applied', previous: 2, desired: 4, reason: '2 -> 4' });
  expect(writes).toBe(1);
  const record = await store.getTarget('web');
  expect(record?.lastDecision).toEqual({ at: T0, previous: 2, desired: 4, direction: 'out', reason: '2 -> 4', figures: { cpu: 90 }, outcome: 'applied' });
  expect(record?.lastActionAt).toBe(T0);
  expect(await audit()).toEqual([expect.objectContaining({ outcome: 'applied', previous: 2, desired: 4, eventId: 'e1' })]);
  expect(told.map((n) => n.subject)).toEqual(['[autoscaler] web: scaled out 2 -> 4']);
});

test('without tellDecisions no decision is published', async () => {
  await loop().run(target, 'e1', async () => scale(4));
  expect(writes).toBe(1);
  expect(told).toEqual([]);
});

test.each([
  ['paused', 'the target', async () => store.setSwitch('web', 'paused', true)],
  ['dry-run', 'every target', async () => store.setSwitch('*', 'dryRun', true)],
] as const)('a switch (%s, on %s) set while the decision is made holds the write, and the decision is recorded so', async (outcome, _scope, set) => {
  const result = await loop().run(target, 'e1', async () => {
    await set(); // the operator acts after the invocation started, before the write
    return scale(4);
  });
  expect(result.outcome).toBe(outcome);
  expect(writes).toBe(0);
  expect((await store.getTarget('web'))?.lastActionAt).toBeUndefined();
  expect((await audit()).map((e) => e.outcome)).toEqual([outcome]);
});

test("the target's own dry-run holds the write", async () => {
  const result = await loop().run({ ...target, dryRun: true }, 'e1', async () => scale(4));
  expect(result.outcome).toBe('dry-run');
  expect(writes).toBe(0);
});

test('a decision that changes nothing reads no switch and writes nothing', async () => {
  const getSwitches = jest.spyOn(store, 'getSwitches');
  const result = await loop().run(target, 'e1', async () => scale(2));
  expect(result.outcome).toBe('held');
  expect(getSwitches).not.toHaveBeenCalled();
  expect(writes).toBe(0);
});

describe('a terminal failure of the write', () => {
  const failing = (desired: number) =>
    scale(desired, {
      act: async () => {
        writes++;
        throw new TerminalError('desired capacity above the group maximum', 'ValidationError');
      },
    });

  test('is recorded and reported, not thrown; with a hold, no change is attempted again until it has passed', async () => {
    const l = loop({ failureHoldSeconds: 900, tellDecisions: true });
    const first = await l.run(target, 'e1', async () => failing(4));
    expect(first.outcome).toBe('failed');
    expect(first.reason).toBe('2 -> 4; failed: desired capacity above the group maximum');
    expect((await store.getTarget('web'))?.lastFailure).toEqual({ at: T0, code: 'ValidationError', desired: 4 });
    expect(told.map((n) => n.subject)).toEqual(['[autoscaler] web: FAILED to scale out 2 -> 4']);

    clock = T0 + 899_000;
    const held = await l.run(target, 'e2', async () => failing(4));
    expect(held.outcome).toBe('held');
    expect(held.reason).toMatch(/held: a change failed terminally \(ValidationError\) 899 s ago, not attempted again for 900 s$/);
    expect(writes).toBe(1);

    clock = T0 + 900_000;
    const again = await l.run(target, 'e3', async () => scale(4));
    expect(again.outcome).toBe('applied');
    expect((await store.getTarget('web'))?.lastFailure).toBeUndefined();
  });

  test('without a hold, is recorded as failed and the next decision tries again', async () => {
    const l = loop();
    expect((await l.run(target, 'e1', async () => failing(4))).outcome).toBe('failed');
    expect((await store.getTarget('web'))?.lastFailure).toBeUndefined();
    clock += 60_000;
    expect((await l.run(target, 'e2', async () => failing(4))).outcome).toBe('failed');
    expect(writes).toBe(2);
  });
});

test('any other error is thrown, nothing is recorded, and the lease is given back', async () => {
  const l = loop();
  const broken = scale(4, {
    act: async () => {
      throw new Error('socket hang up');
    },
  });
  await expect(l.run(target, 'e1', async () => broken)).rejects.toThrow('socket hang up');
  expect(await store.getTarget('web')).toBeUndefined();
  expect(await audit()).toEqual([]);
  expect((await l.run(target, 'e2', async () => scale(4))).outcome).toBe('applied');
});

test('a target whose lease another invocation holds is left to it: busy, not observed', async () => {
  await store.acquireLease('web', 'other-invocation', T0, 90);
  const decide = jest.fn(async () => scale(4));
  const result = await loop().run(target, 'e1', decide);
  expect(result).toEqual({ targetId: 'web', outcome: 'busy', reason: 'another invocation is deciding for this target' });
  expect(decide).not.toHaveBeenCalled();
});

test('a result instead of a decision (skipped) is returned as it is, and nothing is recorded', async () => {
  const result = await loop().run(target, 'e1', async () => ({ targetId: 'web', outcome: 'skipped', reason: 'evaluated 10 s ago' }));
  expect(result.outcome).toBe('skipped');
  expect(await store.getTarget('web')).toBeUndefined();
  expect(await audit()).toEqual([]);
});

test('a quiet poll that repeats a held decision gets no audit entry; a change of count, or a decision not quiet, gets one', async () => {
  const l = loop();
  const poll = (desired: number) => {
    clock += 60_000;
    return l.run(target, `poll-${clock}`, async () => ({ ...scale(desired), change: false, quiet: true }));
  };
  await poll(2);
  await poll(2);
  await poll(2);
  expect(await audit()).toHaveLength(1);
  await poll(3);
  expect(await audit()).toHaveLength(2);
  await l.run(target, 'alarm', async () => ({ ...scale(3), change: false }));
  expect(await audit()).toHaveLength(3);
});

test('what the decision remembers is saved with its outcome; without remember the record keeps what it had', async () => {
  const l = loop();
  const seen: boolean[] = [];
  await l.run(target, 'e1', async () =>
    scale(4, {
      remember: (applied) => {
        seen.push(applied);
        return { step: 1 };
      },
    }),
  );
  await store.setSwitch('web', 'paused', true);
  await l.run(target, 'e2', async () =>
    scale(5, {
      remember: (applied) => {
        seen.push(applied);
        return { step: 2 };
      },
    }),
  );
  expect(seen).toEqual([true, false]);
  expect((await store.getTarget('web'))?.memory).toEqual({ step: 2 });
  await l.run(target, 'e3', async () => scale(2));
  expect((await store.getTarget('web'))?.memory).toEqual({ step: 2 });
});

test('a decision without a count (a runbook to start) records 0 -> 0, no count in its audit entry, and the execution it started', async () => {
  const l = loop();
  const start = (name: string): Decision => ({
    change: true,
    reason: 'add a replica',
    figures: { managed: 1 },
    act: async () => ({ note: `; runbook ${name} started`, execution: { name, status: 'started' } }),
  });
  const result = await l.run(target, 'e1', async () => start('web-add-2-1'));
  expect(result).toEqual({
    targetId: 'web',
    outcome: 'applied',
    reason: 'add a replica; runbook web-add-2-1 started',
    execution: { name: 'web-add-2-1', status: 'started' },
  });
  const record = await store.getTarget('web');
  expect(record?.lastDecision).toMatchObject({ previous: 0, desired: 0, direction: 'out' });
  expect(record?.lastExecution).toBe('web-add-2-1');
  const [entry] = await audit();
  expect(entry).toEqual({
    targetId: 'web',
    at: T0,
    outcome: 'applied',
    reason: 'add a replica; runbook web-add-2-1 started',
    eventId: 'e1',
    figures: { managed: 1 },
  });
  // A decision that starts nothing keeps the execution the last applied one started.
  await l.run(target, 'e2', async () => ({ change: false, reason: 'enough', figures: {}, act: async () => ({}) }));
  expect((await store.getTarget('web'))?.lastExecution).toBe('web-add-2-1');
});

test('metrics late, then still late, then back: one notification when they become late and one when they are back', async () => {
  const l = loop({ meanwhile: () => 'no scale-in' });
  const check = (freshness: MetricsCheck['freshness'], lateSince?: number): MetricsCheck => ({
    freshness,
    ageSeconds: freshness === 'fresh' ? 30 : 400,
    memory: { newestEnd: T0, checkedAt: clock, ...(lateSince !== undefined ? { lateSince } : {}) },
  });
  await l.run(target, 'e1', async () => scale(2, { metrics: check('stalled', T0) }));
  clock += 60_000;
  await l.run(target, 'e2', async () => scale(2, { metrics: check('stalled', T0) }));
  clock += 60_000;
  await l.run(target, 'e3', async () => scale(2, { metrics: check('fresh') }));
  expect(told.map((n) => n.subject)).toEqual([
    '[autoscaler] web: metrics late (newest datapoint 400 s old); no scale-in',
    '[autoscaler] web: metrics back on time after 2 min',
  ]);
  expect(told[0].body).toMatchObject({ meanwhile: 'no scale-in' });
  expect((await store.getTarget('web'))?.metrics?.lateSince).toBeUndefined();
});

test('a decision that does not judge the metrics keeps what the record says of them', async () => {
  const l = loop();
  await l.run(target, 'e1', async () => scale(2, { metrics: { freshness: 'stalled', ageSeconds: 400, memory: { checkedAt: T0, lateSince: T0 } } }));
  told = [];
  await l.run(target, 'e2', async () => scale(2));
  expect((await store.getTarget('web'))?.metrics).toEqual({ checkedAt: T0, lateSince: T0 });
  expect(told).toEqual([]);
});

test('a notification that cannot be sent does not undo or fail the decision', async () => {
  const l = loop({ tellDecisions: true }, async () => {
    throw new Error('SNS is down');
  });
  const result = await l.run(target, 'e1', async () => scale(4));
  expect(result.outcome).toBe('applied');
  expect((await audit()).map((e) => e.outcome)).toEqual(['applied']);
});

describe('withinGroupBounds', () => {
  const snapshot = { desired: 5, ready: 5, pending: 0, minSize: 2, maxSize: 8 };
  test.each([
    [12, 8, "; held to the group's MaxSize 8"],
    [1, 2, "; held to the group's MinSize 2"],
    [7, 7, ''],
  ])('%i within MinSize 2 and MaxSize 8 is %i', (desired, bounded, note) => {
    expect(withinGroupBounds(snapshot, desired)).toEqual({ desired: bounded, note });
  });

  test('a count already outside the bounds is not pushed further out, nor forced in', () => {
    expect(withinGroupBounds({ ...snapshot, desired: 10 }, 12)).toEqual({ desired: 10, note: "; held to the group's MaxSize 8" });
    expect(withinGroupBounds({ ...snapshot, desired: 10 }, 9)).toEqual({ desired: 9, note: '' });
  });
});

describe('overridesChanged: the targets a schedule decides on because of their override', () => {
  const T = Date.UTC(2026, 0, 5, 12, 0, 0);
  const decidedAt = async (store: MemoryStateStore, targetId: string, at: number) => {
    await store.acquireLease(targetId, 'seed', at, 60);
    await store.saveTarget(
      { targetId, lastDecision: { at, previous: 2, desired: 2, direction: 'none', reason: 'seed', figures: {}, outcome: 'held' } },
      'seed',
    );
    await store.releaseLease(targetId, 'seed');
  };
  const override = (targetId: string, setAt: number, expiresAt: number) => ({ targetId, min: 4, setAt, expiresAt, setBy: 'ops' });

  test('set since the last decision, or run out since it: decided on; otherwise, or not one of ours: not', async () => {
    const store = new MemoryStateStore();
    await decidedAt(store, 'set-since', T - 60_000);
    await store.setOverride(override('set-since', T - 30_000, T + 3_600_000));
    await decidedAt(store, 'ran-out', T - 120_000);
    await store.setOverride(override('ran-out', T - 600_000, T - 60_000));
    await decidedAt(store, 'seen', T - 60_000);
    await store.setOverride(override('seen', T - 600_000, T + 3_600_000));
    await decidedAt(store, 'ended-before', T - 60_000);
    await store.setOverride(override('ended-before', T - 600_000, T - 120_000));
    await store.setOverride(override('never-decided', T - 600_000, T + 3_600_000));
    await store.setOverride(override('other-family', T - 30_000, T + 3_600_000));
    const ids = new Set(['set-since', 'ran-out', 'seen', 'ended-before', 'never-decided']);
    expect([...(await overridesChanged(store, ids, T))].sort()).toEqual(['never-decided', 'ran-out', 'set-since']);
  });
});

describe('recordsOnce: what one schedule tick reads of the state table', () => {
  test("each target's record and the overrides are read once, however often the tick's checks ask", async () => {
    const store = new MemoryStateStore();
    await store.setOverride({ targetId: 'web', min: 4, setAt: 1, expiresAt: Date.UTC(2030, 0, 1), setBy: 'ops' });
    const reads: string[] = [];
    const counted = {
      getTarget: (id: string) => {
        reads.push(`record ${id}`);
        return store.getTarget(id);
      },
      listOverrides: () => {
        reads.push('overrides');
        return store.listOverrides();
      },
    };
    const tick = recordsOnce(counted);
    await Promise.all([tick.getTarget('web'), tick.getTarget('web'), tick.getTarget('api')]);
    expect(await tick.getTarget('web')).toBeUndefined();
    expect((await tick.listOverrides()).map((o) => o.targetId)).toEqual(['web']);
    await tick.listOverrides();
    expect(reads).toEqual(['record web', 'record api', 'overrides']);
    // the next tick reads afresh
    await recordsOnce(counted).getTarget('web');
    expect(reads.at(-1)).toBe('record web');
    expect(reads).toHaveLength(4);
  });
});
