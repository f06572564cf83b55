/**
 * R34: a step policy's decisions obey the same switches as the default policy's: pause (global or per
 * target) and dry-run (config-wide, per target, the state table's switch on the target or for all) make
 * zero AWS writes while every decision is recorded with what it would do; a pause does not start the
 * rule's cooldown, and after resume the next evaluation acts. On the real capacity and queue handlers,
 * the state store on dynalite, the in-memory AWS.
 */
import { eventOf, type HarnessOptions, scheduleEvent, useDynalite, withHarness } from './support';
import { pollEvent, queueHarness } from './support-queue';

const db = useDynalite();

const RULES = [
  { signal: 'cpu', direction: 'up', comparison: '>', threshold: 70, evaluationPeriods: 5, change: { add: 2 }, cooldownSeconds: 300 },
  { signal: 'cpu', direction: 'down', comparison: '<', threshold: 30, evaluationPeriods: 5, change: { add: -1 }, cooldownSeconds: 300 },
];
const step = (extra: Record<string, unknown> = {}) => ({ policy: 'step', stepRules: RULES, ...extra });

const HOLDS: Record<string, Pick<HarnessOptions, 'config' | 'target'> & { pause?: string; dryRun?: string; outcome: string }> = {
  'global pause': { target: step(), pause: '*', outcome: 'paused' },
  'pause on the target': { target: step(), pause: 'web', outcome: 'paused' },
  'config dryRun': { config: { dryRun: true }, target: step(), outcome: 'dry-run' },
  'target dryRun': { target: step({ dryRun: true }), outcome: 'dry-run' },
  'dry-run switch on the target': { target: step(), dryRun: 'web', outcome: 'dry-run' },
  'global dry-run switch': { target: step(), dryRun: '*', outcome: 'dry-run' },
};

for (const [mode, options] of Object.entries(HOLDS)) {
  test(`R34 step policy, ${mode}: zero writes, every decision recorded as ${options.outcome} with the step it would make`, async () => {
    await withHarness({ db: db(), ...options }, async (h) => {
      if (options.pause) await h.store.setSwitch(options.pause, 'paused', true);
      if (options.dryRun) await h.store.setSwitch(options.dryRun, 'dryRun', true);
      const results = [];
      for (let minute = 0; minute < 4; minute++) {
        h.load(92, 5);
        const events = h.evaluate();
        results.push(await h.handler(minute === 0 ? eventOf(events, 'autoscaler/web/step-0/high') : scheduleEvent(h.clock.now)));
        h.clock.advance(60);
      }
      expect(results.map((r) => r.targets[0]?.outcome)).toEqual([options.outcome, options.outcome, options.outcome, options.outcome]);
      expect(h.writes()).toEqual([]);
      expect(h.fleet.desired).toBe(10);
      const audit = await h.audit();
      expect(audit.length).toBeGreaterThanOrEqual(1);
      expect(audit.every((e) => e.outcome === options.outcome)).toBe(true);
      expect(audit[0]).toMatchObject({ previous: 10, desired: 12 });
      expect(audit[0].reason).toContain('step policy: rule 0');
      // Nothing was done: no cooldown started.
      expect((await h.store.getTarget('web'))?.lastActionAt).toBeUndefined();

      if (options.pause) await h.store.setSwitch(options.pause, 'paused', false);
      if (options.dryRun) await h.store.setSwitch(options.dryRun, 'dryRun', false);
      if (options.pause || options.dryRun) {
        h.load(92, 5);
        h.evaluate();
        const resumed = await h.handler(scheduleEvent(h.clock.now));
        expect(resumed.targets[0]).toMatchObject({ outcome: 'applied', previous: 10, desired: 12 });
        expect(h.fleet.desired).toBe(12);
      }
    });
  });
}

const QUEUE_RULES = [
  { signal: 'visibleMessages', direction: 'up', comparison: '>', threshold: 1000, change: { add: 3 }, cooldownSeconds: 300 },
  { signal: 'visibleMessages', direction: 'down', comparison: '<', threshold: 10, evaluationPeriods: 5, change: { add: -1 } },
];

for (const [mode, options] of Object.entries(HOLDS)) {
  test(`R34 queue step policy, ${mode}: no UpdateService, every poll's decision recorded as ${options.outcome}`, async () => {
    const target = { ...options.target, stepRules: QUEUE_RULES };
    const h = await queueHarness({ db: db(), config: options.config, target });
    // The queue harness's target is `workers`.
    const id = (scope: string | undefined) => (scope === 'web' ? 'workers' : scope);
    const pause = id(options.pause);
    const dryRun = id(options.dryRun);
    try {
      if (pause) await h.store.setSwitch(pause, 'paused', true);
      if (dryRun) await h.store.setSwitch(dryRun, 'dryRun', true);
      h.queue.visible = 3000;
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) {
        outcomes.push((await h.handler(pollEvent(h.clock.now))).targets[0].outcome);
        h.clock.advance(60);
      }
      expect(outcomes).toEqual([options.outcome, options.outcome, options.outcome]);
      expect(h.writes()).toEqual([]);
      const audit = await h.audit();
      expect(audit.every((e) => e.outcome === options.outcome)).toBe(true);
      expect(audit[0]).toMatchObject({ previous: 2, desired: 5 });
      if (pause) await h.store.setSwitch(pause, 'paused', false);
      if (dryRun) await h.store.setSwitch(dryRun, 'dryRun', false);
      if (pause || dryRun) {
        expect((await h.handler(pollEvent(h.clock.now))).targets[0]).toMatchObject({ outcome: 'applied', previous: 2, desired: 5 });
        expect(h.fleet.desired).toBe(5);
      }
    } finally {
      h.restore();
    }
  });
}
