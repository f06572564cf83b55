/** Which scenarios the project's own policy can run, without loading the handlers. */
import type { Scenario } from '../scenario';

export const AUTOSCALER = 'autoscaler';
/** The project's handlers with the seed guides' step rule as `policy: step` (sim/policies/autoscaler.ts). */
export const AUTOSCALER_STEP = 'autoscaler-step';

/** Why the autoscaler cannot run a scenario, or undefined when it can. */
export function autoscalerUnsupported(_scenario: Scenario): string | undefined {
  // Web scenarios run an `asg` target, queue scenarios a `queue-workers` target (`rabbitmq-workers` for `broker: rabbitmq`).
  return undefined;
}
