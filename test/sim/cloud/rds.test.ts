import { DescribeDBInstancesCommand, RebootDBInstanceCommand } from '@aws-sdk/client-rds';
import { RdsAdapter } from '../../../lambdas/adapters/rds';
import { create, publish, type ReplicasState, reconcile } from '../../../lambdas/runbooks/replicas';
import { parseConfig } from '../../../lambdas/shared/config';
import { TerminalError } from '../../../lambdas/shared/errors';
import { ResourceBusyError } from '../../../lambdas/shared/runbook-errors';
import { MANAGED_BY_TAG, TARGET_TAG } from '../../../lambdas/shared/tags';
import { DELETE_SECONDS } from '../../../sim/cloud/rds';
import { dataCloud, runbookContext, START } from './data-fixtures';

const TAGS = { [MANAGED_BY_TAG]: 'shop', [TARGET_TAG]: 'orders-db' };

describe('FakeRds through RdsAdapter', () => {
  test('a replica is creating until readyAt, then available; the source lists it', async () => {
    const cloud = dataCloud({ provisioningSeconds: 600 });
    const rds = new RdsAdapter(cloud.rds);
    cloud.clock.advance(60);
    expect(await rds.createReadReplica({ id: 'orders-db-ro-1', sourceId: 'orders-primary', tags: TAGS })).toBe('created');
    expect(cloud.replicas.units).toEqual([{ id: 'orders-db-ro-1', createdAt: 60, readyAt: 660, tags: TAGS, instanceClass: undefined }]);

    const creating = await rds.requiredInstance('orders-db-ro-1');
    expect(creating).toMatchObject({
      status: 'creating',
      sourceId: 'orders-primary',
      instanceClass: 'db.r6g.large',
      engine: 'postgres',
      port: 5432,
      tags: TAGS,
      createdAt: START + 60_000,
    });
    expect(creating.address).toMatch(/^orders-db-ro-1\.[0-9a-f]{12}\.us-east-1\.rds\.amazonaws\.com$/);
    const source = await rds.requiredInstance('orders-primary');
    expect(source).toMatchObject({ status: 'available', replicaIds: ['orders-db-ro-1'], backupRetentionPeriod: 7, allocatedGiB: 200, engine: 'postgres' });
    expect(source.sourceId).toBeUndefined();
    // The endpoints share the account's and region's part.
    expect(source.address!.split('.').slice(1)).toEqual(creating.address!.split('.').slice(1));

    cloud.clock.advance(599);
    expect((await rds.requiredInstance('orders-db-ro-1')).status).toBe('creating');
    cloud.clock.advance(1);
    expect((await rds.requiredInstance('orders-db-ro-1')).status).toBe('available');
  });

  test('a second create of the same id is adopted ("exists") and adds nothing', async () => {
    const cloud = dataCloud();
    const rds = new RdsAdapter(cloud.rds);
    expect(await rds.createReadReplica({ id: 'orders-db-ro-1', sourceId: 'orders-primary', instanceClass: 'db.r6g.xlarge', tags: TAGS })).toBe('created');
    expect(await rds.createReadReplica({ id: 'orders-db-ro-1', sourceId: 'orders-primary', tags: TAGS })).toBe('exists');
    expect(cloud.replicas.units.map((u) => u.id)).toEqual(['orders-db-ro-1']);
    expect((await rds.requiredInstance('orders-db-ro-1')).instanceClass).toBe('db.r6g.xlarge');
    // The source's own name is taken too.
    expect(await rds.createReadReplica({ id: 'orders-primary', sourceId: 'orders-primary', tags: TAGS })).toBe('exists');
  });

  test('a deleted replica stops serving at once, shows deleting for DELETE_SECONDS, then is not found', async () => {
    const cloud = dataCloud({ provisioningSeconds: 100 });
    const rds = new RdsAdapter(cloud.rds);
    await rds.createReadReplica({ id: 'orders-db-ro-1', sourceId: 'orders-primary', tags: TAGS });
    cloud.clock.advance(200);
    expect(await rds.deleteInstance('orders-db-ro-1')).toBe('deleting');
    expect(cloud.replicas.units).toEqual([]);
    expect((await rds.requiredInstance('orders-db-ro-1')).status).toBe('deleting');
    expect((await rds.requiredInstance('orders-primary')).replicaIds).toEqual(['orders-db-ro-1']);
    // Its name stays taken while it is deleted; a second delete is refused as RDS does (the resource is busy).
    expect(await rds.createReadReplica({ id: 'orders-db-ro-1', sourceId: 'orders-primary', tags: TAGS })).toBe('exists');
    await expect(rds.deleteInstance('orders-db-ro-1')).rejects.toBeInstanceOf(ResourceBusyError);

    cloud.clock.advance(DELETE_SECONDS - 1);
    expect((await rds.instance('orders-db-ro-1'))?.status).toBe('deleting');
    cloud.clock.advance(1);
    expect(await rds.instance('orders-db-ro-1')).toBeUndefined();
    expect((await rds.requiredInstance('orders-primary')).replicaIds).toEqual([]);
    expect(await rds.deleteInstance('orders-db-ro-1')).toBe('gone');
    await expect(cloud.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'orders-db-ro-1' }))).rejects.toMatchObject({
      name: 'DBInstanceNotFoundFault',
      message: 'DBInstance orders-db-ro-1 not found.',
    });
    // The name is free again.
    expect(await rds.createReadReplica({ id: 'orders-db-ro-1', sourceId: 'orders-primary', tags: TAGS })).toBe('created');
  });

  test('errors map to the adapter classes: unknown source, no backups and bad ids are terminal', async () => {
    const cloud = dataCloud();
    const rds = new RdsAdapter(cloud.rds);
    const unknown = rds.createReadReplica({ id: 'orders-db-ro-1', sourceId: 'nope', tags: TAGS });
    await expect(unknown).rejects.toBeInstanceOf(TerminalError);
    await expect(unknown).rejects.toMatchObject({ code: 'DBInstanceNotFoundFault', message: expect.stringContaining('DBInstance nope not found.') });
    await expect(rds.createReadReplica({ id: 'bad--id', sourceId: 'orders-primary', tags: TAGS })).rejects.toMatchObject({
      code: 'InvalidParameterValue',
      message: expect.stringContaining('"bad--id"'),
    });
    await expect(rds.requiredInstance('nope')).rejects.toMatchObject({ code: 'DBInstanceNotFound' });
    await expect(rds.deleteInstance('orders-primary')).rejects.toMatchObject({ code: 'InvalidParameterCombination' });
    expect(await rds.cluster('reports-cluster')).toBeUndefined();

    const bare = dataCloud({ backupRetentionPeriod: 0 });
    // RDS answers InvalidDBInstanceState: the adapter waits it out (the runbook checks backups before).
    const noBackups = new RdsAdapter(bare.rds).createReadReplica({ id: 'orders-db-ro-1', sourceId: 'orders-primary', tags: TAGS });
    await expect(noBackups).rejects.toBeInstanceOf(ResourceBusyError);
    await expect(noBackups).rejects.toThrow('Automated backups are not enabled for this database instance (orders-primary)');
    expect(bare.replicas.units).toEqual([]);
    expect(cloud.replicas.units).toEqual([]);
  });

  test("every instance has a zone of the DB subnet group; a replica goes where it is asked, or to the source's", async () => {
    const cloud = dataCloud();
    const rds = new RdsAdapter(cloud.rds);
    expect(await rds.requiredInstance('orders-primary')).toMatchObject({
      availabilityZone: 'us-east-1a',
      subnetGroupZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    });
    await rds.createReadReplica({ id: 'orders-db-ro-1', sourceId: 'orders-primary', availabilityZone: 'us-east-1c', tags: TAGS });
    await rds.createReadReplica({ id: 'orders-db-ro-2', sourceId: 'orders-primary', tags: TAGS });
    expect(cloud.log.of('rds', 'CreateDBInstanceReadReplicaCommand').map((c) => (c.input as { AvailabilityZone?: string }).AvailabilityZone)).toEqual([
      'us-east-1c',
      undefined,
    ]);
    expect((await rds.requiredInstance('orders-db-ro-1')).availabilityZone).toBe('us-east-1c');
    expect((await rds.requiredInstance('orders-db-ro-2')).availabilityZone).toBe('us-east-1a');
    // A deleted replica keeps its zone while it is listed.
    await rds.deleteInstance('orders-db-ro-1');
    expect((await rds.requiredInstance('orders-db-ro-1')).availabilityZone).toBe('us-east-1c');

    const refused = await rds
      .createReadReplica({ id: 'orders-db-ro-3', sourceId: 'orders-primary', availabilityZone: 'us-east-1d', tags: TAGS })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(TerminalError);
    expect(refused.message).toMatch(/InvalidParameterCombination: No subnet in Availability Zone "us-east-1d" in DB subnet group default/);
    expect(cloud.replicas.units.map((u) => u.id)).toEqual(['orders-db-ro-2']);
  });

  test('Filters db-instance-id, the call log, and unknown commands are named', async () => {
    const cloud = dataCloud();
    const rds = new RdsAdapter(cloud.rds);
    await rds.createReadReplica({ id: 'orders-db-ro-1', sourceId: 'orders-primary', tags: TAGS });
    const res = await cloud.rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: ['orders-db-ro-1', 'nope'] }] }));
    expect(res.DBInstances.map((i: { DBInstanceIdentifier: string }) => i.DBInstanceIdentifier)).toEqual(['orders-db-ro-1']);
    expect((await cloud.rds.send(new DescribeDBInstancesCommand({}))).DBInstances).toHaveLength(2);
    expect(cloud.log.of('rds').map((c) => c.command)).toEqual([
      'CreateDBInstanceReadReplicaCommand',
      'DescribeDBInstancesCommand',
      'DescribeDBInstancesCommand',
    ]);
    expect(cloud.log.of('rds', 'CreateDBInstanceReadReplicaCommand')[0]).toMatchObject({ at: START, input: { SourceDBInstanceIdentifier: 'orders-primary' } });
    await expect(cloud.rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: 'orders-primary' }))).rejects.toThrow(
      'in-memory RDS does not implement RebootDBInstanceCommand',
    );
    await expect(rds.setInstanceClass('orders-primary', 'db.r6g.xlarge', true)).rejects.toThrow('in-memory RDS does not implement ModifyDBInstanceCommand');
  });
});

describe('the rds-replicas runbook tasks over FakeRds and FakeSsm', () => {
  test("replicas added one at a time spread over the subnet group's zones, the source's counted, the same way every time", async () => {
    const config = parseConfig({
      prefix: 'shop',
      targets: [{ kind: 'rds-replicas', id: 'orders-db', sourceInstanceIdentifier: 'orders-primary', minReplicas: 0, maxReplicas: 5 }],
    });
    const placed = async () => {
      const cloud = dataCloud({ provisioningSeconds: 60 });
      const ctx = runbookContext(config, cloud);
      for (let n = 1; n <= 5; n++) {
        let state: ReplicasState = await reconcile(ctx, { targetId: 'orders-db', desiredReplicas: n }, `add-${n}`);
        state = await create(ctx, state, `add-${n}`);
        while (state.step !== 'done') {
          cloud.clock.advance(state.waitSeconds ?? 60);
          state = await reconcile(ctx, state, `add-${n}`);
        }
      }
      const rds = new RdsAdapter(cloud.rds);
      return Promise.all(cloud.replicas.units.map(async (u) => `${u.id}:${(await rds.requiredInstance(u.id)).availabilityZone}`));
    };
    const zones = await placed();
    // The source holds us-east-1a.
    expect(zones).toEqual([
      'orders-db-ro-1:us-east-1b',
      'orders-db-ro-2:us-east-1c',
      'orders-db-ro-3:us-east-1a',
      'orders-db-ro-4:us-east-1b',
      'orders-db-ro-5:us-east-1c',
    ]);
    expect(await placed()).toEqual(zones);
  });

  test('adds one replica, waits for it, and publishes both readers', async () => {
    const config = parseConfig({
      prefix: 'shop',
      targets: [{ kind: 'rds-replicas', id: 'orders-db', sourceInstanceIdentifier: 'orders-primary', minReplicas: 1, maxReplicas: 3 }],
    });
    const cloud = dataCloud({ provisioningSeconds: 600 });
    const ctx = runbookContext(config, cloud);
    cloud.replicas.addReplica('orders-db-ro-1', TAGS);
    cloud.clock.advance(3600);

    let state: ReplicasState = await reconcile(ctx, { targetId: 'orders-db', desiredReplicas: 2 }, 'manual');
    expect(state).toMatchObject({ step: 'add', replicaId: 'orders-db-ro-2', engine: 'postgres', instanceClass: 'db.r6g.large' });
    state = await create(ctx, state, 'arn:aws:states:us-east-1:123456789012:execution:shop-rds-replicas:orders-db-add-2');
    // The source and ro-1 (placed before the autoscaler, in the source's zone) hold us-east-1a.
    expect(state.actions).toEqual(['created orders-db-ro-2 in us-east-1b']);
    expect(cloud.replicas.units.map((u) => u.id)).toEqual(['orders-db-ro-1', 'orders-db-ro-2']);
    expect(cloud.replicas.units[1].tags).toMatchObject({ ...TAGS, 'autoscaler:execution': expect.stringContaining('orders-db-add-2') });

    const waits: string[] = [];
    while (state.step === 'wait') {
      cloud.clock.advance(state.waitSeconds!);
      state = await reconcile(ctx, state, 'manual');
      waits.push(`${cloud.clock.seconds}:${state.step}`);
    }
    // Created at 3600, it serves at 4200: waits of 30, 60, 120 and 240 s reach 4050 (creating), then 300 s more.
    expect(waits).toEqual(['3630:wait', '3690:wait', '3810:wait', '4050:wait', '4350:done']);

    state = await publish(ctx, state);
    const param = cloud.ssm.parameters.get('/shop/orders-db/reader-endpoints');
    expect(param?.version).toBe(1);
    const published = JSON.parse(param!.value);
    expect(published.readers.map((r: { id: string; port: number }) => `${r.id}:${r.port}`)).toEqual(['orders-db-ro-1:5432', 'orders-db-ro-2:5432']);
    expect(published.readers[1].host).toMatch(/^orders-db-ro-2\..+\.rds\.amazonaws\.com$/);
    // Publishing the same readers again writes nothing.
    await publish(ctx, state);
    expect(cloud.ssm.parameters.get('/shop/orders-db/reader-endpoints')?.version).toBe(1);
    expect(cloud.log.of('ssm', 'PutParameterCommand')).toHaveLength(1);
  });
});
