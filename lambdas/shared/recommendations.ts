/**
 * Which targets the daily recommender replays (lambdas/recommender), shared with the infrastructure
 * (lib/recommender.ts), which fans them out by their index in this list: the web tiers whose requests
 * CloudWatch holds (a target group) and whose unit capacity the config gives (`requestsPerTarget`), and
 * the SQS queues' workers; a `policy: step` target's rules decide alone and are not replayed.
 */
import type { AutoscalerConfig } from './config';
import type { AsgTarget } from './kinds/schemas/asg';
import type { EcsServiceTarget } from './kinds/schemas/ecs-service';
import type { QueueWorkersTarget } from './kinds/schemas/queue-workers';

export type RecommendedTarget = AsgTarget | EcsServiceTarget | QueueWorkersTarget;

export function recommendedTargets(config: AutoscalerConfig): RecommendedTarget[] {
  return config.targets.filter((t): t is RecommendedTarget => {
    if (t.kind === 'queue-workers') return t.policy !== 'step';
    if (t.kind === 'asg' || t.kind === 'ecs-service') return t.policy !== 'step' && t.targetGroup?.requestsPerTarget !== undefined;
    return false;
  });
}
