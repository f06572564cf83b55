/**
 * dynalite, a real DynamoDB implementation, in-process for tests: tables laid out exactly as the
 * Autoscaler construct creates them, one new table per store so tests do not share state.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';

/** dynalite in-process, with tables laid out as the Autoscaler construct creates them. */
export class LocalDynamo {
  private tables = 0;
  private constructor(
    private readonly server: Server,
    readonly client: DynamoDBClient,
    readonly doc: DynamoDBDocumentClient,
  ) {}

  static async start(): Promise<LocalDynamo> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'dummy', secretAccessKey: 'dummy' },
    });
    return new LocalDynamo(server, client, DynamoDBDocumentClient.from(client));
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await new Promise<void>((resolve, reject) => this.server.close((err?: Error) => (err ? reject(err) : resolve())));
  }

  /** The state table: `pk`/`sk` strings. */
  stateTable(): Promise<string> {
    return this.create(`state-${++this.tables}`, [
      { name: 'pk', type: 'HASH' },
      { name: 'sk', type: 'RANGE' },
    ]);
  }

  /** Powertools' idempotency table: `id` string (TTL `expiration`). */
  idempotencyTable(): Promise<string> {
    return this.create(`idempotency-${++this.tables}`, [{ name: 'id', type: 'HASH' }]);
  }

  private async create(tableName: string, keys: { name: string; type: 'HASH' | 'RANGE' }[]): Promise<string> {
    await this.client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: 'S' })),
        KeySchema: keys.map((k) => ({ AttributeName: k.name, KeyType: k.type })),
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (let attempt = 0; attempt < 100; attempt++) {
      const { Table } = await this.client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return tableName;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`table ${tableName} did not become ACTIVE`);
  }
}

/** Starts dynalite before the file's tests and stops it after; the getter is valid inside tests. */
export function useDynalite(): () => LocalDynamo {
  let db: LocalDynamo | undefined;
  beforeAll(async () => {
    db = await LocalDynamo.start();
  });
  afterAll(async () => {
    await db?.stop();
  });
  return () => {
    if (!db) throw new Error('dynalite is not running');
    return db;
  };
}
