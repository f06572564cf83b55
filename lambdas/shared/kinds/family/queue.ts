/**
 * The queue family's kinds: what the queue function and the recommender's replays load of the registry
 * (../index.ts holds every family's).
 */

import { queueWorkers } from '../queue-workers';
import { rabbitmqWorkers } from '../rabbitmq-workers';
import { redisWorkers } from '../redis-workers';
import type { FamilyKinds } from './view';

export const QUEUE_KINDS = { 'queue-workers': queueWorkers, 'rabbitmq-workers': rabbitmqWorkers, 'redis-workers': redisWorkers } satisfies FamilyKinds<'queue'>;
