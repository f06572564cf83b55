/**
 * R06 (capacity part): ScalingActivityInProgress is a transitional state of an Auto Scaling group. It
 * is waited out with backoff; if it outlasts the backoff, the invocation fails for a later retry with
 * nothing recorded as done. (InvalidDBInstanceState and InvalidReplicationGroupState belong to the
 * data tier's runbooks.)
 */
import { TransientError } from '../../lambdas/shared/errors';
import { eventOf, useDynalite, withHarness } from './support';

const db = useDynalite();
const IN_PROGRESS = 'ScalingActivityInProgressFault';

test('R06 transitional state: ScalingActivityInProgress is waited out with backoff, then the change is made once', async () => {
  await withHarness({ db: db(), faults: { autoScaling: { errors: [{ command: 'SetDesiredCapacityCommand', error: IN_PROGRESS, times: 2 }] } } }, async (h) => {
    h.load(92);
    const result = await h.handler(eventOf(h.evaluate(), 'autoscaler/web/cpu/high'));
    expect(result.targets[0]).toMatchObject({ outcome: 'applied', previous: 10 });
    expect(h.sleeps).toHaveLength(2);
    expect(h.sleeps[0]).toBeGreaterThanOrEqual(250);
    expect(h.sleeps[1]).toBeGreaterThanOrEqual(500);
    expect(h.writes()).toHaveLength(1);
    expect((await h.audit()).map((e) => e.outcome)).toEqual(['applied']);
  });
});

test('R06 transitional state: a scaling activity that outlasts the backoff fails the invocation for a retry; the retry acts once', async () => {
  await withHarness({ db: db(), faults: { autoScaling: { errors: [{ command: 'SetDesiredCapacityCommand', error: IN_PROGRESS, times: 4 }] } } }, async (h) => {
    h.load(92);
    const event = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    await expect(h.handler(event)).rejects.toBeInstanceOf(TransientError);
    expect(h.sleeps).toHaveLength(3);
    expect(h.writes()).toHaveLength(0);
    // nothing claims an action was taken: no audit entry, no cooldown started
    expect(await h.audit()).toEqual([]);
    expect((await h.store.getTarget('web'))?.lastActionAt).toBeUndefined();

    h.clock.advance(60); // Lambda's first retry
    const retry = await h.handler(structuredClone(event));
    expect(retry.targets[0]).toMatchObject({ outcome: 'applied', previous: 10 });
    expect(h.writes()).toHaveLength(1);
  });
});
