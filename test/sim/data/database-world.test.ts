import { DatabaseWorld } from '../../../sim/data/database-world';
import { parseScenario, type Scenario } from '../../../sim/scenario';
import { idealUnits, score } from '../../../sim/score';
import { traceOf } from '../helpers';

/** A database scenario: 10 queries/s per instance at 100% CPU, 80% reads, replicas serve 120 s after creation. */
function databaseScenario(over: { trace?: object; workload?: object; slo?: object; target?: object } = {}): Scenario {
  return parseScenario(
    {
      name: 'test-database',
      trace: { file: 'x.csv', ...(over.trace ?? {}) },
      workload: { kind: 'database', unitCapacity: 10, provisioningSeconds: 120, ...(over.workload ?? {}) },
      slo: over.slo,
      target: { maxUnits: 5, ...(over.target ?? {}) },
    },
    'test',
    '/tmp',
  );
}

/** Runs the world over `arrivals`, calling `decide` at the start of every step. */
function run(scenario: Scenario, arrivals: number[], decide: (step: number, w: DatabaseWorld) => void = () => {}): DatabaseWorld {
  const w = new DatabaseWorld(scenario, traceOf(arrivals));
  for (let t = 0; t < arrivals.length; t++) {
    decide(t, w);
    w.endStep();
  }
  return w;
}

const round = (xs: ArrayLike<number>) => Array.from(xs, (x) => (Number.isNaN(x) ? NaN : Math.round(x * 1e6) / 1e6));

describe('DatabaseWorld, serving and metrics', () => {
  const scenario = databaseScenario();
  // 10 queries/s for 3 steps (8 reads, 2 writes), then 20/s (16 reads, 4 writes).
  const arrivals = [600, 600, 600, 1200, 1200, 1200];
  const world = () =>
    run(scenario, arrivals, (t, w) => {
      if (t === 1) w.addReplica('r1', { owner: 'test' }); // ready at 180 s: serves from step 3
      if (t === 3) w.setDesired(2); // adds replica-1, ready at 300 s: serves from step 5
    });

  test('ready and billed replicas per step, with provisioningSeconds between them', () => {
    const w = world();
    expect(Array.from(w.billed)).toEqual([0, 1, 1, 2, 2, 2]);
    expect(Array.from(w.ready)).toEqual([0, 0, 0, 1, 1, 2]);
    expect(w.replicas().map((r) => [r.id, r.createdAt, r.readyAt])).toEqual([
      ['r1', 60, 180],
      ['replica-1', 180, 300],
    ]);
    expect(w.replicas()[0].tags).toEqual({ owner: 'test' });
  });

  test('reads go to the source while no replica is ready, then spread over the ready replicas', () => {
    const w = world();
    // steps 0-2: the source serves all 10/s (100%); steps 3-5: only the 4 writes/s of 10 (40%)
    expect(round(w.sourceCpu)).toEqual([100, 100, 100, 40, 40, 40]);
    // no ready replica, no datapoint; then 16 reads/s on one replica (160%, read as 100), then on two (80%)
    expect(round(w.replicaCpu)).toEqual([NaN, NaN, NaN, 100, 100, 80]);
    expect(round(Array.from({ length: 6 }, (_, m) => w.databaseCpu(m)))).toEqual([100, 100, 100, 100, 100, 80]);
  });

  test('violated: queries above maxUtilization of the source and of the replicas', () => {
    const w = world();
    // steps 0-2: source 10/s against 0.9 x 10 = 1/s over, 60 s each: 180
    // steps 3-4: source 4/s is fine; one replica 16/s against 9: 7/s over, 60 s each: 840
    // step 5: two replicas, 8/s each against 9: nothing
    expect(w.violated).toBeCloseTo(180 + 840, 9);
    const s = score(scenario, { arrivals, ready: w.ready, billed: w.billed, actions: w.actions, violated: w.violated });
    expect(s.violationPct).toBeCloseTo((100 * 1020) / 5400, 9);
  });

  test('actions are the billed changes, one per step that changed it', () => {
    expect(world().actions).toEqual([
      { step: 1, at: 60, from: 0, to: 1 },
      { step: 3, at: 180, from: 1, to: 2 },
    ]);
  });

  test('readyIds: the replicas ready in each minute', () => {
    expect(world().readyIds).toEqual([[], [], [], ['r1'], ['r1'], ['r1', 'replica-1']]);
  });

  test('the datapoint of minute m is visible from the start of minute m + 2', () => {
    const seen: number[] = [];
    run(scenario, arrivals, (_, w) => seen.push(w.newestVisibleMinute()));
    expect(seen).toEqual([-1, -1, 0, 1, 2, 3]);
  });

  test('a minute of two 30 s steps averages the source CPU, and the replicas CPU over the time a replica was ready', () => {
    const s = databaseScenario({ trace: { stepSeconds: 30 }, workload: { readShare: 0.5, provisioningSeconds: 30 } });
    // 10/s in every step: 5 reads, 5 writes
    const w = run(s, [300, 300, 300], (t, w) => {
      if (t === 0) w.addReplica('a', {}); // ready at 30 s: serves from step 1
    });
    expect(w.minutes).toBe(2);
    // minute 0: source 100% for 30 s then 50% for 30 s; the replica 50% for the 30 s it was ready
    expect(w.sourceCpu[0]).toBeCloseTo(75, 9);
    expect(w.replicaCpu[0]).toBeCloseTo(50, 9);
    expect(w.readyIds[0]).toEqual(['a']);
    // minute 1 is half done when the trace ends: no datapoint
    expect(w.completeMinutes).toBe(1);
    expect(w.sourceCpu[1]).toBeNaN();
    // 30 s of the source at 10/s against 9/s
    expect(w.violated).toBeCloseTo(30, 9);
  });

  test('a 120 s step publishes both of its minutes', () => {
    const w = run(databaseScenario({ trace: { stepSeconds: 120 } }), [1200]); // 10/s, no replica
    expect(w.completeMinutes).toBe(2);
    expect(Array.from(w.sourceCpu)).toEqual([100, 100]);
    expect(Array.from(w.replicaCpu)).toEqual([NaN, NaN]);
  });

  test('a scenario of another kind is refused', () => {
    const web = parseScenario({ name: 'w', trace: { file: 'x.csv' }, workload: { kind: 'web', unitCapacity: 1 }, target: { maxUnits: 2 } }, 'test', '/tmp');
    expect(() => new DatabaseWorld(web, traceOf([1]))).toThrow(/needs a database scenario, not web/);
  });
});

describe('DatabaseWorld, replicas', () => {
  const scenario = databaseScenario({ workload: { initialUnits: 2 } });

  test('the initial replicas are ready from the start and named replica-<k>, or as the caller names them', () => {
    const w = new DatabaseWorld(scenario, traceOf([0]));
    expect(w.replicas().map((r) => r.id)).toEqual(['replica-1', 'replica-2']);
    expect(w.readyNow()).toBe(2);
    const own = new DatabaseWorld(scenario, traceOf([0]), (k) => ({ id: `db-read-${k}`, tags: { managed: 'yes' } }));
    expect(own.replicas().map((r) => [r.id, r.tags])).toEqual([
      ['db-read-1', { managed: 'yes' }],
      ['db-read-2', { managed: 'yes' }],
    ]);
  });

  test('setDesired adds replica-<next> and removes the newest first; removeReplica removes the one named', () => {
    const w = new DatabaseWorld(scenario, traceOf([0, 0, 0]));
    w.setDesired(4);
    expect(w.replicas().map((r) => r.id)).toEqual(['replica-1', 'replica-2', 'replica-3', 'replica-4']);
    w.setDesired(3);
    expect(w.replicas().map((r) => r.id)).toEqual(['replica-1', 'replica-2', 'replica-3']);
    w.removeReplica('replica-1');
    expect(w.replicas().map((r) => r.id)).toEqual(['replica-2', 'replica-3']);
    w.endStep();
    w.setDesired(3);
    expect(w.replicas().map((r) => r.id)).toEqual(['replica-2', 'replica-3', 'replica-5']);
    expect(w.replicas()[2].createdAt).toBe(60);
    expect(w.desired).toBe(3);
  });

  test('a removed replica stops serving and being billed in the same step', () => {
    const w = run(scenario, [600, 600], (t, w) => {
      if (t === 1) w.removeReplica('replica-2');
    });
    expect(Array.from(w.ready)).toEqual([2, 1]);
    expect(Array.from(w.billed)).toEqual([2, 1]);
    expect(w.actions).toEqual([{ step: 1, at: 60, from: 2, to: 1 }]);
  });

  test('changes that cancel out within a step are no action', () => {
    const w = run(scenario, [0, 0], (t, w) => {
      if (t === 0) {
        w.setDesired(3);
        w.setDesired(2);
      }
    });
    expect(w.actions).toEqual([]);
    expect(Array.from(w.billed)).toEqual([2, 2]);
  });

  test('bad requests are errors naming the value', () => {
    const w = new DatabaseWorld(scenario, traceOf([0]));
    expect(() => w.addReplica('replica-1', {})).toThrow(/replica replica-1 exists/);
    expect(() => w.removeReplica('nope')).toThrow(/no replica nope/);
    expect(() => w.setDesired(-1)).toThrow(/got -1/);
    expect(() => w.setDesired(1.5)).toThrow(/got 1.5/);
    w.endStep();
    expect(() => w.endStep()).toThrow(/the trace has ended/);
  });
});

describe('DatabaseWorld.ideal', () => {
  // 10 queries/s per instance at a 70% target: 7/s each; 80% reads
  const scenario = databaseScenario({ target: { targetUtilization: 70 } });

  test('no replica while the source alone carries the load at the target', () => {
    expect(DatabaseWorld.ideal(scenario, 0)).toBe(0);
    expect(DatabaseWorld.ideal(scenario, 420)).toBe(0); // 7/s
  });

  test('otherwise ceil(reads / (capacity x target))', () => {
    expect(DatabaseWorld.ideal(scenario, 421)).toBe(1); // 7.02/s: 5.6 reads/s
    expect(DatabaseWorld.ideal(scenario, 1050)).toBe(2); // 17.5/s: 14 reads/s, exactly 2 x 7
    expect(DatabaseWorld.ideal(scenario, 1051)).toBe(3);
    expect(DatabaseWorld.ideal(scenario, 1200)).toBe(3); // 20/s: 16 reads/s
    const half = databaseScenario({ workload: { readShare: 0.5 } });
    expect(DatabaseWorld.ideal(half, 1200)).toBe(2); // 10 reads/s
  });

  test('clamped to minUnits and maxUnits', () => {
    expect(DatabaseWorld.ideal(scenario, 60 * 1000)).toBe(5);
    const min1 = databaseScenario({ target: { minUnits: 1 } });
    expect(DatabaseWorld.ideal(min1, 0)).toBe(1);
  });

  test('is the score ideal of a database step', () => {
    expect(idealUnits(scenario, 1200)).toBe(3);
    expect(idealUnits(scenario, 300)).toBe(0);
  });
});
