/**
 * In-memory RDS for the database workload: one PostgreSQL source instance and its read replicas, the
 * replicas read from and created in a ReplicaBackend (sim/data/backends.ts). A replica is `creating`
 * until it serves, then `available`; a deleted one stops serving at once but shows `deleting` to
 * DescribeDBInstances for DELETE_SECONDS before it is not found, as RDS keeps it listed while it tears
 * it down. Every instance has an availability zone, one of the DB subnet group's, which a replica
 * shares with its source (a replica in the source's region takes the source's group). There is no
 * Aurora in the simulation: every cluster is not found.
 */

import { MAX_REPLICAS_PER_SOURCE } from '../../lambdas/engine/replicas';
import type { ReplicaBackend, ReplicaUnit } from '../data/backends';
import { type CallLog, commandName, FakeServiceError, metadata, uuidLike } from './recorder';

/** Seconds a deleted instance shows `deleting` before DescribeDBInstances no longer finds it. */
export const DELETE_SECONDS = 300;

/** The simulated source (primary) instance. */
export interface RdsSourceConfig {
  readonly id: string;
  readonly instanceClass: string;
  readonly engine: 'postgres';
  readonly engineVersion: string;
  /** Days of automated backups; 0 means none, and RDS refuses read replicas. */
  readonly backupRetentionPeriod: number;
  readonly allocatedGiB: number;
}

export interface FakeRdsOptions {
  readonly source: RdsSourceConfig;
  readonly backend: ReplicaBackend;
  readonly log: CallLog;
  /** Epoch ms of the trace's second 0, to turn the backend's seconds into dates. @default 0 */
  readonly start?: number;
  /** @default us-east-1 */
  readonly region?: string;
  /** @default 123456789012 */
  readonly account?: string;
  /**
   * The zones of the source's DB subnet group; the source runs in the first.
   * @default the region's a, b and c
   */
  readonly subnetZones?: readonly string[];
}

/** Days before the trace start at which the source was created (it exists before the trace). */
const SOURCE_AGE_DAYS = 30;
const PORT = 5432;

/**
 * RDS DB instance identifiers: 1-63 letters, digits or hyphens, starting with a letter, not ending
 * with a hyphen, no two consecutive hyphens (CreateDBInstanceReadReplica, DBInstanceIdentifier).
 */
const IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]{0,62}$/;

interface Deleted {
  readonly unit: ReplicaUnit;
  /** Seconds from the trace start. */
  readonly deletedAt: number;
}

function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function tagsOf(input: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (input === undefined) return out;
  if (!Array.isArray(input)) throw new FakeServiceError('InvalidParameterValue', `Tags must be a list of {Key, Value}, got ${JSON.stringify(input)}.`);
  for (const t of input as { Key?: unknown; Value?: unknown }[]) {
    if (typeof t?.Key !== 'string' || t.Key.length === 0)
      throw new FakeServiceError('InvalidParameterValue', `Tag key must be a non-empty string, got ${JSON.stringify(t?.Key)}.`);
    out[t.Key] = typeof t.Value === 'string' ? t.Value : '';
  }
  return out;
}

/** The fake RDS client: `send` answers the commands of lambdas/adapters/rds.ts that a source instance with replicas needs. */
export class FakeRds {
  private readonly source: RdsSourceConfig;
  private readonly backend: ReplicaBackend;
  private readonly log: CallLog;
  private readonly start: number;
  private readonly region: string;
  private readonly account: string;
  /** Replicas deleted less than DELETE_SECONDS ago, by id. */
  private readonly deleted = new Map<string, Deleted>();
  private readonly subnetZones: readonly string[];
  /** The zone of each replica, by id, as long as it is listed. */
  private readonly zones = new Map<string, string>();
  private requests = 0;
  /** The 12-character part of the endpoints, computed once. */
  private endpointHash?: string;

  constructor(options: FakeRdsOptions) {
    this.source = options.source;
    this.backend = options.backend;
    this.log = options.log;
    this.start = options.start ?? 0;
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
    this.subnetZones = options.subnetZones ?? ['a', 'b', 'c'].map((z) => `${this.region}${z}`);
    if (this.subnetZones.length === 0) throw new Error('the DB subnet group needs at least one zone');
    if (!IDENTIFIER.test(this.source.id)) throw new Error(`source instance id "${this.source.id}" is not a valid RDS identifier`);
  }

  async send(command: { input?: any }): Promise<any> {
    const name = commandName(command);
    const input = command.input ?? {};
    this.log.record('rds', name, input);
    const meta = metadata(uuidLike(`rds/${++this.requests}`));
    this.forgetDeleted();
    switch (name) {
      case 'DescribeDBInstancesCommand': {
        if (input.DBInstanceIdentifier !== undefined) {
          const id = this.identifier(input.DBInstanceIdentifier);
          const found = this.describeAll().find((i) => i.DBInstanceIdentifier === id);
          if (!found) throw this.notFound(id);
          return { DBInstances: [found], ...meta };
        }
        let all = this.describeAll();
        for (const f of (input.Filters ?? []) as { Name?: string; Values?: string[] }[]) {
          if (f.Name !== 'db-instance-id') throw new Error(`in-memory RDS does not implement the DescribeDBInstances filter ${String(f.Name)}`);
          const wanted = new Set((f.Values ?? []).map((v) => this.lastPart(v).toLowerCase()));
          all = all.filter((i) => wanted.has(i.DBInstanceIdentifier));
        }
        return { DBInstances: all, ...meta };
      }
      case 'DescribeDBClustersCommand': {
        if (input.DBClusterIdentifier !== undefined) {
          throw new FakeServiceError('DBClusterNotFoundFault', `DBCluster ${String(input.DBClusterIdentifier)} not found.`);
        }
        return { DBClusters: [], ...meta };
      }
      case 'CreateDBInstanceReadReplicaCommand':
        return { DBInstance: this.createReplica(input), ...meta };
      case 'DeleteDBInstanceCommand':
        return { DBInstance: this.deleteReplica(input), ...meta };
      default:
        throw new Error(`in-memory RDS does not implement ${name}`);
    }
  }

  private createReplica(input: any) {
    const id = this.identifier(input.DBInstanceIdentifier);
    if (!IDENTIFIER.test(id)) {
      throw new FakeServiceError(
        'InvalidParameterValue',
        `The parameter DBInstanceIdentifier is not a valid identifier: "${id}". Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`,
      );
    }
    const sourceId = this.identifier(input.SourceDBInstanceIdentifier);
    if (sourceId !== this.source.id) {
      // A replica of a replica (cascading) is not modelled: the simulation has one source.
      if (this.backend.replicas().some((r) => r.id === sourceId)) throw new Error(`in-memory RDS does not implement replicas of replica ${sourceId}`);
      throw this.notFound(sourceId);
    }
    if (this.exists(id)) throw new FakeServiceError('DBInstanceAlreadyExistsFault', `DB instance already exists: ${id}`);
    if (this.source.backupRetentionPeriod < 1) {
      throw new FakeServiceError(
        'InvalidDBInstanceStateFault',
        `Automated backups are not enabled for this database instance (${this.source.id}). To enable automated backups, use ModifyDBInstance to set the backup retention period to a non-zero value.`,
      );
    }
    if (this.backend.replicas().length >= MAX_REPLICAS_PER_SOURCE) {
      throw new FakeServiceError(
        'InvalidParameterCombination',
        `DB instance ${this.source.id} already has ${MAX_REPLICAS_PER_SOURCE} read replicas, the most RDS allows; ${id} cannot be created.`,
      );
    }
    const instanceClass: string | undefined = input.DBInstanceClass;
    if (instanceClass !== undefined && !/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(instanceClass)) {
      throw new FakeServiceError('InvalidParameterValue', `Invalid DB Instance class: ${instanceClass}`);
    }
    const zone: unknown = input.AvailabilityZone;
    if (zone !== undefined && (typeof zone !== 'string' || !this.subnetZones.includes(zone))) {
      // RDS refuses a zone the replica's subnet group has no subnet in; the simulation names it this way.
      throw new FakeServiceError(
        'InvalidParameterCombination',
        `No subnet in Availability Zone ${JSON.stringify(zone)} in DB subnet group default (${this.subnetZones.join(', ')}).`,
      );
    }
    this.backend.addReplica(id, tagsOf(input.Tags), instanceClass);
    // Unasked, RDS picks "a random, system-chosen Availability Zone"; the simulation picks the source's,
    // the least spread of its choices, so a replica placed without a zone shows as such.
    this.zones.set(id, zone ?? this.subnetZones[0]);
    const unit = this.backend.replicas().find((r) => r.id === id);
    if (!unit) throw new Error(`the replica backend did not keep ${id} after addReplica`);
    return this.describeReplica(unit, this.backend.now() < unit.readyAt ? 'creating' : 'available');
  }

  private deleteReplica(input: any) {
    const id = this.identifier(input.DBInstanceIdentifier);
    if (id === this.source.id) {
      // The simulated source is protected, as a production primary is.
      throw new FakeServiceError('InvalidParameterCombination', `Cannot delete protected DB Instance ${id}, please disable deletion protection and try again.`);
    }
    if (this.deleted.has(id)) throw new FakeServiceError('InvalidDBInstanceStateFault', `Instance ${id} is already being deleted.`);
    const unit = this.backend.replicas().find((r) => r.id === id);
    if (!unit) throw this.notFound(id);
    this.backend.removeReplica(id);
    this.deleted.set(id, { unit, deletedAt: this.backend.now() });
    return this.describeReplica(unit, 'deleting');
  }

  /** Drops deleted replicas whose DELETE_SECONDS are over. */
  private forgetDeleted(): void {
    const now = this.backend.now();
    for (const [id, d] of this.deleted) {
      if (now < d.deletedAt + DELETE_SECONDS) continue;
      this.deleted.delete(id);
      this.zones.delete(id);
    }
  }

  private exists(id: string): boolean {
    return id === this.source.id || this.deleted.has(id) || this.backend.replicas().some((r) => r.id === id);
  }

  private identifier(raw: unknown): string {
    if (typeof raw !== 'string' || raw.length === 0)
      throw new FakeServiceError('InvalidParameterValue', `DBInstanceIdentifier must be a non-empty string, got ${JSON.stringify(raw)}.`);
    // RDS identifiers are not case-sensitive and are stored in lowercase; an ARN names the instance too.
    return this.lastPart(raw).toLowerCase();
  }

  private lastPart(s: string): string {
    return s.startsWith('arn:') ? s.slice(s.lastIndexOf(':') + 1) : s;
  }

  private notFound(id: string): FakeServiceError {
    return new FakeServiceError('DBInstanceNotFoundFault', `DBInstance ${id} not found.`);
  }

  private date(seconds: number): Date {
    return new Date(this.start + seconds * 1000);
  }

  /** The source, then every replica (oldest first), then the ones being deleted. */
  private describeAll() {
    const replicas = this.backend.replicas();
    const now = this.backend.now();
    return [
      this.describeSource(),
      ...replicas.map((r) => this.describeReplica(r, now < r.readyAt ? 'creating' : 'available')),
      ...[...this.deleted.values()].map((d) => this.describeReplica(d.unit, 'deleting')),
    ];
  }

  /** An instance's resource id, by identifier: the same every time it is described. */
  private readonly resourceIds = new Map<string, string>();

  private resourceId(id: string): string {
    let r = this.resourceIds.get(id);
    if (r === undefined) {
      r = `db-${uuidLike(`rds/${id}`).replace(/-/g, '').slice(0, 26).toUpperCase()}`;
      this.resourceIds.set(id, r);
    }
    return r;
  }

  /** The subnet ids of the DB subnet group, by zone. */
  private subnetIds?: readonly string[];

  private common(id: string) {
    // The 12-character part of RDS endpoints is fixed per account and region.
    this.endpointHash ??= uuidLike(`rds/${this.account}/${this.region}`).replace(/-/g, '').slice(0, 12);
    const hash = this.endpointHash;
    this.subnetIds ??= this.subnetZones.map((z) => `subnet-${uuidLike(`subnet/${z}`).replace(/-/g, '').slice(0, 17)}`);
    const subnetIds = this.subnetIds;
    return {
      DBInstanceIdentifier: id,
      DBInstanceArn: `arn:aws:rds:${this.region}:${this.account}:db:${id}`,
      DbiResourceId: this.resourceId(id),
      Engine: this.source.engine,
      EngineVersion: this.source.engineVersion,
      Endpoint: { Address: `${id}.${hash}.${this.region}.rds.amazonaws.com`, Port: PORT, HostedZoneId: 'Z2R2ITUGPM61AM' },
      AllocatedStorage: this.source.allocatedGiB,
      StorageType: 'gp3',
      MultiAZ: false,
      PubliclyAccessible: false,
      DBSubnetGroup: {
        DBSubnetGroupName: 'default',
        SubnetGroupStatus: 'Complete',
        Subnets: this.subnetZones.map((z, i) => ({
          SubnetIdentifier: subnetIds[i],
          SubnetAvailabilityZone: { Name: z },
          SubnetStatus: 'Active',
        })),
      },
    };
  }

  private describeSource() {
    const id = this.source.id;
    const now = this.backend.now();
    const replicaIds = [...this.backend.replicas().map((r) => r.id), ...[...this.deleted.keys()]];
    return {
      ...this.common(id),
      DBInstanceStatus: 'available',
      DBInstanceClass: this.source.instanceClass,
      InstanceCreateTime: this.date(-SOURCE_AGE_DAYS * 86_400),
      BackupRetentionPeriod: this.source.backupRetentionPeriod,
      LatestRestorableTime: this.source.backupRetentionPeriod > 0 ? this.date(Math.max(now - 300, -SOURCE_AGE_DAYS * 86_400)) : undefined,
      AvailabilityZone: this.subnetZones[0],
      DeletionProtection: true,
      ReadReplicaDBInstanceIdentifiers: replicaIds,
      TagList: [],
      PendingModifiedValues: {},
    };
  }

  private describeReplica(r: ReplicaUnit, status: 'creating' | 'available' | 'deleting') {
    return {
      ...this.common(r.id),
      DBInstanceStatus: status,
      DBInstanceClass: r.instanceClass ?? this.source.instanceClass,
      InstanceCreateTime: this.date(r.createdAt),
      // RDS keeps no automated backups of PostgreSQL read replicas unless asked.
      BackupRetentionPeriod: 0,
      // A replica the backend holds but this client did not create (a trace's starting fleet) runs in the source's zone.
      AvailabilityZone: this.zones.get(r.id) ?? this.subnetZones[0],
      DeletionProtection: false,
      ReadReplicaSourceDBInstanceIdentifier: this.source.id,
      ReadReplicaDBInstanceIdentifiers: [],
      StatusInfos: status === 'available' ? [{ StatusType: 'read replication', Normal: true, Status: 'replicating' }] : [],
      TagList: tagList(r.tags),
      PendingModifiedValues: {},
    };
  }
}
