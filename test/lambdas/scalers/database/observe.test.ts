/**
 * What the database function and the replicas runbook see of a replica fleet, read from the in-memory
 * CloudWatch: lag in seconds whatever the metric's own unit (RDS ReplicaLag is in seconds, Aurora's
 * AuroraReplicaLagMaximum in milliseconds: Amazon Aurora User Guide, "Amazon CloudWatch metrics for
 * Amazon Aurora").
 */
import { CloudWatchAdapter } from '../../../../lambdas/adapters/cloudwatch';
import { observeReplicas } from '../../../../lambdas/scalers/database/observe';
import { parseConfig, type RdsReplicasTarget } from '../../../../lambdas/shared/config';
import { replicaMetrics, replicaSourceMetrics } from '../../../../lambdas/shared/kinds/rds-replicas';
import { FakeCloudWatch, MetricStore } from '../../../../sim/cloud/cloudwatch';
import { CallLog } from '../../../../sim/cloud/recorder';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);

function target(fields: Record<string, unknown>): RdsReplicasTarget {
  return parseConfig({ prefix: 'shop', targets: [{ kind: 'rds-replicas', id: 'db', ...fields }] }).targets[0] as RdsReplicasTarget;
}

function cloudWatch(put: (store: MetricStore, at: number) => void): CloudWatchAdapter {
  const store = new MetricStore();
  for (let m = 1; m <= 5; m++) put(store, NOW - m * 60_000 - 60_000);
  return new CloudWatchAdapter(new FakeCloudWatch(store, new CallLog(() => NOW), () => NOW));
}

test('Aurora: AuroraReplicaLagMaximum in milliseconds is seen in seconds', async () => {
  const aurora = target({ clusterIdentifier: 'shop-aurora' });
  const src = replicaSourceMetrics(aurora);
  const cw = cloudWatch((store, at) => {
    store.put(src.cpu, at, 20, at);
    store.put(src.lag!, at, 2_500, at);
  });
  expect((await observeReplicas(cw, aurora, [], NOW)).maxLagSeconds).toBe(2.5);
});

test("RDS: each replica's ReplicaLag, in seconds already", async () => {
  const rds = target({ sourceInstanceIdentifier: 'shop-db' });
  const src = replicaSourceMetrics(rds);
  const cw = cloudWatch((store, at) => {
    store.put(src.cpu, at, 20, at);
    store.put(replicaMetrics('db-ro-1').lag, at, 40, at);
  });
  const replica = { id: 'db-ro-1', status: 'available' } as Parameters<typeof observeReplicas>[2][number];
  expect((await observeReplicas(cw, rds, [replica], NOW)).maxLagSeconds).toBe(40);
});
