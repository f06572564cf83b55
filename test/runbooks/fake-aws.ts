/**
 * RDS, ElastiCache and SSM as the runbooks see them, answered at the SDK boundary (aws-sdk-client-mock:
 * these services have no local implementation). Resources change state the way AWS does: a replica is
 * `creating` for a few looks before it is `available`, a resize is `modifying` for a few looks.
 */

import {
  DecreaseReplicaCountCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  IncreaseReplicaCountCommand,
  ListAllowedNodeTypeModificationsCommand,
  ModifyReplicationGroupCommand,
  ModifyReplicationGroupShardConfigurationCommand,
} from '@aws-sdk/client-elasticache';
import {
  CreateDBInstanceCommand,
  CreateDBInstanceReadReplicaCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, type ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';

export function awsError(name: string, message = name): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

export interface FakeInstance {
  id: string;
  status: string;
  sourceId?: string;
  clusterId?: string;
  instanceClass?: string;
  engine?: string;
  backupRetentionPeriod?: number;
  allocatedGiB?: number;
  tags?: Record<string, string>;
  createdAt?: number;
  /** Looks (describes) left before a transitional status settles. */
  settlesIn?: number;
  /** What the status becomes when it settles; undefined while deleting means gone. */
  settlesTo?: string;
  /** The class it moves to when it settles (applied now), or at the maintenance window (pending). */
  pendingClass?: string;
  /** Whether `pendingClass` waits for the maintenance window. */
  pendingInWindow?: boolean;
  /** Its availability zone. */
  zone?: string;
  /** The zones of its DB subnet group (none: described without subnets). */
  subnetZones?: string[];
}

/** An injected fault: thrown by the next `times` calls of a command. */
export interface Fault {
  readonly error: Error;
  times: number;
}

export class FakeRds {
  readonly client = new RDSClient({ region: 'us-east-1' });
  readonly mock = mockClient(this.client);
  readonly instances = new Map<string, FakeInstance>();
  readonly clusters = new Map<string, { id: string; status: string; engine: string; backupRetentionPeriod: number; availabilityZones?: string[] }>();
  readonly faults: Partial<Record<'create' | 'delete' | 'modify', Fault>> = {};
  /** Looks a new replica stays `creating`, and a deleted one `deleting`. */
  settleLooks = 2;
  /** What a new replica becomes. */
  settleTo = 'available';
  private clock = 1_700_000_000_000;

  constructor() {
    this.mock.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier: string }) => {
      const i = this.look(input.DBInstanceIdentifier);
      if (!i) throw awsError('DBInstanceNotFoundFault', `DBInstance ${input.DBInstanceIdentifier} not found.`);
      return { DBInstances: [this.render(i)] };
    });
    this.mock.on(DescribeDBClustersCommand).callsFake((input: { DBClusterIdentifier: string }) => {
      const c = this.clusters.get(input.DBClusterIdentifier);
      if (!c) throw awsError('DBClusterNotFoundFault');
      const members = [...this.instances.values()].filter((i) => i.clusterId === c.id);
      return {
        DBClusters: [
          {
            DBClusterIdentifier: c.id,
            Status: c.status,
            Engine: c.engine,
            BackupRetentionPeriod: c.backupRetentionPeriod,
            AvailabilityZones: c.availabilityZones,
            DBClusterMembers: members.map((m) => ({ DBInstanceIdentifier: m.id, IsClusterWriter: m.tags?.role === 'writer' })),
          },
        ],
      };
    });
    this.mock
      .on(CreateDBInstanceReadReplicaCommand)
      .callsFake(
        (input: {
          DBInstanceIdentifier: string;
          SourceDBInstanceIdentifier: string;
          DBInstanceClass?: string;
          AvailabilityZone?: string;
          Tags?: { Key: string; Value: string }[];
        }) => {
          this.fault('create');
          if (this.instances.has(input.DBInstanceIdentifier)) throw awsError('DBInstanceAlreadyExistsFault');
          const source = this.instances.get(input.SourceDBInstanceIdentifier)!;
          this.checkZone(input.AvailabilityZone, source.subnetZones);
          this.add({
            zone: input.AvailabilityZone,
            subnetZones: source.subnetZones,
            id: input.DBInstanceIdentifier,
            status: 'creating',
            sourceId: source.id,
            instanceClass: input.DBInstanceClass ?? source.instanceClass,
            engine: source.engine,
            tags: Object.fromEntries((input.Tags ?? []).map((t) => [t.Key, t.Value])),
            settlesIn: this.settleLooks,
            settlesTo: this.settleTo,
          });
          return { DBInstance: { DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: 'creating' } };
        },
      );
    this.mock
      .on(CreateDBInstanceCommand)
      .callsFake(
        (input: {
          DBInstanceIdentifier: string;
          DBClusterIdentifier: string;
          Engine: string;
          DBInstanceClass: string;
          AvailabilityZone?: string;
          Tags?: { Key: string; Value: string }[];
        }) => {
          this.fault('create');
          if (this.instances.has(input.DBInstanceIdentifier)) throw awsError('DBInstanceAlreadyExistsFault');
          const writer = [...this.instances.values()].find((i) => i.clusterId === input.DBClusterIdentifier && i.tags?.role === 'writer');
          this.checkZone(input.AvailabilityZone, writer?.subnetZones);
          const volume = this.clusters.get(input.DBClusterIdentifier)?.availabilityZones;
          if (input.AvailabilityZone !== undefined && volume && !volume.includes(input.AvailabilityZone)) {
            throw awsError('InvalidParameterCombination', `${input.AvailabilityZone} holds no copy of the cluster volume (${volume.join(', ')})`);
          }
          this.add({
            zone: input.AvailabilityZone,
            subnetZones: writer?.subnetZones,
            id: input.DBInstanceIdentifier,
            status: 'creating',
            clusterId: input.DBClusterIdentifier,
            instanceClass: input.DBInstanceClass,
            engine: input.Engine,
            tags: Object.fromEntries((input.Tags ?? []).map((t) => [t.Key, t.Value])),
            settlesIn: this.settleLooks,
            settlesTo: 'available',
          });
          return { DBInstance: { DBInstanceIdentifier: input.DBInstanceIdentifier, DBInstanceStatus: 'creating' } };
        },
      );
    this.mock.on(DeleteDBInstanceCommand).callsFake((input: { DBInstanceIdentifier: string }) => {
      this.fault('delete');
      const i = this.instances.get(input.DBInstanceIdentifier);
      if (!i) throw awsError('DBInstanceNotFoundFault');
      if (i.status === 'deleting') throw awsError('InvalidDBInstanceStateFault', 'Instance is already being deleted.');
      Object.assign(i, { status: 'deleting', settlesIn: this.settleLooks, settlesTo: undefined });
      return { DBInstance: { DBInstanceIdentifier: i.id, DBInstanceStatus: 'deleting' } };
    });
    this.mock
      .on(ModifyDBInstanceCommand)
      .callsFake((input: { DBInstanceIdentifier: string; AllocatedStorage?: number; DBInstanceClass?: string; ApplyImmediately?: boolean }) => {
        this.fault('modify');
        const i = this.instances.get(input.DBInstanceIdentifier);
        if (!i) throw awsError('DBInstanceNotFoundFault');
        if (i.status !== 'available') throw awsError('InvalidDBInstanceStateFault', `Database instance is in a state that cannot be modified: ${i.status}`);
        if (input.DBInstanceClass && !input.ApplyImmediately) {
          Object.assign(i, { pendingClass: input.DBInstanceClass, pendingInWindow: true });
        } else if (input.DBInstanceClass) {
          Object.assign(i, {
            status: 'modifying',
            settlesIn: this.settleLooks,
            settlesTo: 'available',
            pendingClass: input.DBInstanceClass,
            pendingInWindow: false,
          });
        } else {
          Object.assign(i, {
            status: 'modifying',
            settlesIn: this.settleLooks,
            settlesTo: 'storage-optimization',
            allocatedGiB: input.AllocatedStorage ?? i.allocatedGiB,
          });
        }
        return { DBInstance: { DBInstanceIdentifier: i.id, DBInstanceStatus: i.status } };
      });
  }

  add(i: FakeInstance): FakeInstance {
    this.clock += 60_000;
    const full = { backupRetentionPeriod: 7, createdAt: i.status === 'creating' ? undefined : this.clock, tags: {}, ...i };
    this.instances.set(i.id, full);
    return full;
  }

  /** A zone outside the subnet group is refused. */
  private checkZone(zone: string | undefined, subnetZones: string[] | undefined): void {
    if (zone !== undefined && subnetZones && !subnetZones.includes(zone)) {
      throw awsError('InvalidParameterCombination', `No subnet in ${zone} in the DB subnet group (${subnetZones.join(', ')})`);
    }
  }

  /** The calls made of one command, as their inputs. */
  calls(command: new (input: never) => unknown): Record<string, unknown>[] {
    return this.mock.commandCalls(command as never).map((c) => c.args[0].input as Record<string, unknown>);
  }

  private fault(kind: 'create' | 'delete' | 'modify'): void {
    const f = this.faults[kind];
    if (f && f.times > 0) {
      f.times--;
      throw f.error;
    }
  }

  /** One describe: transitional states move one look closer to settling. */
  private look(id: string): FakeInstance | undefined {
    const i = this.instances.get(id);
    if (!i || i.settlesIn === undefined) return i;
    i.settlesIn--;
    if (i.settlesIn > 0) return i;
    i.settlesIn = undefined;
    if (i.status === 'deleting') {
      this.instances.delete(id);
      return undefined;
    }
    this.clock += 60_000;
    i.status = i.settlesTo ?? 'available';
    if (i.pendingClass && !i.pendingInWindow) Object.assign(i, { instanceClass: i.pendingClass, pendingClass: undefined });
    i.createdAt ??= this.clock;
    return i;
  }

  private render(i: FakeInstance) {
    const replicas = [...this.instances.values()].filter((r) => r.sourceId === i.id).map((r) => r.id);
    return {
      DBInstanceIdentifier: i.id,
      DBInstanceStatus: i.status,
      DBInstanceClass: i.instanceClass ?? 'db.r6g.large',
      Engine: i.engine ?? 'postgres',
      BackupRetentionPeriod: i.backupRetentionPeriod,
      AllocatedStorage: i.allocatedGiB,
      Endpoint: i.status === 'creating' ? undefined : { Address: `${i.id}.abc123.us-east-1.rds.amazonaws.com`, Port: 5432 },
      InstanceCreateTime: i.createdAt ? new Date(i.createdAt) : undefined,
      ReadReplicaDBInstanceIdentifiers: replicas,
      ReadReplicaSourceDBInstanceIdentifier: i.sourceId,
      DBClusterIdentifier: i.clusterId,
      TagList: Object.entries(i.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      PendingModifiedValues: i.pendingClass ? { DBInstanceClass: i.pendingClass } : {},
      AvailabilityZone: i.zone,
      DBSubnetGroup: i.subnetZones
        ? { DBSubnetGroupName: 'shop-db', Subnets: i.subnetZones.map((z) => ({ SubnetIdentifier: `subnet-${z}`, SubnetAvailabilityZone: { Name: z } })) }
        : undefined,
    };
  }
}

export class FakeElastiCache {
  readonly client = new ElastiCacheClient({ region: 'us-east-1' });
  readonly mock = mockClient(this.client);
  group = {
    id: 'shop-cache',
    status: 'available',
    nodeType: 'cache.r7g.large',
    clusterMode: false,
    shards: 1,
    replicas: 1,
    settlesIn: 0,
    pending: {} as { nodeType?: string; shards?: number; replicas?: number },
  };
  allowed = { up: ['cache.r7g.xlarge', 'cache.r7g.2xlarge'], down: [] as string[] };
  /** Looks the group stays `snapshotting` before it can be modified. */
  snapshottingLooks = 0;
  readonly faults: Partial<Record<'modify', Fault>> = {};
  settleLooks = 3;

  constructor() {
    this.mock.on(DescribeReplicationGroupsCommand).callsFake((input: { ReplicationGroupId: string }) => {
      if (input.ReplicationGroupId !== this.group.id) throw awsError('ReplicationGroupNotFoundFault');
      const g = this.group;
      if (this.snapshottingLooks > 0) this.snapshottingLooks--;
      if (g.settlesIn > 0 && --g.settlesIn === 0) Object.assign(g, { status: 'available', ...g.pending, pending: {} });
      return {
        ReplicationGroups: [
          {
            ReplicationGroupId: g.id,
            Status: g.status,
            CacheNodeType: g.nodeType,
            ClusterEnabled: g.clusterMode,
            SnapshottingClusterId: this.snapshottingLooks > 0 ? `${g.id}-001` : undefined,
            MemberClusters: Array.from({ length: g.shards * (1 + g.replicas) }, (_, i) => `${g.id}-00${i + 1}`),
            NodeGroups: Array.from({ length: g.shards }, (_, i) => ({
              NodeGroupId: String(i + 1).padStart(4, '0'),
              NodeGroupMembers: Array.from({ length: 1 + g.replicas }, () => ({})),
            })),
          },
        ],
      };
    });
    this.mock
      .on(ListAllowedNodeTypeModificationsCommand)
      .callsFake(() => ({ ScaleUpModifications: this.allowed.up, ScaleDownModifications: this.allowed.down }));
    const change = (pending: { nodeType?: string; shards?: number; replicas?: number }) => {
      const f = this.faults.modify;
      if (f && f.times > 0) {
        f.times--;
        throw f.error;
      }
      if (this.group.status !== 'available') throw awsError('InvalidReplicationGroupStateFault', `Replication group ${this.group.id} is not available`);
      Object.assign(this.group, { status: 'modifying', settlesIn: this.settleLooks, pending });
      return { ReplicationGroup: { ReplicationGroupId: this.group.id, Status: 'modifying' } };
    };
    this.mock.on(ModifyReplicationGroupCommand).callsFake((input: { CacheNodeType: string }) => change({ nodeType: input.CacheNodeType }));
    this.mock.on(IncreaseReplicaCountCommand).callsFake((input: { NewReplicaCount: number }) => change({ replicas: input.NewReplicaCount }));
    this.mock.on(DecreaseReplicaCountCommand).callsFake((input: { NewReplicaCount: number }) => change({ replicas: input.NewReplicaCount }));
    this.mock.on(ModifyReplicationGroupShardConfigurationCommand).callsFake((input: { NodeGroupCount: number }) => {
      if (!this.group.clusterMode) throw awsError('InvalidParameterCombinationException', 'Cluster mode is not enabled');
      return change({ shards: input.NodeGroupCount });
    });
  }

  calls(command: new (input: never) => unknown): Record<string, unknown>[] {
    return this.mock.commandCalls(command as never).map((c) => c.args[0].input as Record<string, unknown>);
  }
}

export class FakeSsm {
  readonly client = new SSMClient({ region: 'us-east-1' });
  readonly mock = mockClient(this.client);
  readonly parameters = new Map<string, string>();

  constructor() {
    this.mock.on(GetParameterCommand).callsFake((input: { Name: string }) => {
      const v = this.parameters.get(input.Name);
      if (v === undefined) throw awsError('ParameterNotFound');
      return { Parameter: { Name: input.Name, Value: v } };
    });
    this.mock.on(PutParameterCommand).callsFake((input: { Name: string; Value: string }) => {
      this.parameters.set(input.Name, input.Value);
      return { Version: 1 };
    });
  }
}

/** One hosted zone's records, sorted by name as Route 53 lists them. */
export class FakeRoute53 {
  readonly client = new Route53Client({ region: 'us-east-1' });
  readonly mock = mockClient(this.client);
  records: ResourceRecordSet[] = [];

  constructor() {
    this.mock.on(ListResourceRecordSetsCommand).callsFake((input: { StartRecordName?: string }) => {
      const sorted = [...this.records].sort(
        (a, b) => (a.Name ?? '').localeCompare(b.Name ?? '') || (a.SetIdentifier ?? '').localeCompare(b.SetIdentifier ?? ''),
      );
      return { ResourceRecordSets: sorted.filter((r) => (r.Name ?? '') >= (input.StartRecordName ?? '')), IsTruncated: false, MaxItems: 300 };
    });
    this.mock
      .on(ChangeResourceRecordSetsCommand)
      .callsFake((input: { ChangeBatch: { Changes: { Action: string; ResourceRecordSet: ResourceRecordSet }[] } }) => {
        for (const c of input.ChangeBatch.Changes) {
          const same = (r: ResourceRecordSet) =>
            r.Name === c.ResourceRecordSet.Name && r.Type === c.ResourceRecordSet.Type && r.SetIdentifier === c.ResourceRecordSet.SetIdentifier;
          if (c.Action === 'DELETE' && !this.records.some(same)) throw awsError('InvalidChangeBatch', 'record not found');
          this.records = this.records.filter((r) => !same(r));
          if (c.Action !== 'DELETE') this.records.push(c.ResourceRecordSet);
        }
        return { ChangeInfo: { Id: '/change/C1', Status: 'PENDING' } };
      });
  }
}
