/**
 * Capacity windows: cron periods (with a time zone) that set a target's floor and ceiling, for the
 * kinds that declare `windows` (lambdas/shared/kinds).
 */
import { z } from 'zod';
import { checkTimeZone, parseCron } from '../../engine/windows';
import { KIND_FACTS } from '../kinds/facts';
import { MAX_UNITS, targetId } from './fields';

/** EventBridge Scheduler's cron expression: `cron(minutes hours day-of-month month day-of-week year)`. */
const cronExpression = z
  .string()
  .regex(/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/, 'must be an EventBridge cron expression: cron(minutes hours day-of-month month day-of-week year)');

/**
 * A capacity window: from each `start` for `durationMinutes` (or until the next `end`), in `timezone`,
 * the target's floor and ceiling are `minCapacity` and `maxCapacity` instead of its own.
 */
export const capacityWindowSchema = z.strictObject({
  /** Short name, unique in the config; names the window's schedules. */
  name: targetId,
  /** Id of an `asg`, `ecs-service` or `queue-workers` target. */
  target: targetId,
  /** When the window opens, an EventBridge cron expression such as `cron(0 23 * * ? *)`. */
  start: cronExpression,
  /** When the window closes (cron); exactly one of `end` and `durationMinutes`. */
  end: cronExpression.optional(),
  /** How long the window lasts after each start, minutes (at most 7 days). */
  durationMinutes: z.number().int().min(1).max(10080).optional(),
  /** IANA time zone of the cron expressions. @default "UTC" */
  timezone: z.string().min(1).max(64).default('UTC'),
  /** The target's floor while the window is open. @default the target's minCapacity */
  minCapacity: z.number().int().min(0).max(MAX_UNITS).optional(),
  /** The target's ceiling while the window is open. @default the target's maxCapacity */
  maxCapacity: z.number().int().min(0).max(MAX_UNITS).optional(),
});

export type CapacityWindowConfig = z.output<typeof capacityWindowSchema>;

/** Target kinds whose floor and ceiling a capacity window sets. */
export const WINDOW_KINDS: readonly string[] = Object.entries(KIND_FACTS).flatMap(([kind, facts]) => (facts.windows ? [kind] : []));

/** Windows name an existing capacity or queue target, hold valid crons and time zones, and keep floor <= ceiling. */
export function checkWindows(
  config: {
    targets: readonly { id: string; kind: string; minCapacity?: number; maxCapacity?: number }[];
    windows: readonly CapacityWindowConfig[];
  },
  ctx: z.core.$RefinementCtx,
): void {
  const names = new Map<string, number>();
  config.windows.forEach((w, i) => {
    const at = (...path: (string | number)[]) => ['windows', i, ...path];
    const first = names.get(w.name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: at('name'), message: `"${w.name}" is already the name of windows[${first}]` });
    else names.set(w.name, i);
    const target = config.targets.find((t) => t.id === w.target);
    if (!target) {
      ctx.addIssue({ code: 'custom', path: at('target'), message: `"${w.target}" is not the id of any target` });
    } else if (!WINDOW_KINDS.includes(target.kind)) {
      ctx.addIssue({ code: 'custom', path: at('target'), message: `"${w.target}" is a ${target.kind} target; windows apply to ${WINDOW_KINDS.join(', ')}` });
    } else {
      const min = w.minCapacity ?? target.minCapacity ?? 0;
      const max = w.maxCapacity ?? target.maxCapacity ?? 0;
      if (min > max) ctx.addIssue({ code: 'custom', path: at('minCapacity'), message: `the window's floor ${min} is above its ceiling ${max}` });
    }
    if ((w.end === undefined) === (w.durationMinutes === undefined)) {
      ctx.addIssue({ code: 'custom', path: at(), message: 'needs exactly one of end (a cron) and durationMinutes' });
    }
    if (w.minCapacity === undefined && w.maxCapacity === undefined) {
      ctx.addIssue({ code: 'custom', path: at(), message: 'sets neither minCapacity nor maxCapacity; it would change nothing' });
    }
    for (const key of ['start', 'end'] as const) {
      const expression = w[key];
      if (expression === undefined) continue;
      try {
        parseCron(expression);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: at(key), message: (err as Error).message });
      }
    }
    try {
      checkTimeZone(w.timezone);
    } catch {
      ctx.addIssue({ code: 'custom', path: at('timezone'), message: `"${w.timezone}" is not an IANA time zone (such as Europe/Paris)` });
    }
  });
}
