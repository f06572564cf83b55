/**
 * A capacity target with `policy: step` on the real path: its rule alarms evaluated by the simulator's
 * CloudWatch, their events through the real capacity handler (middy, idempotency, the service, the
 * decision loop), the in-memory Auto Scaling group, the memory state store.
 */
import { allAlarms } from '../../../../lambdas/shared/alarms';
import { eventOf, type HarnessOptions, scheduleEvent, withHarness } from '../../../faults/support';

/** The seed guides' web rule: CPU above 70% for 5 of 5 minutes adds one, below 30% removes one, 300 s apart. */
const SEED_RULES = [
  { signal: 'cpu', direction: 'up', comparison: '>', threshold: 70, evaluationPeriods: 5, change: { add: 1 }, cooldownSeconds: 300 },
  { signal: 'cpu', direction: 'down', comparison: '<', threshold: 30, evaluationPeriods: 5, change: { add: -1 }, cooldownSeconds: 300 },
];
const STEP: HarnessOptions = { target: { policy: 'step', stepRules: SEED_RULES } };

test("a step target's alarms are its rules' alone, M of N", async () => {
  await withHarness(STEP, async (h) => {
    expect(allAlarms(h.config).map((a) => [a.name, a.datapointsToAlarm, a.evaluationPeriods])).toEqual([
      ['autoscaler/web/step-0/high', 5, 5],
      ['autoscaler/web/step-1/low', 5, 5],
    ]);
  });
});

test('CPU above 70% for 5 minutes adds one unit; the rule waits its cooldown, then adds another', async () => {
  await withHarness(STEP, async (h) => {
    h.load(85, 5);
    const first = await h.handler(eventOf(h.evaluate(), 'autoscaler/web/step-0/high'));
    expect(first.targets[0]).toMatchObject({ outcome: 'applied', previous: 10, desired: 11 });
    expect(first.targets[0].reason).toMatch(/^step policy: rule 0 \(cpu > 70 for 5 of 5 x 60 s: \+1\) holds: 5 of 5, newest 85\.0; rule 0: 10 -> 11/);
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      h.clock.advance(60);
      h.load(85, 5);
      h.evaluate();
      const r = await h.handler(scheduleEvent(h.clock.now));
      outcomes.push(`${r.targets[0].outcome} ${r.targets[0].desired}`);
    }
    // Four re-evaluations inside the 300 s cooldown, then the next step.
    expect(outcomes).toEqual(['held 11', 'held 11', 'held 11', 'held 11', 'applied 12']);
    expect(h.fleet.history.map((x) => x.desired)).toEqual([11, 12]);
    // Held re-evaluations of the schedule are quiet: one audit entry for the repeated hold.
    expect((await h.audit()).map((e) => e.outcome)).toEqual(['applied', 'held', 'applied']);
  });
});

test('four of five minutes above 70% raise no alarm and change nothing (the rule holds on 5 of 5)', async () => {
  await withHarness(STEP, async (h) => {
    h.load(85, 5);
    // One minute of the five at 20%.
    const minute = h.clock.now - 3 * 60_000;
    h.metrics.put(allAlarms(h.config)[0].metric, minute, 20, minute, 5);
    expect(h.evaluate().map((e) => e.detail.state.value)).toEqual(['OK', 'OK']);
    const r = await h.handler(scheduleEvent(h.clock.now));
    expect(r).toMatchObject({ status: 'ignored', targets: [] });
    expect(h.writes()).toEqual([]);
  });
});

test('CPU below 30% for 5 minutes removes one unit; inside the dead band nothing changes', async () => {
  await withHarness(STEP, async (h) => {
    h.load(50, 15);
    expect(h.evaluate().map((e) => `${e.detail.alarmName} ${e.detail.state.value}`)).toEqual(['autoscaler/web/step-0/high OK', 'autoscaler/web/step-1/low OK']);
    h.clock.advance(60);
    h.load(12, 5);
    const r = await h.handler(eventOf(h.evaluate(), 'autoscaler/web/step-1/low'));
    expect(r.targets[0]).toMatchObject({ outcome: 'applied', previous: 10, desired: 9 });
  });
});

test('metrics stalled: a down rule that holds removes nothing', async () => {
  await withHarness(STEP, async (h) => {
    h.load(12, 6);
    const alarm = eventOf(h.evaluate(), 'autoscaler/web/step-1/low');
    // No datapoint arrives for six minutes; the alarm event is delivered late.
    h.clock.advance(360);
    const r = await h.handler({ ...alarm, id: 'late', time: new Date(h.clock.now).toISOString() });
    expect(r.targets[0]).toMatchObject({ outcome: 'held', previous: 10, desired: 10 });
    expect(r.targets[0].reason).toContain('no scale-in while metrics are stalled or missing');
    expect(h.writes()).toEqual([]);
  });
});

test('the bounds in force clamp a step: at maxCapacity an up rule adds nothing', async () => {
  await withHarness({ ...STEP, initial: 20 }, async (h) => {
    h.load(95, 5);
    const r = await h.handler(eventOf(h.evaluate(), 'autoscaler/web/step-0/high'));
    expect(r.targets[0]).toMatchObject({ outcome: 'held', desired: 20 });
    expect(r.targets[0].reason).toContain('already at maxCapacity 20');
  });
});

test('a percent step on an ECS service, clamped to maxCapacity', async () => {
  const rules = [{ signal: 'memory', direction: 'up', comparison: '>=', threshold: 40, evaluationPeriods: 2, change: { percent: 50, minMagnitude: 2 } }];
  await withHarness({ kind: 'ecs-service', target: { policy: 'step', stepRules: rules }, initial: 16 }, async (h) => {
    h.load(50, 5);
    const r = await h.handler(eventOf(h.evaluate(), 'autoscaler/web/step-0/high'));
    expect(r.targets[0]).toMatchObject({ outcome: 'applied', previous: 16, desired: 20 });
    expect(r.targets[0].reason).toContain('rule 0: 16 -> 20 (maxCapacity 20)');
  });
});
