/**
 * EventBridge Scheduler, in memory: rate schedules that fire their target with the schedule's input,
 * the context placeholders filled in (`<aws.scheduler.scheduled-time>`, `<aws.scheduler.execution-id>`,
 * `<aws.scheduler.schedule-arn>`, `<aws.scheduler.attempt-number>`).
 */
import { isoSeconds, uuidLike } from './recorder';

export interface Schedule {
  readonly name: string;
  /** Fires at every multiple of this many seconds (epoch time). */
  readonly rateSeconds: number;
  readonly input: unknown;
}

export class FakeScheduler {
  private fired = 0;
  constructor(
    readonly schedules: readonly Schedule[],
    private readonly region = 'us-east-1',
    private readonly account = '123456789012',
  ) {}

  /** The payloads of the schedules due at `now` (epoch ms), in the order of the schedules. */
  due(now: number): { schedule: Schedule; payload: unknown }[] {
    const out = [];
    for (const s of this.schedules) {
      if (now % (s.rateSeconds * 1000) !== 0) continue;
      const fill: Record<string, string> = {
        '<aws.scheduler.scheduled-time>': isoSeconds(now),
        '<aws.scheduler.execution-id>': uuidLike(`schedule/${s.name}/${now}/${++this.fired}`),
        '<aws.scheduler.schedule-arn>': `arn:aws:scheduler:${this.region}:${this.account}:schedule/default/${s.name}`,
        '<aws.scheduler.attempt-number>': '1',
      };
      out.push({ schedule: s, payload: substitute(s.input, fill) });
    }
    return out;
  }
}

function substitute(value: unknown, fill: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/<aws\.scheduler\.[a-z-]+>/g, (m) => fill[m] ?? m);
  if (Array.isArray(value)) return value.map((v) => substitute(v, fill));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, fill)]));
  }
  return value;
}
