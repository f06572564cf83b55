/** The deployment's targets as the operator's actions name them: by id, an unknown id refused with the ids there are. */
import type { AutoscalerConfig, TargetConfig } from '../shared/config';

/** A target id the deployment does not have; the message lists the ones it has. */
export class UnknownTargetError extends Error {
  constructor(
    readonly targetId: string,
    known: readonly string[],
  ) {
    super(`no target "${targetId}" in this deployment (targets: ${known.join(', ')})`);
    this.name = 'UnknownTargetError';
  }
}

/** The configured target `targetId`, or an UnknownTargetError. */
export function targetOf(config: AutoscalerConfig, targetId: string): TargetConfig {
  const target = config.targets.find((t) => t.id === targetId);
  if (!target)
    throw new UnknownTargetError(
      targetId,
      config.targets.map((t) => t.id),
    );
  return target;
}
