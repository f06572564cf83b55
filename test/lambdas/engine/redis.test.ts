import fc from 'fast-check';
import { decideRedis, decideRedisReplicas, fitsOn, NODE_MEMORY_GIB, type RedisInput, type RedisPolicy } from '../../../lambdas/engine/redis';

const NOW = Date.UTC(2026, 10, 23, 12);
const LADDER = ['cache.r7g.large', 'cache.r7g.xlarge', 'cache.r7g.2xlarge', 'cache.r7g.4xlarge'];
const policy: RedisPolicy = {
  nodeTypeLadder: LADDER,
  memoryHighPercent: 80,
  cpuHighPercent: 80,
  memoryLowPercent: 30,
  scaleDownHeadroom: 0.5,
  scaleDownCooldownSeconds: 21600,
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
    expect(decideRedis(input({ policy: p, observation: { memoryPercent: 10, memoryPeakPercent: 12, memoryWindowMinutes: 58, cpuPercent: 5 } })).direction).toBe('down');
  });

  test('fitsOn refuses types whose memory it does not know', () => {
    expect(fitsOn('cache.x9.huge', 'cache.r7g.large', 1, 0.5, 80).fits).toBe(false);
  });
});

describe('decideRedisReplicas', () => {
  const rp = { minReplicasPerShard: 1, maxReplicasPerShard: 3, connectionsPerNodeHigh: 1000, scaleDownCooldownSeconds: 3600 };
  const base = { policy: rp, shards: 1, replicasPerShard: 1, now: NOW };

  test('connections per node above the mark add one replica per shard', () => {
    expect(decideRedisReplicas({ ...base, connectionsPerNode: 1400 })).toEqual({ replicasPerShard: 2, direction: 'out', reason: '1400 connections per node > 1000; 1 -> 2 replica(s) per shard' });
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
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 5 }), fc.option(fc.double({ min: 0, max: 5000, noNaN: true }), { nil: undefined }), (shards, r, cpn) => {
        const d = decideRedisReplicas({ ...base, shards, replicasPerShard: r, connectionsPerNode: cpn });
        if (r >= rp.minReplicasPerShard && r <= rp.maxReplicasPerShard) {
          expect(d.replicasPerShard).toBeGreaterThanOrEqual(rp.minReplicasPerShard);
          expect(d.replicasPerShard).toBeLessThanOrEqual(rp.maxReplicasPerShard);
          expect(Math.abs(d.replicasPerShard - r)).toBeLessThanOrEqual(1);
        } else {
          expect(d.replicasPerShard).toBe(r < rp.minReplicasPerShard ? rp.minReplicasPerShard : rp.maxReplicasPerShard);
        }
      }),
    );
  });
});
