import { runCacheBaseline, runDatabaseBaseline, visibleSeries } from '../../../sim/data/baselines';
import { CacheWorld } from '../../../sim/data/cache-world';
import { DatabaseWorld } from '../../../sim/data/database-world';
import { runBaseline, scoreWorld } from '../../../sim/runner';
import { parseScenario, type Scenario, withTrackingUtilization } from '../../../sim/scenario';
import { score } from '../../../sim/score';
import { traceOf } from '../helpers';

const ITEM = 393216; // a cache.t3.micro holds 1024 of these keys
const MICRO = 'cache.t3.micro';
const MEDIUM = 'cache.t3.medium';

function databaseScenario(over: { workload?: object; target?: object } = {}): Scenario {
  return parseScenario(
    {
      name: 'test-database',
      trace: { file: 'x.csv' },
      workload: { kind: 'database', unitCapacity: 10, ...(over.workload ?? {}) },
      target: { maxUnits: 3, ...(over.target ?? {}) },
    },
    'test',
    '/tmp',
  );
}

function cacheScenario(over: { workload?: object; target?: object } = {}): Scenario {
  return parseScenario(
    {
      name: 'test-cache',
      trace: { file: 'x.csv' },
      workload: { kind: 'cache', unitCapacity: 100000, itemBytes: ITEM, nodeType: MICRO, ...(over.workload ?? {}) },
      target: { maxUnits: 4, nodeTypeLadder: [MICRO, MEDIUM], ...(over.target ?? {}) },
    },
    'test',
    '/tmp',
  );
}

const repeat = (n: number, x: number) => new Array<number>(n).fill(x);

describe('visibleSeries', () => {
  test('the datapoints of the visible minutes, NaN skipped, oldest first', () => {
    const s = Float64Array.from([1, NaN, 3, 4, 5]);
    expect(visibleSeries(s, [1, 2, 3])).toEqual([3, 4]);
    expect(visibleSeries(s, [0, 1, 2, 3, 4])).toEqual([1, 3, 4, 5]);
    expect(visibleSeries(s, [])).toEqual([]);
  });
});

describe('runDatabaseBaseline', () => {
  test('seed-step adds a replica after 10 hot minutes, on the next 5-minute boundary', () => {
    // no replica: the source serves everything. 1/s (10% CPU) for 6 minutes, then 10/s (100%).
    const scenario = databaseScenario();
    const w = runDatabaseBaseline(scenario, traceOf([...repeat(6, 60), ...repeat(16, 600)]), 'seed-step');
    // at 900 s the newest 10 visible minutes (4-13) include the cool minutes 4 and 5; at 1200 s they are minutes 9-18, all hot
    expect(w.actions).toEqual([{ step: 20, at: 1200, from: 0, to: 1 }]);
    expect(Array.from(w.billed)).toEqual([...repeat(20, 0), 1, 1]);
    expect(Array.from(w.ready)).toEqual(repeat(22, 0)); // 900 s to provision
  });

  test('seed-step reads the busier of the source and the replicas: hot readers add a replica', () => {
    // one ready replica: 12/s, 9.6 reads/s on it (96%), 2.4 writes/s on the source (24%)
    const scenario = databaseScenario({ workload: { initialUnits: 1 } });
    const w = runDatabaseBaseline(scenario, traceOf(repeat(16, 720)), 'seed-step');
    expect(w.actions).toEqual([{ step: 15, at: 900, from: 1, to: 2 }]);
  });

  test('target-tracking adds replicas when the readers are hot: ceil(ready x reader CPU / target)', () => {
    // one ready replica: 20/s, 16 reads/s on it (100%); after 3 hot visible minutes, ceil(1 x 100 / 70) = 2
    const scenario = databaseScenario({ workload: { initialUnits: 1 }, target: { minUnits: 1, maxUnits: 5 } });
    const w = runDatabaseBaseline(scenario, traceOf(repeat(10, 1200)), 'target-tracking');
    expect(w.actions).toEqual([{ step: 4, at: 240, from: 1, to: 2 }]);
    expect(Array.from(w.billed)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    expect(Array.from(w.ready)).toEqual(repeat(10, 1));
  });

  test('--target-utilization: target tracking aims at it; the ideal keeps the scenario target', () => {
    // the same 100% readers against a 40% target: ceil(1 x 100 / 40) = 3
    const scenario = databaseScenario({ workload: { initialUnits: 1 }, target: { minUnits: 1, maxUnits: 5 } });
    const at40 = withTrackingUtilization(scenario, 40);
    const w = runDatabaseBaseline(at40, traceOf(repeat(10, 1200)), 'target-tracking');
    expect(w.actions).toEqual([{ step: 4, at: 240, from: 1, to: 3 }]);
    expect(scoreWorld(at40, w).costRatio).toBeCloseTo((4 * 1 + 6 * 3) / 30, 12); // ideal ceil(16 / 7) = 3 a step, at 70%
  });

  test('target-tracking does nothing without a ready replica, however hot the source', () => {
    const w = runDatabaseBaseline(databaseScenario(), traceOf(repeat(20, 1200)), 'target-tracking');
    expect(w.actions).toEqual([]);
    expect(Array.from(w.billed)).toEqual(repeat(20, 0));
  });

  test('keda is not a database baseline', () => {
    expect(() => runDatabaseBaseline(databaseScenario(), traceOf([0]), 'keda')).toThrow(/no database baseline named keda/);
  });

  test("score: violationPct from the world's violated queries, costRatio from DatabaseWorld.ideal", () => {
    const scenario = databaseScenario({ workload: { initialUnits: 1 }, target: { minUnits: 1, maxUnits: 5 } });
    const trace = traceOf(repeat(10, 1200));
    const w = runDatabaseBaseline(scenario, trace, 'target-tracking');
    // every step: 16 reads/s on the one ready replica against 0.9 x 10: 7/s over for 60 s, of 1200
    expect(w.violated).toBeCloseTo(10 * 420, 9);
    const s = scoreWorld(scenario, w);
    expect(s.violationPct).toBeCloseTo(35, 9);
    // ideal ceil(16 / 7) = 3 a step; billed 4 x 1 + 6 x 2
    expect(s.costRatio).toBeCloseTo(16 / 30, 12);
    expect(s.actions).toBe(1);
    expect(s.peakUnits).toBe(2);
    expect(score(scenario, { arrivals: w.arrivals, ready: w.ready, billed: w.billed, actions: w.actions, violated: w.violated })).toEqual(s);
  });

  test('runBaseline runs a database scenario on a DatabaseWorld', () => {
    expect(runBaseline(databaseScenario(), traceOf([0]), 'seed-step')).toBeInstanceOf(DatabaseWorld);
  });
});

describe('runCacheBaseline', () => {
  test('seed-step moves one rung up when memory stays above 80%, once the move is done no further', () => {
    // 900 keys then 300 more into room for 1024: 88% then 100% memory, 176 keys evicted
    const scenario = cacheScenario({ target: { maxUnits: 1 }, workload: { provisioningSeconds: 600 } });
    const w = runCacheBaseline(scenario, traceOf([900, 300, ...repeat(20, 0)]), 'seed-step');
    // 300 s: 4 visible datapoints, not enough; 600 s: 9 all above 80; the move takes 600 s
    expect(w.actions).toEqual([{ step: 10, at: 600, from: 0.5, to: 3.09 }]);
    expect(Array.from(w.ready)).toEqual([...repeat(20, 0.5), 3.09, 3.09]);
    expect(Array.from(w.billed)).toEqual([...repeat(10, 0.5), ...repeat(12, 3.09)]);
    expect(w.violated).toBeCloseTo(176, 9);
  });

  test('target-tracking adds shards: ceil(shards x memory / target), the node type unchanged', () => {
    // 768 keys: 75% of one micro node against a 50% target: 2 shards after 3 visible datapoints
    const scenario = cacheScenario({ target: { targetUtilization: 50 }, workload: { provisioningSeconds: 120 } });
    const w = runCacheBaseline(scenario, traceOf([768, ...repeat(9, 0)]), 'target-tracking');
    expect(w.actions).toEqual([{ step: 4, at: 240, from: 0.5, to: 1 }]);
    expect(Array.from(w.ready)).toEqual([...repeat(6, 0.5), ...repeat(4, 1)]);
    expect(Array.from(w.billed)).toEqual([...repeat(4, 0.5), ...repeat(6, 1)]);
    expect(Array.from(w.memoryPct)).toEqual([...repeat(6, 75), ...repeat(4, 37.5)]);
    expect(w.shapes[9]).toEqual({ nodeType: MICRO, shards: 2, replicasPerShard: 1 });
  });

  test('--target-utilization: shard target tracking aims at it', () => {
    // 768 keys: 75% of one micro node against a 30% target: ceil(75 / 30) = 3 shards
    const scenario = withTrackingUtilization(cacheScenario({ workload: { provisioningSeconds: 120 } }), 30);
    const w = runCacheBaseline(scenario, traceOf([768, ...repeat(9, 0)]), 'target-tracking');
    expect(w.shapes[9]).toEqual({ nodeType: MICRO, shards: 3, replicasPerShard: 1 });
  });

  test('keda is not a cache baseline', () => {
    expect(() => runCacheBaseline(cacheScenario(), traceOf([0]), 'keda')).toThrow(/keda is not a cache baseline/);
  });

  test("score: violationPct from the evicted keys, costRatio from the world's ideal", () => {
    const scenario = cacheScenario({ target: { maxUnits: 1 }, workload: { provisioningSeconds: 600 } });
    const w = runCacheBaseline(scenario, traceOf([900, 300, ...repeat(20, 0)]), 'seed-step');
    const s = scoreWorld(scenario, w);
    expect(s.violationPct).toBeCloseTo((100 * 176) / 1200, 9);
    // the working set of 900 (step 0), then 1200 keys needs 0.63, then 0.84 GiB at 70%: only 3.09 holds it
    expect(Array.from(w.ideal)).toEqual(repeat(22, 3.09));
    expect(s.costRatio).toBeCloseTo((10 * 0.5 + 12 * 3.09) / (22 * 3.09), 12);
    expect(s.peakUnits).toBe(3.09);
    expect(s.actions).toBe(1);
    expect(score(scenario, { arrivals: w.arrivals, ready: w.ready, billed: w.billed, actions: w.actions, violated: w.violated, ideal: w.ideal })).toEqual(s);
    // without the world's ideal a cache step has none
    expect(() => score(scenario, { arrivals: w.arrivals, ready: w.ready, billed: w.billed, actions: w.actions, violated: w.violated })).toThrow(
      /depends on its memory/,
    );
  });

  test('score of target-tracking: costRatio against the smallest shape holding the working set', () => {
    const scenario = cacheScenario({ target: { targetUtilization: 50 }, workload: { provisioningSeconds: 120 } });
    const w = runCacheBaseline(scenario, traceOf([768, ...repeat(9, 0)]), 'target-tracking');
    // 768 keys at 50% need 0.75 GiB: 2 micro shards, 1 GiB, every step; billed 4 x 0.5 + 6 x 1
    const s = scoreWorld(scenario, w);
    expect(s.violationPct).toBe(0);
    expect(s.costRatio).toBeCloseTo(8 / 10, 12);
  });

  test('runBaseline runs a cache scenario on a CacheWorld', () => {
    expect(runBaseline(cacheScenario(), traceOf([0]), 'target-tracking')).toBeInstanceOf(CacheWorld);
  });
});
