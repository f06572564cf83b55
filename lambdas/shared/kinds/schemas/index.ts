/**
 * The config schema of each kind of target, validated once at synth (and by the CLI and the
 * simulator): the functions receive the parsed config as JSON and never load these (zod stays out of
 * their bundles; `npm run lint` checks it). Each kind's runtime behaviour is its module in
 * lambdas/shared/kinds, registered in lambdas/shared/kinds/index.ts; the types both read come from here.
 *
 * Adding a kind: its schema beside this file, one line below, then its module and the other tables
 * the compiler names (ARCHITECTURE.md, "Adding a kind").
 */
import { z } from 'zod';
import { asgTargetSchema } from './asg';
import { cloudfrontTargetSchema } from './cloudfront';
import { ecsServiceTargetSchema } from './ecs-service';
import { queueWorkersTargetSchema } from './queue-workers';
import { rabbitmqWorkersTargetSchema } from './rabbitmq-workers';
import { rdsInstanceTargetSchema } from './rds-instance';
import { rdsReplicasTargetSchema } from './rds-replicas';
import { rdsStorageTargetSchema } from './rds-storage';
import { redisTargetSchema } from './redis';
import { redisWorkersTargetSchema } from './redis-workers';

/** The kinds' schemas, in the order messages list them. */
const SCHEMAS = [
  asgTargetSchema,
  ecsServiceTargetSchema,
  cloudfrontTargetSchema,
  rdsReplicasTargetSchema,
  rdsStorageTargetSchema,
  rdsInstanceTargetSchema,
  redisTargetSchema,
  queueWorkersTargetSchema,
  rabbitmqWorkersTargetSchema,
  redisWorkersTargetSchema,
] as const;

/** One target of the config: the kind's schema its `kind` names. */
export const targetSchema = z.discriminatedUnion('kind', SCHEMAS);

export type TargetConfig = z.output<typeof targetSchema>;
export type TargetKind = TargetConfig['kind'];
export type TargetOfKind<K extends TargetKind> = Extract<TargetConfig, { kind: K }>;

/** The schema of each kind, by name. */
export const KIND_SCHEMAS = Object.fromEntries(SCHEMAS.map((s) => [s.shape.kind.value, s])) as unknown as {
  readonly [K in TargetKind]: z.ZodType<TargetOfKind<K>>;
};

/** The schema of a target's kind. */
export function kindSchemaOf<K extends TargetKind>(target: { readonly kind: K }): z.ZodType<TargetOfKind<K>> {
  return KIND_SCHEMAS[target.kind];
}
