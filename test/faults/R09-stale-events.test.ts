/**
 * R09: stale events are dropped with a log line: older than `maxEventAgeSeconds`, or of an alarm that
 * is already back to OK. Nothing is written to AWS and no lease is taken.
 */
import { logger } from '../../lambdas/shared/powertools';
import { alarmEvent, eventOf, useDynalite, withHarness } from './support';

const db = useDynalite();

afterEach(() => jest.restoreAllMocks());

test('R09 stale event: an alarm event older than maxEventAgeSeconds is dropped with a log line', async () => {
  await withHarness({ db: db(), config: { maxEventAgeSeconds: 300 } }, async (h) => {
    const warn = jest.spyOn(logger, 'warn');
    h.load(92);
    const event = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    h.clock.advance(301);
    const result = await h.handler(event);
    expect(result).toMatchObject({ status: 'ignored', targets: [] });
    expect(result.detail).toMatch(/301 s old, older than 300 s/);
    expect(warn).toHaveBeenCalledWith('stale alarm event dropped', expect.objectContaining({ alarmName: 'autoscaler/web/cpu/high', maxEventAgeSeconds: 300 }));
    expect(h.writes()).toHaveLength(0);
    expect(h.calls.calls).toHaveLength(0);
    // no lease was taken: another owner gets it at once
    expect(await h.store.acquireLease('web', 'probe', h.clock.now, 1)).toBe(true);
  });
});

test('R09 stale event: an event just inside maxEventAgeSeconds is still acted on', async () => {
  await withHarness({ db: db(), config: { maxEventAgeSeconds: 300 } }, async (h) => {
    h.load(92);
    const event = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    h.clock.advance(299);
    expect((await h.handler(event)).targets[0]).toMatchObject({ outcome: 'applied' });
  });
});

test('R09 stale event: an ALARM event whose alarm is already back to OK is dropped with a log line', async () => {
  await withHarness({ db: db() }, async (h) => {
    const info = jest.spyOn(logger, 'info');
    h.load(92);
    const event = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    // the load falls before the event is delivered; the alarm goes back to OK
    h.clock.advance(60);
    h.load(30);
    h.clock.advance(60);
    expect(h.evaluate().map((e) => [e.detail.alarmName, e.detail.state.value])).toContainEqual(['autoscaler/web/cpu/high', 'OK']);
    const result = await h.handler(event);
    expect(result).toMatchObject({ status: 'ignored', detail: expect.stringMatching(/is OK now/) });
    expect(info).toHaveBeenCalledWith(
      'alarm is no longer in ALARM; event dropped',
      expect.objectContaining({ alarmName: 'autoscaler/web/cpu/high', state: 'OK' }),
    );
    expect(h.writes()).toHaveLength(0);
    expect(h.calls.calls.map((c) => c.command)).toEqual(['DescribeAlarmsCommand']);
  });
});

test('R09 stale event: an alarm that no longer exists drops its event', async () => {
  await withHarness({ db: db(), target: { targetGroup: undefined } }, async (h) => {
    // a requests alarm of a target that has no target group any more (the config changed since)
    const result = await h.handler(alarmEvent('autoscaler/web/requests/high', h.clock.now));
    expect(result).toMatchObject({ status: 'ignored', detail: expect.stringMatching(/gone now/) });
    expect(h.writes()).toHaveLength(0);
  });
});
