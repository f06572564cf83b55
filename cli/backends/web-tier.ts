/** What `asg` and `ecs-service` share: the web tier's bounds, cooldowns and CPU policy. */
import type { CapacityTarget } from '../../lambdas/shared/config';
import { type Cooldowns, cooldownsOf, type UnitBounds } from './backend';

export const webTierBounds = (t: CapacityTarget): UnitBounds => ({ min: t.minCapacity, max: t.maxCapacity });

export const webTierCooldowns = (t: CapacityTarget): Cooldowns => cooldownsOf(t);

/** The CPU policy, or with `policy: step` the rules' count and how often they are evaluated (their cooldowns are the rules' own). */
export const webTierPolicy = (t: CapacityTarget): string =>
  t.policy === 'step' && t.stepRules
    ? `${t.minCapacity}-${t.maxCapacity} units, step policy: ${t.stepRules.length} rule(s) on ${[...new Set(t.stepRules.map((r) => r.signal))].join(', ')}, evaluated every ${t.evaluationIntervalSeconds ?? 60} s`
    : `${t.minCapacity}-${t.maxCapacity} units, CPU target ${t.targetCpu}%, scale-out cooldown ${t.scaleOutCooldownSeconds} s, scale-in cooldown ${t.scaleInCooldownSeconds} s`;
