/**
 * Every family function, seen the same way by the switch cases (R13 dry-run, R14 pause, R21 switches
 * read right before each write): one target that wants a change, the path an event takes to it, and
 * what reached AWS. Each family's harness (support.ts for capacity, support-queue.ts,
 * support-database.ts, support-cdn.ts) runs its real handler with the state store on dynalite and the
 * in-memory AWS, and offers its paths here.
 */

import type { AuditEntry, StateStore } from '../../lambdas/state/store';
import type { FaultOptions } from '../../sim/cloud/faults';
import type { ApiCall } from '../../sim/cloud/recorder';
import type { LocalDynamo } from '../support/dynalite';
import { alarmEvent, harness, scheduleEvent } from './support';

/** A family's function with one target that wants a change on every `act()`. */
export interface SwitchedWorld {
  readonly targetId: string;
  readonly store: StateStore;
  /**
   * Makes the target want a change, delivers the path's event (a minute after the last one) and
   * returns what the function reported for the target: `applied`, `paused`, `dry-run`, `held`...
   */
  act(): Promise<string>;
  /** The calls that changed something in AWS. */
  writes(): ApiCall[];
  /** The target's audit entries, oldest first. */
  audit(): Promise<AuditEntry[]>;
  restore(): void;
}

export interface SwitchedWorldOptions {
  readonly db: LocalDynamo;
  /** Top-level config fields (`dryRun`). */
  readonly config?: Record<string, unknown>;
  /** Fields of the target over the harness's (`dryRun`). */
  readonly target?: Record<string, unknown>;
  /** Called when a call reaches the in-memory AWS, before it is answered (an operator acting meanwhile). */
  readonly onCall?: (command: string) => Promise<void> | void;
}

export interface FamilyPath {
  readonly family: 'capacity' | 'queue' | 'database' | 'cdn';
  /** The event's path through the function: `alarm`, `schedule`, `poll`, `window edge`... */
  readonly path: string;
  /** The last AWS read before the write: an operator's switch set while it is answered must hold the write. */
  readonly lastRead: string;
  /** The AWS write the change takes. */
  readonly write: string;
  /** What the recorded decision says would be done: matched against `<previous> -> <desired>: <reason>`. */
  readonly plan: RegExp;
  /** The count the change starts from, for the families that scale a count (an override of the ceiling to it holds the change). */
  readonly count?: number;
  world(options: SwitchedWorldOptions): Promise<SwitchedWorld>;
}

/** Fault options that only call `onCall` with each command's name before it reaches the in-memory AWS. */
export function callHook(onCall: (command: string) => Promise<void> | void): FaultOptions {
  return { delay: (c) => onCall(c.command) ?? undefined };
}

/**
 * The capacity family's alarm and schedule paths on its harness (support.ts): CPU at 92% on 10 units,
 * of an Auto Scaling group or an ECS service.
 */
function capacityPath(path: 'alarm' | 'schedule', kind: 'asg' | 'ecs-service' = 'asg'): FamilyPath {
  return {
    family: 'capacity',
    path: kind === 'asg' ? path : `${kind} ${path}`,
    lastRead: 'GetMetricDataCommand',
    write: kind === 'asg' ? 'SetDesiredCapacityCommand' : 'UpdateServiceCommand',
    plan: /^10 -> (1[1-9]|20): /,
    count: 10,
    async world(o) {
      const faults = o.onCall ? { cloudWatch: callHook(o.onCall) } : undefined;
      const h = await harness({ db: o.db, kind, config: o.config, target: o.target, faults });
      let acts = 0;
      return {
        targetId: 'web',
        store: h.store,
        async act() {
          if (acts++ > 0) h.clock.advance(60);
          h.load(92);
          h.evaluate();
          const event = path === 'alarm' ? alarmEvent('autoscaler/web/cpu/high', h.clock.now) : scheduleEvent(h.clock.now);
          const result = await h.handler(event);
          return result.targets.find((t) => t.targetId === 'web')?.outcome ?? result.status;
        },
        writes: () => h.writes(),
        audit: () => h.audit(),
        restore: () => h.restore(),
      };
    },
  };
}

/** An audit entry as the `plan` of a path reads it. */
export function planOf(entry: AuditEntry): string {
  return `${entry.previous ?? ''} -> ${entry.desired ?? ''}: ${entry.reason}`;
}

export const CAPACITY_PATHS: FamilyPath[] = [
  capacityPath('alarm'),
  capacityPath('schedule'),
  capacityPath('alarm', 'ecs-service'),
  capacityPath('schedule', 'ecs-service'),
];
