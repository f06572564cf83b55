/** R12: an alarm name with the deployment's prefix but no such target in the config: rejected and logged, no AWS call. */
import { logger } from '../../lambdas/shared/powertools';
import { alarmEvent, useDynalite, withHarness } from './support';

const db = useDynalite();

const NAMES = [
  'autoscaler/nope/cpu/high', // no such target
  'autoscaler/web/disk/high', // no such signal
  'autoscaler/web/cpu/sideways', // no such direction
  'autoscaler/web/cpu/high/extra', // too many parts
  'autoscaler/web', // too few
  'autoscaler-self/dlq/depth', // the deployment's own self-alarm
];

for (const name of NAMES) {
  test(`R12 unknown target: "${name}" is rejected and logged, with no AWS call`, async () => {
    await withHarness({ db: db(), faults: { dynamo: {} } }, async (h) => {
      const warn = jest.spyOn(logger, 'warn');
      const result = await h.handler(alarmEvent(name, h.clock.now));
      expect(result).toMatchObject({ status: 'rejected', targets: [] });
      expect(result.detail).toContain(name);
      expect(warn).toHaveBeenCalledWith('alarm names no configured capacity target; rejected', { alarmName: name });
      expect(h.calls.calls).toHaveLength(0);
      expect(h.clients.dynamo!.faults.attempted).toHaveLength(0);
      warn.mockRestore();
    });
  });
}

test('R12 unknown target: a data-tier target id is not a capacity target either', async () => {
  await withHarness({ db: db() }, async (h) => {
    // the capacity function only knows asg and ecs-service targets; a schedule of another family is refused too
    const result = await h.handler({
      source: 'autoscaler.scheduler',
      action: 'reevaluate',
      family: 'database',
      scheduledTime: '2026-01-05T10:00:00Z',
      executionId: 'x',
    });
    expect(result).toMatchObject({ status: 'rejected' });
    expect(h.calls.calls).toHaveLength(0);
  });
});
