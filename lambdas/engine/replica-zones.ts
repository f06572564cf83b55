/**
 * Where a new read replica goes: spread over the availability zones its subnet group covers, so that
 * one zone's outage takes as few of a target's readers as it can. Pure.
 */

/** The zones a new replica may go to and how many of the target's instances each holds now. */
export interface ZoneCounts {
  /** Every candidate zone, with the target's instances in it (0 for an empty one). */
  readonly counts: ReadonlyMap<string, number>;
}

/**
 * Counts `occupied` (the zones of the target's replicas, and of its source or writer) over the
 * candidate `zones`; an instance in a zone that is not a candidate, or whose zone is unknown, counts
 * nowhere.
 */
export function zoneCounts(zones: readonly string[], occupied: readonly (string | undefined)[]): ZoneCounts {
  const counts = new Map<string, number>([...new Set(zones)].sort().map((z) => [z, 0]));
  for (const z of occupied) if (z !== undefined && counts.has(z)) counts.set(z, counts.get(z)! + 1);
  return { counts };
}

/** Most minus fewest instances over the candidate zones (0 with fewer than two zones). */
export function zoneSpread({ counts }: ZoneCounts): number {
  if (counts.size < 2) return 0;
  const values = [...counts.values()];
  return Math.max(...values) - Math.min(...values);
}

/**
 * The zone for the next replica: of the candidate `zones`, the one holding the fewest of `occupied`;
 * of equals, the first by name, so every run asked the same question gives the same answer.
 * `undefined` when there is no candidate zone (the subnet group is unknown): RDS then chooses.
 */
export function chooseReplicaZone(zones: readonly string[], occupied: readonly (string | undefined)[]): string | undefined {
  let best: [string, number] | undefined;
  for (const [zone, n] of zoneCounts(zones, occupied).counts) if (best === undefined || n < best[1]) best = [zone, n];
  return best?.[0];
}
