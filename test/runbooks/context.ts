/** A runbook context over the fake AWS services and an in-memory state store. */
import { ElastiCacheAdapter } from '../../lambdas/adapters/elasticache';
import { RdsAdapter } from '../../lambdas/adapters/rds';
import { Route53Adapter } from '../../lambdas/adapters/route53';
import type { Notification } from '../../lambdas/adapters/sns';
import { SsmAdapter } from '../../lambdas/adapters/ssm';
import type { RunbookContext } from '../../lambdas/runbooks/context';
import { createRunbookTask } from '../../lambdas/runbooks/handler';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { MemoryStateStore } from '../../lambdas/state/memory';
import { FakeElastiCache, FakeRds, FakeRoute53, FakeSsm } from './fake-aws';
import { runLocally, type SynthesizedRunbooks } from './harness';

export const NOW = Date.parse('2026-11-23T12:00:00Z');

export interface World {
  readonly rds: FakeRds;
  readonly elastiCache: FakeElastiCache;
  readonly ssm: FakeSsm;
  readonly route53: FakeRoute53;
  readonly store: MemoryStateStore;
  readonly ctx: RunbookContext;
  /** What the notify task announced. */
  readonly notifications: Notification[];
  /** Runs one runbook (by the name fragment of its logical id) with the real task handler. */
  run(machine: string, input: Record<string, unknown>, name: string, abortAfter?: (state: string, output: unknown) => boolean): ReturnType<typeof runLocally>;
}

export function world(config: AutoscalerConfig, synthesized: SynthesizedRunbooks): World {
  const rds = new FakeRds();
  const elastiCache = new FakeElastiCache();
  const ssm = new FakeSsm();
  const route53 = new FakeRoute53();
  const store = new MemoryStateStore();
  const notifications: Notification[] = [];
  const ctx: RunbookContext = {
    config,
    rds: new RdsAdapter(rds.client),
    elastiCache: new ElastiCacheAdapter(elastiCache.client),
    ssm: new SsmAdapter(ssm.client),
    route53: new Route53Adapter(route53.client),
    store,
    notifier: { notify: async (n) => void notifications.push(n) },
    now: () => NOW,
  };
  const task = createRunbookTask(ctx);
  const arn = `arn:aws:lambda:us-east-1:123456789012:function:${synthesized.logicalId(synthesized.autoscaler.dataRunbooks!.taskFunction)}`;
  return {
    rds,
    elastiCache,
    ssm,
    route53,
    store,
    ctx,
    notifications,
    run: (machine, input, name, abortAfter) => runLocally(synthesized.definition(machine), { [arn]: task }, input, { name, abortAfter }),
  };
}
