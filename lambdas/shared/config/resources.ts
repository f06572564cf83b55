/**
 * What a target acts on or reads, as its kind declares it (lambdas/shared/kinds, `resources`): "one
 * resource, one target" and the stack's region/account check follow from it. RDS aspects are separate
 * resources: an rds-storage and an rds-instance target on one instance change different things; two of
 * either kind on one instance fight.
 */

/** Something a target acts on or reads, as the config names it. */
export interface TargetResource {
  /** Where the config names it, below the target (`['workers', 'autoScalingGroupName']`). */
  readonly path: readonly (string | number)[];
  /** What it is, for messages: "group", "service", "queue"... */
  readonly noun: string;
  /** The name as the config writes it, quoted, for messages (`"api" in cluster "shop"`). */
  readonly shown: string;
  /**
   * The identity of what the target changes: two targets with the same key would both act on it.
   * Unset for a resource the target only reads (a dead-letter queue).
   */
  readonly key?: string;
  /** Where the config says so (an SQS queue URL): the resource's region. @default unknown: the stack's */
  readonly region?: string;
  /** Where the config says so (an SQS queue URL): the resource's account. @default unknown: the stack's */
  readonly account?: string;
}

/** A name as messages quote it. */
export const quoted = (s: string) => JSON.stringify(s);

/** An Auto Scaling group (a web tier's or a worker fleet's). */
export const autoScalingGroupResource = (path: string[], name: string): TargetResource => ({
  path,
  noun: 'group',
  shown: quoted(name),
  key: `autoscaling:${name}`,
});

/** An ECS service (a web tier's or a worker fleet's). */
export const ecsServiceResource = (path: string[], cluster: string, service: string): TargetResource => ({
  path,
  noun: 'service',
  shown: `${quoted(service)} in cluster ${quoted(cluster)}`,
  key: `ecs:${cluster}/${service}`,
});

/** RDS identifiers are case-insensitive (RDS stores them in lowercase): `Orders` and `orders` are one instance. */
export const rdsResource = (path: string[], noun: string, space: string, id: string): TargetResource => ({
  path,
  noun,
  shown: quoted(id),
  key: `${space}:${id.toLowerCase()}`,
});
