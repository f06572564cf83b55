/** The `rds-replicas` kind's infrastructure (lib/targets/rds-replicas.ts): its dashboard graph of replication lag. */
import { parseConfig, type RdsReplicasTarget } from '../../../lambdas/shared/config';
import { replicaLagWidget } from '../../../lib/targets/rds-replicas';
import { AURORA_REPLICAS, RDS_REPLICAS } from '../../runbooks/fixtures';
import { dashboardOf, dashboardWidgets } from '../helpers';

const target = (t: Record<string, unknown>) => parseConfig({ prefix: 'shop', targets: [t] }).targets[0] as RdsReplicasTarget;

describe('rds-replicas dashboard graph', () => {
  test('RDS: ReplicaLag (seconds) of every identifier the target’s replicas may hold, against maxReplicaLagSeconds', () => {
    const [w] = dashboardWidgets(dashboardOf(replicaLagWidget(target(RDS_REPLICAS))));
    expect(w.properties.title).toBe('orders-db: replication lag');
    // maxReplicas 3: slots 1-5 (a failed replica keeps its slot until it is gone).
    expect(w.properties.metrics).toEqual(
      [1, 2, 3, 4, 5].map((n) => [
        'AWS/RDS',
        'ReplicaLag',
        'DBInstanceIdentifier',
        `orders-db-ro-${n}`,
        expect.objectContaining({ label: `orders-db-ro-${n}`, stat: 'Maximum' }),
      ]),
    );
    expect(w.properties.annotations?.horizontal).toEqual([expect.objectContaining({ value: 30, label: 'maxReplicaLagSeconds 30: no removal above' })]);
    expect(w.properties.yAxis?.left).toMatchObject({ label: 'seconds', min: 0 });
  });

  test('Aurora: the cluster’s AuroraReplicaLagMaximum and each reader’s AuroraReplicaLag, in milliseconds', () => {
    const [w] = dashboardWidgets(dashboardOf(replicaLagWidget(target({ ...AURORA_REPLICAS, maxReplicaLagSeconds: 5 }))));
    expect(w.properties.metrics).toEqual([
      ['AWS/RDS', 'AuroraReplicaLagMaximum', 'DBClusterIdentifier', 'reports-cluster', expect.objectContaining({ label: 'most of the readers' })],
      ...[1, 2, 3, 4].map((n) => [
        'AWS/RDS',
        'AuroraReplicaLag',
        'DBInstanceIdentifier',
        `reports-db-ro-${n}`,
        expect.objectContaining({ label: `reports-db-ro-${n}` }),
      ]),
    ]);
    expect(w.properties.annotations?.horizontal).toEqual([expect.objectContaining({ value: 5000 })]);
    expect(w.properties.yAxis?.left).toMatchObject({ label: 'milliseconds' });
  });

  test('never more lines than the 15 replicas RDS allows per source', () => {
    const [w] = dashboardWidgets(dashboardOf(replicaLagWidget(target({ ...RDS_REPLICAS, maxReplicas: 15 }))));
    expect(w.properties.metrics).toHaveLength(15);
  });
});
