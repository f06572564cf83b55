/** DynamoInvalidationStore against dynalite (a real DynamoDB implementation, in-process), in the state table's layout. */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { batchKey, DynamoInvalidationStore, MAX_BATCH_PATH_BYTES } from '../../../lambdas/state/invalidations-dynamo';
import { useDynalite } from '../../support/dynalite';
import { invalidationStoreContract } from './invalidations-contract';

const dynamo = useDynalite();
let doc: DynamoDBDocumentClient;
beforeAll(() => {
  doc = dynamo().doc;
});

async function makeStore(): Promise<{ store: DynamoInvalidationStore; tableName: string }> {
  const tableName = await dynamo().stateTable();
  return { store: new DynamoInvalidationStore({ tableName, client: doc }), tableName };
}

invalidationStoreContract('DynamoInvalidationStore (dynalite)', async () => (await makeStore()).store);

describe('DynamoInvalidationStore table layout', () => {
  const W = 1_748_779_200;

  test('one item per batch under pk=cdn#<target>, paths as a string set, a ttl once done', async () => {
    const { store, tableName } = await makeStore();
    await store.addPaths('cdn', W, ['/a', '/b']);
    await store.addPaths('cdn', W, ['/a']);
    const key = batchKey('cdn', W);
    expect(key).toEqual({ pk: 'cdn#cdn', sk: `batch#${W}` });
    let { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    expect(Item).toMatchObject({ status: 'open', windowStart: W, attempts: 0 });
    expect([...(Item!.paths as Set<string>)].sort()).toEqual(['/a', '/b']);
    const at = (W + 61) * 1000;
    await store.complete({ targetId: 'cdn', windowStart: W, outcome: 'sent', pathCount: 2, paths: ['/a', '/b'], invalidationId: 'I1', reason: 'r', at }, 35);
    ({ Item } = await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true })));
    expect(Item).toMatchObject({ status: 'done', outcome: 'sent', invalidationId: 'I1', ttl: W + 61 + 35 * 86_400 });
  });

  test('a batch past the item budget keeps further paths as their top directory wildcard', async () => {
    const { store } = await makeStore();
    const long = (i: number) => `/static/${'x'.repeat(1000)}/${i}.js`;
    const n = Math.ceil(MAX_BATCH_PATH_BYTES / 1000) + 5;
    for (let i = 0; i < n; i++) expect(await store.addPaths('cdn', W, [long(i)])).toBe(true);
    expect(await store.addPaths('cdn', W, ['/img/a.png'])).toBe(true);
    const [open] = await store.openBatches('cdn', W);
    expect(open.paths).toContain('/static/*');
    expect(open.paths).toContain('/img/*');
    expect(open.paths.length).toBeLessThan(n);
  });

  test('errors other than a failed condition propagate', async () => {
    const store = new DynamoInvalidationStore({ tableName: 'no-such-table', client: doc });
    await expect(store.addPaths('cdn', W, ['/a'])).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(store.openBatches('cdn', W)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
