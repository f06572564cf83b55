/**
 * The cdn family's fault harness: the real cdn handler (zod parsing, CdnService, the CloudFront
 * adapter), the real DynamoStateStore and DynamoInvalidationStore on dynalite (one table, as
 * deployed), and an in-memory CloudFront with CloudFront's own rules: a repeated CallerReference with
 * the same paths returns the first invalidation, another set of paths under it is refused
 * (InvalidationBatchAlreadyExists); an invalidation is InProgress for five minutes, then Completed.
 * Every call is recorded in the same CallLog the simulator's services use.
 */
import type { Context } from 'aws-lambda';
import type { Notification } from '../../lambdas/adapters/sns';
import type { SendClient } from '../../lambdas/adapters/types';
import { createCdnHandler } from '../../lambdas/scalers/cdn/handler';
import type { CdnResult } from '../../lambdas/scalers/cdn/service';
import { type AutoscalerConfig, parseConfig } from '../../lambdas/shared/config';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import { DynamoInvalidationStore } from '../../lambdas/state/invalidations-dynamo';
import type { AuditEntry, StateStore } from '../../lambdas/state/store';
import { type FaultOptions, withFaults } from '../../sim/cloud/faults';
import { type ApiCall, CallLog, commandName, FakeServiceError, metadata, uuidLike } from '../../sim/cloud/recorder';
import s3Fixture from '../fixtures/s3-object-created.json';
import type { LocalDynamo } from '../support/dynalite';
import { Clock, isWrite, lambdaContext, scheduleEvent } from './support';
import { callHook, type FamilyPath } from './support-families';

export const DISTRIBUTION = 'E2QWRUHAPOMQZL';
const BUCKET = s3Fixture.detail.bucket.name;
const IN_PROGRESS_MS = 300_000;

interface Invalidation {
  readonly distributionId: string;
  readonly id: string;
  readonly ref: string;
  readonly paths: string[];
  readonly createdAt: number;
}

/** In-memory CloudFront: the invalidation calls of lambdas/adapters/cloudfront.ts on its distributions. */
export class FakeCloudFront implements SendClient {
  readonly invalidations: Invalidation[] = [];
  constructor(
    private readonly log: CallLog,
    private readonly now: () => number,
    private readonly distributions: readonly string[] = [DISTRIBUTION],
  ) {}

  private status(i: Invalidation): 'InProgress' | 'Completed' {
    return this.now() - i.createdAt < IN_PROGRESS_MS ? 'InProgress' : 'Completed';
  }

  private answer(i: Invalidation) {
    return {
      Id: i.id,
      Status: this.status(i),
      CreateTime: new Date(i.createdAt),
      InvalidationBatch: { CallerReference: i.ref, Paths: { Quantity: i.paths.length, Items: i.paths } },
    };
  }

  async send(command: { input?: any }): Promise<any> {
    const name = commandName(command);
    const input = command.input ?? {};
    this.log.record('cloudfront', name, input);
    const meta = metadata(uuidLike(`cloudfront/${this.log.calls.length}`));
    const distributionId: string = input.DistributionId;
    if (!this.distributions.includes(distributionId)) throw new FakeServiceError('NoSuchDistribution', 'The specified distribution does not exist.');
    const own = this.invalidations.filter((i) => i.distributionId === distributionId);
    switch (name) {
      case 'CreateInvalidationCommand': {
        const batch = input.InvalidationBatch;
        const paths: string[] = batch.Paths.Items;
        if (batch.Paths.Quantity !== paths.length) throw new FakeServiceError('InconsistentQuantities', 'Quantity does not match the number of paths.');
        const same = own.find((i) => i.ref === batch.CallerReference);
        if (same) {
          if (JSON.stringify(same.paths) !== JSON.stringify(paths))
            throw new FakeServiceError('InvalidationBatchAlreadyExists', 'The CallerReference was used with other paths.');
          return { Invalidation: this.answer(same), ...meta };
        }
        const created: Invalidation = {
          distributionId,
          id: `I${String(this.invalidations.length + 1).padStart(12, '0')}`,
          ref: batch.CallerReference,
          paths,
          createdAt: this.now(),
        };
        this.invalidations.push(created);
        return {
          Location: `https://cloudfront.amazonaws.com/2020-05-31/distribution/${distributionId}/invalidation/${created.id}`,
          Invalidation: this.answer(created),
          ...meta,
        };
      }
      case 'ListInvalidationsCommand': {
        const items = [...own].reverse().map((i) => ({ Id: i.id, Status: this.status(i), CreateTime: new Date(i.createdAt) }));
        return { InvalidationList: { IsTruncated: false, Quantity: items.length, MaxItems: 100, Marker: '', Items: items }, ...meta };
      }
      case 'GetInvalidationCommand': {
        const i = own.find((x) => x.id === input.Id);
        if (!i) throw new FakeServiceError('NoSuchInvalidation', 'The specified invalidation does not exist.');
        return { Invalidation: this.answer(i), ...meta };
      }
      default:
        throw new Error(`in-memory CloudFront does not implement ${name}`);
    }
  }
}

export interface CdnHarnessOptions {
  readonly db: LocalDynamo;
  /** Fields of the target `cdn` over the harness's. */
  readonly target?: Record<string, unknown>;
  /** Top-level config fields (dryRun). */
  readonly config?: Record<string, unknown>;
  /** Faults (or a hook) on the in-memory CloudFront. */
  readonly faults?: FaultOptions;
  /** More cloudfront targets after `cdn` (each on its own distribution, with the same S3 trigger). */
  readonly more?: readonly { readonly id: string; readonly distributionId: string }[];
  /** Replaces the state store the handler gets (a failing one). */
  readonly wrapStore?: (store: StateStore) => StateStore;
}

export interface CdnHarness {
  readonly config: AutoscalerConfig;
  readonly clock: Clock;
  readonly calls: CallLog;
  readonly cloudFront: FakeCloudFront;
  readonly store: DynamoStateStore;
  readonly batches: DynamoInvalidationStore;
  readonly notifications: Notification[];
  readonly handler: (event: unknown, context?: Context) => Promise<CdnResult>;
  /** An object created under the bucket's `static/` prefix (path `/static/<name>`) at the clock's time. */
  upload(name: string): Promise<CdnResult>;
  /** The 1-minute tick at the clock's time. */
  tick(): Promise<CdnResult>;
  writes(): ApiCall[];
  /** The audit entries of a target (`cdn` by default), oldest first. */
  audit(targetId?: string): Promise<AuditEntry[]>;
  restore(): void;
}

export async function cdnHarness(options: CdnHarnessOptions): Promise<CdnHarness> {
  const config = parseConfig({
    prefix: 'autoscaler',
    ...options.config,
    targets: [{ id: 'cdn', distributionId: DISTRIBUTION, ...options.target }, ...(options.more ?? [])].map((t) => ({
      kind: 'cloudfront',
      triggers: [{ s3: { bucket: BUCKET, prefix: 'static/', pathPrefix: '/static/' } }],
      ...t,
    })),
  });
  const clock = new Clock();
  const dateNow = jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
  const calls = new CallLog(() => clock.now);
  const cloudFront = new FakeCloudFront(calls, () => clock.now, [DISTRIBUTION, ...(options.more ?? []).map((t) => t.distributionId)]);
  const tableName = await options.db.stateTable();
  const store = new DynamoStateStore({ tableName, client: options.db.doc });
  const batches = new DynamoInvalidationStore({ tableName, client: options.db.doc });
  const notifications: Notification[] = [];
  const handle = createCdnHandler({
    config,
    store: options.wrapStore ? options.wrapStore(store) : store,
    batches,
    cloudFront: options.faults ? withFaults(cloudFront, options.faults) : cloudFront,
    notifier: { notify: async (n) => void notifications.push(n) },
    now: () => clock.now,
    sleep: async () => undefined,
  });
  let invocations = 0;
  const handler = (event: unknown, context?: Context) => handle(event, context ?? lambdaContext(`req-${++invocations}`)) as Promise<CdnResult>;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    config,
    clock,
    calls,
    cloudFront,
    store,
    batches,
    notifications,
    handler,
    upload: (name) =>
      handler({
        ...s3Fixture,
        id: `put-${name}-${clock.now}`,
        time: iso(clock.now),
        detail: { ...s3Fixture.detail, object: { ...s3Fixture.detail.object, key: `static/${name}` } },
      }),
    tick: () => handler(scheduleEvent(clock.now, 'cdn')),
    writes: () => calls.calls.filter(isWrite),
    audit: async (targetId = 'cdn') => (await store.listAudit(targetId, 0, clock.now + 86_400_000, 10_000)).reverse(),
    restore: () => dateNow.mockRestore(),
  };
}

/** What a tick did to the target's closed batches, as one outcome (`sent` is `applied`, as in the audit log). */
export function tickOutcome(result: CdnResult): string {
  const outcomes = [...new Set(result.batches.map((b) => (b.outcome === 'sent' ? 'applied' : b.outcome)))];
  return outcomes.length ? outcomes.join(',') : result.status;
}

/**
 * The cdn family's path: a deploy event (an object uploaded under `static/`) opens a one-minute
 * window, and the tick after the window closed flushes it as one invalidation.
 */
export const CDN_PATHS: FamilyPath[] = [
  {
    family: 'cdn',
    path: 'deploy event, then the tick',
    // The in-progress invalidations are read before a batch is planned; the switch is read after.
    lastRead: 'ListInvalidationsCommand',
    write: 'CreateInvalidationCommand',
    plan: /1 path\(s\) \[\/static\/app-1\.css\]/,
    async world(o) {
      const h = await cdnHarness({ db: o.db, config: o.config, target: o.target, faults: o.onCall ? callHook(o.onCall) : undefined });
      let acts = 0;
      return {
        targetId: 'cdn',
        store: h.store,
        async act() {
          await h.upload(`app-${++acts}.css`);
          h.clock.advance(60);
          return tickOutcome(await h.tick());
        },
        writes: () => h.writes(),
        audit: () => h.audit(),
        restore: () => h.restore(),
      };
    },
  },
];
