/**
 * The config schema of `queue-workers` and the fleet and sizing fields the queue family's kinds share
 * (synth only); the kind is lambdas/shared/kinds/queue-workers.ts.
 */
import { z } from 'zod';
import { autoScalingGroupName, ecsName, numberSchema, resourceName, targetId } from '../../config/fields';
import { FLEET_CEILING, FLEET_FLOOR, MAX_WAIT_SECONDS } from '../../config/numbers';
import { SQS_QUEUE_URL } from '../formats';
import { alertsSchema } from './alerts';
import { stepPolicyFields } from './step-policy';
import { unitPriceField } from './unit-price';

const sqsQueueUrl = resourceName(SQS_QUEUE_URL, 'must be an SQS queue URL: https://sqs.<region>.amazonaws.com/<account>/<queue name>');

/**
 * How the workers of a queue-workers target hold messages and whether they shield themselves from
 * scale-in: what decides how low a scale-in may go while messages are in flight.
 */
const workerHoldingFields = {
  /**
   * The workers protect themselves from scale-in while they work (ECS task scale-in protection,
   * Auto Scaling instance protection; see the README's "Busy workers are never killed"). Without it
   * the desired count never drops below the workers the in-flight messages need.
   * @default false
   */
  scaleInProtection: z.boolean().default(false),
  /**
   * Messages one worker holds in flight (received, not yet deleted): Celery's concurrency x
   * `worker_prefetch_multiplier`. Without scale-in protection, ceil(in flight / this) workers stay.
   * @default 1 (concurrency 1, `worker_prefetch_multiplier = 1`)
   */
  messagesInFlightPerWorker: z.number().int().min(1).max(10000).default(1),
};

/** The worker fleet a queue feeds: an ECS service or an Auto Scaling group. */
export const queueWorkersFleetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('ecs-service'),
    /** Name of the ECS cluster. */
    cluster: ecsName,
    /** Name of the ECS service whose tasks are the workers. */
    service: ecsName,
    ...workerHoldingFields,
  }),
  z.strictObject({
    kind: z.literal('asg'),
    /** Name of the Auto Scaling group whose instances are the workers. */
    autoScalingGroupName,
    ...workerHoldingFields,
  }),
]);

/**
 * How a queue family target sizes its fleet: the workers' throughput, the wait SLO, the bounds and
 * the pace of scale-in (shared by the queue family's kinds: the engine's policy, lambdas/engine/queue.ts).
 */
export const queueSizingFields = {
  /** Messages one worker completes per second (its throughput). */
  // Common sense: a worker that completes more than 10,000 messages a second needs no autoscaler.
  messagesPerSecondPerWorker: z.number().positive().max(10_000),
  /** Longest a message should wait in the queue, seconds: the engine sizes the fleet to drain the backlog within it. @default 300 */
  maxWaitSeconds: numberSchema(MAX_WAIT_SECONDS).default(300),
  /** Fewest workers; 0 lets the fleet scale to zero when the queue is idle. @default 0 */
  minCapacity: numberSchema(FLEET_FLOOR).default(0),
  /** Most workers. @default 10 */
  maxCapacity: numberSchema(FLEET_CEILING).default(10),
  /** Seconds the queue must stay empty (nothing visible, nothing in flight) before the last worker goes. @default 300 */
  idleSeconds: z.number().int().min(0).max(86400).default(300),
  /** Seconds from a desired-count increase until the new worker consumes messages. @default 60 */
  warmupSeconds: z.number().int().min(0).max(3600).default(60),
  /**
   * Scale-in goes only as low as the highest recommendation of this window, so that one poll's dip
   * does not remove a worker the next poll needs. One poll (60 s): the depth comes from
   * GetQueueAttributes, not from a lagging datapoint, and the need of a drained backlog is measured,
   * so a longer window only keeps a drained batch's workers billed (on the bench's generated batch
   * traces, 180 s cost 1.30-1.33 against 1.20-1.22 for 60 s, at the same violations and within one
   * reversal a day).
   * @default 60
   */
  scaleInStabilizationSeconds: z.number().int().min(0).max(3600).default(60),
  /**
   * Least seconds after any change before workers are removed. Scale-in only: a scale-out is applied
   * at once (the backlog does not wait), so the kind has no `scaleOutCooldownSeconds`. One poll
   * (60 s) is enough: the queue's depth is read from GetQueueAttributes, not from a lagging
   * CloudWatch datapoint, so the next poll already sees what the last change did; the stabilization
   * window above is what keeps a removed worker from being needed again soon.
   * @default 60
   */
  scaleInCooldownSeconds: z.number().int().min(0).max(3600).default(60),
  /**
   * Most workers one scale-in removes, as a share of the current count (always at least one). By
   * default no limit beyond the stabilization window, as the Kubernetes HPA's default scale-down
   * behavior (down to minReplicas at once, the highest recommendation of the last 300 s): a drained
   * backlog's need is measured, not guessed, and stepping down through it kept idle workers billed
   * (on the generated batch traces, 0.1 of cost ratio and 3 actions an hour).
   * @default 1
   */
  maxStepDownRatio: z.number().gt(0).max(1).default(1),
  /**
   * The most idle worker-minutes a scale-in may be held so that it does not reverse a scale-out
   * within 600 s (the calm goal's reversal): the scale-in waits until the 600 s have passed when
   * keeping the fleet that long idles at most this many worker-minutes, counted as if every worker
   * but one were idle (all of them when the scale-in goes to zero). A small batch's few workers stay
   * a few minutes more; a big batch's fleet scales in as soon as it is drained. 0 never holds. 70 by
   * default: on generated batch traces of 24 seeds (the bench runs the first four) and
   * celery-batches, every trace keeps within both queue goals with it (at
   * most 24 reversals a day, a cost ratio within the clairvoyant reference's + 0.20); 60 leaves 13 of
   * the 25 above 24 reversals a day, 80 puts 3 above the cost limit.
   * @default 70
   */
  reversalHoldWorkerMinutes: z.number().min(0).max(1_000_000).default(70),
};

/**
 * Celery-like workers fed by one SQS queue, scaled on the queue's backlog (visible and in flight),
 * its arrival rate and the wait SLO; to zero after an idle period and back on the first message.
 */
export const queueWorkersTargetSchema = z.strictObject({
  kind: z.literal('queue-workers'),
  id: targetId,
  /** The queue the workers consume. */
  queueUrl: sqsQueueUrl,
  /** The queue's dead-letter queue: its depth is reported (notification, metric), never scaled on. @default none */
  deadLetterQueueUrl: sqsQueueUrl.optional(),
  /** The fleet whose desired count is set. */
  workers: queueWorkersFleetSchema,
  ...queueSizingFields,
  /** Share of `maxWaitSeconds` the age of the oldest message must pass to raise the fast-path alarm. @default 0.5 */
  ageAlarmRatio: z.number().gt(0).lt(1).default(0.5),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
  ...stepPolicyFields,
  /** Alert-only rules on the queue's signals: notify, never scale. @default [] */
  alerts: alertsSchema,
  /** What one worker costs an hour, for the dollars of a recommendation. @default none */
  ...unitPriceField,
});

export type QueueWorkersTarget = z.output<typeof queueWorkersTargetSchema>;
export type QueueWorkersFleet = z.output<typeof queueWorkersFleetSchema>;
