/** What `asg` and `ecs-service` share: the web tier's bounds, cooldowns and CPU policy. */
import type { CapacityTarget } from '../../lambdas/shared/config';
import type { Cooldowns, UnitBounds } from './backend';

export const webTierBounds = (t: CapacityTarget): UnitBounds => ({ min: t.minCapacity, max: t.maxCapacity });

export const webTierCooldowns = (t: CapacityTarget): Cooldowns => ({ outSeconds: t.scaleOutCooldownSeconds, inSeconds: t.scaleInCooldownSeconds });

export const webTierPolicy = (t: CapacityTarget): string =>
  `${t.minCapacity}-${t.maxCapacity} units, CPU target ${t.targetCpu}%, scale-out cooldown ${t.scaleOutCooldownSeconds} s, scale-in cooldown ${t.scaleInCooldownSeconds} s`;
