/**
 * What every family's Lambda entry that keeps idempotency records adds to lambdas/shared/entry.ts:
 * parse or reject the event, make the work idempotent on the event's identity, inside the Powertools
 * middlewares; and, deployed, the idempotency table.
 */

import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { type DeployedBase, deployedBase, parseOrReject, withPowertools } from './entry';
import { IDEMPOTENCY_TABLE_ENV } from './environment';
import { dynamoPersistence, memoryPersistence } from './idempotency';
import type { Schema } from './validate';

export interface IdempotentEntryOptions<E, R> {
  /** The events this function takes. */
  readonly schema: Schema<E>;
  /** What makes two deliveries the same piece of work (the EventBridge id, a schedule's run time...). */
  readonly key: (event: E) => string;
  readonly handle: (event: E, key: string) => Promise<R>;
  /** Where idempotency records live. @default an in-memory layer (simulator, tests) */
  readonly persistence?: BasePersistenceLayer;
}

/** A family's entry: parse or reject, then the work once per event identity, inside the middlewares. */
export function idempotentEntry<E, R>(options: IdempotentEntryOptions<E, R>) {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: 3600 });
  // The result as Lambda returns it, JSON: Powertools' DynamoDB layer stores it with `marshall`, which
  // refuses an undefined field (a target result without an execution, say) and would fail the invocation.
  const asJson = (result: R): R => JSON.parse(JSON.stringify(result ?? null)) as R;
  const once = makeIdempotent(async (request: { key: string; event: E }) => asJson(await options.handle(request.event, request.key)), {
    persistenceStore: options.persistence ?? memoryPersistence(),
    config,
  });
  return withPowertools(async (event: unknown, context: Context): Promise<R> => {
    const parsed = parseOrReject(options.schema, event);
    config.registerLambdaContext(context);
    return once({ key: options.key(parsed), event: parsed }) as Promise<R>;
  });
}

/** `deployedBase` and the idempotency records on the function's table. */
export interface DeployedIdempotentBase extends DeployedBase {
  readonly idempotency: BasePersistenceLayer;
}

export function deployedIdempotentBase(): DeployedIdempotentBase {
  const idempotencyTable = process.env[IDEMPOTENCY_TABLE_ENV];
  if (!idempotencyTable) throw new Error(`${IDEMPOTENCY_TABLE_ENV} must be set`);
  const base = deployedBase();
  return { ...base, idempotency: dynamoPersistence(idempotencyTable, base.dynamo) };
}
