/**
 * R08: an alarm storm, 100 distinct events in a minute on one target, through the real handler and
 * the DynamoDB lease. Desired never passes max, and the count moves by at most one max-step per
 * scale-out cooldown. The events are distinct, so idempotency (R01's subject) keeps its records in
 * memory here: the lease's conditional writes are the DynamoDB traffic this case is about.
 */
import { alarmEvent, useDynalite, withHarness } from './support';

const db = useDynalite();

async function storm(h: Parameters<Parameters<typeof withHarness>[1]>[0], minute: number, concurrency: number) {
  const start = h.clock.now;
  const outcomes: string[] = [];
  for (let i = 0; i < 100; i += concurrency) {
    const batch = [];
    for (let j = i; j < i + concurrency && j < 100; j++) {
      const at = start + j * 600; // 100 events spread over 60 s
      batch.push(alarmEvent(j % 2 ? 'autoscaler/web/cpu/high' : 'autoscaler/web/requests/high', at, 'ALARM', `storm-${minute}-${j}`));
    }
    h.clock.now = start + i * 600;
    const results = await Promise.all(batch.map((e) => h.handler(e).catch((err: Error) => ({ status: 'error', detail: err.message, targets: [] }))));
    for (const r of results) outcomes.push(r.targets[0]?.outcome ?? r.status);
  }
  h.clock.now = start + 60_000;
  return outcomes;
}

test('R08 alarm storm: 100 events in a minute never take desired above max and step at most once per cooldown', async () => {
  const target = {
    maxCapacity: 15,
    maxStepUpRatio: 0.3,
    scaleOutCooldownSeconds: 60,
    targetGroup: { loadBalancerFullName: 'app/django/0123456789abcdef', targetGroupFullName: 'targetgroup/web/0123456789abcdef', requestsPerTarget: 600 },
  };
  await withHarness({ db: db(), idempotency: 'memory', target, initial: 8 }, async (h) => {
    const steps: number[] = [];
    for (let minute = 0; minute < 3; minute++) {
      h.load(99); // saturated: the engine asks for a full step every time it may
      h.evaluate();
      const before = h.fleet.desired;
      const writesBefore = h.writes().length;
      const outcomes = await storm(h, minute, 10);
      expect(outcomes).not.toContain('error');
      const writes = h.writes().length - writesBefore;
      // one scale-out per cooldown (60 s): at most one action in the storm's minute
      expect(writes).toBeLessThanOrEqual(1);
      // and that action is at most one max-step: ceil(30% of the count)
      expect(h.fleet.desired - before).toBeLessThanOrEqual(Math.max(1, Math.ceil(before * target.maxStepUpRatio)));
      steps.push(h.fleet.desired);
    }
    expect(Math.max(...h.fleet.history.map((x) => x.desired))).toBeLessThanOrEqual(15);
    // the storm did drive the target up to its max, one bounded step per minute
    expect(steps[steps.length - 1]).toBe(15);
    expect(h.fleet.history.length).toBeGreaterThanOrEqual(2);
    const applied = (await h.audit()).filter((e) => e.outcome === 'applied');
    expect(applied).toHaveLength(h.fleet.history.length);
  });
});
