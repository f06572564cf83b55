/**
 * The capacity windows' EventBridge Scheduler schedules as plain data: one at each window's start and
 * one at its end (when the window has an `end` cron), in the window's time zone, each invoking the
 * family function of the window's target with a `window` event. The construct synthesizes exactly
 * these; the handlers parse their input (lambdas/shared/events.ts `WindowEventSchema`).
 */
import type { Family } from './alarm-spec';
import type { AutoscalerConfig } from './config';
import { familyOf, REEVALUATE_SOURCE } from './family-rules';

export interface WindowScheduleSpec {
  /** `<window>-start` or `<window>-end`. */
  readonly id: string;
  readonly window: string;
  readonly edge: 'start' | 'end';
  readonly family: Family;
  readonly targetId: string;
  /** `cron(...)`, as in the config. */
  readonly expression: string;
  readonly timezone: string;
  readonly input: Record<string, string>;
}

export function windowScheduleInput(family: Family, window: string, edge: 'start' | 'end'): Record<string, string> {
  return {
    source: REEVALUATE_SOURCE,
    action: 'window',
    family,
    window,
    edge,
    scheduledTime: '<aws.scheduler.scheduled-time>',
    executionId: '<aws.scheduler.execution-id>',
  };
}

/**
 * Every window schedule of the config. A window given by `durationMinutes` has a start schedule only:
 * the family's 1-minute schedule notices its close (the queue poller applies the bounds in force at
 * each poll; the capacity family re-evaluates a target whose window changed).
 */
export function windowSchedules(config: AutoscalerConfig): WindowScheduleSpec[] {
  const out: WindowScheduleSpec[] = [];
  for (const w of config.windows) {
    const target = config.targets.find((t) => t.id === w.target);
    if (!target) continue;
    const family = familyOf(target);
    const edges: ['start' | 'end', string | undefined][] = [
      ['start', w.start],
      ['end', w.end],
    ];
    for (const [edge, expression] of edges) {
      if (!expression) continue;
      out.push({
        id: `${w.name}-${edge}`,
        window: w.name,
        edge,
        family,
        targetId: w.target,
        expression,
        timezone: w.timezone,
        input: windowScheduleInput(family, w.name, edge),
      });
    }
  }
  return out;
}
