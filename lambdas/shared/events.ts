/**
 * The events the functions accept (EventBridge's envelope with the CloudWatch alarm detail, and the
 * scheduler's re-evaluation and window input), as valibot schemas. Anything else is rejected, naming
 * the field and the problem.
 */

import * as v from 'valibot';
import { REEVALUATE_SOURCE } from './family-rules';
import { isoDateTime, nonEmpty } from './validate';

/** EventBridge's envelope (the fields every event it delivers carries), with `source`, `detail-type` and `detail` given per event. */
export function eventBridgeEvent<S extends string, D extends string, T extends v.GenericSchema>(source: S, detailType: D, detail: T) {
  return v.object({
    version: v.string(),
    id: v.string(),
    source: v.literal(source),
    account: v.string(),
    time: isoDateTime(),
    region: v.string(),
    resources: v.array(v.string()),
    'detail-type': v.literal(detailType),
    detail,
    'replay-name': v.optional(v.string()),
  });
}

const alarmState = v.object({
  value: v.picklist(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  reason: v.optional(v.string()),
  reasonData: v.optional(v.string()),
  timestamp: v.string(),
});

export const AlarmStateChangeSchema = eventBridgeEvent(
  'aws.cloudwatch',
  'CloudWatch Alarm State Change',
  v.object({
    alarmName: nonEmpty(),
    state: alarmState,
    previousState: v.optional(alarmState),
    configuration: v.optional(
      v.object({
        description: v.optional(v.string()),
        metrics: v.optional(v.array(v.unknown())),
      }),
    ),
  }),
);
export type AlarmStateChangeEvent = v.InferOutput<typeof AlarmStateChangeSchema>;

export const ReevaluateSchema = v.strictObject({
  source: v.literal(REEVALUATE_SOURCE),
  action: v.literal('reevaluate'),
  family: v.string(),
  scheduledTime: isoDateTime(),
  executionId: nonEmpty(),
});
export type ReevaluateEvent = v.InferOutput<typeof ReevaluateSchema>;

/** Input of a capacity window's schedules: the window opens (`start`) or closes (`end`); its target is evaluated now. */
export const WindowEventSchema = v.strictObject({
  source: v.literal(REEVALUATE_SOURCE),
  action: v.literal('window'),
  family: v.string(),
  window: nonEmpty(),
  edge: v.picklist(['start', 'end']),
  scheduledTime: isoDateTime(),
  executionId: nonEmpty(),
});
export type WindowEvent = v.InferOutput<typeof WindowEventSchema>;

/** An alarm state change or the scheduler's re-evaluation: told apart by `source`, so a failure names the fields of the one meant. */
export const CapacityEventSchema = v.variant('source', [AlarmStateChangeSchema, ReevaluateSchema]);
export type CapacityEvent = v.InferOutput<typeof CapacityEventSchema>;

/** Alarm state changes, the re-evaluation, and capacity window schedules (told apart by `source`, then `action`). */
export const CapacityOrWindowSchema = v.variant('source', [AlarmStateChangeSchema, v.variant('action', [ReevaluateSchema, WindowEventSchema])]);

export function isAlarmEvent(e: CapacityEvent): e is AlarmStateChangeEvent {
  return 'detail-type' in e;
}
