/**
 * The config schema of `rabbitmq-workers` targets (synth only); the kind is
 * lambdas/shared/kinds/rabbitmq-workers.ts.
 */
import { z } from 'zod';
import { missingDataHoldSchema, targetId } from '../../config/fields';
import { queueSizingFields, queueWorkersFleetSchema } from './queue-workers';

/**
 * A broker name: "must be 1-50 characters long ... can contain only alphanumeric characters, dashes,
 * periods, underscores, and tildes" (Quotas in Amazon MQ, Broker name). The `Broker` dimension is the name.
 */
const brokerName = z
  .string()
  .regex(/^[A-Za-z0-9._~-]{1,50}$/, 'must be an Amazon MQ broker name: 1-50 letters, digits, "-", ".", "_" or "~" (the name, not the id or ARN)');

/**
 * A virtual host or queue name whose metrics Amazon MQ publishes: printable ASCII, no blank (it does
 * not publish "for virtual hosts and queues with names containing blank spaces, tabs or other non-ASCII
 * characters"); RabbitMQ names are at most 255 bytes.
 */
const publishedName = (what: string) =>
  z
    .string()
    .regex(/^[!-~]{1,255}$/, `must be a ${what} name of 1-255 printable ASCII characters without blanks (Amazon MQ publishes no metrics for other names)`);

/**
 * Celery workers fed by one queue on an Amazon MQ for RabbitMQ broker, scaled on the queue's backlog
 * (ready and unacknowledged), its arrival rate and the wait SLO; to zero after an idle period and back
 * on the first message seen.
 */
export const rabbitmqWorkersTargetSchema = z.strictObject({
  kind: z.literal('rabbitmq-workers'),
  id: targetId,
  /** Name of the Amazon MQ for RabbitMQ broker (the `Broker` dimension of its metrics). */
  broker: brokerName,
  /** The virtual host of the queue. @default / */
  virtualHost: publishedName('virtual host').default('/'),
  /** The queue the workers consume (Celery's default is `celery`). */
  queue: publishedName('queue'),
  /** The fleet whose desired count is set. */
  workers: queueWorkersFleetSchema,
  ...queueSizingFields,
  /** What the target does while the queue's datapoints are late or missing (no fallback count). */
  missingData: missingDataHoldSchema.prefault({}),
  /** Record decisions without acting on this target. @default false */
  dryRun: z.boolean().default(false),
});

export type RabbitmqWorkersTarget = z.output<typeof rabbitmqWorkersTargetSchema>;
