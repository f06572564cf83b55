/**
 * The events the functions accept, as zod schemas (Powertools parser's EventBridge envelope extended
 * with the CloudWatch alarm detail), and the scheduler's re-evaluation input. Anything else is rejected.
 */

import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import { REEVALUATE_SOURCE } from './alarms';

const alarmState = z.object({
  value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
  reason: z.string().optional(),
  reasonData: z.string().optional(),
  timestamp: z.string(),
});

export const AlarmStateChangeSchema = EventBridgeSchema.extend({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  detail: z.object({
    alarmName: z.string().min(1),
    state: alarmState,
    previousState: alarmState.optional(),
    configuration: z
      .object({
        description: z.string().optional(),
        metrics: z.array(z.unknown()).optional(),
      })
      .optional(),
  }),
});
export type AlarmStateChangeEvent = z.infer<typeof AlarmStateChangeSchema>;

export const ReevaluateSchema = z.strictObject({
  source: z.literal(REEVALUATE_SOURCE),
  action: z.literal('reevaluate'),
  family: z.string(),
  scheduledTime: z.iso.datetime({ offset: true }),
  executionId: z.string().min(1),
});
export type ReevaluateEvent = z.infer<typeof ReevaluateSchema>;

/** Input of a capacity window's schedules: the window opens (`start`) or closes (`end`); its target is evaluated now. */
export const WindowEventSchema = z.strictObject({
  source: z.literal(REEVALUATE_SOURCE),
  action: z.literal('window'),
  family: z.string(),
  window: z.string().min(1),
  edge: z.enum(['start', 'end']),
  scheduledTime: z.iso.datetime({ offset: true }),
  executionId: z.string().min(1),
});
export type WindowEvent = z.infer<typeof WindowEventSchema>;

export const CapacityEventSchema = z.union([AlarmStateChangeSchema, ReevaluateSchema]);
export type CapacityEvent = z.infer<typeof CapacityEventSchema>;

export function isAlarmEvent(e: CapacityEvent): e is AlarmStateChangeEvent {
  return 'detail-type' in e;
}

/** The most useful part of a zod failure, for one log line: `detail.alarmName: expected string`. */
export function summarizeParseError(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(event)'}: ${i.message}`)
    .join('; ');
}
