/**
 * DynamoStateStore against dynalite: a real DynamoDB implementation running in-process, no mocks.
 * Every store gets a table of its own, laid out exactly as the Autoscaler construct creates it.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoStateStore } from '../../../lambdas/state/dynamo';
import { useDynalite } from '../../support/dynalite';
import { storeContract } from './store-contract';

const DAY_SECONDS = 86_400;

const dynamo = useDynalite();
let doc: DynamoDBDocumentClient;
beforeAll(() => {
  doc = dynamo().doc;
});

async function makeStore(): Promise<{ store: DynamoStateStore; tableName: string }> {
  const tableName = await dynamo().stateTable();
  return { store: new DynamoStateStore({ tableName, client: doc }), tableName };
}

storeContract('DynamoStateStore (dynalite)', async () => (await makeStore()).store);

describe('DynamoStateStore table layout', () => {
  test('an audit entry is stored under its target with a numeric ttl retentionDays ahead', async () => {
    const { store, tableName } = await makeStore();
    const at = Date.UTC(2025, 0, 15, 12, 0, 0, 345);
    await store.appendAudit({ targetId: 'web', at, outcome: 'dry-run', reason: 'CPU high' }, 30);

    const { Items = [] } = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
        ExpressionAttributeValues: { ':pk': 'target#web', ':audit': 'audit#' },
      }),
    );
    expect(Items).toHaveLength(1);
    const [item] = Items;
    expect(item.sk).toMatch(new RegExp(`^audit#${String(at).padStart(13, '0')}#[0-9a-z]{6}$`));
    expect(typeof item.ttl).toBe('number');
    expect(Number.isInteger(item.ttl)).toBe(true);
    expect(item.ttl).toBeGreaterThanOrEqual(Math.floor(at / 1000) + 30 * DAY_SECONDS);
    expect(item.ttl).toBeLessThanOrEqual(Math.ceil(at / 1000) + 30 * DAY_SECONDS);
  });

  test('the ttl follows retentionDays', async () => {
    const { store, tableName } = await makeStore();
    const at = Date.UTC(2025, 0, 15);
    await store.appendAudit({ targetId: 'web', at, outcome: 'held', reason: 'short' }, 1);
    await store.appendAudit({ targetId: 'web', at: at + 1, outcome: 'held', reason: 'long' }, 90);
    const { Items = [] } = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
        ExpressionAttributeValues: { ':pk': 'target#web', ':audit': 'audit#' },
      }),
    );
    const ttlByReason = Object.fromEntries(Items.map((i) => [i.reason, i.ttl]));
    expect(ttlByReason).toEqual({ short: at / 1000 + DAY_SECONDS, long: at / 1000 + 90 * DAY_SECONDS });
  });

  test('the record and the lease share one item; saving keeps the lease fields', async () => {
    const { store, tableName } = await makeStore();
    const now = Date.UTC(2025, 0, 15);
    await store.acquireLease('web', 'a', now, 30);
    await store.saveTarget({ targetId: 'web', memory: { streak: 2 }, lastActionAt: now }, 'a');

    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'target#web', sk: 'state' }, ConsistentRead: true }));
    expect(Item).toEqual({
      pk: 'target#web',
      sk: 'state',
      targetId: 'web',
      memory: { streak: 2 },
      lastActionAt: now,
      leaseOwner: 'a',
      leaseExpiresAt: now + 30_000,
    });
  });

  test('releasing the lease removes the lease fields only', async () => {
    const { store, tableName } = await makeStore();
    const now = Date.UTC(2025, 0, 15);
    await store.acquireLease('web', 'a', now, 30);
    await store.saveTarget({ targetId: 'web', lastActionAt: now }, 'a');
    await store.releaseLease('web', 'a');
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'target#web', sk: 'state' }, ConsistentRead: true }));
    expect(Item).toEqual({ pk: 'target#web', sk: 'state', targetId: 'web', lastActionAt: now });
  });

  test('switches live under pk=control, one item per scope', async () => {
    const { store, tableName } = await makeStore();
    await store.setSwitch('*', 'paused', true);
    await store.setSwitch('web', 'dryRun', true);
    const { Items = [] } = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'control' },
      }),
    );
    expect(Items).toEqual(
      expect.arrayContaining([
        { pk: 'control', sk: 'switch#*', paused: true },
        { pk: 'control', sk: 'switch#web', dryRun: true },
      ]),
    );
    expect(Items).toHaveLength(2);
  });

  test('undefined members of a record or an entry are dropped rather than rejected', async () => {
    const { store } = await makeStore();
    const now = Date.UTC(2025, 0, 15);
    await store.acquireLease('web', 'a', now, 30);
    await store.saveTarget({ targetId: 'web', memory: { kept: 1, dropped: undefined }, lastDecision: undefined }, 'a');
    expect(await store.getTarget('web')).toEqual({ targetId: 'web', memory: { kept: 1 } });
    await store.appendAudit({ targetId: 'web', at: now, outcome: 'held', reason: 'r', eventId: undefined }, 7);
    expect(await store.listAudit('web', now, now)).toEqual([{ targetId: 'web', at: now, outcome: 'held', reason: 'r' }]);
  });

  test('listAudit pages through more entries than one query returns', async () => {
    const { store, tableName } = await makeStore();
    const at = Date.UTC(2025, 0, 15);
    const reason = 'x'.repeat(20_000); // ~20 KB each: 60 entries are past the 1 MB page size
    for (let i = 0; i < 60; i++) await store.appendAudit({ targetId: 'web', at: at + i, outcome: 'held', reason }, 7);
    // The situation is real: one query does not return them all.
    const firstPage = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'target#web' },
        ScanIndexForward: false,
      }),
    );
    expect(firstPage.LastEvaluatedKey).toBeDefined();
    expect(firstPage.Items!.length).toBeLessThan(55);
    const listed = await store.listAudit('web', at, at + 1000, 55);
    expect(listed.map((e) => e.at)).toEqual(Array.from({ length: 55 }, (_, i) => at + 59 - i));
  });

  test('errors other than a failed condition propagate', async () => {
    const store = new DynamoStateStore({ tableName: 'no-such-table', client: doc });
    await expect(store.acquireLease('web', 'a', Date.now(), 30)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(store.releaseLease('web', 'a')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(store.saveTarget({ targetId: 'web' }, 'a')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
