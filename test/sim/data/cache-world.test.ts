import { CacheWorld, maxmemoryBytes, RESERVED_MEMORY_SHARE, shapeGiB } from '../../../sim/data/cache-world';
import { parseScenario, type Scenario } from '../../../sim/scenario';
import { traceOf } from '../helpers';

const GIB = 1024 ** 3;
/** 384 KiB keys: a cache.t3.micro (0.5 GiB, 75% of it maxmemory) holds exactly 1024 of them. */
const ITEM = 393216;
const MICRO = 'cache.t3.micro';
const MEDIUM = 'cache.t3.medium';

/** A cache scenario of cache.t3.micro nodes (ladder micro, medium), 1-4 shards, changes taking 120 s. */
function cacheScenario(over: { trace?: object; workload?: object; target?: object } = {}): Scenario {
  return parseScenario(
    {
      name: 'test-cache',
      trace: { file: 'x.csv', ...(over.trace ?? {}) },
      workload: { kind: 'cache', unitCapacity: 100, provisioningSeconds: 120, itemBytes: ITEM, ttlSeconds: 180, nodeType: MICRO, ...(over.workload ?? {}) },
      target: { minUnits: 1, maxUnits: 4, targetUtilization: 50, nodeTypeLadder: [MICRO, MEDIUM], ...(over.target ?? {}) },
    },
    'test',
    '/tmp',
  );
}

function run(scenario: Scenario, arrivals: number[], decide: (step: number, w: CacheWorld) => void = () => {}): CacheWorld {
  const w = new CacheWorld(scenario, traceOf(arrivals));
  for (let t = 0; t < arrivals.length; t++) {
    decide(t, w);
    w.endStep();
  }
  return w;
}

describe('shape sizes', () => {
  test('GiB of one copy of the data and maxmemory at 25% reserved memory', () => {
    expect(RESERVED_MEMORY_SHARE).toBe(0.25);
    expect(shapeGiB({ nodeType: MICRO, shards: 3 })).toBeCloseTo(1.5, 12);
    expect(maxmemoryBytes({ nodeType: MICRO, shards: 1 })).toBe(1024 * ITEM);
    expect(maxmemoryBytes({ nodeType: 'cache.r7g.large', shards: 2 })).toBeCloseTo(2 * 13.07 * GIB * 0.75, 0);
    expect(() => shapeGiB({ nodeType: 'cache.x9.tiny', shards: 1 })).toThrow(/no memory size known for cache\.x9\.tiny/);
  });
});

describe('CacheWorld, keys and memory', () => {
  test('keys expire ttlSeconds after they are written', () => {
    // 256 keys a step (25% of one micro node) living 180 s: steps 0-2 accumulate, step 3 drops step 0's, step 4 step 1's
    const w = run(cacheScenario(), [256, 256, 256, 256, 0]);
    expect(Array.from(w.memoryPct)).toEqual([25, 50, 75, 75, 50]);
    expect(w.violated).toBe(0);
    expect(Array.from(w.evictions)).toEqual([0, 0, 0, 0, 0]);
  });

  test('memory percent is keys x itemBytes / (node GiB x 0.75 x shards)', () => {
    const w = run(cacheScenario({ workload: { initialUnits: 2, ttlSeconds: 3600 } }), [512, 0]);
    expect(Array.from(w.memoryPct)).toEqual([25, 25]);
    const r = run(
      cacheScenario({ workload: { nodeType: 'cache.r7g.large', ttlSeconds: 3600, itemBytes: 1024 }, target: { nodeTypeLadder: ['cache.r7g.large'] } }),
      [1e6],
    );
    expect(r.memoryPct[0]).toBeCloseTo((100 * 1e6 * 1024) / (13.07 * GIB * 0.75), 9);
  });

  test('keys beyond maxmemory are evicted oldest first, counted as violated and as evictions per primary', () => {
    // 600 keys a step into room for 1024: step 1 evicts 176 of step 0's; step 2 the other 424 of step 0's and 176 of step 1's
    const w = run(cacheScenario(), [600, 600, 600, 0, 0]);
    expect(w.violated).toBeCloseTo(176 + 600, 9);
    expect(Array.from(w.evictions)).toEqual([0, 176, 600, 0, 0]);
    // step 3 expires step 0's keys (none left), step 4 the 424 left of step 1's: the 600 of step 2 remain
    expect(Array.from(w.memoryPct).map((x) => Math.round(x * 1e6) / 1e6)).toEqual([58.59375, 100, 100, 100, 58.59375]);
  });

  test('evictions are per primary: spread over the shards', () => {
    const w = run(cacheScenario({ workload: { initialUnits: 2, ttlSeconds: 3600 } }), [2048 + 100]);
    expect(w.violated).toBeCloseTo(100, 9);
    expect(w.evictions[0]).toBeCloseTo(50, 9);
  });

  test('demand: GiB of node memory the working set (evicted keys included) needs at 100%', () => {
    const w = run(cacheScenario(), [600, 600, 600, 0, 0]);
    // working set 600, 1200, 1800, 1200, 600 keys; 1024 keys need 0.5 GiB
    expect(Array.from(w.demand)).toEqual([600, 1200, 1800, 1200, 600].map((k) => (k / 1024) * 0.5));
  });

  test('engine CPU: arrivals per second over shards x unitCapacity', () => {
    const w = run(cacheScenario({ workload: { initialUnits: 2 } }), [3000, 0, 60000]);
    expect(Array.from(w.engineCpu)).toEqual([25, 0, 100]);
  });
});

describe('CacheWorld, changes of shape', () => {
  test('a change takes provisioningSeconds: billed the larger shape, ready the old one, then the new', () => {
    const scenario = cacheScenario({ workload: { ttlSeconds: 3600 } });
    const groups: ReturnType<CacheWorld['group']>[] = [];
    const w = run(scenario, [512, 0, 0, 0, 0], (t, w) => {
      if (t === 1) w.startChange({ shards: 2 }); // done at 180 s: step 3
      groups.push(w.group());
    });
    expect(groups[0]).toEqual({ nodeType: MICRO, shards: 1, replicasPerShard: 1, clusterMode: true });
    const change = { to: { nodeType: MICRO, shards: 2, replicasPerShard: 1 }, doneAt: 180 };
    expect(groups[1]).toEqual({ nodeType: MICRO, shards: 1, replicasPerShard: 1, clusterMode: true, change });
    expect(groups[2].change).toEqual(change);
    expect(groups[3]).toEqual({ nodeType: MICRO, shards: 2, replicasPerShard: 1, clusterMode: true });
    expect(Array.from(w.ready)).toEqual([0.5, 0.5, 0.5, 1, 1]);
    expect(Array.from(w.billed)).toEqual([0.5, 1, 1, 1, 1]);
    expect(Array.from(w.memoryPct)).toEqual([50, 50, 50, 25, 25]);
    expect(w.shapes.map((s) => s.shards)).toEqual([1, 1, 1, 2, 2]);
    expect(w.actions).toEqual([{ step: 1, at: 60, from: 0.5, to: 1 }]);
  });

  test('a move down the ladder is billed at the old, larger shape until it is done', () => {
    const w = run(cacheScenario({ workload: { nodeType: MEDIUM } }), [0, 0, 0, 0], (t, w) => {
      if (t === 0) w.startChange({ nodeType: MICRO });
    });
    expect(Array.from(w.billed)).toEqual([3.09, 3.09, 0.5, 0.5]);
    expect(Array.from(w.ready)).toEqual([3.09, 3.09, 0.5, 0.5]);
    expect(w.actions).toEqual([{ step: 0, at: 0, from: 3.09, to: 0.5 }]);
  });

  test('a second change while one is in progress throws; after it is done, one may start', () => {
    const w = new CacheWorld(cacheScenario(), traceOf([0, 0, 0, 0]));
    w.startChange({ nodeType: MEDIUM });
    w.endStep();
    expect(() => w.startChange({ shards: 2 })).toThrow(/a change to cache\.t3\.medium x 1 shard\(s\) of 1\+1 is in progress until 120 s/);
    w.endStep();
    w.startChange({ shards: 2 }); // at 120 s the first change is done
    expect(w.group()).toMatchObject({ nodeType: MEDIUM, shards: 1, change: { to: { nodeType: MEDIUM, shards: 2 }, doneAt: 240 } });
    expect(w.actions.map((a) => [a.step, a.from, a.to])).toEqual([
      [0, 0.5, 3.09],
      [2, 3.09, 6.18],
    ]);
  });

  test('shards cannot change without cluster mode; the node type can', () => {
    const w = new CacheWorld(cacheScenario({ workload: { clusterMode: false }, target: { maxUnits: 1 } }), traceOf([0]));
    expect(() => w.startChange({ shards: 2 })).toThrow(/shards change only in cluster mode/);
    expect(w.actions).toEqual([]);
    w.startChange({ nodeType: MEDIUM });
    expect(w.group().clusterMode).toBe(false);
    expect(w.group().change?.to).toEqual({ nodeType: MEDIUM, shards: 1, replicasPerShard: 1 });
  });

  test('bad shapes are errors naming the value', () => {
    const w = new CacheWorld(cacheScenario(), traceOf([0]));
    expect(() => w.startChange({ shards: 0 })).toThrow(/shards must be a whole number >= 1, got 0/);
    expect(() => w.startChange({ shards: 1.5 })).toThrow(/got 1\.5/);
    expect(() => w.startChange({ nodeType: 'cache.x9.tiny' })).toThrow(/no memory size known for cache\.x9\.tiny/);
    expect(w.group().change).toBeUndefined();
    expect(w.actions).toEqual([]);
  });
});

describe('CacheWorld.ideal', () => {
  // sizes of the ladder micro (0.5), medium (3.09) at 1-4 shards: 0.5, 1, 1.5, 2, 3.09, 6.18, 9.27, 12.36 GiB.
  // At a 50% target, n keys of the working set need n / 1024 GiB.
  test('the smallest shape GiB holding the working set at targetUtilization', () => {
    const w = run(cacheScenario(), [600, 600, 600, 0, 0, 512]);
    // working set 600, 1200, 1800, 1200, 600, 512 keys (180 s TTL): 0.59, 1.17, 1.76, 1.17, 0.59, 0.5 GiB
    expect(Array.from(w.ideal)).toEqual([1, 1.5, 2, 1.5, 1, 0.5]);
  });

  test('a working set exactly at the target fits its shape', () => {
    const w = run(cacheScenario(), [1024, 0, 0, 0]);
    expect(w.ideal[0]).toBe(1);
  });

  test('evicted keys still count in the working set', () => {
    const w = run(cacheScenario({ workload: { ttlSeconds: 3600 } }), [2000]);
    expect(w.violated).toBeCloseTo(2000 - 1024, 9);
    expect(w.ideal[0]).toBeCloseTo(2, 12); // 1.95 GiB
  });

  test('the largest shape when none holds it', () => {
    const w = run(cacheScenario(), [100000, 0]);
    expect(w.ideal[0]).toBeCloseTo(4 * 3.09, 12);
  });

  test('without cluster mode the sizes are the ladder at one shard', () => {
    const w = run(cacheScenario({ workload: { clusterMode: false }, target: { maxUnits: 1 } }), [600, 0, 100000]);
    expect(Array.from(w.ideal)).toEqual([3.09, 3.09, 3.09]);
    const small = run(cacheScenario({ workload: { clusterMode: false }, target: { maxUnits: 1 } }), [100]);
    expect(small.ideal[0]).toBe(0.5);
  });

  test('a scenario of another kind is refused', () => {
    const db = parseScenario({ name: 'd', trace: { file: 'x.csv' }, workload: { kind: 'database', unitCapacity: 1 }, target: { maxUnits: 2 } }, 'test', '/tmp');
    expect(() => new CacheWorld(db, traceOf([1]))).toThrow(/needs a cache scenario, not database/);
  });
});
