/** R01: EventBridge delivers at least once; the same event twice is one action. */
import { harness, useDynalite } from './support';

const db = useDynalite();

test('R01 duplicate delivery: the same EventBridge event delivered twice acts once', async () => {
  const h = await harness({ db: db() });
  try {
    h.load(92);
    const [event] = h.evaluate().filter((e) => e.detail.alarmName === 'autoscaler/web/cpu/high');
    expect(event.detail.state.value).toBe('ALARM');

    const first = await h.handler(event);
    expect(first.targets[0]).toMatchObject({ outcome: 'applied', previous: 10 });
    h.clock.advance(30);
    // the copy is a fresh deserialization of the same event, as a redelivery is
    const second = await h.handler(JSON.parse(JSON.stringify(event)));

    expect(second).toEqual(first);
    expect(h.writes()).toHaveLength(1);
    expect(h.fleet.history).toEqual([{ at: expect.any(Number), desired: first.targets[0].desired }]);
    expect((await h.audit()).filter((e) => e.outcome === 'applied')).toHaveLength(1);
  } finally {
    h.restore();
  }
});

test('R01 duplicate delivery: two copies delivered at the same moment act once', async () => {
  const h = await harness({ db: db() });
  try {
    h.load(92);
    const [event] = h.evaluate().filter((e) => e.detail.alarmName === 'autoscaler/web/cpu/high');
    const results = await Promise.allSettled([h.handler(event), h.handler(structuredClone(event))]);
    // one runs; the other finds the first in progress (Powertools throws for a retry) or its result
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    expect(fulfilled.length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect(String(r.reason?.name)).toMatch(/IdempotencyAlreadyInProgressError/);
    expect(h.writes()).toHaveLength(1);
  } finally {
    h.restore();
  }
});
