/** In-memory state store: the simulator's and the unit tests' stand-in, same contract as DynamoDB. */
import {
  ALL_TARGETS,
  type AuditEntry,
  type FirstSeen,
  LeaseLostError,
  type Override,
  type StateStore,
  type StoredRecommendation,
  type Switches,
  type SwitchScope,
  type TargetRecord,
} from './store';

/**
 * A deep copy, as a read from DynamoDB gives: plain objects and arrays copied key by key (the records
 * are plain data, read and written thousands of times a simulated week, where structuredClone was a
 * tenth of the time); anything else (a Date, a Map, a function to refuse) as structuredClone copies it.
 */
export function copyOf<T>(value: T): T {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return value;
  if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype) return value.map(copyOf) as T;
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyOf((value as Record<string, unknown>)[key]);
  return out as T;
}

interface Lease {
  owner: string;
  expiresAt: number;
}

export class MemoryStateStore implements StateStore {
  private readonly leases = new Map<string, Lease>();
  private readonly targets = new Map<string, TargetRecord>();
  private readonly audit = new Map<string, AuditEntry[]>();
  private readonly switches = new Map<string, { paused?: boolean; dryRun?: boolean }>();
  private readonly overrides = new Map<string, Override>();
  private readonly recommendations = new Map<string, StoredRecommendation>();

  async acquireLease(targetId: string, owner: string, now: number, ttlSeconds: number): Promise<boolean> {
    const held = this.leases.get(targetId);
    if (held && held.owner !== owner && held.expiresAt > now) return false;
    this.leases.set(targetId, { owner, expiresAt: now + ttlSeconds * 1000 });
    return true;
  }

  async releaseLease(targetId: string, owner: string): Promise<void> {
    if (this.leases.get(targetId)?.owner === owner) this.leases.delete(targetId);
  }

  async getTarget(targetId: string): Promise<TargetRecord | undefined> {
    const r = this.targets.get(targetId);
    return r && copyOf(r);
  }

  async saveTarget(record: TargetRecord, owner: string): Promise<void> {
    if (this.leases.get(record.targetId)?.owner !== owner) throw new LeaseLostError(record.targetId, owner);
    const { firstSeen: _ignored, ...rest } = record;
    const firstSeen = this.targets.get(record.targetId)?.firstSeen;
    this.targets.set(record.targetId, copyOf(firstSeen ? { ...rest, firstSeen } : rest));
  }

  async recordFirstSeen(targetId: string, values: Readonly<Record<string, number>>, at: number): Promise<FirstSeen> {
    const existing = this.targets.get(targetId);
    if (existing?.firstSeen) return copyOf(existing.firstSeen);
    const firstSeen = { at, values: { ...values } };
    this.targets.set(targetId, { ...(existing ?? { targetId }), firstSeen });
    return copyOf(firstSeen);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const list = this.audit.get(entry.targetId) ?? [];
    list.push(copyOf(entry));
    this.audit.set(entry.targetId, list);
  }

  async listAudit(targetId: string, from: number, to: number, limit = 100): Promise<AuditEntry[]> {
    return (this.audit.get(targetId) ?? [])
      .filter((e) => e.at >= from && e.at <= to)
      .sort((a, b) => b.at - a.at)
      .slice(0, limit)
      .map((e) => copyOf(e));
  }

  async getSwitches(targetId: string): Promise<Switches> {
    const g = this.switches.get(ALL_TARGETS) ?? {};
    const t = this.switches.get(targetId) ?? {};
    return { paused: !!(g.paused || t.paused), dryRun: !!(g.dryRun || t.dryRun) };
  }

  async setSwitch(scope: SwitchScope, name: keyof Switches, value: boolean): Promise<void> {
    this.switches.set(scope, { ...this.switches.get(scope), [name]: value });
  }

  async getOverride(targetId: string): Promise<Override | undefined> {
    const o = this.overrides.get(targetId);
    return o && copyOf(o);
  }

  async setOverride(override: Override): Promise<void> {
    this.overrides.set(override.targetId, copyOf(override));
  }

  async listOverrides(): Promise<Override[]> {
    return [...this.overrides.values()].map((o) => copyOf(o));
  }

  async putRecommendation(recommendation: StoredRecommendation): Promise<void> {
    this.recommendations.set(recommendation.targetId, copyOf(recommendation));
  }

  async listRecommendations(): Promise<StoredRecommendation[]> {
    return [...this.recommendations.keys()].sort().map((id) => copyOf(this.recommendations.get(id) as StoredRecommendation));
  }
}
