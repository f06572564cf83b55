/**
 * The names of the runbooks' tasks: each state machine's Lambda task passes one in the event
 * (lib/runbooks), and the task function dispatches on it (lambdas/runbooks/handler.ts, and the cdn
 * function for the `invalidate` runbook's).
 */

/** The tasks of the runbooks of the runbook task function (rds-replicas, redis, rds-storage, rds-instance, set-capacity). */
export const RUNBOOK_TASKS = [
  'replicas.reconcile',
  'replicas.create',
  'replicas.remove',
  'replicas.publish',
  'redis.check',
  'redis.modify',
  'redis.poll',
  'storage.check',
  'storage.modify',
  'storage.poll',
  'instance.check',
  'instance.modify',
  'instance.poll',
  'capacity.set',
  'notify',
] as const;
export type RunbookTask = (typeof RUNBOOK_TASKS)[number];

/** The tasks of the `invalidate` runbook, which run in the cdn family's function. */
export const INVALIDATE_TASKS = ['invalidate.check', 'invalidate.create', 'invalidate.poll', 'invalidate.notify'] as const;
export type InvalidateTask = (typeof INVALIDATE_TASKS)[number];

/**
 * The runbook that sets a web tier or a worker pool to N by hand (`<prefix>-set-capacity`), for the
 * targets of these kinds; its task runs in the runbook task function.
 */
export const SET_CAPACITY_RUNBOOK = 'set-capacity';
export const SET_CAPACITY_KINDS = ['asg', 'ecs-service', 'queue-workers'] as const;
