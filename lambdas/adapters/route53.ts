/**
 * Route 53: the weighted CNAME records of a replica set, one per available reader, under one name of a
 * private hosted zone. The name is the autoscaler's: records under it that name no current reader are
 * removed, in the same change batch that adds the new ones.
 */
import { type Change, ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { SendClient } from './types';

export interface WeightedReader {
  /** The SetIdentifier: the replica's identifier. */
  readonly id: string;
  readonly host: string;
}

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();

export class Route53Adapter {
  constructor(private readonly client: SendClient) {}

  /** The CNAME records under `name` (weighted or not). */
  async records(zoneId: string, name: string): Promise<ResourceRecordSet[]> {
    const out: ResourceRecordSet[] = [];
    let start: { name?: string; type?: string; id?: string } = { name: fqdn(name), type: 'CNAME' };
    for (;;) {
      const res = await this.client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: start.name,
          StartRecordType: start.type as never,
          StartRecordIdentifier: start.id,
        }),
      );
      const sets: ResourceRecordSet[] = res.ResourceRecordSets ?? [];
      const mine = sets.filter((r) => fqdn(r.Name ?? '') === fqdn(name) && r.Type === 'CNAME');
      out.push(...mine);
      // Records come sorted by name: once past ours, or at the end, stop.
      if (!res.IsTruncated || mine.length < sets.length) return out;
      start = { name: res.NextRecordName, type: res.NextRecordType, id: res.NextRecordIdentifier };
    }
  }

  /** Makes the weighted records under `name` exactly `readers` (weight 1 each). */
  async sync(zoneId: string, name: string, ttl: number, readers: readonly WeightedReader[]): Promise<{ upserted: number; deleted: number }> {
    const existing = await this.records(zoneId, name);
    const byId = new Map(existing.map((r) => [r.SetIdentifier ?? '', r]));
    const changes: Change[] = [];
    for (const reader of readers) {
      const have = byId.get(reader.id);
      const value = have?.ResourceRecords?.[0]?.Value;
      if (have && value === reader.host && have.TTL === ttl && have.Weight === 1) continue;
      changes.push({
        Action: 'UPSERT',
        ResourceRecordSet: { Name: fqdn(name), Type: 'CNAME', SetIdentifier: reader.id, Weight: 1, TTL: ttl, ResourceRecords: [{ Value: reader.host }] },
      });
    }
    const wanted = new Set(readers.map((r) => r.id));
    const stale = existing.filter((r) => !wanted.has(r.SetIdentifier ?? ''));
    for (const r of stale) changes.push({ Action: 'DELETE', ResourceRecordSet: r });
    if (changes.length > 0) {
      await this.client.send(
        new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: `reader endpoints of ${name}`, Changes: changes } }),
      );
    }
    return { upserted: changes.length - stale.length, deleted: stale.length };
  }
}
