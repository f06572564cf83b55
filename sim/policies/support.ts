/** Which scenarios the project's own policy can run, without loading the handlers. */
import type { Scenario } from '../scenario';

export const AUTOSCALER = 'autoscaler';

/** Why the autoscaler cannot run a scenario, or undefined when it can. */
export function autoscalerUnsupported(scenario: Scenario): string | undefined {
  return scenario.workload.kind === 'queue'
    ? 'the autoscaler policy for queue workloads needs the `queue-workers` target kind, which the project does not have yet'
    : undefined;
}
