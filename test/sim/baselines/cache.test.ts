import {
  CACHE_COOLDOWN_SECONDS,
  type CacheBaselineConfig,
  type CacheBaselineInput,
  cacheBaselineFor,
  seedStepCache,
  type TargetTrackingCacheState,
  targetTrackingCache,
} from '../../../sim/baselines/cache';

const ladder = ['cache.r7g.large', 'cache.r7g.xlarge', 'cache.r7g.2xlarge'];
const config: CacheBaselineConfig = { nodeTypeLadder: ladder, minShards: 1, maxShards: 6, targetUtilization: 60, stepSeconds: 60 };
const points = (n: number, value: number) => new Array<number>(n).fill(value);

describe('seed-step, cache', () => {
  const seed = (input: Partial<CacheBaselineInput>) =>
    seedStepCache.decide(config, null, { now: 300, nodeType: ladder[1], shards: 2, modifying: false, memory: [], ...input });

  test('the newest 5 all above 80 move one rung up; 4, or one at 80, are not enough; shards unchanged', () => {
    expect(seed({ memory: points(5, 81) })).toEqual({ nodeType: ladder[2], shards: 2, state: null });
    expect(seed({ memory: [...points(20, 10), ...points(5, 90)] }).nodeType).toBe(ladder[2]);
    expect(seed({ memory: points(4, 95) }).nodeType).toBe(ladder[1]);
    expect(seed({ memory: [...points(4, 95), 80] }).nodeType).toBe(ladder[1]);
  });

  test('the newest 30 all below 30 move one rung down; 29, or one at 30, are not enough', () => {
    expect(seed({ memory: points(30, 29) })).toEqual({ nodeType: ladder[0], shards: 2, state: null });
    expect(seed({ memory: points(29, 5) }).nodeType).toBe(ladder[1]);
    expect(seed({ memory: [...points(29, 5), 30] }).nodeType).toBe(ladder[1]);
  });

  test('no rung above the top nor below the bottom', () => {
    expect(seed({ nodeType: ladder[2], memory: points(5, 99) }).nodeType).toBe(ladder[2]);
    expect(seed({ nodeType: ladder[0], memory: points(30, 1) }).nodeType).toBe(ladder[0]);
  });

  test('only every 300 s, and never while a modification is in progress', () => {
    expect(seed({ now: 360, memory: points(5, 99) }).nodeType).toBe(ladder[1]);
    expect(seed({ now: 600, memory: points(5, 99) }).nodeType).toBe(ladder[2]);
    expect(seed({ modifying: true, memory: points(5, 99) }).nodeType).toBe(ladder[1]);
    expect(seed({ modifying: true, memory: points(30, 1) }).nodeType).toBe(ladder[1]);
  });

  test('a node type off the ladder is an error naming it', () => {
    expect(() => seed({ nodeType: 'cache.t4g.micro', memory: points(5, 99) })).toThrow('cache.t4g.micro');
  });
});

describe('target-tracking, cache', () => {
  const tt = (input: Partial<CacheBaselineInput>, state: TargetTrackingCacheState = {}) =>
    targetTrackingCache.decide(config, state, { now: 3000, nodeType: ladder[0], shards: 2, modifying: false, memory: [], ...input });

  test('scale-out: the newest 3 all above target give shards = ceil(shards x memory / target); the node type stays', () => {
    const r = tt({ memory: [61, 70, 75] }); // 2 x 75 / 60 = 2.5
    expect(r.nodeType).toBe(ladder[0]);
    expect(r.shards).toBe(3);
    expect(r.state.pending).toEqual({ direction: 'out', fromShards: 2 });
    expect(tt({ shards: 3, memory: [10, 90, 90, 120] }).shards).toBe(6); // 3 x 120 / 60
  });

  test('no scale-out with 2 datapoints, or one not above target', () => {
    expect(tt({ memory: [90, 90] }).shards).toBe(2);
    expect(tt({ memory: [60, 90, 90] }).shards).toBe(2);
  });

  test('scale-out clamps to maxShards', () => {
    expect(tt({ shards: 5, memory: [99, 99, 99] }).shards).toBe(6); // 5 x 99 / 60 = 8.25
  });

  test('scale-in: the newest 15 below 0.9 x target give max(minShards, ceil(shards x memory / target))', () => {
    const r = tt({ shards: 6, memory: points(15, 20) }); // 6 x 20 / 60
    expect(r.shards).toBe(2);
    expect(r.state.pending).toEqual({ direction: 'in', fromShards: 6 });
    expect(tt({ shards: 3, memory: points(15, 1) }).shards).toBe(1);
  });

  test('no scale-in with 14 datapoints, or one at 0.9 x target, or when not lower', () => {
    expect(tt({ shards: 6, memory: points(14, 20) }).shards).toBe(6);
    expect(tt({ shards: 6, memory: [...points(14, 20), 54] }).shards).toBe(6);
    expect(tt({ shards: 2, memory: points(15, 50) }).shards).toBe(2); // 2 x 50 / 60 -> 2
  });

  test('nothing while a modification is in progress', () => {
    const r = tt({ modifying: true, memory: [99, 99, 99] });
    expect(r.shards).toBe(2);
    expect(tt({ modifying: true, shards: 6, memory: points(15, 5) }).shards).toBe(6);
    const pending: TargetTrackingCacheState = { pending: { direction: 'in', fromShards: 6 } };
    expect(tt({ modifying: true, shards: 2 }, pending).state).toBe(pending);
  });

  test('a shard count outside min/max is brought inside', () => {
    expect(tt({ shards: 8, memory: [] }).shards).toBe(6);
    expect(tt({ shards: 0, memory: [] }).shards).toBe(1);
  });

  test('the scale-in cooldown is 600 s from when the scale-in is seen complete', () => {
    expect(CACHE_COOLDOWN_SECONDS).toBe(600);
    const low = points(15, 10);
    // scale-in at 3000, modifying until 3600 (seen complete then)
    let r = tt({ now: 3000, shards: 6, memory: low });
    expect(r.shards).toBe(1);
    r = tt({ now: 3060, shards: 1, modifying: true, memory: low }, r.state);
    r = tt({ now: 3600, shards: 4, memory: low }, r.state);
    expect(r.state.scaleInDoneAt).toBe(3600);
    expect(r.shards).toBe(4); // within the cooldown
    expect(tt({ now: 4199, shards: 4, memory: low }, r.state).shards).toBe(4);
    expect(tt({ now: 4200, shards: 4, memory: low }, r.state).shards).toBe(1);
  });

  test('a scale-out ends the scale-in cooldown', () => {
    const r = tt({ shards: 2, memory: [90, 90, 90] }, { scaleInDoneAt: 2900 });
    expect(r.shards).toBe(3);
    expect(r.state.scaleInDoneAt).toBeUndefined();
  });

  test('within 600 s after a scale-out completed, the added shards count towards the next one', () => {
    // 2 -> 3 shards at 3000, complete at 3600
    let r = tt({ now: 3000, shards: 2, memory: [90, 90, 90] });
    expect(r.shards).toBe(3);
    r = tt({ now: 3600, shards: 3, memory: [70, 70, 70] }, r.state);
    expect(r.state.scaleOutDone).toEqual({ at: 3600, fromShards: 2 });
    expect(r.shards).toBe(3); // ceil(2 x 70 / 60) = 3: not larger
    const cooling = r.state;
    expect(tt({ now: 3660, shards: 3, memory: [100, 100, 100] }, cooling).shards).toBe(4); // ceil(2 x 100 / 60): larger
    expect(tt({ now: 4199, shards: 3, memory: [70, 70, 70] }, cooling).shards).toBe(3);
    expect(tt({ now: 4200, shards: 3, memory: [70, 70, 70] }, cooling).shards).toBe(4); // ceil(3 x 70 / 60)
  });

  test('a target of 0 or below is an error naming it', () => {
    expect(() =>
      targetTrackingCache.decide({ ...config, targetUtilization: 0 }, {}, { now: 0, nodeType: ladder[0], shards: 1, modifying: false, memory: [] }),
    ).toThrow('got 0');
  });
});

describe('cacheBaselineFor', () => {
  test('names both baselines and rejects others, naming them', () => {
    expect(cacheBaselineFor('seed-step')).toBe(seedStepCache);
    expect(cacheBaselineFor('target-tracking')).toBe(targetTrackingCache);
    expect(() => cacheBaselineFor('keda' as never)).toThrow('no cache baseline named keda');
  });
});
