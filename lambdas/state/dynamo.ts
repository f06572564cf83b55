/**
 * DynamoDB state store: the deployed implementation of StateStore.
 *
 * One table (the Autoscaler construct creates it): partition key `pk` (S), sort key `sk` (S), TTL
 * attribute `ttl` (epoch seconds), on-demand.
 *
 *   pk=target#<id>  sk=state                     target record + lease (leaseOwner, leaseExpiresAt ms)
 *   pk=target#<id>  sk=audit#<13-digit ms>#<rnd>  audit entry, expires through `ttl`
 *   pk=control      sk=switch#<scope>            switches (`paused`, `dryRun`) of a target or of `*`
 *   pk=control      sk=override#<id>             an operator's override of a target, removed through `ttl`
 *   pk=recommendation sk=<id>                    the latest recommendation of a target (the daily recommender)
 *
 * Every read of a target record or a switch is strongly consistent. Every attribute name goes through
 * an expression placeholder, so reserved words (`ttl`, `memory`, ...) never matter.
 */
import { randomBytes } from 'node:crypto';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
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

export interface DynamoStateStoreProps {
  /** Name of the state table (pk/sk strings, TTL on `ttl`). */
  readonly tableName: string;
  /** Document client; the store strips undefined values itself, so no marshall options are needed. */
  readonly client: DynamoDBDocumentClient;
}

const STATE_SK = 'state';
const CONTROL_PK = 'control';
const AUDIT_PREFIX = 'audit#';
const SWITCH_PREFIX = 'switch#';
const OVERRIDE_PREFIX = 'override#';
/** One partition holds every target's latest recommendation: the API lists them with one Query. */
const RECOMMENDATION_PK = 'recommendation';
const SUFFIX_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const SUFFIX_LENGTH = 6;
/** Sorts after every suffix character, so `audit#<ms>#~` bounds all entries of that millisecond. */
const SUFFIX_CEILING = '~';
const DEFAULT_AUDIT_LIMIT = 100;
const MAX_QUERY_PAGE = 1000;
const AUDIT_PUT_ATTEMPTS = 3;
const BATCH_GET_ATTEMPTS = 5;
const INTERNAL_ATTRIBUTES = ['pk', 'sk', 'ttl', 'leaseOwner', 'leaseExpiresAt'];

type Item = Record<string, unknown>;

export const targetKey = (targetId: string) => ({ pk: `target#${targetId}`, sk: STATE_SK });
export const switchKey = (scope: SwitchScope) => ({ pk: CONTROL_PK, sk: `${SWITCH_PREFIX}${scope}` });
export const overrideKey = (targetId: string) => ({ pk: CONTROL_PK, sk: `${OVERRIDE_PREFIX}${targetId}` });
export const recommendationKey = (targetId: string) => ({ pk: RECOMMENDATION_PK, sk: targetId });
/** Sort key of an audit entry: zero-padded epoch ms (13 digits), then a random suffix against collisions. */
export const auditSortKey = (at: number, suffix: string) => `${AUDIT_PREFIX}${pad(at)}#${suffix}`;

export class DynamoStateStore implements StateStore {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(props: DynamoStateStoreProps) {
    if (!props.tableName) throw new Error('tableName must not be empty');
    this.tableName = props.tableName;
    this.client = props.client;
  }

  async acquireLease(targetId: string, owner: string, now: number, ttlSeconds: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: targetKey(targetId),
          UpdateExpression: 'SET #owner = :owner, #expires = :expires',
          // A lease that expires at `now` is over, as in the memory store (expiresAt > now holds it).
          ConditionExpression: 'attribute_not_exists(#owner) OR #owner = :owner OR #expires <= :now',
          ExpressionAttributeNames: { '#owner': 'leaseOwner', '#expires': 'leaseExpiresAt' },
          ExpressionAttributeValues: { ':owner': owner, ':now': now, ':expires': now + ttlSeconds * 1000 },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  async releaseLease(targetId: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: targetKey(targetId),
          UpdateExpression: 'REMOVE #owner, #expires',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'leaseOwner', '#expires': 'leaseExpiresAt' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }

  async getTarget(targetId: string): Promise<TargetRecord | undefined> {
    const { Item: item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: targetKey(targetId), ConsistentRead: true }));
    // An item holding only a lease was never saved: the memory store has no record for it either.
    if (!item || item.targetId === undefined) return undefined;
    return stripInternal(item) as unknown as TargetRecord;
  }

  async saveTarget(record: TargetRecord, owner: string): Promise<void> {
    // UpdateItem, not PutItem: the lease fields on the same item must survive the save.
    const names: Record<string, string> = { '#owner': 'leaseOwner', '#targetId': 'targetId' };
    const values: Record<string, unknown> = { ':owner': owner, ':targetId': record.targetId };
    const set = ['#targetId = :targetId'];
    const remove: string[] = [];
    // `firstSeen` is not among them: recordFirstSeen writes it once and a save never touches it.
    for (const field of ['memory', 'lastDecision', 'lastActionAt', 'lastExecution', 'lastFailure', 'metrics'] as const) {
      names[`#${field}`] = field;
      const value = record[field];
      if (value === undefined) {
        // The memory store replaces the whole record, so a field left out of it is gone.
        remove.push(`#${field}`);
      } else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = withoutUndefined(value);
      }
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: targetKey(record.targetId),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (isConditionalCheckFailed(err)) throw new LeaseLostError(record.targetId, owner);
      throw err;
    }
  }

  async recordFirstSeen(targetId: string, values: Readonly<Record<string, number>>, at: number): Promise<FirstSeen> {
    const firstSeen: FirstSeen = { at, values: { ...values } };
    try {
      // No lease condition: only the absence of an earlier record. The item's targetId is set too, so
      // a record holding only this is a record, as in the memory store.
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: targetKey(targetId),
          UpdateExpression: 'SET #firstSeen = :firstSeen, #targetId = if_not_exists(#targetId, :targetId)',
          ConditionExpression: 'attribute_not_exists(#firstSeen)',
          ExpressionAttributeNames: { '#firstSeen': 'firstSeen', '#targetId': 'targetId' },
          ExpressionAttributeValues: { ':firstSeen': firstSeen, ':targetId': targetId },
        }),
      );
      return firstSeen;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    const { Item: item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: targetKey(targetId),
        ConsistentRead: true,
        ProjectionExpression: '#firstSeen',
        ExpressionAttributeNames: { '#firstSeen': 'firstSeen' },
      }),
    );
    return item!.firstSeen as FirstSeen;
  }

  async appendAudit(entry: AuditEntry, retentionDays: number): Promise<void> {
    const { pk } = targetKey(entry.targetId);
    const ttl = Math.floor(entry.at / 1000) + Math.round(retentionDays * 86400);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...(withoutUndefined(entry) as Item), pk, sk: auditSortKey(entry.at, randomSuffix()), ttl },
            // Two entries in the same millisecond with the same suffix must not overwrite each other.
            ConditionExpression: 'attribute_not_exists(#sk)',
            ExpressionAttributeNames: { '#sk': 'sk' },
          }),
        );
        return;
      } catch (err) {
        if (!isConditionalCheckFailed(err) || attempt >= AUDIT_PUT_ATTEMPTS) throw err;
      }
    }
  }

  async listAudit(targetId: string, from: number, to: number, limit = DEFAULT_AUDIT_LIMIT): Promise<AuditEntry[]> {
    // Whole entries only, as Array.slice counts them in the memory store.
    limit = Math.floor(limit);
    // DynamoDB rejects BETWEEN with its bounds reversed and a Limit below 1; the answer is empty anyway.
    if (from > to || limit < 1 || to < 0) return [];
    const entries: AuditEntry[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: {
            ':pk': targetKey(targetId).pk,
            ':from': `${AUDIT_PREFIX}${pad(Math.max(0, from))}#`,
            ':to': `${AUDIT_PREFIX}${pad(to)}#${SUFFIX_CEILING}`,
          },
          ScanIndexForward: false,
          Limit: Math.min(limit - entries.length, MAX_QUERY_PAGE),
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const entry = stripInternal(item) as unknown as AuditEntry;
        // The key holds whole milliseconds; keep the range exact for fractional bounds.
        if (entry.at >= from && entry.at <= to) entries.push(entry);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && entries.length < limit);
    return entries.slice(0, limit);
  }

  async getSwitches(targetId: string): Promise<Switches> {
    const scopes = targetId === ALL_TARGETS ? [ALL_TARGETS] : [ALL_TARGETS, targetId];
    const items = await this.batchGet(scopes.map(switchKey));
    return {
      paused: items.some((i) => i.paused === true),
      dryRun: items.some((i) => i.dryRun === true),
    };
  }

  async setSwitch(scope: SwitchScope, name: keyof Switches, value: boolean): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: switchKey(scope),
        UpdateExpression: 'SET #name = :value',
        ExpressionAttributeNames: { '#name': name },
        ExpressionAttributeValues: { ':value': value },
      }),
    );
  }

  async getOverride(targetId: string): Promise<Override | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: overrideKey(targetId), ConsistentRead: true }));
    return out.Item ? (stripInternal(out.Item) as unknown as Override) : undefined;
  }

  async setOverride(override: Override): Promise<void> {
    // DynamoDB removes the item some time after its TTL; readers judge `expiresAt` themselves.
    const item = { ...(withoutUndefined(override) as Item), ...overrideKey(override.targetId), ttl: Math.ceil(override.expiresAt / 1000) };
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async listOverrides(): Promise<Override[]> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': CONTROL_PK, ':prefix': OVERRIDE_PREFIX },
      ConsistentRead: true,
    });
    return items as unknown as Override[];
  }

  async putRecommendation(recommendation: StoredRecommendation): Promise<void> {
    const item = { ...(withoutUndefined(recommendation) as Item), ...recommendationKey(recommendation.targetId) };
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async listRecommendations(): Promise<StoredRecommendation[]> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':pk': RECOMMENDATION_PK },
    });
    return items as unknown as StoredRecommendation[];
  }

  /** Every item one query finds, page after page, without the table's own attributes. */
  private async queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
    const found: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: startKey }));
      for (const item of page.Items ?? []) found.push(stripInternal(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  /** Strongly consistent BatchGetItem, retrying unprocessed keys with a short backoff. */
  private async batchGet(keys: Item[]): Promise<Item[]> {
    const found: Item[] = [];
    let pending = keys;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const out = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(out.Responses?.[this.tableName] ?? []));
      pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (pending.length === 0) break;
      if (attempt >= BATCH_GET_ATTEMPTS) {
        throw new Error(`BatchGetItem left ${pending.length} key(s) unprocessed after ${attempt} attempts`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
    return found;
  }
}

function isConditionalCheckFailed(err: unknown): boolean {
  // By name, not instanceof: lib-dynamodb and client-dynamodb may resolve to different copies.
  return (err as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

function pad(ms: number): string {
  return String(Math.floor(ms)).padStart(13, '0');
}

function randomSuffix(): string {
  return Array.from(randomBytes(SUFFIX_LENGTH), (b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}

function stripInternal(item: Item): Item {
  const out: Item = { ...item };
  for (const name of INTERNAL_ATTRIBUTES) delete out[name];
  return out;
}

/** Drops undefined object members (and turns undefined list elements into null, as JSON does). */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : withoutUndefined(v)));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Item = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
    return out;
  }
  return value;
}
