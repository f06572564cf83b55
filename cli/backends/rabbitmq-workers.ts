/** `rabbitmq-workers`: the worker fleet's desired and serving counts, from its group or service. */
import { readGroup } from './asg';
import type { CliBackend } from './backend';
import { readService } from './ecs-service';

export const rabbitmqWorkersBackend: CliBackend<'rabbitmq-workers'> = {
  readNow: (t, deps) => (t.workers.kind === 'asg' ? readGroup(deps, t.workers.autoScalingGroupName) : readService(deps, t.workers.cluster, t.workers.service)),
  bounds: (t) => ({ min: t.minCapacity, max: t.maxCapacity }),
  // COOLDOWN LEFT shows a scale-out and a scale-in cooldown; the workers have only the latter.
  cooldowns: undefined,
  policy: undefined,
};
