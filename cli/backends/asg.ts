/** `asg`: the Auto Scaling group's desired and in-service counts. */
import { AutoScalingAdapter } from '../../lambdas/adapters/autoscaling';
import type { CliDeps } from '../deps';
import { type CliBackend, nowOf, type TargetNow } from './backend';
import { webTierBounds, webTierCooldowns, webTierPolicy } from './web-tier';

/** The CLI only describes the group: the adapter's retry sleep is never used. */
const noSleep = async () => undefined;

export async function readGroup(deps: CliDeps, groupName: string): Promise<TargetNow> {
  return nowOf(await new AutoScalingAdapter(deps.autoScaling, groupName, noSleep).describe());
}

export const asgBackend: CliBackend<'asg'> = {
  readNow: (t, deps) => readGroup(deps, t.autoScalingGroupName),
  bounds: webTierBounds,
  cooldowns: webTierCooldowns,
  policy: webTierPolicy,
};
