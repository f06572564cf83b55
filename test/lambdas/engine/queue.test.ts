import fc from 'fast-check';
import {
  decideQueue,
  EMPTY_QUEUE_MEMORY,
  type QueueInput,
  type QueueMemory,
  type QueuePolicy,
  REVERSAL_WINDOW_SECONDS,
  workersForBacklog,
} from '../../../lambdas/engine/queue';
import { REVERSAL_WINDOW_SECONDS as SCORED_REVERSAL_WINDOW_SECONDS } from '../../../sim/score';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const MIN = 60_000;

const policy: QueuePolicy = {
  minCapacity: 0,
  maxCapacity: 60,
  messagesPerSecondPerWorker: 2,
  maxWaitSeconds: 300,
  warmupSeconds: 60,
  idleSeconds: 300,
  scaleInStabilizationSeconds: 180,
  scaleInCooldownSeconds: 120,
  maxStepDownRatio: 0.5,
  scaleInProtection: false,
  messagesInFlightPerWorker: 1,
  // the examples below that are not about it run without the reversal hold
  reversalHoldWorkerMinutes: 0,
};
/** Workers that protect themselves from scale-in (ECS task protection, ASG instance protection). */
const protectedPolicy: QueuePolicy = { ...policy, scaleInProtection: true };
/** The reversal hold's examples: one-poll window and cooldown, no step limit, the default budget of 70. */
const calm: QueuePolicy = { ...policy, scaleInStabilizationSeconds: 60, scaleInCooldownSeconds: 60, maxStepDownRatio: 1, reversalHoldWorkerMinutes: 70 };

function decide(input: Partial<QueueInput> & Pick<QueueInput, 'fleet' | 'observation'>) {
  return decideQueue({ policy, memory: EMPTY_QUEUE_MEMORY, now: NOW, ...input });
}

/** Polls a queue every minute with the given depths (visible, in flight), applying each decision at once. */
function run(depths: [number, number][], start: { desired: number; ready?: number }, p: QueuePolicy = policy) {
  let memory: QueueMemory = EMPTY_QUEUE_MEMORY;
  let desired = start.desired;
  const out: number[] = [];
  depths.forEach(([visible, notVisible], i) => {
    const r = decideQueue({ policy: p, fleet: { desired, ready: start.ready ?? desired }, observation: { visible, notVisible }, memory, now: NOW + i * MIN });
    memory = r.memory;
    desired = r.decision.desired;
    out.push(desired);
  });
  return { out, memory };
}

describe('decideQueue: batches and trickles', () => {
  /** n polls of an empty queue, nothing in flight. */
  const quiet = (n: number): [number, number][] => Array.from({ length: n }, () => [0, 0]);
  test('a batch seen over one poll is sized by its deadlines, not kept up with as a rate', () => {
    // A trickle of 0.5/s, then 6,000 messages at once: over that one interval the arrivals read 100/s,
    // 50 workers to keep up, but the batch is drained within its wait by 17 (the example above).
    const { out, memory } = run(
      [
        [30, 0],
        [0, 0],
        [5999, 1],
      ],
      { desired: 1 },
    );
    expect(out[2]).toBe(17);
    expect(memory.lastRate).toBeGreaterThan(90);
  });

  test('a rate that lasts two polls is kept up with', () => {
    // 100 messages/s arrived over the last interval as over the one before; one worker did 2/s
    const { decision } = decide({
      fleet: { desired: 1, ready: 1 },
      observation: { visible: 11759, notVisible: 1 },
      memory: { ...EMPTY_QUEUE_MEMORY, lastPoll: { at: NOW - MIN, backlog: 5880, ready: 1 }, lastRate: 100, arrivals: [{ at: NOW - MIN, total: 6000 }] },
    });
    expect(decision.figures.forRate).toBe(50);
    expect(decision.desired).toBeGreaterThanOrEqual(50);
  });

  test('a trickle that wakes the fleet soon after it went to zero doubles the idle wait, and a long quiet resets it', () => {
    // One worker keeps a sparse trickle out of sight: every poll finds the queue empty.
    const first = run([...quiet(6), [0, 0], [3, 0], ...quiet(8)], { desired: 1 });
    // idle for 300 s: to zero at minute 5; work two minutes later: back to one, and the wait doubles
    expect(first.out.slice(0, 8)).toEqual([1, 1, 1, 1, 1, 0, 0, 1]);
    expect(first.memory.idleHoldSeconds).toBe(600);
    // empty again for 7 minutes after the wake: still one worker (600 s not yet reached)
    expect(first.out.slice(8)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    // one message at the first poll after zero is not yet a flow: the wait doubles
    expect(run([...quiet(6), [1, 0]], { desired: 1 }).memory.idleHoldSeconds).toBe(600);

    // at zero for as long as the wait: the wait goes back to idleSeconds
    const { decision, memory } = decide({
      fleet: { desired: 0, ready: 0 },
      observation: { visible: 0, notVisible: 0 },
      memory: { ...EMPTY_QUEUE_MEMORY, zeroSince: NOW - 10 * MIN, idleHoldSeconds: 600, emptySince: NOW - 20 * MIN },
    });
    expect(decision.desired).toBe(0);
    expect(memory.idleHoldSeconds).toBe(300);
  });

  test('work found by the very first poll after zero is a flow that one worker kept out of sight: the idle wait goes to an hour at once', () => {
    // 30 messages a minute, which one worker at 2/s serves between polls: the queue looked idle for
    // 300 s, the fleet went to zero, and the next poll found the minute's 30 waiting.
    const woken = run([...quiet(6), [30, 0], ...quiet(40)], { desired: 1 });
    expect(woken.out.slice(0, 7)).toEqual([1, 1, 1, 1, 1, 0, 1]);
    expect(woken.memory.idleHoldSeconds).toBe(3600);
    // the trickle goes on out of sight: the fleet does not go to zero again within the hour
    expect(woken.out.slice(7).every((n) => n === 1)).toBe(true);
  });

  test('the idle wait never grows beyond an hour', () => {
    const { memory } = decide({
      fleet: { desired: 0, ready: 0 },
      observation: { visible: 5, notVisible: 0 },
      memory: { ...EMPTY_QUEUE_MEMORY, zeroSince: NOW - MIN, idleHoldSeconds: 2400 },
    });
    expect(memory.idleHoldSeconds).toBe(3600);
  });
});

describe('decideQueue examples', () => {
  test('the first message seen from zero asks for a worker at once', () => {
    const { decision } = decide({ fleet: { desired: 0, ready: 0 }, observation: { visible: 1, notVisible: 0 } });
    expect(decision.desired).toBe(1);
    expect(decision.direction).toBe('out');
  });

  test('an empty queue at zero stays at zero', () => {
    const { decision } = decide({ fleet: { desired: 0, ready: 0 }, observation: { visible: 0, notVisible: 0 } });
    expect(decision.desired).toBe(0);
  });

  test('a backlog is drained within the wait: enough workers, counted from the deadline, with the numbers in the reason', () => {
    // 6000 messages seen at once, up to one poll old: 240 s left, of which new workers serve 180.
    const { decision } = decide({ fleet: { desired: 1, ready: 1 }, observation: { visible: 5999, notVisible: 1 } });
    // 2 x (1 x 240 + (n - 1) x 180) >= 6000  ->  n >= 16.33
    expect(decision.desired).toBe(17);
    expect(decision.reason).toMatch(/backlog 5999 visible \+ 1 in flight/);
    expect(decision.reason).toMatch(/1 -> 17/);
  });

  test('in-flight messages count as work', () => {
    const visibleOnly = decide({ fleet: { desired: 2, ready: 2 }, observation: { visible: 1000, notVisible: 0 } }).decision.desired;
    const withInFlight = decide({ fleet: { desired: 2, ready: 2 }, observation: { visible: 1000, notVisible: 1000 } }).decision.desired;
    expect(withInFlight).toBeGreaterThan(visibleOnly);
  });

  test('a sustained arrival rate is kept up with: arrivals = backlog change + what the busy workers completed', () => {
    // 10 workers at 2/s complete 1200 a minute; the backlog grows by 600 a minute: 1800 arrive a minute = 30/s -> 15 workers.
    const { out } = run(
      [
        [2000, 10],
        [2600, 10],
        [3200, 10],
      ],
      { desired: 10 },
      { ...policy, maxWaitSeconds: 3600 },
    );
    expect(out[2]).toBe(15);
  });

  test('an old backlog pushes harder than a young one of the same size; messages past saving are sized to go soon after new workers start, not with the whole ceiling', () => {
    const young = decide({ fleet: { desired: 1, ready: 1 }, observation: { visible: 3000, notVisible: 1 } }).decision.desired;
    // 270 s old: due in 30 s, before any new worker starts; sized to be taken within a poll after the warm-up (120 s):
    // 2 x (1 x 120 + (n - 1) x 60) >= 3001  ->  n >= 24.01
    const old = decide({ fleet: { desired: 1, ready: 1 }, observation: { visible: 3000, notVisible: 1, ageOfOldestSeconds: 270 } }).decision;
    expect(young).toBe(9);
    expect(old.desired).toBe(25);
    expect(old.figures.ageSeconds).toBe(270);
  });

  test('the backlog is dated by arrival interval: a big old batch behind a trickle is as urgent as its age', () => {
    // 3000 arrive with no worker; two polls later 30 more have come: the 3000 are 180 s old, not spread over 0-180 s
    const { memory } = run(
      [
        [3000, 0],
        [3015, 0],
      ],
      { desired: 0, ready: 0 },
    );
    const next = decideQueue({ policy, fleet: { desired: 0, ready: 0 }, observation: { visible: 3030, notVisible: 0 }, memory, now: NOW + 2 * MIN });
    // the 3000 have 300 - 180 = 120 s left: new workers serve 60 of them -> 3000 / (2 x 60) = 25
    expect(next.decision.desired).toBe(25);
  });

  test('the age of the oldest message is dated from the polls: a backlog left over from earlier polls is older', () => {
    const { memory } = run(
      [
        [600, 0],
        [600, 0],
      ],
      { desired: 0, ready: 0 },
    );
    // nothing served for two minutes: the oldest message came before the first poll
    const next = decideQueue({ policy, fleet: { desired: 0, ready: 0 }, observation: { visible: 600, notVisible: 0 }, memory, now: NOW + 2 * MIN });
    expect(next.decision.figures.ageSeconds).toBeGreaterThanOrEqual(120);
  });

  test('scale-in waits for the cooldown, then goes no lower than the stabilization window, step by step', () => {
    const depths: [number, number][] = [[6000, 0], ...Array.from({ length: 12 }, (): [number, number] => [5, 1])];
    const { out } = run(depths, { desired: 1 });
    expect(out[0]).toBeGreaterThan(10);
    // cooldown (120 s): the next two polls hold
    expect(out[1]).toBe(out[0]);
    expect(out[2]).toBe(out[0]);
    // never more than half removed at once, and never below one while there is work
    for (let i = 1; i < out.length; i++) {
      expect(out[i]).toBeGreaterThanOrEqual(Math.floor(out[i - 1] / 2));
      expect(out[i]).toBeGreaterThanOrEqual(1);
    }
    expect(out[out.length - 1]).toBe(1);
  });

  test('a scale-in that would reverse a scale-out within 600 s waits the 600 s out when the idle workers that costs fit reversalHoldWorkerMinutes', () => {
    // a batch of 900 messages on a trickle: a few workers drain it in minutes
    const depths: [number, number][] = [[30, 0], [900, 0], [400, 3], [0, 1], ...Array.from({ length: 14 }, (): [number, number] => [10, 1])];
    const held = run(depths, { desired: 1 }, calm);
    const out = held.out.findIndex((n, i) => i > 0 && n > held.out[i - 1]);
    const added = held.out[out];
    expect(added).toBeGreaterThan(2);
    // polls 60 ... 600 s after the scale-out keep the fleet; the first poll past 600 s scales in
    for (let i = out + 1; i <= out + 10; i++) expect(held.out[i]).toBe(added);
    expect(held.out[out + 11]).toBeLessThan(added);
    // without the hold (0), the same fleet scales in a few polls after the scale-out: a reversal
    const off = run(depths, { desired: 1 }, { ...calm, reversalHoldWorkerMinutes: 0 });
    expect(off.out.findIndex((n, i) => i > out && n < off.out[i - 1])).toBeLessThanOrEqual(out + 5);
  });

  test("the hold's window is the one the simulator counts reversals in", () => {
    expect(REVERSAL_WINDOW_SECONDS).toBe(SCORED_REVERSAL_WINDOW_SECONDS);
  });

  test('the reversal hold names itself, and a fleet whose idle minutes would pass the budget scales in at once', () => {
    // 8 workers ordered 240 s ago, the queue drained: holding 7 idle workers to 660 s is 49 worker-minutes
    const memory: QueueMemory = {
      ...EMPTY_QUEUE_MEMORY,
      lastChangeAt: NOW - 240_000,
      lastScaleOutAt: NOW - 240_000,
      lastPoll: { at: NOW - MIN, backlog: 0, ready: 8 },
    };
    /** The engine's decision for `desired` workers with one message visible and one in flight (or none visible). */
    const decide = (desired: number, m: QueueMemory, now = NOW, visible = 1) =>
      decideQueue({ policy: calm, fleet: { desired, ready: desired }, observation: { visible, notVisible: 1 }, memory: m, now });
    const small = decide(8, memory);
    expect(small.decision.desired).toBe(8);
    expect(small.decision.heldBy).toBe('reversal');
    expect(small.decision.reason).toMatch(/held by reversal: the scale-out was 240 s ago.*49 worker-minutes.*reversalHoldWorkerMinutes 70/);
    // 20 workers: 19 idle for 420 s is 133 worker-minutes, over the budget: scale in now
    expect(decide(20, memory).decision.desired).toBeLessThan(20);
    // once the fleet has come down since the scale-out, a further scale-in reverses nothing: not held
    expect(decide(8, { ...memory, lastChangeAt: NOW - 120_000 }).decision.desired).toBeLessThan(8);
    // a hold once begun lasts to the window's end, and goes when the scale-out is more than 600 s old
    const later = decide(8, small.memory, NOW + 5 * MIN, 0);
    expect(later.decision.desired).toBe(8);
    expect(decide(8, later.memory, NOW + 7 * MIN, 0).decision.desired).toBeLessThan(8);
  });

  test('to zero only after idleSeconds of an empty queue with nothing in flight', () => {
    const empties = Array.from({ length: 8 }, (): [number, number] => [0, 0]);
    const { out } = run([[3, 0], ...empties], { desired: 1 });
    // empty from poll 1 (NOW + 1 min): idle 300 s at poll 6
    expect(out.slice(1, 6)).toEqual([1, 1, 1, 1, 1]);
    expect(out[6]).toBe(0);
  });

  test('in-flight messages keep the last worker even with nothing visible', () => {
    const { out } = run(
      Array.from({ length: 10 }, (): [number, number] => [0, 1]),
      { desired: 1 },
    );
    expect(out.every((n) => n === 1)).toBe(true);
  });

  test('R15 scale-in never removes busy (protected) workers', () => {
    const memory: QueueMemory = { ...EMPTY_QUEUE_MEMORY, lastChangeAt: NOW - 3600_000 };
    const { decision } = decide({ policy: protectedPolicy, fleet: { desired: 10, ready: 10, busy: 7 }, observation: { visible: 0, notVisible: 7 }, memory });
    expect(decision.desired).toBe(7);
    expect(decision.heldBy).toBe('busy');
  });

  test('R25 without scale-in protection, workers holding in-flight messages stay: 8 busy workers are not taken down 8 -> 4 -> 2 -> 1', () => {
    // eight workers each holding its message, nothing visible: one worker would do the work, but the other seven would be stopped mid-task
    const { out } = run(
      Array.from({ length: 6 }, (): [number, number] => [0, 8]),
      { desired: 8 },
    );
    expect(out).toEqual([8, 8, 8, 8, 8, 8]);
    const memory: QueueMemory = { ...EMPTY_QUEUE_MEMORY, lastChangeAt: NOW - 3600_000 };
    const { decision } = decide({ fleet: { desired: 8, ready: 8 }, observation: { visible: 0, notVisible: 8 }, memory });
    expect(decision).toMatchObject({ desired: 8, direction: 'none', heldBy: 'in-flight' });
    expect(decision.figures.holding).toBe(8);
    expect(decision.reason).toMatch(/no scale-in protection: 8 worker\(s\) hold the 8 in flight at 1 each/);
  });

  test('R25 without scale-in protection, scale-in follows the in-flight messages down as they finish', () => {
    const { out } = run(
      [
        [0, 8],
        [0, 6],
        [0, 3],
        [0, 3],
        [0, 3],
        [0, 0],
      ],
      { desired: 8 },
    );
    // never below the workers holding messages (8, 6, 3, 3, 3, 0); the cooldown after 8 -> 6 holds the next poll,
    // and the last step is the usual one (half, then the warm worker kept until idle)
    expect(out).toEqual([8, 6, 6, 3, 3, 2]);
  });

  test('R25 messagesInFlightPerWorker: workers prefetching 4 each need a quarter as many', () => {
    const memory: QueueMemory = { ...EMPTY_QUEUE_MEMORY, lastChangeAt: NOW - 3600_000 };
    const p = { ...policy, messagesInFlightPerWorker: 4 };
    const { decision } = decideQueue({ policy: p, fleet: { desired: 8, ready: 8 }, observation: { visible: 0, notVisible: 9 }, memory, now: NOW });
    // ceil(9 / 4) = 3, above what the step alone (8 -> 4) would keep? No: the step keeps 4, the floor 3
    expect(decision.desired).toBe(4);
    expect(decision.figures.holding).toBe(3);
    const wide = decideQueue({
      policy: { ...p, maxStepDownRatio: 1 },
      fleet: { desired: 8, ready: 8 },
      observation: { visible: 0, notVisible: 9 },
      memory,
      now: NOW,
    }).decision;
    expect(wide).toMatchObject({ desired: 3, heldBy: 'in-flight' });
  });

  test('R25 with scale-in protection, the documented behaviour: scale-in is left to the service, which spares the protected workers', () => {
    const memory: QueueMemory = { ...EMPTY_QUEUE_MEMORY, lastChangeAt: NOW - 3600_000 };
    // ECS: task protection is ECS's own; the engine lowers the count and ECS keeps the protected tasks
    const ecs = decideQueue({
      policy: protectedPolicy,
      fleet: { desired: 8, ready: 8 },
      observation: { visible: 0, notVisible: 8 },
      memory,
      now: NOW,
    }).decision;
    expect(ecs.desired).toBe(4);
    expect(ecs.figures.holding).toBe(0);
    expect(ecs.reason).not.toMatch(/no scale-in protection/);
    // Auto Scaling: never below the instances protected now
    const asg = decideQueue({
      policy: protectedPolicy,
      fleet: { desired: 8, ready: 8, busy: 6 },
      observation: { visible: 0, notVisible: 8 },
      memory,
      now: NOW,
    }).decision;
    expect(asg).toMatchObject({ desired: 6, heldBy: 'busy' });
  });

  test('a lowered ceiling (capacity window) applies at once, but not below busy workers', () => {
    const memory: QueueMemory = { ...EMPTY_QUEUE_MEMORY, lastChangeAt: NOW - 10_000 };
    const night = { ...policy, maxCapacity: 2 };
    expect(
      decideQueue({ policy: night, fleet: { desired: 10, ready: 10 }, observation: { visible: 5000, notVisible: 10 }, memory, now: NOW }).decision.desired,
    ).toBe(2);
    expect(
      decideQueue({ policy: night, fleet: { desired: 10, ready: 10, busy: 4 }, observation: { visible: 5000, notVisible: 10 }, memory, now: NOW }).decision
        .desired,
    ).toBe(4);
  });

  test('a raised floor (capacity window) scales out an idle fleet', () => {
    const { decision } = decideQueue({
      policy: { ...policy, minCapacity: 3 },
      fleet: { desired: 0, ready: 0 },
      observation: { visible: 0, notVisible: 0 },
      memory: EMPTY_QUEUE_MEMORY,
      now: NOW,
    });
    expect(decision.desired).toBe(3);
  });

  test('workersForBacklog: a backlog no fleet can drain in time asks for more than the cap', () => {
    expect(workersForBacklog([{ end: 1_000_000, ageSeconds: 0 }], 0, policy, 60, 120)).toBe(61);
    expect(workersForBacklog([], 0, policy, 60, 120)).toBe(0);
  });
});

describe('decideQueue properties', () => {
  const arbPolicy = fc.record({
    minCapacity: fc.integer({ min: 0, max: 5 }),
    span: fc.integer({ min: 0, max: 80 }),
    messagesPerSecondPerWorker: fc.double({ min: 0.05, max: 50, noNaN: true }),
    maxWaitSeconds: fc.integer({ min: 60, max: 3600 }),
    warmupSeconds: fc.integer({ min: 0, max: 600 }),
    idleSeconds: fc.integer({ min: 0, max: 1800 }),
    scaleInStabilizationSeconds: fc.integer({ min: 0, max: 900 }),
    scaleInCooldownSeconds: fc.integer({ min: 0, max: 900 }),
    maxStepDownRatio: fc.double({ min: 0.05, max: 1, noNaN: true }),
    scaleInProtection: fc.boolean(),
    messagesInFlightPerWorker: fc.integer({ min: 1, max: 64 }),
    reversalHoldWorkerMinutes: fc.integer({ min: 0, max: 200 }),
  });
  const toPolicy = (a: { minCapacity: number; span: number } & Omit<QueuePolicy, 'minCapacity' | 'maxCapacity'>): QueuePolicy => {
    const { span, ...rest } = a;
    return { ...rest, maxCapacity: Math.max(1, a.minCapacity + span) };
  };
  const arbFleet = fc.record({
    desired: fc.integer({ min: 0, max: 100 }),
    readyShare: fc.double({ min: 0, max: 1, noNaN: true }),
    busy: fc.integer({ min: 0, max: 20 }),
  });
  const arbDepth = fc.record({ visible: fc.integer({ min: 0, max: 200_000 }), notVisible: fc.integer({ min: 0, max: 5000 }) });
  const arbMemory: fc.Arbitrary<QueueMemory> = fc.record({
    lastPoll: fc.option(
      fc.record({
        at: fc.integer({ min: NOW - 10 * MIN, max: NOW - 1000 }),
        backlog: fc.integer({ min: 0, max: 100_000 }),
        ready: fc.integer({ min: 0, max: 100 }),
      }),
      { nil: undefined },
    ),
    arrivals: fc
      .array(fc.record({ at: fc.integer({ min: NOW - 30 * MIN, max: NOW - 1000 }), total: fc.integer({ min: 0, max: 1_000_000 }) }), { maxLength: 10 })
      .map((a) =>
        [...a].sort((x, y) => x.at - y.at || x.total - y.total).map((x, i, all) => ({ at: x.at, total: Math.max(x.total, i ? all[i - 1].total : 0) })),
      ),
    recommendations: fc.array(fc.record({ at: fc.integer({ min: NOW - 20 * MIN, max: NOW - 1000 }), desired: fc.integer({ min: 0, max: 100 }) }), {
      maxLength: 10,
    }),
    emptySince: fc.option(fc.integer({ min: NOW - 60 * MIN, max: NOW }), { nil: undefined }),
    lastChangeAt: fc.option(fc.integer({ min: NOW - 60 * MIN, max: NOW }), { nil: undefined }),
  });

  test('the result stays within the bounds, except to keep busy workers', () => {
    fc.assert(
      fc.property(arbPolicy, arbFleet, arbDepth, arbMemory, (a, f, o, memory) => {
        const p = toPolicy(a);
        const fleet = { desired: f.desired, ready: Math.floor(f.desired * f.readyShare), busy: Math.min(f.busy, f.desired) };
        const { decision } = decideQueue({ policy: p, fleet, observation: o, memory, now: NOW });
        const d = decision.desired;
        expect(Number.isInteger(d)).toBe(true);
        // Scale-out never passes the ceiling; a fleet above it comes down, to busy workers at worst.
        if (d > f.desired) expect(d).toBeLessThanOrEqual(p.maxCapacity);
        if (d > p.maxCapacity) expect(d).toBeLessThanOrEqual(Math.max(fleet.busy, Math.min(f.desired, p.maxCapacity)));
        expect(d).toBeGreaterThanOrEqual(Math.min(p.minCapacity, Math.max(f.desired, p.minCapacity)));
        // never below the busy workers that were there
        expect(d).toBeGreaterThanOrEqual(Math.min(fleet.busy, f.desired));
      }),
      { numRuns: 400 },
    );
  });

  test('R25 without scale-in protection, never below the workers the in-flight messages need (within the ceiling), never above what was there for them', () => {
    fc.assert(
      fc.property(arbPolicy, arbFleet, arbDepth, arbMemory, (a, f, o, memory) => {
        const p = { ...toPolicy(a), scaleInProtection: false };
        const fleet = { desired: f.desired, ready: Math.floor(f.desired * f.readyShare), busy: Math.min(f.busy, f.desired) };
        const { decision } = decideQueue({ policy: p, fleet, observation: o, memory, now: NOW });
        const holding = Math.ceil(o.notVisible / p.messagesInFlightPerWorker);
        expect(decision.desired).toBeGreaterThanOrEqual(Math.min(f.desired, p.maxCapacity, holding));
        if (decision.desired < f.desired) expect(decision.desired).toBeGreaterThanOrEqual(Math.min(holding, p.maxCapacity));
      }),
      { numRuns: 400 },
    );
  });

  test('R25 the in-flight floor only holds a scale-in back: unprotected = max(protected, floor), never a scale-out of its own', () => {
    fc.assert(
      fc.property(arbPolicy, arbFleet, arbDepth, arbMemory, (a, f, o, memory) => {
        const p = toPolicy(a);
        const fleet = { desired: f.desired, ready: Math.floor(f.desired * f.readyShare), busy: Math.min(f.busy, f.desired) };
        const on = decideQueue({ policy: { ...p, scaleInProtection: true }, fleet, observation: o, memory, now: NOW }).decision;
        const off = decideQueue({ policy: { ...p, scaleInProtection: false }, fleet, observation: o, memory, now: NOW }).decision;
        const floor = Math.min(f.desired, p.maxCapacity, Math.ceil(o.notVisible / p.messagesInFlightPerWorker));
        expect(off.desired).toBe(Math.max(on.desired, floor));
        // with protection, how many messages a worker holds changes nothing
        const other = decideQueue({
          policy: { ...p, scaleInProtection: true, messagesInFlightPerWorker: p.messagesInFlightPerWorker + 7 },
          fleet,
          observation: o,
          memory,
          now: NOW,
        }).decision;
        expect(other.desired).toBe(on.desired);
      }),
      { numRuns: 400 },
    );
  });

  test('monotone in the backlog: more messages never ask for fewer workers', () => {
    fc.assert(
      fc.property(arbPolicy, arbFleet, arbDepth, fc.integer({ min: 0, max: 50_000 }), arbMemory, (a, f, o, extra, memory) => {
        const p = toPolicy(a);
        const fleet = { desired: f.desired, ready: Math.floor(f.desired * f.readyShare) };
        const less = decideQueue({ policy: p, fleet, observation: o, memory, now: NOW }).decision.desired;
        const more = decideQueue({ policy: p, fleet, observation: { ...o, visible: o.visible + extra }, memory, now: NOW }).decision.desired;
        expect(more).toBeGreaterThanOrEqual(less);
      }),
      { numRuns: 400 },
    );
  });

  test('zero only with an empty queue, nothing in flight, idle for idleSeconds', () => {
    fc.assert(
      fc.property(arbPolicy, arbFleet, arbDepth, fc.boolean(), arbMemory, (a, f, o, empty, memory) => {
        const p = { ...toPolicy(a), minCapacity: 0 };
        const fleet = { desired: Math.max(1, f.desired), ready: Math.max(1, f.desired) };
        const observation = empty ? { visible: 0, notVisible: 0 } : o;
        const { decision } = decideQueue({ policy: p, fleet, observation, memory, now: NOW });
        if (decision.desired === 0) {
          expect(observation.visible + observation.notVisible).toBe(0);
          const since = memory.emptySince ?? NOW;
          expect(NOW - since).toBeGreaterThanOrEqual(p.idleSeconds * 1000);
        }
      }),
      { numRuns: 400 },
    );
  });

  test('from zero, the first message scales out at once', () => {
    fc.assert(
      fc.property(arbPolicy, fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 10 }), arbMemory, (a, visible, notVisible, memory) => {
        const p = toPolicy(a);
        const { decision } = decideQueue({ policy: p, fleet: { desired: 0, ready: 0 }, observation: { visible, notVisible }, memory, now: NOW });
        expect(decision.desired).toBeGreaterThanOrEqual(1);
        expect(decision.direction).toBe('out');
      }),
      { numRuns: 300 },
    );
  });

  test('with a budget no hold exceeds, no scale-in within 600 s of a scale-out that was the last change (within the ceiling)', () => {
    fc.assert(
      fc.property(arbPolicy, arbFleet, arbDepth, arbMemory, fc.integer({ min: 0, max: 600 }), (a, f, o, memory, since) => {
        const p = { ...toPolicy(a), reversalHoldWorkerMinutes: 1e6 };
        const desired = Math.min(f.desired, p.maxCapacity);
        const at = NOW - since * 1000;
        const m = { ...memory, lastChangeAt: at, lastScaleOutAt: at };
        const { decision } = decideQueue({ policy: p, fleet: { desired, ready: desired }, observation: o, memory: m, now: NOW });
        expect(decision.desired).toBeGreaterThanOrEqual(desired);
      }),
      { numRuns: 300 },
    );
  });

  test('scale-in is slower than scale-out: no scale-in within the cooldown of a change', () => {
    fc.assert(
      fc.property(arbPolicy, arbFleet, arbDepth, arbMemory, fc.integer({ min: 0, max: 900 }), (a, f, o, memory, since) => {
        const p = toPolicy(a);
        fc.pre(since < p.scaleInCooldownSeconds);
        const desired = Math.min(f.desired, p.maxCapacity);
        const m = { ...memory, lastChangeAt: NOW - since * 1000 };
        const { decision } = decideQueue({ policy: p, fleet: { desired, ready: desired }, observation: o, memory: m, now: NOW });
        expect(decision.desired).toBeGreaterThanOrEqual(desired);
      }),
      { numRuns: 300 },
    );
  });
});
