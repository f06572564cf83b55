import * as v from 'valibot';
import { CdnEventSchema } from '../../../lambdas/scalers/cdn/events';
import { CapacityEventSchema, CapacityOrWindowSchema } from '../../../lambdas/shared/events';
import { describeProblems } from '../../../lambdas/shared/validate';
import alarm from '../../fixtures/cloudwatch-alarm-state-change.json';
import codePipeline from '../../fixtures/codepipeline-execution-state-change.json';
import ecsDeployment from '../../fixtures/ecs-deployment-state-change.json';
import s3Object from '../../fixtures/s3-object-created.json';
import schedule from '../../fixtures/scheduler-reevaluate.json';

const window = {
  source: 'autoscaler.scheduler',
  action: 'window',
  family: 'capacity',
  window: 'night',
  edge: 'start',
  scheduledTime: '2026-01-05T22:00:00Z',
  executionId: 'e-1',
};

/** Why the schema refuses `event`, as the rejection says it; undefined when it accepts. */
function why(schema: v.GenericSchema, event: unknown): string | undefined {
  const r = v.safeParse(schema, event);
  return r.success ? undefined : describeProblems(r.issues);
}

test('the real-shaped alarm, schedule and window events are accepted, each by the schema of its family', () => {
  for (const e of [alarm, schedule, window]) expect(why(CapacityOrWindowSchema, e)).toBeUndefined();
  expect(why(CapacityEventSchema, window)).toBeDefined();
  for (const e of [ecsDeployment, codePipeline, s3Object, schedule]) expect(why(CdnEventSchema, e)).toBeUndefined();
});

test('a refused event is named by its field and the value found there', () => {
  expect(why(CapacityOrWindowSchema, { ...alarm, detail: { ...alarm.detail, alarmName: 42 } })).toBe(
    'detail.alarmName: Invalid type: Expected string but received 42',
  );
  expect(why(CapacityOrWindowSchema, { ...alarm, detail: { ...alarm.detail, alarmName: '' } })).toMatch(/^detail\.alarmName: must not be empty/);
  expect(why(CapacityOrWindowSchema, { ...alarm, time: 'yesterday' })).toBe('time: must be an ISO 8601 date and time with its zone');
  expect(why(CapacityOrWindowSchema, { ...alarm, source: 'evil.source' })).toMatch(/^source: .*"evil\.source"/);
  expect(why(CapacityOrWindowSchema, { ...schedule, action: 'delete-everything' })).toMatch(/^action: .*"delete-everything"/);
  expect(why(CapacityOrWindowSchema, { ...schedule, extra: true })).toMatch(/^extra: /);
  expect(why(CapacityOrWindowSchema, 'hello')).toMatch(/^\(event\): .*"hello"/);
  expect(why(CdnEventSchema, { ...s3Object, detail: { bucket: { name: 'x' } } })).toMatch(/^detail\.object: /);
});
