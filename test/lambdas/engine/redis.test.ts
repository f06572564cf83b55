import fc from 'fast-check';
import {
  decideRedis,
  decideRedisReplicas,
  decideRedisShape,
  fitsOn,
  fitsOnFewerShards,
  memoryTrend,
  NODE_MEMORY_GIB,
  type RedisInput,
  type RedisPolicy,
  type RedisShapeInput,
  type RedisShapePolicy,
  shardTargetPercent,
  TREND_LAG_MINUTES,
  TREND_MIN_MINUTES,
} from '../../../lambdas/engine/redis';

const NOW = Date.UTC(2026, 10, 23, 12);
const LADDER = ['cache.r7g.large', 'cache.r7g.xlarge', 'cache.r7g.2xlarge', 'cache.r7g.4xlarge'];
const policy: RedisPolicy = {
  nodeTypeLadder: LADDER,
  memoryHighPercent: 80,
  cpuHighPercent: 80,
  memoryLowPercent: 30,
  scaleDownHeadroom: 0.5,
  scaleInCooldownSeconds: 21600,
};
const input = (over: Partial<RedisInput> = {}): RedisInput => ({
  policy,
  currentNodeType: 'cache.r7g.xlarge',
  allowedUp: ['cache.r7g.2xlarge', 'cache.r7g.4xlarge'],
  allowedDown: ['cache.r7g.large'],
  observation: { memoryPercent: 50, cpuPercent: 20 },
  now: NOW,
  ...over,
});

describe('decideRedis', () => {
  test('memory above 80% moves one rung up', () => {
    expect(decideRedis(input({ observation: { memoryPercent: 86 } }))).toEqual({
      nodeType: 'cache.r7g.2xlarge',
      direction: 'up',
      reason: 'memory 86% > 80%; cache.r7g.xlarge -> cache.r7g.2xlarge',
    });
  });

  test('up goes only to a type AWS allows, skipping a disallowed rung', () => {
    expect(decideRedis(input({ observation: { cpuPercent: 90 }, allowedUp: ['cache.r7g.4xlarge'] })).nodeType).toBe('cache.r7g.4xlarge');
    const none = decideRedis(input({ observation: { cpuPercent: 90 }, allowedUp: [] }));
    expect(none.direction).toBe('none');
    expect(none.reason).toMatch(/no larger type on the ladder is allowed/);
  });

  test('down one rung when memory is low and the data fits the smaller type with headroom', () => {
    // 20% of 26.32 GiB = 5.26 GiB, 40% of 13.07 GiB: fits with 50% headroom.
    const d = decideRedis(input({ observation: { memoryPercent: 20, cpuPercent: 10 } }));
    expect(d).toMatchObject({ nodeType: 'cache.r7g.large', direction: 'down' });
    expect(d.reason).toMatch(/5\.26 GiB used is 40\.3% of cache\.r7g\.large/);
  });

  test('no scale-down when the smaller type would keep less than the headroom', () => {
    // 28% of 26.32 = 7.37 GiB = 56% of 13.07: less than 50% free.
    const d = decideRedis(input({ observation: { memoryPercent: 28, cpuPercent: 10 } }));
    expect(d.direction).toBe('none');
    expect(d.reason).toMatch(/would be 56.4% of cache.r7g.large, leaving less than 50% headroom/);
  });

  test('no scale-down within the cooldown, with busy CPU, or to a type AWS does not allow', () => {
    const low = { memoryPercent: 10, cpuPercent: 10 };
    expect(decideRedis(input({ observation: low, lastActionAt: NOW - 3600_000 })).reason).toMatch(/cooldown 21600 s/);
    expect(decideRedis(input({ observation: { memoryPercent: 10, cpuPercent: 45 } })).direction).toBe('none');
    expect(decideRedis(input({ observation: low, allowedDown: [] })).reason).toMatch(/not an allowed scale-down/);
  });

  test('properties: moves at most one allowed rung, down only when the data fits with headroom', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: LADDER.length - 1 }),
        fc.subarray(LADDER),
        fc.subarray(LADDER),
        fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
        fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
        (at, up, down, memoryPercent, cpuPercent) => {
          const cur = LADDER[at];
          const d = decideRedis(input({ currentNodeType: cur, allowedUp: up, allowedDown: down, observation: { memoryPercent, cpuPercent } }));
          const to = LADDER.indexOf(d.nodeType);
          if (d.direction === 'none') expect(d.nodeType).toBe(cur);
          if (d.direction === 'up') {
            expect(to).toBeGreaterThan(at);
            expect(up).toContain(d.nodeType);
          }
          if (d.direction === 'down') {
            expect(to).toBe(at - 1);
            expect(down).toContain(d.nodeType);
            const usedGiB = (memoryPercent! / 100) * NODE_MEMORY_GIB[cur];
            expect(usedGiB).toBeLessThanOrEqual(0.5 * NODE_MEMORY_GIB[d.nodeType]);
            expect(memoryPercent!).toBeLessThan(policy.memoryLowPercent);
          }
        },
      ),
    );
  });

  test('a move down needs memory data over most of memoryLowMinutes, and takes the peak of that window', () => {
    const p = { ...policy, memoryLowMinutes: 60 };
    const short = decideRedis(input({ policy: p, observation: { memoryPercent: 10, memoryPeakPercent: 12, memoryWindowMinutes: 20, cpuPercent: 5 } }));
    expect(short.reason).toMatch(/only 20 of the 60 minutes/);
    const spiky = decideRedis(input({ policy: p, observation: { memoryPercent: 10, memoryPeakPercent: 45, memoryWindowMinutes: 60, cpuPercent: 5 } }));
    expect(spiky.reason).toMatch(/memory 45% is not below 30%/);
    expect(decideRedis(input({ policy: p, observation: { memoryPercent: 10, memoryPeakPercent: 12, memoryWindowMinutes: 58, cpuPercent: 5 } })).direction).toBe(
      'down',
    );
  });

  test('fitsOn refuses types whose memory it does not know', () => {
    expect(fitsOn('cache.x9.huge', 'cache.r7g.large', 1, 0.5, 80).fits).toBe(false);
  });
});

describe('decideRedisReplicas', () => {
  const rp = { minReplicasPerShard: 1, maxReplicasPerShard: 3, connectionsPerNodeHigh: 1000, scaleInCooldownSeconds: 3600 };
  const base = { policy: rp, shards: 1, replicasPerShard: 1, now: NOW };

  test('connections per node above the mark add one replica per shard', () => {
    expect(decideRedisReplicas({ ...base, connectionsPerNode: 1400 })).toEqual({
      replicasPerShard: 2,
      direction: 'out',
      reason: '1400 connections per node > 1000; 1 -> 2 replica(s) per shard',
    });
  });

  test('one fewer only when the nodes left stay under half the mark, after the cooldown', () => {
    // 3 nodes at 300 = 900; on 2 nodes 450 < 500: remove.
    expect(decideRedisReplicas({ ...base, replicasPerShard: 2, connectionsPerNode: 300 }).replicasPerShard).toBe(1);
    // 3 nodes at 400 = 1200; on 2 nodes 600: hold.
    expect(decideRedisReplicas({ ...base, replicasPerShard: 2, connectionsPerNode: 400 }).reason).toMatch(/would be 600 on one replica fewer/);
    expect(decideRedisReplicas({ ...base, replicasPerShard: 2, connectionsPerNode: 100, lastActionAt: NOW - 60_000 }).direction).toBe('none');
  });

  test('not managed without maxReplicasPerShard', () => {
    expect(decideRedisReplicas({ ...base, policy: { ...rp, maxReplicasPerShard: undefined }, connectionsPerNode: 99_999 }).direction).toBe('none');
  });

  test('properties: within [min, max], one step at a time inside the bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 5 }),
        fc.option(fc.double({ min: 0, max: 5000, noNaN: true }), { nil: undefined }),
        (shards, r, cpn) => {
          const d = decideRedisReplicas({ ...base, shards, replicasPerShard: r, connectionsPerNode: cpn });
          if (r >= rp.minReplicasPerShard && r <= rp.maxReplicasPerShard) {
            expect(d.replicasPerShard).toBeGreaterThanOrEqual(rp.minReplicasPerShard);
            expect(d.replicasPerShard).toBeLessThanOrEqual(rp.maxReplicasPerShard);
            expect(Math.abs(d.replicasPerShard - r)).toBeLessThanOrEqual(1);
          } else {
            expect(d.replicasPerShard).toBe(r < rp.minReplicasPerShard ? rp.minReplicasPerShard : rp.maxReplicasPerShard);
          }
        },
      ),
    );
  });
});

describe('decideRedisShape', () => {
  const TOP = 'cache.r7g.4xlarge';
  const shapePolicy: RedisShapePolicy = { ...policy, minShards: 1, maxShards: 10 };
  const shape = (over: Partial<RedisShapeInput> = {}): RedisShapeInput => ({
    ...input(),
    policy: shapePolicy,
    clusterMode: true,
    shards: 3,
    ...over,
  });
  const top = (over: Partial<RedisShapeInput> = {}) => shape({ currentNodeType: TOP, allowedUp: [], allowedDown: ['cache.r7g.2xlarge'], ...over });

  test('the shard target is midway between the low and the high mark', () => {
    expect(shardTargetPercent(policy)).toBe(55);
  });

  test('hot with a larger type allowed: the move that ends with less node memory wins', () => {
    // 3 x xlarge at 88%: 5 shards (131.60 GiB) beat 3 x 2xlarge (158.46 GiB).
    const d = decideRedisShape(shape({ observation: { memoryPercent: 88 } }));
    expect(d).toEqual({
      nodeType: 'cache.r7g.xlarge',
      shards: 5,
      direction: 'out',
      reason: 'memory 88% > 80%; 5 shard(s) of cache.r7g.xlarge (131.60 GiB) hold it in less memory than cache.r7g.2xlarge x 3 (158.46 GiB); shards 3 -> 5',
    });
    // A next rung barely larger (12.93 -> 13.07 GiB) beats doubling the shards: the node type moves.
    const small = decideRedisShape(
      shape({
        policy: { ...shape().policy, nodeTypeLadder: ['cache.m6g.xlarge', 'cache.r7g.large'] },
        currentNodeType: 'cache.m6g.xlarge',
        allowedUp: ['cache.r7g.large'],
        shards: 2,
        observation: { memoryPercent: 88 },
      }),
    );
    expect(small).toMatchObject({ nodeType: 'cache.r7g.large', shards: 2, direction: 'up' });
    // At maxShards only the node type can grow.
    expect(decideRedisShape(shape({ shards: 10, observation: { memoryPercent: 88 } }))).toMatchObject({
      nodeType: 'cache.r7g.2xlarge',
      shards: 10,
      direction: 'up',
    });
  });

  test('memory hot at the top of the ladder: shards are added until memory per shard is at the target', () => {
    // 3 shards at 88% = 264 shard-percent; at 55% per shard that is 4.8, so 5 shards (52.8% each).
    const d = decideRedisShape(top({ observation: { memoryPercent: 88 } }));
    expect(d).toEqual({
      nodeType: TOP,
      shards: 5,
      direction: 'out',
      reason:
        'memory 88% > 80%, and no larger type on the ladder is allowed (allowed: none); 88% over 3 shard(s) is 52.8% per shard on 5 (aim 55%); shards 3 -> 5',
    });
    // Just above the mark on one shard: 81 / 55 = 1.47, so 2.
    expect(decideRedisShape(top({ shards: 1, observation: { memoryPercent: 81 } })).shards).toBe(2);
    // At the mark: not hot, nothing changes.
    expect(decideRedisShape(top({ observation: { memoryPercent: 80 } })).direction).toBe('none');
  });

  test('a type below the top that AWS does not allow to grow counts as the top', () => {
    const d = decideRedisShape(shape({ allowedUp: [], observation: { memoryPercent: 90 } }));
    expect(d).toMatchObject({ nodeType: 'cache.r7g.xlarge', shards: 5, direction: 'out' });
  });

  test('engine CPU or evictions alone add one shard', () => {
    expect(decideRedisShape(top({ observation: { memoryPercent: 50, cpuPercent: 95 } }))).toMatchObject({ shards: 4, direction: 'out' });
    const evicting = decideRedisShape(top({ policy: { ...shapePolicy, evictionsHigh: 100 }, observation: { memoryPercent: 50, evictionsPerMinute: 500 } }));
    expect(evicting).toMatchObject({ shards: 4, direction: 'out', reason: expect.stringMatching(/^500 evictions\/min > 100, and no larger type/) });
  });

  test('the step is capped at maxShards, and at maxShards the group holds', () => {
    const capped = decideRedisShape(top({ policy: { ...shapePolicy, maxShards: 4 }, observation: { memoryPercent: 88 } }));
    expect(capped).toMatchObject({ shards: 4, direction: 'out' });
    expect(capped.reason).toMatch(/is 66% per shard on 4 \(aim 55%, capped at maxShards 4\); shards 3 -> 4$/);
    const full = decideRedisShape(top({ policy: { ...shapePolicy, maxShards: 3 }, observation: { memoryPercent: 95, cpuPercent: 95 } }));
    expect(full).toMatchObject({ nodeType: TOP, shards: 3, direction: 'none' });
    expect(full.reason).toMatch(/already at maxShards 3; cache\.r7g\.4xlarge x 3 shard\(s\) kept$/);
  });

  test('memory low: one shard fewer first, though the node type could move down', () => {
    const low = { memoryPercent: 20, cpuPercent: 10 };
    // decideRedis alone would move to cache.r7g.large (see above); with 3 shards one shard goes first:
    // 20% of 26.32 GiB x 3 = 15.79 GiB, 7.90 GiB (30%) per shard on 2.
    expect(decideRedis(input({ observation: low })).direction).toBe('down');
    const d = decideRedisShape(shape({ observation: low }));
    expect(d).toEqual({
      nodeType: 'cache.r7g.xlarge',
      shards: 2,
      direction: 'in',
      reason: 'memory 20% < 30%; 15.79 GiB used is 30% of cache.r7g.xlarge per shard on 2; shards 3 -> 2',
    });
  });

  test('at minShards the node type moves down as before', () => {
    const low = { memoryPercent: 20, cpuPercent: 10 };
    const d = decideRedisShape(shape({ shards: 2, policy: { ...shapePolicy, minShards: 2 }, observation: low }));
    expect(d).toEqual({ ...decideRedis(input({ observation: low })), shards: 2 });
    expect(d.direction).toBe('down');
  });

  test('no shard removed when the shards left would keep less than the headroom; the node type stays too', () => {
    // 26% x 2 shards = 52% on one: less than 50% free. The node type does not move instead.
    const d = decideRedisShape(shape({ shards: 2, observation: { memoryPercent: 26, cpuPercent: 10 } }));
    expect(d).toMatchObject({ nodeType: 'cache.r7g.xlarge', shards: 2, direction: 'none' });
    expect(d.reason).toMatch(/13\.69 GiB used would be 52% of cache\.r7g\.xlarge per shard on 1, leaving less than 50% headroom/);
    expect(decideRedisShape(shape({ shards: 2, observation: { memoryPercent: 24.9, cpuPercent: 10 } }))).toMatchObject({ shards: 1, direction: 'in' });
  });

  test('no shard removed within the cooldown, with busy CPU, or without most of the low window', () => {
    const low = { memoryPercent: 10, cpuPercent: 10 };
    expect(decideRedisShape(shape({ observation: low, lastActionAt: NOW - 3600_000 })).reason).toMatch(/last change was 3600 s ago \(cooldown 21600 s\)/);
    expect(decideRedisShape(shape({ observation: { memoryPercent: 10, cpuPercent: 45 } })).direction).toBe('none');
    const p = { ...shapePolicy, memoryLowMinutes: 60 };
    expect(decideRedisShape(shape({ policy: p, observation: { ...low, memoryWindowMinutes: 20 } })).reason).toMatch(/only 20 of the 60 minutes/);
    expect(decideRedisShape(shape({ policy: p, observation: { ...low, memoryPeakPercent: 45, memoryWindowMinutes: 60 } })).reason).toMatch(
      /memory 45% is not below 30%/,
    );
  });

  test('below minShards (a raised bound), shards are added up to it', () => {
    expect(decideRedisShape(shape({ shards: 1, policy: { ...shapePolicy, minShards: 3 } }))).toMatchObject({ shards: 3, direction: 'out' });
  });

  test('a group without cluster mode decides exactly as decideRedis, shards untouched', () => {
    const hot = decideRedisShape(top({ clusterMode: false, observation: { memoryPercent: 95 } }));
    expect(hot).toEqual({
      ...decideRedis(input({ currentNodeType: TOP, allowedUp: [], allowedDown: ['cache.r7g.2xlarge'], observation: { memoryPercent: 95 } })),
      shards: 3,
    });
    expect(hot.direction).toBe('none');
    expect(decideRedisShape(shape({ clusterMode: false, observation: { memoryPercent: 20, cpuPercent: 10 } }))).toMatchObject({
      nodeType: 'cache.r7g.large',
      shards: 3,
      direction: 'down',
    });
  });

  test('fitsOnFewerShards refuses one shard and types whose memory it does not know', () => {
    expect(fitsOnFewerShards('cache.r7g.large', 1, 1, 0.5, 80).fits).toBe(false);
    expect(fitsOnFewerShards('cache.x9.huge', 4, 1, 0.5, 80).fits).toBe(false);
  });

  test('properties: within the shard bounds, node type or shards but never both, shards only in cluster mode', () => {
    const pctArb = fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined });
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.record({
          at: fc.integer({ min: 0, max: LADDER.length - 1 }),
          up: fc.subarray(LADDER),
          down: fc.subarray(LADDER),
          memoryPercent: pctArb,
          memoryPeakPercent: pctArb,
          cpuPercent: pctArb,
          evictionsPerMinute: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
          clusterMode: fc.boolean(),
          minShards: fc.integer({ min: 1, max: 6 }),
          span: fc.integer({ min: 0, max: 10 }),
          shards: fc.integer({ min: 1, max: 20 }),
          sinceSeconds: fc.option(fc.integer({ min: 0, max: 50_000 }), { nil: undefined }),
        }),
        (g) => {
          const p: RedisShapePolicy = { ...shapePolicy, evictionsHigh: 200, minShards: g.minShards, maxShards: g.minShards + g.span };
          const cur = LADDER[g.at];
          const observation = {
            memoryPercent: g.memoryPercent,
            memoryPeakPercent: g.memoryPeakPercent,
            cpuPercent: g.cpuPercent,
            evictionsPerMinute: g.evictionsPerMinute,
          };
          const i = shape({
            policy: p,
            currentNodeType: cur,
            allowedUp: g.up,
            allowedDown: g.down,
            observation,
            clusterMode: g.clusterMode,
            shards: g.shards,
            lastActionAt: g.sinceSeconds === undefined ? undefined : NOW - g.sinceSeconds * 1000,
          });
          const d = decideRedisShape(i);
          seen.add(d.direction);
          // Never both.
          expect(d.nodeType !== cur && d.shards !== g.shards).toBe(false);
          if (!g.clusterMode) {
            expect(d).toEqual({ ...decideRedis(i), shards: g.shards });
            return;
          }
          if (g.shards >= p.minShards && g.shards <= p.maxShards) {
            expect(d.shards).toBeGreaterThanOrEqual(p.minShards);
            expect(d.shards).toBeLessThanOrEqual(p.maxShards);
          }
          if (d.direction === 'out') {
            expect(d.shards).toBeGreaterThan(g.shards);
            expect(d.shards).toBeLessThanOrEqual(Math.max(p.maxShards, p.minShards));
            // Shards are added when the node type cannot grow, or when they end with less node memory
            // than the next rung would (or to reach minShards).
            const up = LADDER.slice(g.at + 1).find((t) => g.up.includes(t));
            if (g.shards >= p.minShards && up) expect(NODE_MEMORY_GIB[LADDER[g.at]] * d.shards).toBeLessThan(NODE_MEMORY_GIB[up] * g.shards);
          }
          if (d.direction === 'in') {
            expect(d.shards).toBe(g.shards - 1);
            const peak = g.memoryPeakPercent ?? g.memoryPercent!;
            expect(peak).toBeLessThan(p.memoryLowPercent);
            expect((peak * g.shards) / (g.shards - 1)).toBeLessThanOrEqual(100 * (1 - p.scaleDownHeadroom) + 1e-9);
          }
          // The node type moves down only once the shards are at their minimum.
          if (d.direction === 'down') expect(g.shards).toBeLessThanOrEqual(p.minShards);
        },
      ),
      { numRuns: 2000 },
    );
    // The runs reached every kind of decision, so the checks above were exercised.
    expect([...seen].sort()).toEqual(['down', 'in', 'none', 'out', 'up']);
  });
});

describe('a climb at maxShards waits for the memory trend', () => {
  const LARGE = 'cache.r7g.large';
  // Four large shards, the last rung up allowed, a 70% high mark as on redis-growth.
  const p: RedisShapePolicy = {
    ...policy,
    nodeTypeLadder: [LARGE, 'cache.r7g.xlarge'],
    memoryHighPercent: 70,
    memoryCriticalPercent: 90,
    resizeMinutes: 60,
    minShards: 1,
    maxShards: 4,
  };
  const atMax = (observation: RedisShapeInput['observation'], over: Partial<RedisShapeInput> = {}): RedisShapeInput => ({
    policy: p,
    currentNodeType: LARGE,
    allowedUp: ['cache.r7g.xlarge'],
    allowedDown: [],
    observation,
    now: NOW,
    clusterMode: true,
    shards: 4,
    ...over,
  });
  const lead = 60 + TREND_LAG_MINUTES;

  test('memory above the high mark with a flat trend holds: eviction is far', () => {
    const d = decideRedisShape(atMax({ memoryPercent: 73, memoryLatestPercent: 73, memoryTrendPerMinute: 0, memoryTrendMinutes: 60 }));
    expect(d).toMatchObject({ nodeType: LARGE, shards: 4, direction: 'none' });
    expect(d.reason).toBe(
      `memory 73% > 70%, and already at maxShards 4, but at 0%/min memory would be 73% in ${lead} minutes (a resize, ${TREND_LAG_MINUTES} to notice it), under the critical 90%; cache.r7g.large x 4 shard(s) kept`,
    );
  });

  test('a trend that reaches the critical mark within a resize climbs now', () => {
    // 73% + 0.25%/min x 70 min = 90.5%.
    const d = decideRedisShape(atMax({ memoryPercent: 73, memoryLatestPercent: 73, memoryTrendPerMinute: 0.25, memoryTrendMinutes: 60 }));
    expect(d).toMatchObject({ nodeType: 'cache.r7g.xlarge', shards: 4, direction: 'up' });
    expect(d.reason).toMatch(/would be 90\.5% in 70 minutes .*, at or above the critical 90%; cache\.r7g\.large -> cache\.r7g\.xlarge$/);
    // Just under: 73% + 0.24 x 70 = 89.8%.
    expect(decideRedisShape(atMax({ memoryPercent: 73, memoryLatestPercent: 73, memoryTrendPerMinute: 0.24, memoryTrendMinutes: 60 })).direction).toBe('none');
  });

  test('at the critical mark, without a trend yet, or with engine CPU or evictions hot, it climbs as before', () => {
    const up = (o: RedisShapeInput['observation'], over: Partial<RedisShapeInput> = {}) => decideRedisShape(atMax(o, over)).direction;
    expect(up({ memoryPercent: 90, memoryLatestPercent: 90, memoryTrendPerMinute: 0, memoryTrendMinutes: 60 })).toBe('up');
    expect(up({ memoryPercent: 73, memoryLatestPercent: 73, memoryTrendPerMinute: 0, memoryTrendMinutes: TREND_MIN_MINUTES - 1 })).toBe('up');
    expect(up({ memoryPercent: 73 })).toBe('up');
    expect(up({ memoryPercent: 73, memoryLatestPercent: 73, memoryTrendPerMinute: 0, memoryTrendMinutes: 60, cpuPercent: 95 })).toBe('up');
    expect(
      up(
        { memoryPercent: 73, memoryLatestPercent: 73, memoryTrendPerMinute: 0, memoryTrendMinutes: 60, evictionsPerMinute: 500 },
        { policy: { ...p, evictionsHigh: 100 } },
      ),
    ).toBe('up');
    // The newest minute above the sustained figure is what is projected.
    expect(up({ memoryPercent: 73, memoryLatestPercent: 91, memoryTrendPerMinute: 0, memoryTrendMinutes: 60 })).toBe('up');
    // A critical mark at or below the high mark: every hot memory is critical, the old rule.
    expect(
      up({ memoryPercent: 73, memoryLatestPercent: 73, memoryTrendPerMinute: 0, memoryTrendMinutes: 60 }, { policy: { ...p, memoryCriticalPercent: 70 } }),
    ).toBe('up');
  });

  test('below maxShards the high mark still adds shards, whatever the trend', () => {
    const d = decideRedisShape(atMax({ memoryPercent: 73, memoryLatestPercent: 73, memoryTrendPerMinute: 0, memoryTrendMinutes: 60 }, { shards: 3 }));
    expect(d).toMatchObject({ nodeType: LARGE, shards: 4, direction: 'out' });
  });

  test('memoryTrend: the least-squares slope per minute of the newest datapoints, and the newest value', () => {
    const m = 60_000;
    const points = [0, 1, 2, 3].map((i) => ({ at: NOW + i * m, value: 50 + 0.5 * i }));
    expect(memoryTrend(points)).toEqual({ memoryTrendPerMinute: 0.5, memoryTrendMinutes: 4, memoryLatestPercent: 51.5 });
    expect(memoryTrend([{ at: NOW, value: 40 }])).toEqual({ memoryTrendMinutes: 1, memoryLatestPercent: 40 });
    expect(memoryTrend([])).toEqual({ memoryTrendMinutes: 0 });
  });

  test('properties: a hold at maxShards never lets projected memory reach the critical mark within a resize; a flat trend below it never climbs', () => {
    fc.assert(
      fc.property(
        // Figures spread evenly in hundredths (fc.double favours the ends of its range), around the marks.
        fc.record({
          high: fc.integer({ min: 30, max: 95 }),
          criticalOver: fc.integer({ min: -10, max: 30 }),
          memoryOver: fc.integer({ min: -500, max: 3000 }).map((x) => x / 100),
          latestOver: fc.integer({ min: -1000, max: 1000 }).map((x) => x / 100),
          perMinute: fc.integer({ min: -100, max: 100 }).map((x) => x / 200),
          minutes: fc.integer({ min: 0, max: 120 }),
          cpuPercent: fc.option(
            fc.integer({ min: 0, max: 10000 }).map((x) => x / 100),
            { nil: undefined },
          ),
          resizeMinutes: fc.integer({ min: 1, max: 240 }),
        }),
        (h) => {
          const g = { ...h, critical: Math.min(100, h.high + h.criticalOver), memoryPercent: Math.min(100, Math.max(0, h.high + h.memoryOver)) };
          const latest = Math.min(100, Math.max(0, g.memoryPercent + g.latestOver));
          const policyG = { ...p, memoryHighPercent: g.high, memoryLowPercent: 20, memoryCriticalPercent: g.critical, resizeMinutes: g.resizeMinutes };
          const o = {
            memoryPercent: g.memoryPercent,
            memoryLatestPercent: latest,
            memoryTrendPerMinute: g.perMinute,
            memoryTrendMinutes: g.minutes,
            cpuPercent: g.cpuPercent,
          };
          const d = decideRedisShape(atMax(o, { policy: policyG }));
          const memoryHot = g.memoryPercent > g.high;
          const critical = Math.max(g.critical, g.high);
          const projected = Math.max(g.memoryPercent, latest) + Math.max(0, g.perMinute) * (g.resizeMinutes + TREND_LAG_MINUTES);
          if (memoryHot && d.direction === 'none') {
            // Held while memory is hot: the trend was measured, and it stays under the critical mark
            // for as long as a resize (and noticing the need) takes.
            expect(g.minutes).toBeGreaterThanOrEqual(TREND_MIN_MINUTES);
            expect(projected).toBeLessThan(critical);
          }
          if (
            g.perMinute <= 0 &&
            latest < critical &&
            g.memoryPercent < critical &&
            g.minutes >= TREND_MIN_MINUTES &&
            !(g.cpuPercent! > policyG.cpuHighPercent)
          ) {
            expect(d.direction).not.toBe('up');
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
