/** `redis-workers`: the worker fleet's desired and serving counts, from its group or service. */
import { readGroup } from './asg';
import { type CliBackend, cooldownsOf } from './backend';
import { readService } from './ecs-service';

export const redisWorkersBackend: CliBackend<'redis-workers'> = {
  readNow: (t, deps) => (t.workers.kind === 'asg' ? readGroup(deps, t.workers.autoScalingGroupName) : readService(deps, t.workers.cluster, t.workers.service)),
  bounds: (t) => ({ min: t.minCapacity, max: t.maxCapacity }),
  // As queue-workers: a scale-in cooldown only, a scale-out is applied at once.
  cooldowns: cooldownsOf,
  policy: undefined,
};
