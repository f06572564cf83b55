/**
 * The config schema of `rds-replicas` targets (synth only); the kind is
 * lambdas/shared/kinds/rds-replicas.ts.
 */
import { z } from 'zod';
import { DAY, dbInstanceClass, dbInstanceIdentifier, missingDataSchema, numberSchema, percent, resourceName, targetId } from '../../config/fields';
import { REPLICAS_CEILING, REPLICAS_FLOOR } from '../../config/numbers';

/**
 * Read replicas of an RDS PostgreSQL/MySQL source instance, or Aurora readers of a cluster, added and
 * removed by the `rds-replicas` runbook. Exactly one of `sourceInstanceIdentifier` and `clusterIdentifier`.
 */
export const rdsReplicasTargetSchema = z.strictObject({
  kind: z.literal('rds-replicas'),
  id: targetId,
  /** The RDS PostgreSQL/MySQL source (primary) instance whose read replicas are scaled. */
  sourceInstanceIdentifier: dbInstanceIdentifier.optional(),
  /** The Aurora cluster whose reader instances are scaled (instead of `sourceInstanceIdentifier`). */
  clusterIdentifier: dbInstanceIdentifier.optional(),
  /** Instance class of the replicas the autoscaler creates. @default the source's (the writer's for Aurora) */
  replicaInstanceClass: dbInstanceClass.optional(),
  /** Fewest replicas the autoscaler keeps (its own; replicas made by others are left alone). @default 0 */
  minReplicas: numberSchema(REPLICAS_FLOOR).default(0),
  /** Most replicas the autoscaler creates; with the others, never more than the 15 RDS allows per source. @default 3 */
  maxReplicas: numberSchema(REPLICAS_CEILING).default(3),
  /** Average CPU percent of the source or of the replicas above which a replica is added. @default 80 */
  cpuHighPercent: percent.default(80),
  /** Minutes CPU must stay above `cpuHighPercent` before the alarm fires (the seed rule: 10). @default 10 */
  cpuHighMinutes: z.number().int().min(1).max(60).default(10),
  /** Average CPU percent of both source and replicas below which a replica is removed. @default 30 */
  cpuLowPercent: percent.default(30),
  /** Minutes CPU must stay below `cpuLowPercent` before the scale-in alarm fires. @default 30 */
  cpuLowMinutes: z.number().int().min(1).max(240).default(30),
  /** DatabaseConnections of the source above which a replica is added. @default no connection signal */
  // Common sense: no single database server holds 100,000 connections.
  connectionsHigh: z.number().int().positive().max(100_000).optional(),
  /** A replica is never removed while any replica lags more than this many seconds. @default 30 */
  // Common sense: a replica a day behind is broken; waiting on it would keep every replica forever.
  maxReplicaLagSeconds: z.number().positive().max(DAY).default(30),
  /** Least seconds between two replica additions (creating one takes 15 minutes or more). @default 1200 */
  // Common sense: a source overloaded for a day without a second replica is not autoscaled.
  scaleOutCooldownSeconds: z.number().int().min(0).max(DAY).default(1200),
  /** Least seconds after any change before a replica is removed. @default 3600 */
  // Common sense: a week.
  scaleInCooldownSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * DAY)
    .default(3600),
  /**
   * SSM parameter (String, JSON) holding the available reader endpoints, for a Django database router.
   * @default "/<prefix>/<targetId>/reader-endpoints"
   */
  readerEndpointsParameter: resourceName(/^(\/[A-Za-z0-9_.-]+)+$/, 'must be an SSM parameter path such as /shop/db/reader-endpoints')
    .max(1011)
    .optional(),
  /**
   * Weighted CNAME records, one per available reader (SetIdentifier: the replica's identifier), under
   * one name of a private hosted zone that the autoscaler owns.
   * @default no records
   */
  route53: z
    .strictObject({
      /** The private hosted zone's id (`Z0123456789ABCDEFGHIJ`). */
      hostedZoneId: resourceName(/^Z[A-Z0-9]{1,32}$/, 'must be a hosted zone id such as Z0123456789ABCDEFGHIJ'),
      /** The record name the readers share (`read.orders-db.internal`); no other record may use it. */
      recordName: resourceName(
        /^(?=.{1,253}\.?$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/,
        'must be a lowercase DNS name such as read.orders-db.internal',
      ),
      /** TTL of the records, seconds. @default 30 */
      ttl: z.number().int().min(5).max(3600).default(30),
    })
    .optional(),
  /** Late or missing metrics: no removal on them; `fixed` keeps at least `count` replicas of the autoscaler's. @default hold, late after 240 s */
  missingData: missingDataSchema.prefault({}),
  /**
   * Delete the automated backups of a replica the autoscaler removes. A read replica cannot get a final
   * snapshot (DeleteDBInstance requires SkipFinalSnapshot for one and refuses FinalDBSnapshotIdentifier),
   * so its retained automated backups, if it has any, are what is kept unless this is set. An Aurora
   * reader holds no data of its own (the cluster volume does).
   * @default false
   */
  deleteAutomatedBackups: z.boolean().default(false),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

export type RdsReplicasTarget = z.output<typeof rdsReplicasTargetSchema>;
