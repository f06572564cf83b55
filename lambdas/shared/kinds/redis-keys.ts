/**
 * The names the broker reader (lambdas/publisher) and the redis-workers kind share: kombu's keys of a
 * Celery queue on Redis (see lambdas/shared/kinds/redis-workers.ts) and what the reader publishes. No
 * schema here, so the reader's bundle stays free of it.
 */

/** kombu's separator between a queue's name and its priority step. */
export const PRIORITY_SEPARATOR = '\x06\x16';
/** kombu's default priority steps: step 0 is the queue's own key, the others have their own list. */
export const PRIORITY_STEPS = [0, 3, 6, 9] as const;
/** kombu's hash of unacknowledged messages (all queues of a database). */
export const UNACKED_KEY = 'unacked';

/** The keys whose lengths make up a queue's depth: the queue, and its priority lists when `priorities`. */
export function queueKeys(queue: string, priorities: boolean): string[] {
  return priorities ? PRIORITY_STEPS.map((n) => (n === 0 ? queue : `${queue}${PRIORITY_SEPARATOR}${n}`)) : [queue];
}

/** Where the broker reader publishes a deployment's queue depths (PutMetricData may not use `AWS/`). */
export function celeryNamespace(prefix: string): string {
  return `${prefix}/Celery`;
}

/** The metric names the broker reader publishes. */
export const CELERY_METRICS = {
  /** Messages waiting: LLEN summed over a queue's keys (dimensions Target, Queue), or over all the target's queues (Target). */
  depth: 'QueueDepth',
  /** Messages taken and not acknowledged: HLEN of the database's `unacked` hash (dimension Target). */
  unacked: 'UnackedMessages',
} as const;

/** A broker database as one string: the broker reader connects once per broker. */
export function brokerKey(b: { readonly host: string; readonly port: number; readonly tls: boolean; readonly database: number }): string {
  return `${b.tls ? 'rediss' : 'redis'}://${b.host}:${b.port}/${b.database}`;
}
