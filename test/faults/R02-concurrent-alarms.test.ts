/**
 * R02: two alarms of one target fire at once. The lease serializes them: one decides and acts, the
 * other finds the target busy; the result is one consistent step, not two.
 */
import { eventOf, useDynalite, withHarness } from './support';

const db = useDynalite();
const TARGET_GROUP = { loadBalancerFullName: 'app/django/0123456789abcdef', targetGroupFullName: 'targetgroup/web/0123456789abcdef', requestsPerTarget: 1200 };

test('R02 concurrent alarms: CPU and request alarms of one target firing together make one step', async () => {
  await withHarness({ db: db(), target: { targetGroup: TARGET_GROUP } }, async (h) => {
    h.load(93);
    const events = h.evaluate();
    const cpu = eventOf(events, 'autoscaler/web/cpu/high');
    const requests = eventOf(events, 'autoscaler/web/requests/high');

    // Hold every invocation's first look at the group until one invocation has finished, so that both
    // are inside the handler at once; if both reached the group (two lease holders), let them through.
    let describesWaiting = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const realSend = h.clients.autoScaling.send.bind(h.clients.autoScaling);
    h.clients.autoScaling.send = async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'DescribeAutoScalingGroupsCommand') {
        if (++describesWaiting === 2) release();
        await gate;
      }
      return realSend(command);
    };
    const a = h.handler(cpu);
    const b = h.handler(requests);
    void Promise.race([a, b]).finally(release);
    const results = await Promise.all([a, b]);

    const outcomes = results.map((r) => r.targets[0].outcome).sort();
    expect(outcomes).toEqual(['applied', 'busy']);
    expect(h.writes()).toHaveLength(1);
    expect(h.fleet.history).toHaveLength(1);
    const applied = results.find((r) => r.targets[0].outcome === 'applied')!.targets[0];
    expect(h.fleet.desired).toBe(applied.desired);
    // the one step respects the step limit (maxStepUpRatio 1: at most double)
    expect(applied.desired!).toBeLessThanOrEqual(20);
    const audit = await h.audit();
    expect(audit.map((e) => e.outcome)).toEqual(['applied']);
  });
});

test('R02 concurrent alarms: the second alarm, handled right after the first, does not step again', async () => {
  await withHarness({ db: db(), target: { targetGroup: TARGET_GROUP } }, async (h) => {
    h.load(93);
    const events = h.evaluate();
    const first = await h.handler(eventOf(events, 'autoscaler/web/cpu/high'));
    expect(first.targets[0].outcome).toBe('applied');
    // the same target's request alarm, delivered a few seconds later, finds the step already taken
    h.clock.advance(5);
    const second = await h.handler(eventOf(events, 'autoscaler/web/requests/high'));
    expect(second.targets[0].outcome).toBe('held');
    expect(h.writes()).toHaveLength(1);
  });
});
