import * as v from 'valibot';
import { reevaluateScheduleInput } from '../../../lambdas/shared/alarms';
import { CapacityEventSchema } from '../../../lambdas/shared/events';
import { FakeScheduler } from '../../../sim/cloud/scheduler';
import { T0 } from '../helpers';

describe('FakeScheduler', () => {
  const scheduler = () => new FakeScheduler([{ name: 'reevaluate', rateSeconds: 60, input: reevaluateScheduleInput('capacity') }]);

  test('fires every minute with the placeholders filled in', () => {
    const s = scheduler();
    const [fire] = s.due(T0 + 60_000);
    expect(fire.payload).toEqual({
      source: 'autoscaler.scheduler',
      action: 'reevaluate',
      family: 'capacity',
      scheduledTime: '2026-01-05T00:01:00Z',
      executionId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    });
    // what the handler accepts
    expect(v.safeParse(CapacityEventSchema, fire.payload).success).toBe(true);
    expect(s.due(T0 + 90_000)).toEqual([]);
  });

  test('execution ids are deterministic and differ per run', () => {
    const a = scheduler(),
      b = scheduler();
    const ids = (s: FakeScheduler) => [s.due(T0), s.due(T0 + 60_000)].map((f) => (f[0].payload as { executionId: string }).executionId);
    expect(ids(a)).toEqual(ids(b));
    expect(new Set(ids(scheduler())).size).toBe(2);
  });
});
