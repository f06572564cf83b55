/**
 * RDS: the source instance (or Aurora cluster), its read replicas, and the calls that add, remove and
 * resize them. Every write names the resource absolutely (a deterministic identifier, a target size),
 * so a repeated call finds the work done instead of doing it twice.
 */
import {
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  type DBInstance,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  type Tag,
} from '@aws-sdk/client-rds';
import { awsErrorName, TerminalError } from '../shared/errors';
import { ResourceBusyError } from '../shared/runbook-errors';
import type { SendClient } from './types';

/** The RDS errors a resource in a transitional state raises: they pass if waited out. */
const BUSY = new Set(['InvalidDBInstanceState', 'InvalidDBInstanceStateFault', 'InvalidDBClusterStateFault', 'InvalidDBClusterState']);
/** RDS errors that fail the same way every time. */
const TERMINAL = new Set([
  'InsufficientDBInstanceCapacity',
  'InsufficientDBInstanceCapacityFault',
  'InstanceQuotaExceeded',
  'InstanceQuotaExceededFault',
  'StorageQuotaExceeded',
  'StorageQuotaExceededFault',
  'InvalidParameterCombination',
  'InvalidParameterValue',
  'DBInstanceNotFound',
  'DBInstanceNotFoundFault',
  'DBClusterNotFoundFault',
  'StorageTypeNotSupported',
  'StorageTypeNotSupportedFault',
  'AccessDenied',
  'AccessDeniedException',
]);

/** Maps an SDK error to what the runbook does with it: wait it out, stop, or let Step Functions retry. */
export function classifyRdsError(err: unknown, what: string): Error {
  const name = awsErrorName(err);
  const text = `${what}: ${name}: ${(err as Error).message}`;
  if (BUSY.has(name)) return new ResourceBusyError(text);
  if (TERMINAL.has(name)) return new TerminalError(text, name, err);
  return err as Error;
}

export interface DbInstanceInfo {
  readonly id: string;
  readonly status: string;
  readonly instanceClass?: string;
  readonly engine?: string;
  readonly backupRetentionPeriod: number;
  readonly allocatedGiB?: number;
  readonly maxAllocatedGiB?: number;
  readonly address?: string;
  readonly port?: number;
  readonly createdAt?: number;
  readonly replicaIds: readonly string[];
  readonly sourceId?: string;
  readonly clusterId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly pendingStorageGiB?: number;
  /** A class change waiting for the maintenance window (or being applied). */
  readonly pendingInstanceClass?: string;
  /** The zone it runs in (a Multi-AZ instance: its primary's). */
  readonly availabilityZone?: string;
  /** The zones of its DB subnet group's subnets, by name, each once (DescribeDBInstances returns the group with the instance). */
  readonly subnetGroupZones: readonly string[];
}

function tagsOf(tags: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key) out[t.Key] = t.Value ?? '';
  return out;
}

function info(i: DBInstance): DbInstanceInfo {
  return {
    id: i.DBInstanceIdentifier!,
    status: i.DBInstanceStatus ?? 'unknown',
    instanceClass: i.DBInstanceClass,
    engine: i.Engine,
    backupRetentionPeriod: i.BackupRetentionPeriod ?? 0,
    allocatedGiB: i.AllocatedStorage,
    maxAllocatedGiB: i.MaxAllocatedStorage,
    address: i.Endpoint?.Address,
    port: i.Endpoint?.Port,
    createdAt: i.InstanceCreateTime ? new Date(i.InstanceCreateTime).getTime() : undefined,
    replicaIds: i.ReadReplicaDBInstanceIdentifiers ?? [],
    sourceId: i.ReadReplicaSourceDBInstanceIdentifier,
    clusterId: i.DBClusterIdentifier,
    tags: tagsOf(i.TagList),
    pendingStorageGiB: i.PendingModifiedValues?.AllocatedStorage,
    pendingInstanceClass: i.PendingModifiedValues?.DBInstanceClass,
    availabilityZone: i.AvailabilityZone,
    subnetGroupZones: [
      ...new Set((i.DBSubnetGroup?.Subnets ?? []).flatMap((s) => (s.SubnetAvailabilityZone?.Name ? [s.SubnetAvailabilityZone.Name] : []))),
    ].sort(),
  };
}

export interface DbClusterInfo {
  readonly id: string;
  readonly status: string;
  readonly engine?: string;
  readonly backupRetentionPeriod: number;
  readonly members: readonly { readonly id: string; readonly writer: boolean }[];
  /** The zones of the cluster volume's copies: a new Aurora instance goes to one of them (CreateDBInstance, AvailabilityZone). */
  readonly availabilityZones: readonly string[];
}

export class RdsAdapter {
  constructor(private readonly client: SendClient) {}

  /** The instance, or undefined when it does not exist. */
  async instance(id: string): Promise<DbInstanceInfo | undefined> {
    try {
      const res = await this.client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
      const i = res.DBInstances?.[0] as DBInstance | undefined;
      return i ? info(i) : undefined;
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'DBInstanceNotFound' || name === 'DBInstanceNotFoundFault') return undefined;
      throw err;
    }
  }

  /** The instance, or a terminal DBInstanceNotFound error naming it. */
  async requiredInstance(id: string): Promise<DbInstanceInfo> {
    const i = await this.instance(id);
    if (!i) throw new TerminalError(`instance "${id}" not found`, 'DBInstanceNotFound');
    return i;
  }

  async cluster(id: string): Promise<DbClusterInfo | undefined> {
    try {
      const res = await this.client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
      const c = res.DBClusters?.[0];
      if (!c) return undefined;
      return {
        id: c.DBClusterIdentifier!,
        status: c.Status ?? 'unknown',
        engine: c.Engine,
        backupRetentionPeriod: c.BackupRetentionPeriod ?? 0,
        members: (c.DBClusterMembers ?? []).map((m: { DBInstanceIdentifier?: string; IsClusterWriter?: boolean }) => ({
          id: m.DBInstanceIdentifier!,
          writer: m.IsClusterWriter === true,
        })),
        availabilityZones: c.AvailabilityZones ?? [],
      };
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'DBClusterNotFoundFault' || name === 'DBClusterNotFound') return undefined;
      throw err;
    }
  }

  /** Every instance in a list of identifiers that still exists. */
  async instances(ids: readonly string[]): Promise<DbInstanceInfo[]> {
    const out: DbInstanceInfo[] = [];
    for (const id of ids) {
      const i = await this.instance(id);
      if (i) out.push(i);
    }
    return out;
  }

  /**
   * Creates a read replica of `sourceId`, in `availabilityZone` when one is given (unset: "a random,
   * system-chosen Availability Zone", CreateDBInstanceReadReplica). A replica in the source's region
   * takes the source's DB subnet group (DBSubnetGroupName is refused for one: DBSubnetGroupNotAllowedFault),
   * so its zone must be one of that group's.
   */
  async createReadReplica(args: {
    id: string;
    sourceId: string;
    instanceClass?: string;
    availabilityZone?: string;
    tags: Record<string, string>;
  }): Promise<'created' | 'exists'> {
    try {
      await this.client.send(
        new CreateDBInstanceReadReplicaCommand({
          DBInstanceIdentifier: args.id,
          SourceDBInstanceIdentifier: args.sourceId,
          DBInstanceClass: args.instanceClass,
          AvailabilityZone: args.availabilityZone,
          CopyTagsToSnapshot: true,
          Tags: Object.entries(args.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      return 'created';
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'DBInstanceAlreadyExists' || name === 'DBInstanceAlreadyExistsFault') return 'exists';
      throw classifyRdsError(err, `CreateDBInstanceReadReplica ${args.id} of ${args.sourceId}`);
    }
  }

  /**
   * Creates a reader in an Aurora cluster, in `availabilityZone` when one is given: for Aurora, one of
   * the three zones that hold the cluster volume's copies (CreateDBInstance, AvailabilityZone); unset,
   * Aurora chooses.
   */
  async createClusterReader(args: {
    id: string;
    clusterId: string;
    engine: string;
    instanceClass: string;
    availabilityZone?: string;
    tags: Record<string, string>;
  }): Promise<'created' | 'exists'> {
    try {
      await this.client.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: args.id,
          DBClusterIdentifier: args.clusterId,
          Engine: args.engine,
          DBInstanceClass: args.instanceClass,
          AvailabilityZone: args.availabilityZone,
          Tags: Object.entries(args.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      return 'created';
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'DBInstanceAlreadyExists' || name === 'DBInstanceAlreadyExistsFault') return 'exists';
      throw classifyRdsError(err, `CreateDBInstance ${args.id} in cluster ${args.clusterId}`);
    }
  }

  /**
   * Deletes a read replica (or an Aurora reader); already gone counts as done. The safest deletion AWS
   * allows: DeleteDBInstance requires SkipFinalSnapshot for a read replica and refuses a
   * FinalDBSnapshotIdentifier for one (RDS API reference, DeleteDBInstance), so no final snapshot can
   * be kept; its automated backups, if it has any, are retained (DeleteAutomatedBackups false; AWS's
   * default deletes them) unless `deleteAutomatedBackups`. An Aurora reader holds no data of its own:
   * the cluster volume stays with the cluster, and only SkipFinalSnapshot is sent.
   */
  async deleteInstance(id: string, opts: { readonly aurora?: boolean; readonly deleteAutomatedBackups?: boolean } = {}): Promise<'deleting' | 'gone'> {
    try {
      await this.client.send(
        new DeleteDBInstanceCommand(
          opts.aurora
            ? { DBInstanceIdentifier: id, SkipFinalSnapshot: true }
            : { DBInstanceIdentifier: id, SkipFinalSnapshot: true, DeleteAutomatedBackups: opts.deleteAutomatedBackups === true },
        ),
      );
      return 'deleting';
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'DBInstanceNotFound' || name === 'DBInstanceNotFoundFault') return 'gone';
      throw classifyRdsError(err, `DeleteDBInstance ${id}`);
    }
  }

  async setAllocatedStorage(id: string, allocatedGiB: number): Promise<void> {
    try {
      await this.client.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: id, AllocatedStorage: allocatedGiB, ApplyImmediately: true }));
    } catch (err) {
      throw classifyRdsError(err, `ModifyDBInstance ${id} AllocatedStorage ${allocatedGiB}`);
    }
  }

  /** Moves the instance to another class, now or in its next maintenance window. */
  async setInstanceClass(id: string, instanceClass: string, applyImmediately: boolean): Promise<void> {
    try {
      await this.client.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: id, DBInstanceClass: instanceClass, ApplyImmediately: applyImmediately }));
    } catch (err) {
      throw classifyRdsError(err, `ModifyDBInstance ${id} DBInstanceClass ${instanceClass}`);
    }
  }
}
