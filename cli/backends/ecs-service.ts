/** `ecs-service`: the service's desired and running task counts. */
import { EcsAdapter } from '../../lambdas/adapters/ecs';
import type { CliDeps } from '../deps';
import { type CliBackend, nowOf, type TargetNow } from './backend';
import { webTierBounds, webTierCooldowns, webTierPolicy } from './web-tier';

export async function readService(deps: CliDeps, cluster: string, service: string): Promise<TargetNow> {
  return nowOf(await new EcsAdapter(deps.ecs, cluster, service).describe());
}

export const ecsServiceBackend: CliBackend<'ecs-service'> = {
  readNow: (t, deps) => readService(deps, t.cluster, t.service),
  bounds: webTierBounds,
  cooldowns: webTierCooldowns,
  policy: webTierPolicy,
};
