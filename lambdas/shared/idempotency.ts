/**
 * Idempotency persistence. Deployed: Powertools' DynamoDB layer on the idempotency table. Simulator
 * and tests: Powertools' cache layer over a Map, so the same idempotency code runs everywhere.
 */

import { CachePersistenceLayer } from '@aws-lambda-powertools/idempotency/cache';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export function dynamoPersistence(tableName: string, client?: DynamoDBClient): BasePersistenceLayer {
  return new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
}

type CacheValue = string | Buffer;

/** The few cache-client calls Powertools' CachePersistenceLayer makes, over a Map with expiry. */
export class MapCacheClient {
  private readonly items = new Map<string, { value: string; expiresAt: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  async get(name: string): Promise<CacheValue | null> {
    const item = this.items.get(name);
    if (!item) return null;
    if (item.expiresAt <= this.now()) {
      this.items.delete(name);
      return null;
    }
    return item.value;
  }

  async set(name: CacheValue, value: unknown, options?: unknown): Promise<CacheValue | null> {
    const key = String(name);
    const opts = (options ?? {}) as { EX?: number; NX?: boolean };
    if (opts.NX && (await this.get(key)) !== null) return null;
    const ttl = opts.EX ?? 3600;
    this.items.set(key, { value: String(value), expiresAt: this.now() + ttl * 1000 });
    return 'OK';
  }

  async del(keys: string[]): Promise<number> {
    let n = 0;
    for (const k of keys) if (this.items.delete(k)) n++;
    return n;
  }
}

export function memoryPersistence(): BasePersistenceLayer {
  return new CachePersistenceLayer({ client: new MapCacheClient() as never });
}
