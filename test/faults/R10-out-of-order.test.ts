/**
 * R10: events arrive out of order. Whatever order OK and ALARM come in, the decision follows the
 * alarm's state now (DescribeAlarms), not the state the event carries.
 */
import { eventOf, useDynalite, withHarness } from './support';

const db = useDynalite();

test('R10 out of order: OK delivered before the earlier ALARM: the late ALARM finds the alarm OK and does nothing', async () => {
  await withHarness({ db: db() }, async (h) => {
    h.load(92);
    const alarm = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    h.clock.advance(60);
    h.load(30);
    h.clock.advance(60);
    const ok = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    expect(ok.detail.state.value).toBe('OK');

    expect(await h.handler(ok)).toMatchObject({ status: 'ignored' });
    expect(await h.handler(alarm)).toMatchObject({ status: 'ignored', detail: expect.stringMatching(/is OK now/) });
    expect(h.writes()).toHaveLength(0);
  });
});

test('R10 out of order: ALARM after an OK that is older: the alarm is in ALARM now, so it is acted on once', async () => {
  await withHarness({ db: db() }, async (h) => {
    h.load(92);
    const firstAlarm = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    h.clock.advance(60);
    h.load(30);
    h.clock.advance(60);
    const ok = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    h.clock.advance(60);
    h.load(95);
    h.clock.advance(60);
    const secondAlarm = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');

    // delivered: the second ALARM, then the old OK, then the first ALARM
    const acted = await h.handler(secondAlarm);
    expect(acted.targets[0]).toMatchObject({ outcome: 'applied' });
    expect(await h.handler(ok)).toMatchObject({ status: 'ignored' });
    const late = await h.handler(firstAlarm);
    // the alarm is in ALARM now, so the late event is evaluated, but on today's numbers: the step is taken
    expect(late.targets[0]?.outcome ?? late.status).not.toBe('applied');
    expect(h.writes()).toHaveLength(1);
  });
});

test('R10 out of order: an OK event never scales in by itself, even when it arrives last', async () => {
  await withHarness({ db: db() }, async (h) => {
    h.load(92);
    const alarm = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    await h.handler(alarm);
    const after = h.fleet.desired;
    h.clock.advance(60);
    h.load(10);
    h.clock.advance(60);
    const ok = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    expect(await h.handler(ok)).toMatchObject({ status: 'ignored' });
    expect(h.fleet.desired).toBe(after);
  });
});
