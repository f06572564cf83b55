import fc from 'fast-check';
import { chooseReplicaZone, zoneCounts, zoneSpread } from '../../../lambdas/engine/replica-zones';

const A = 'eu-west-1a';
const B = 'eu-west-1b';
const C = 'eu-west-1c';

describe('chooseReplicaZone', () => {
  test('the zone with the fewest of the target’s instances, the source counted', () => {
    expect(chooseReplicaZone([A, B, C], [A])).toBe(B);
    expect(chooseReplicaZone([A, B, C], [A, B])).toBe(C);
    expect(chooseReplicaZone([A, B, C], [A, B, C, B])).toBe(A);
  });

  test('ties go to the first zone by name, whatever order the zones are listed in', () => {
    expect(chooseReplicaZone([C, B, A], [])).toBe(A);
    expect(chooseReplicaZone([C, A, B, A], [A])).toBe(B);
  });

  test('instances outside the candidate zones, or in no known zone, count nowhere', () => {
    expect(chooseReplicaZone([A, B], ['eu-west-1d', 'eu-west-1d', undefined, A])).toBe(B);
  });

  test('no candidate zone: no choice (RDS chooses)', () => {
    expect(chooseReplicaZone([], [A])).toBeUndefined();
  });
});

const zone = fc.constantFrom<string>(A, B, C, 'eu-west-1d');
const zones = fc.uniqueArray(zone, { minLength: 1, maxLength: 4 });
const occupied = fc.array(fc.option(zone, { nil: undefined }), { maxLength: 20 });

describe('properties', () => {
  test('the spread over the candidate zones never gets worse: at most 1 from balanced, never wider otherwise', () => {
    fc.assert(
      fc.property(zones, occupied, (zs, occ) => {
        const before = zoneSpread(zoneCounts(zs, occ));
        const chosen = chooseReplicaZone(zs, occ)!;
        const after = zoneSpread(zoneCounts(zs, [...occ, chosen]));
        expect(after).toBeLessThanOrEqual(Math.max(before, 1));
      }),
    );
  });

  test('the chosen zone is a candidate holding no more than any other', () => {
    fc.assert(
      fc.property(zones, occupied, (zs, occ) => {
        const chosen = chooseReplicaZone(zs, occ)!;
        const { counts } = zoneCounts(zs, occ);
        expect(zs).toContain(chosen);
        expect(counts.get(chosen)).toBe(Math.min(...counts.values()));
      }),
    );
  });

  test('deterministic: the order of zones and instances does not change the answer', () => {
    fc.assert(
      fc.property(
        zones.chain((zs) => fc.tuple(fc.constant(zs), fc.shuffledSubarray(zs, { minLength: zs.length }))),
        occupied.chain((occ) => fc.tuple(fc.constant(occ), fc.shuffledSubarray(occ, { minLength: occ.length }))),
        ([zs, zsShuffled], [occ, occShuffled]) => {
          expect(chooseReplicaZone(zsShuffled, occShuffled)).toBe(chooseReplicaZone(zs, occ));
        },
      ),
    );
  });

  test('replicas added one by one from any start end within one of each other once the start is evened out', () => {
    fc.assert(
      fc.property(zones, occupied, fc.integer({ min: 0, max: 15 }), (zs, occ, n) => {
        const placed = [...occ];
        for (let i = 0; i < n; i++) placed.push(chooseReplicaZone(zs, placed)!);
        const start = zoneSpread(zoneCounts(zs, occ));
        expect(zoneSpread(zoneCounts(zs, placed))).toBeLessThanOrEqual(Math.max(start, 1));
        if (n >= start * zs.length) expect(zoneSpread(zoneCounts(zs, placed))).toBeLessThanOrEqual(1);
      }),
    );
  });
});
