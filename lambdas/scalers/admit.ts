/**
 * Which events reach a family's decision loop (lambdas/scalers/decision-loop.ts): an alarm of one of
 * the family's targets that is recent and in ALARM, a capacity window of one of its targets, a schedule
 * of the family. Anything else gets the family's answer at once: rejected (not ours) or ignored
 * (nothing to do).
 */

import { parseAlarmName } from '../shared/alarm-spec';
import type { AutoscalerConfig } from '../shared/config';
import type { AlarmStateChangeEvent, WindowEvent } from '../shared/events';
import { logger } from '../shared/powertools';
import type { FamilyResult } from './decision-loop';

export type Admitted<T> = { readonly target: T; readonly detail: string } | { readonly result: FamilyResult };

/** A family's targets, by id, and what admitting an event needs to know. */
export interface FamilyTargets<T> {
  readonly family: string;
  readonly targets: ReadonlyMap<string, T>;
  readonly config: AutoscalerConfig;
  /** Epoch milliseconds now. */
  readonly now: () => number;
}

const answer = (status: 'ignored' | 'rejected', detail: string): { result: FamilyResult } => ({ result: { status, detail, targets: [] } });

/**
 * The target an alarm state change is about, when it is one of the family's targets, the event is no
 * older than `maxEventAgeSeconds` and the alarm went to ALARM. With `stateNow`, the alarm's state is
 * read again: events can arrive late or out of order, so the decision follows the alarm's state now,
 * not the event's.
 */
export async function admitAlarm<T>(
  event: AlarmStateChangeEvent,
  family: FamilyTargets<T>,
  stateNow?: (alarmName: string) => Promise<string | undefined>,
): Promise<Admitted<T>> {
  const { config, now } = family;
  const name = event.detail.alarmName;
  const parts = parseAlarmName(config.prefix, name);
  const target = parts && family.targets.get(parts.targetId);
  if (!target) {
    logger.warn(`alarm names no configured ${family.family} target; rejected`, { alarmName: name });
    return answer('rejected', `alarm "${name}" names no configured ${family.family} target`);
  }
  const ageSeconds = (now() - Date.parse(event.time)) / 1000;
  if (ageSeconds > config.maxEventAgeSeconds) {
    logger.warn('stale alarm event dropped', { alarmName: name, ageSeconds, maxEventAgeSeconds: config.maxEventAgeSeconds });
    return answer('ignored', `event is ${Math.round(ageSeconds)} s old, older than ${config.maxEventAgeSeconds} s`);
  }
  if (event.detail.state.value !== 'ALARM') return answer('ignored', `alarm "${name}" went to ${event.detail.state.value}; nothing to do`);
  if (stateNow) {
    const state = await stateNow(name);
    if (state !== 'ALARM') {
      logger.info('alarm is no longer in ALARM; event dropped', { alarmName: name, state });
      return answer('ignored', `alarm "${name}" is ${state ?? 'gone'} now`);
    }
  }
  return { target, detail: `alarm "${name}"` };
}

/** The target a capacity window's start or end is about, when it is one of the family's targets. */
export function admitWindow<T>(event: WindowEvent, family: FamilyTargets<T>): Admitted<T> {
  const window = family.config.windows.find((w) => w.name === event.window);
  const target = window && family.targets.get(window.target);
  if (!window || !target) {
    logger.warn(`window names no configured ${family.family} target; rejected`, { window: event.window });
    return answer('rejected', `window "${event.window}" is not a window of a ${family.family} target`);
  }
  return { target, detail: `window "${window.name}" ${event.edge}` };
}

/** The answer to a schedule of another family (a rule pointed at the wrong function); undefined when it is the family's own. */
export function otherFamily(scheduled: string, family: string): FamilyResult | undefined {
  if (scheduled === family) return undefined;
  logger.warn('schedule for another family; rejected', { family: scheduled });
  return { status: 'rejected', detail: `schedule is for family "${scheduled}", not ${family}`, targets: [] };
}
