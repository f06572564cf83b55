import fc from 'fast-check';
import { decideReplicas, MAX_REPLICAS_PER_SOURCE, type ReplicaInput, type ReplicaPolicy } from '../../../lambdas/engine/replicas';

const NOW = Date.UTC(2026, 10, 23, 12);
const policy: ReplicaPolicy = {
  minReplicas: 1,
  maxReplicas: 4,
  cpuHighPercent: 80,
  cpuLowPercent: 30,
  maxReplicaLagSeconds: 30,
  scaleOutCooldownSeconds: 1200,
  scaleInCooldownSeconds: 3600,
};
const input = (over: Partial<ReplicaInput> = {}): ReplicaInput => ({
  policy,
  fleet: { managed: 2, unmanaged: 0, changing: 0 },
  observation: { sourceCpu: 50, replicaCpu: 50 },
  now: NOW,
  ...over,
});

describe('decideReplicas', () => {
  test('source CPU above 80% adds exactly one replica, and says why with the numbers', () => {
    const d = decideReplicas(input({ observation: { sourceCpu: 91.2, replicaCpu: 40 } }));
    expect(d).toEqual({ desired: 3, direction: 'out', reason: 'source CPU 91.2% > 80%; 2 -> 3' });
  });

  test('replica CPU or connections above their marks add a replica too', () => {
    expect(decideReplicas(input({ observation: { sourceCpu: 20, replicaCpu: 85 } })).desired).toBe(3);
    const withConnections = { ...policy, connectionsHigh: 500 };
    expect(decideReplicas(input({ policy: withConnections, observation: { sourceCpu: 50, connections: 620 } })).reason).toMatch(/connections 620 > 500/);
  });

  test('at maxReplicas a hot source is held and the reason names the limit', () => {
    const d = decideReplicas(input({ fleet: { managed: 4, unmanaged: 0, changing: 0 }, observation: { sourceCpu: 95 } }));
    expect(d.direction).toBe('none');
    expect(d.reason).toMatch(/already at maxReplicas 4/);
  });

  test('replicas made by others count against the 15 a source allows', () => {
    const p = { ...policy, maxReplicas: 15 };
    const d = decideReplicas(input({ policy: p, fleet: { managed: 3, unmanaged: 12, changing: 0 }, observation: { sourceCpu: 95 } }));
    expect(d).toMatchObject({ desired: 3, direction: 'none' });
    expect(d.reason).toMatch(/the 15 replicas a source allows \(12 made by others\)/);
  });

  test('while a replica is being created nothing else changes', () => {
    expect(decideReplicas(input({ fleet: { managed: 2, unmanaged: 0, changing: 1 }, observation: { sourceCpu: 99 } })).direction).toBe('none');
  });

  test('within the cooldown after an addition, a hot source waits', () => {
    const d = decideReplicas(input({ observation: { sourceCpu: 95 }, lastActionAt: NOW - 600_000 }));
    expect(d.reason).toMatch(/last change was 600 s ago \(cooldown 1200 s\)/);
  });

  test('below minReplicas the fleet is brought up to it whatever the load', () => {
    expect(decideReplicas(input({ fleet: { managed: 0, unmanaged: 0, changing: 0 }, observation: {} }))).toMatchObject({ desired: 1, direction: 'out' });
  });

  test('low CPU everywhere removes one replica after the scale-in cooldown', () => {
    const d = decideReplicas(
      input({ fleet: { managed: 3, unmanaged: 0, changing: 0 }, observation: { sourceCpu: 12, replicaCpu: 10 }, lastActionAt: NOW - 7200_000 }),
    );
    expect(d).toMatchObject({ desired: 2, direction: 'in' });
  });

  test('scale-in is held while replicas lag, or when the rest would run too hot (hysteresis)', () => {
    const lagging = decideReplicas(
      input({ fleet: { managed: 3, unmanaged: 0, changing: 0 }, observation: { sourceCpu: 10, replicaCpu: 10, maxLagSeconds: 120 } }),
    );
    expect(lagging.reason).toMatch(/replica lag 120 s exceeds 30 s/);
    // 2 replicas at 29% would be one at 58%, above the midpoint 55% of 30..80.
    const hot = decideReplicas(input({ observation: { sourceCpu: 10, replicaCpu: 29 } }));
    expect(hot.direction).toBe('none');
    expect(hot.reason).toMatch(/would be 58% on 1 replica/);
  });

  test('properties: one step at a time, within [min, max] and the quota, never above the 15', () => {
    const arbPolicy = fc
      .record({
        minReplicas: fc.integer({ min: 0, max: 5 }),
        span: fc.integer({ min: 0, max: 10 }),
        low: fc.integer({ min: 5, max: 40 }),
        gap: fc.integer({ min: 10, max: 50 }),
      })
      .map(({ minReplicas, span, low, gap }) => ({
        ...policy,
        minReplicas,
        maxReplicas: Math.min(15, Math.max(1, minReplicas + span)),
        cpuLowPercent: low,
        cpuHighPercent: low + gap,
      }));
    const cpu = fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined });
    fc.assert(
      fc.property(
        arbPolicy,
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 2 }),
        cpu,
        cpu,
        fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
        (p, managed, unmanaged, changing, sourceCpu, replicaCpu, sinceMs) => {
          const d = decideReplicas({
            policy: p,
            fleet: { managed, unmanaged, changing },
            observation: { sourceCpu, replicaCpu },
            now: NOW,
            lastActionAt: sinceMs === undefined ? undefined : NOW - sinceMs,
          });
          expect(d.reason.length).toBeGreaterThan(0);
          if (changing > 0) expect(d.desired).toBe(managed);
          if (d.direction === 'none') expect(d.desired).toBe(managed);
          if (d.direction === 'out') {
            expect(d.desired).toBeGreaterThan(managed);
            expect(d.desired + unmanaged).toBeLessThanOrEqual(MAX_REPLICAS_PER_SOURCE);
            expect(d.desired).toBeLessThanOrEqual(p.maxReplicas);
            // One at a time unless catching up to minReplicas.
            if (managed >= p.minReplicas) expect(d.desired).toBe(managed + 1);
          }
          if (d.direction === 'in') {
            expect(d.desired).toBeLessThan(managed);
            expect(d.desired).toBeGreaterThanOrEqual(Math.min(p.minReplicas, managed));
            if (managed <= p.maxReplicas) expect(d.desired).toBe(managed - 1);
          }
        },
      ),
    );
  });
});
