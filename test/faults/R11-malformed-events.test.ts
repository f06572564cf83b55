/**
 * R11: malformed and foreign events are rejected before any AWS call (DynamoDB included); the
 * handler throws, so Lambda's retries end with the event in the dead-letter queue. That the queue is
 * the function's, and that its depth alarm fires, is read from the synthesized template in
 * R20-iam-and-security.test.ts (one synth for every template check).
 */
import alarmFixture from '../fixtures/cloudwatch-alarm-state-change.json';
import ecsDeployment from '../fixtures/ecs-deployment-state-change.json';
import codePipeline from '../fixtures/codepipeline-execution-state-change.json';
import s3Object from '../fixtures/s3-object-created.json';
import scheduleFixture from '../fixtures/scheduler-reevaluate.json';
import { RejectedEventError } from '../../lambdas/shared/errors';
import { logger } from '../../lambdas/shared/powertools';
import { invokeAsync, withHarness, useDynalite } from './support';

const db = useDynalite();

const MALFORMED: Record<string, unknown> = {
  'not an object': 'hello',
  null: null,
  'an empty object': {},
  'an array of events': [alarmFixture],
  'alarm name not a string': { ...alarmFixture, detail: { ...alarmFixture.detail, alarmName: 42 } },
  'alarm name empty': { ...alarmFixture, detail: { ...alarmFixture.detail, alarmName: '' } },
  'unknown alarm state': { ...alarmFixture, detail: { ...alarmFixture.detail, state: { ...alarmFixture.detail.state, value: 'BROKEN' } } },
  'no detail': { ...alarmFixture, detail: undefined },
  'time not a date': { ...alarmFixture, time: 'yesterday' },
  'wrong source': { ...alarmFixture, source: 'evil.source' },
  'ECS deployment event (cdn family)': ecsDeployment,
  'CodePipeline event (cdn family)': codePipeline,
  'S3 object event (cdn family)': s3Object,
  'schedule with an extra field': { ...scheduleFixture, extra: true },
  'schedule with a bad time': { ...scheduleFixture, scheduledTime: 'soon' },
  'schedule with another action': { ...scheduleFixture, action: 'delete-everything' },
};

const RETRY_ATTEMPTS = 2;

for (const [name, event] of Object.entries(MALFORMED)) {
  test(`R11 malformed event (${name}): rejected with no AWS call, and after Lambda's retries it is in the dead-letter queue`, async () => {
    await withHarness({ db: db(), faults: { dynamo: {} } }, async (h) => {
      const error = jest.spyOn(logger, 'error');
      const deadLetters: unknown[] = [];
      const run = await invokeAsync(h, event, RETRY_ATTEMPTS, deadLetters);
      expect(run.attempts).toBe(RETRY_ATTEMPTS + 1);
      expect(run.errors.every((e) => e instanceof RejectedEventError)).toBe(true);
      expect(deadLetters).toEqual([event]);
      expect(h.calls.calls).toHaveLength(0);
      expect(h.clients.dynamo!.faults.attempted).toHaveLength(0);
      expect(error).toHaveBeenCalledWith('malformed or foreign event rejected', expect.objectContaining({ why: expect.any(String) }));
      error.mockRestore();
    });
  });
}
