/**
 * DynamoDB implementation of the invalidation batch store, in the state table (pk/sk strings, TTL `ttl`):
 *
 *   pk=cdn#<targetId>  sk=batch#<10-digit window start, epoch s>   one item per batch, from open to done
 *
 * Only windows with events have an item. Paths are a string set (`ADD`, so a redelivered event adds
 * nothing); the plan is frozen once with a conditional write; `done` keeps the batch (and its path
 * count for the monthly budget) until `ttl`. A batch's item stays after it is done, so a late event
 * for its window is refused instead of opening the window again.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DoneBatch, InvalidationStore, OpenBatch } from './invalidations';

export interface DynamoInvalidationStoreProps {
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
}

/** Paths past this many bytes in one batch are kept as their top directory's wildcard (items hold 400 KB). */
export const MAX_BATCH_PATH_BYTES = 200_000;
/** Open batches are kept this long even if never planned (an unsent batch is not worth keeping longer). */
const OPEN_TTL_SECONDS = 40 * 86_400;

type Item = Record<string, unknown>;

export const batchKey = (targetId: string, windowStart: number) => ({ pk: `cdn#${targetId}`, sk: `batch#${pad(windowStart)}` });

export class DynamoInvalidationStore implements InvalidationStore {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(props: DynamoInvalidationStoreProps) {
    if (!props.tableName) throw new Error('tableName must not be empty');
    this.tableName = props.tableName;
    this.client = props.client;
  }

  async addPaths(targetId: string, windowStart: number, paths: readonly string[]): Promise<boolean> {
    if (paths.length === 0) return this.isOpen(targetId, windowStart);
    const bytes = paths.reduce((n, p) => n + Buffer.byteLength(p), 0);
    try {
      await this.add(targetId, windowStart, paths, bytes, true);
      return true;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    // Refused: closed (planned or done), or full. A full open batch keeps wildcards of top directories instead.
    if (!(await this.isOpen(targetId, windowStart))) return false;
    const wildcards = [...new Set(paths.map(topWildcard))];
    try {
      await this.add(targetId, windowStart, wildcards, 0, false);
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  private async add(targetId: string, windowStart: number, paths: readonly string[], bytes: number, limitBytes: boolean): Promise<void> {
    const condition = ['(attribute_not_exists(#status) OR (#status = :open AND attribute_not_exists(#planned)))'];
    if (limitBytes) condition.push('(attribute_not_exists(#bytes) OR #bytes < :maxBytes)');
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: batchKey(targetId, windowStart),
        UpdateExpression:
          'SET #targetId = :targetId, #windowStart = :windowStart, #status = :open, #attempts = if_not_exists(#attempts, :zero), #ttl = if_not_exists(#ttl, :ttl) ADD #paths :paths, #bytes :bytes',
        ConditionExpression: condition.join(' AND '),
        ExpressionAttributeNames: {
          '#targetId': 'targetId',
          '#windowStart': 'windowStart',
          '#status': 'status',
          '#attempts': 'attempts',
          '#ttl': 'ttl',
          '#paths': 'paths',
          '#bytes': 'bytes',
          '#planned': 'planned',
        },
        ExpressionAttributeValues: {
          ':targetId': targetId,
          ':windowStart': windowStart,
          ':open': 'open',
          ':zero': 0,
          ':ttl': windowStart + OPEN_TTL_SECONDS,
          ':paths': new Set(paths),
          ':bytes': bytes,
          ...(limitBytes ? { ':maxBytes': MAX_BATCH_PATH_BYTES } : {}),
        },
      }),
    );
  }

  private async isOpen(targetId: string, windowStart: number): Promise<boolean> {
    const item = await this.get(targetId, windowStart);
    return !item || (item.status === 'open' && item.planned === undefined);
  }

  private async get(targetId: string, windowStart: number): Promise<Item | undefined> {
    const { Item: item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: batchKey(targetId, windowStart), ConsistentRead: true }));
    return item;
  }

  async openBatches(targetId: string, upTo: number): Promise<OpenBatch[]> {
    const items = await this.query(targetId, 0, upTo, 'open');
    return items.map((i) => ({
      targetId,
      windowStart: Number(i.windowStart),
      paths: [...((i.paths as Set<string> | undefined) ?? [])].sort(),
      planned: i.planned as string[] | undefined,
      attempts: Number(i.attempts ?? 0),
      lastError: i.lastError as string | undefined,
    }));
  }

  async plan(targetId: string, windowStart: number, paths: readonly string[]): Promise<string[] | undefined> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: batchKey(targetId, windowStart),
          UpdateExpression: 'SET #planned = :planned',
          ConditionExpression: '#status = :open AND attribute_not_exists(#planned)',
          ExpressionAttributeNames: { '#planned': 'planned', '#status': 'status' },
          ExpressionAttributeValues: { ':planned': [...paths], ':open': 'open' },
        }),
      );
      return [...paths];
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    const item = await this.get(targetId, windowStart);
    if (item?.status !== 'open') return undefined;
    return item.planned as string[] | undefined;
  }

  async noteRetry(targetId: string, windowStart: number, error: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: batchKey(targetId, windowStart),
          UpdateExpression: 'SET #lastError = :error ADD #attempts :one',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#lastError': 'lastError', '#attempts': 'attempts', '#status': 'status' },
          ExpressionAttributeValues: { ':error': error, ':one': 1, ':open': 'open' },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }

  async complete(done: DoneBatch, retentionDays: number): Promise<void> {
    const values: Item = {
      ':done': 'done',
      ':targetId': done.targetId,
      ':windowStart': done.windowStart,
      ':outcome': done.outcome,
      ':pathCount': done.pathCount,
      ':donePaths': [...done.paths],
      ':reason': done.reason,
      ':at': done.at,
      ':ttl': Math.floor(done.at / 1000) + Math.round(retentionDays * 86_400),
    };
    const names: Record<string, string> = {
      '#status': 'status',
      '#targetId': 'targetId',
      '#windowStart': 'windowStart',
      '#outcome': 'outcome',
      '#pathCount': 'pathCount',
      '#donePaths': 'donePaths',
      '#reason': 'reason',
      '#at': 'at',
      '#ttl': 'ttl',
    };
    const set = Object.keys(names).map((n) => `${n} = ${n === '#status' ? ':done' : `:${n.slice(1)}`}`);
    if (done.invalidationId !== undefined) {
      names['#invalidationId'] = 'invalidationId';
      values[':invalidationId'] = done.invalidationId;
      set.push('#invalidationId = :invalidationId');
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: batchKey(done.targetId, done.windowStart),
          UpdateExpression: `SET ${set.join(', ')}`,
          // Done once: a repeated completion (a retried flush) leaves the first record as it is.
          ConditionExpression: 'attribute_not_exists(#status) OR #status <> :done',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }

  async doneBatches(targetId: string, from: number, to: number): Promise<DoneBatch[]> {
    const items = await this.query(targetId, from, to, 'done');
    return items.map((i) => {
      const d: DoneBatch = {
        targetId,
        windowStart: Number(i.windowStart),
        outcome: i.outcome as DoneBatch['outcome'],
        pathCount: Number(i.pathCount ?? 0),
        paths: (i.donePaths as string[] | undefined) ?? [],
        reason: String(i.reason ?? ''),
        at: Number(i.at),
      };
      return i.invalidationId === undefined ? d : { ...d, invalidationId: String(i.invalidationId) };
    });
  }

  private async query(targetId: string, from: number, to: number, status: 'open' | 'done'): Promise<Item[]> {
    if (from > to || to < 0) return [];
    const { pk } = batchKey(targetId, 0);
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          FilterExpression: '#status = :status',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#status': 'status' },
          ExpressionAttributeValues: { ':pk': pk, ':from': batchKey(targetId, Math.max(0, from)).sk, ':to': batchKey(targetId, to).sk, ':status': status },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

/** `/static/css/app.css` -> `/static/*`; a path at the root -> `/*`. */
function topWildcard(path: string): string {
  const parts = path.split('/');
  return parts.length > 2 ? `/${parts[1]}/*` : '/*';
}

function pad(seconds: number): string {
  return String(Math.max(0, Math.floor(seconds))).padStart(10, '0');
}

function isConditionalCheckFailed(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}
