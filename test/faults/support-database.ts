/**
 * The database family's fault harness: the real database handler (middy, Powertools idempotency on
 * dynalite, zod parsing, DatabaseService, the adapters), the real DynamoStateStore on dynalite, and
 * the simulator's in-memory AWS recording every call: RDS (one PostgreSQL source and its replicas),
 * ElastiCache (any number of Redis replication groups), CloudWatch (metric store, alarm evaluator, and
 * GetMetricData's limit of 500 queries); Step Functions is a small in-memory one that keeps the
 * executions started, by state machine and name (what matters here is whether StartExecution is
 * called, and with what; the runbooks themselves run in test/runbooks).
 * Time is the simulated clock Date.now follows.
 */
import type { Context } from 'aws-lambda';
import type { SendClient } from '../../lambdas/adapters/types';
import { replicaIdentifier } from '../../lambdas/runbooks/replicas';
import { createDatabaseHandler } from '../../lambdas/scalers/database/handler';
import type { DatabaseResult } from '../../lambdas/scalers/database/service';
import { allAlarms } from '../../lambdas/shared/alarms';
import { type AutoscalerConfig, parseConfig, type RdsReplicasTarget } from '../../lambdas/shared/config';
import { dynamoPersistence } from '../../lambdas/shared/idempotency';
import { replicaMetrics, replicaSourceMetrics } from '../../lambdas/shared/kinds/rds-replicas';
import { redisNodeMetrics } from '../../lambdas/shared/kinds/redis';
import { MANAGED_BY_TAG, TARGET_TAG } from '../../lambdas/shared/tags';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import type { AuditEntry } from '../../lambdas/state/store';
import { AlarmEvaluator } from '../../sim/cloud/alarms';
import { stateMachineArn } from '../../sim/cloud/asl';
import { FakeCloudWatch, MetricStore } from '../../sim/cloud/cloudwatch';
import { FakeElastiCache } from '../../sim/cloud/elasticache';
import { type FaultOptions, withFaults } from '../../sim/cloud/faults';
import { FakeRds } from '../../sim/cloud/rds';
import { type ApiCall, CallLog, commandName, FakeServiceError, metadata, uuidLike } from '../../sim/cloud/recorder';
import { type CacheGroupState, type CacheShape, memberNodes, type ReplicaUnit } from '../../sim/data/backends';
import type { LocalDynamo } from '../support/dynalite';
import { alarmEvent, Clock, isWrite, lambdaContext, scheduleEvent, T0 } from './support';
import { callHook, type FamilyPath } from './support-families';

const MINUTE = 60_000;
export const SOURCE = 'orders-primary';

/** The `rds-replicas` target the harness starts from: `orders-db` on `orders-primary`, 0-3 replicas. */
export const ORDERS_DB = { id: 'orders-db', kind: 'rds-replicas', sourceInstanceIdentifier: SOURCE, minReplicas: 0, maxReplicas: 3 };

/** A Redis replication group in the in-memory ElastiCache. */
export interface CacheGroupSpec extends CacheShape {
  readonly id: string;
  readonly clusterMode: boolean;
}

export interface DatabaseHarnessOptions {
  readonly db: LocalDynamo;
  /** The config's targets. @default [ORDERS_DB] */
  readonly targets?: readonly Record<string, unknown>[];
  /** Fields of the first target over its own (dryRun). */
  readonly target?: Record<string, unknown>;
  /** Top-level config fields (dryRun). */
  readonly config?: Record<string, unknown>;
  /** Replicas of the source made by this deployment for `orders-db`, available at the start. @default 1 */
  readonly replicas?: number;
  /** Redis replication groups. @default none */
  readonly groups?: readonly CacheGroupSpec[];
  /** Faults (or a hook) on every in-memory service. */
  readonly faults?: FaultOptions;
  /** Faults on one replication group's calls only, by group id. */
  readonly groupFaults?: Readonly<Record<string, FaultOptions>>;
}

export interface DatabaseHarness {
  readonly config: AutoscalerConfig;
  readonly clock: Clock;
  readonly calls: CallLog;
  readonly metrics: MetricStore;
  readonly store: DynamoStateStore;
  readonly stepFunctions: FakeStartExecution;
  readonly handler: (event: unknown, context?: Context) => Promise<DatabaseResult>;
  /** The runbook ARN of a target kind. */
  runbook(kind: string): string;
  /** The source's CPU (and every replica's, at 50%) for the last `minutes`, visible now. */
  loadSource(cpu: number, minutes?: number): void;
  /** Every member node of group `id`: memory at `memory`%, CPU 20%, no evictions, 100 connections, for the last `minutes`. */
  loadGroup(id: string, memory: number, minutes?: number): void;
  /** Evaluates the alarms now. */
  evaluate(): void;
  writes(): ApiCall[];
  audit(targetId: string): Promise<AuditEntry[]>;
  restore(): void;
}

/** The family's runbooks (state machines `autoscaler-<kind>`). */
const RUNBOOK_KINDS = ['rds-replicas', 'redis', 'rds-storage', 'rds-instance'] as const;

/** Step Functions' StartExecution: an execution name is used once per state machine (ExecutionAlreadyExists). */
export class FakeStartExecution implements SendClient {
  readonly executions = new Map<string, { readonly stateMachineArn: string; readonly name: string; readonly input: unknown }>();
  constructor(
    private readonly machines: ReadonlySet<string>,
    private readonly log: CallLog,
  ) {}

  async send(command: { input?: any }): Promise<any> {
    const name = commandName(command);
    const input = command.input ?? {};
    this.log.record('stepfunctions', name, input);
    if (name !== 'StartExecutionCommand') throw new Error(`in-memory Step Functions does not implement ${name}`);
    if (!this.machines.has(input.stateMachineArn))
      throw new FakeServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(input.stateMachineArn)}'`);
    const arn = `${String(input.stateMachineArn).replace(':stateMachine:', ':execution:')}:${String(input.name)}`;
    if (this.executions.has(arn)) throw new FakeServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    this.executions.set(arn, { stateMachineArn: input.stateMachineArn, name: input.name, input: JSON.parse(input.input ?? '{}') });
    return { executionArn: arn, startDate: new Date(), ...metadata(uuidLike(`states/${this.executions.size}`)) };
  }
}

export async function databaseHarness(options: DatabaseHarnessOptions): Promise<DatabaseHarness> {
  const [first, ...rest] = options.targets ?? [ORDERS_DB];
  const config = parseConfig({ prefix: 'autoscaler', ...options.config, targets: [{ ...first, ...options.target }, ...rest] });
  const clock = new Clock();
  const dateNow = jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
  const calls = new CallLog(() => clock.now);
  const seconds = () => (clock.now - T0) / 1000;

  // RDS: the source and the replicas this deployment made for orders-db.
  const replicas: ReplicaUnit[] = Array.from({ length: options.replicas ?? 1 }, (_, i) => ({
    id: replicaIdentifier('orders-db', i + 1),
    createdAt: -86_400,
    readyAt: -85_000,
    tags: { [MANAGED_BY_TAG]: config.prefix, [TARGET_TAG]: 'orders-db' },
  }));
  const rds = new FakeRds({
    source: { id: SOURCE, instanceClass: 'db.r6g.xlarge', engine: 'postgres', engineVersion: '16.4', backupRetentionPeriod: 7, allocatedGiB: 100 },
    backend: {
      now: seconds,
      replicas: () => replicas,
      addReplica: (id, tags, instanceClass) => void replicas.push({ id, tags, instanceClass, createdAt: seconds(), readyAt: seconds() + 900 }),
      removeReplica: (id) =>
        void replicas.splice(
          replicas.findIndex((r) => r.id === id),
          1,
        ),
    },
    log: calls,
    start: T0,
  });

  // ElastiCache: one in-memory service per group, reached by ReplicationGroupId.
  const groups = new Map<string, SendClient>();
  for (const g of options.groups ?? []) {
    let state: CacheGroupState = { nodeType: g.nodeType, shards: g.shards, replicasPerShard: g.replicasPerShard, clusterMode: g.clusterMode };
    const fake = new FakeElastiCache({
      replicationGroupId: g.id,
      log: calls,
      start: T0,
      backend: {
        now: seconds,
        group: () => state,
        startChange: (to) => {
          state = { ...state, change: { to: { ...state, ...to }, doneAt: seconds() + 1200 } };
        },
      },
    });
    const faults = options.groupFaults?.[g.id];
    groups.set(g.id, faults ? withFaults(fake, faults) : fake);
  }
  const elastiCache: SendClient = {
    async send(command: { input?: { ReplicationGroupId?: string } }) {
      const id = command.input?.ReplicationGroupId;
      const group = id === undefined ? undefined : groups.get(id);
      if (!group) {
        calls.record('elasticache', commandName(command), command.input);
        throw new FakeServiceError('ReplicationGroupNotFoundFault', `Replication group ${String(id)} not found.`);
      }
      return group.send(command);
    },
  };

  const metrics = new MetricStore();
  const alarms = new AlarmEvaluator(allAlarms(config), metrics, {}, clock.now - 3600_000);
  const cloudWatch = new FakeCloudWatch(metrics, calls, () => clock.now, alarms);
  const stepFunctions = new FakeStartExecution(new Set(RUNBOOK_KINDS.map((k) => stateMachineArn(`autoscaler-${k}`))), calls);

  const wrap = (c: SendClient) => (options.faults ? withFaults(c, options.faults) : c);
  const store = new DynamoStateStore({ tableName: await options.db.stateTable(), client: options.db.doc });
  const handle = createDatabaseHandler({
    config,
    store,
    rds: wrap(rds),
    elastiCache: wrap(elastiCache),
    cloudWatch: wrap(cloudWatch),
    stepFunctions: wrap(stepFunctions),
    runbooks: Object.fromEntries(RUNBOOK_KINDS.map((k) => [k, stateMachineArn(`autoscaler-${k}`)])),
    idempotency: dynamoPersistence(await options.db.idempotencyTable(), options.db.client),
    now: () => clock.now,
  });
  const put = (metric: Parameters<MetricStore['put']>[0], value: number, minutes: number) => {
    const end = Math.floor(clock.now / MINUTE) * MINUTE;
    for (let t = end - minutes * MINUTE; t < end; t += MINUTE) metrics.put(metric, t, value, t);
  };
  let invocations = 0;
  return {
    config,
    clock,
    calls,
    metrics,
    store,
    stepFunctions,
    handler: (event, context) => handle(event, context ?? lambdaContext(`req-${++invocations}`)),
    runbook: (kind) => stateMachineArn(`autoscaler-${kind}`),
    loadSource(cpu, minutes = 15) {
      const target = config.targets.find((t): t is RdsReplicasTarget => t.kind === 'rds-replicas' && t.sourceInstanceIdentifier === SOURCE);
      if (!target) throw new Error(`no rds-replicas target on ${SOURCE}`);
      put(replicaSourceMetrics(target).cpu, cpu, minutes);
      put(replicaSourceMetrics(target).connections, 100, minutes);
      for (const r of replicas) {
        put(replicaMetrics(r.id).cpu, 50, minutes);
        put(replicaMetrics(r.id).lag, 0, minutes);
      }
    },
    loadGroup(id, memory, minutes = 15) {
      const g = options.groups?.find((x) => x.id === id);
      if (!g) throw new Error(`no replication group ${id}`);
      for (const node of memberNodes(id, g, g.clusterMode)) {
        const m = redisNodeMetrics(node.id);
        put(m.memory, memory, minutes);
        put(m.cpu, 20, minutes);
        put(m.evictions, 0, minutes);
        put(m.connections, 100, minutes);
      }
    },
    evaluate: () => void alarms.evaluate(clock.now),
    writes: () => calls.calls.filter(isWrite),
    audit: async (targetId) => (await store.listAudit(targetId, 0, clock.now + 86_400_000, 10_000)).reverse(),
    restore: () => dateNow.mockRestore(),
  };
}

/**
 * The database family's paths: the source's CPU alarm of an rds-replicas target and the 1-minute
 * schedule (which looks at every RDS replicas target on a source), the source at 91% with one replica
 * of the deployment's: the decision is one more replica, through the rds-replicas runbook.
 */
function databasePath(path: 'rds-replicas alarm' | 'schedule'): FamilyPath {
  return {
    family: 'database',
    path,
    lastRead: 'GetMetricDataCommand',
    write: 'StartExecutionCommand',
    plan: /source CPU 91% > 80%; 1 -> 2/,
    count: 1,
    async world(o) {
      const h = await databaseHarness({ db: o.db, config: o.config, target: o.target, faults: o.onCall ? callHook(o.onCall) : undefined });
      let acts = 0;
      return {
        targetId: 'orders-db',
        store: h.store,
        async act() {
          if (acts++ > 0) h.clock.advance(60);
          h.loadSource(91);
          h.evaluate();
          const event = path === 'schedule' ? scheduleEvent(h.clock.now, 'database') : alarmEvent('autoscaler/orders-db/cpu/high', h.clock.now);
          const result = await h.handler(event);
          return result.targets.find((t) => t.targetId === 'orders-db')?.outcome ?? result.status;
        },
        writes: () => h.writes(),
        audit: () => h.audit('orders-db'),
        restore: () => h.restore(),
      };
    },
  };
}

export const DATABASE_PATHS: FamilyPath[] = [databasePath('rds-replicas alarm'), databasePath('schedule')];
