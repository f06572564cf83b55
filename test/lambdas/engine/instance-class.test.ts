import fc from 'fast-check';
import { decideInstanceClass, type InstanceClassInput, type InstanceClassPolicy } from '../../../lambdas/engine/instance-class';

const NOW = Date.UTC(2026, 10, 23, 12);
const LADDER = ['db.r6g.large', 'db.r6g.xlarge', 'db.r6g.2xlarge', 'db.r6g.4xlarge'];
const policy: InstanceClassPolicy = {
  instanceClassLadder: LADDER,
  cpuHighPercent: 80,
  cpuLowPercent: 20,
  scaleOutCooldownSeconds: 86400,
  scaleInCooldownSeconds: 86400,
};
const input = (over: Partial<InstanceClassInput> = {}): InstanceClassInput => ({
  policy,
  currentClass: 'db.r6g.xlarge',
  now: NOW,
  cpuHighWindow: 50,
  cpuLowWindowPeak: 50,
  ...over,
});

describe('decideInstanceClass', () => {
  test('sustained CPU above the mark moves one rung up, with the numbers', () => {
    expect(decideInstanceClass(input({ cpuHighWindow: 88 }))).toEqual({
      instanceClass: 'db.r6g.2xlarge',
      direction: 'up',
      reason: 'CPU 88% > 80%; db.r6g.xlarge -> db.r6g.2xlarge',
    });
  });

  test('too little freeable memory moves up too', () => {
    const p = { ...policy, freeableMemoryLowMiB: 1024 };
    expect(decideInstanceClass(input({ policy: p, freeableMemoryMiB: 600 })).reason).toMatch(/freeable memory 600 MiB < 1024 MiB/);
  });

  test('a change pending for the maintenance window holds everything', () => {
    expect(decideInstanceClass(input({ cpuHighWindow: 99, pendingClass: 'db.r6g.2xlarge' })).direction).toBe('none');
  });

  test('down only when the whole low window stayed under the mark, far from the high mark on half the capacity', () => {
    expect(decideInstanceClass(input({ cpuLowWindowPeak: 15 }))).toMatchObject({ instanceClass: 'db.r6g.large', direction: 'down' });
    expect(decideInstanceClass(input({ cpuLowWindowPeak: undefined })).direction).toBe('none');
    expect(decideInstanceClass(input({ cpuLowWindowPeak: 15, lastActionAt: NOW - 3600_000 })).reason).toMatch(/cooldown 86400 s/);
    const tight = { ...policy, cpuHighPercent: 35, cpuLowPercent: 20 };
    expect(decideInstanceClass(input({ policy: tight, cpuHighWindow: 10, cpuLowWindowPeak: 15 })).reason).toMatch(/would be about 30% on db.r6g.large/);
  });

  test('a move up waits scaleOutCooldownSeconds, a move down scaleInCooldownSeconds, each on its own', () => {
    const split = { ...policy, scaleOutCooldownSeconds: 600, scaleInCooldownSeconds: 7200 };
    const hourAgo = NOW - 3600_000;
    expect(decideInstanceClass(input({ policy: split, cpuHighWindow: 95, lastActionAt: hourAgo })).direction).toBe('up');
    expect(decideInstanceClass(input({ policy: split, cpuLowWindowPeak: 15, lastActionAt: hourAgo })).reason).toMatch(/scale-in cooldown 7200 s/);
    const quick = { ...split, scaleOutCooldownSeconds: 7200, scaleInCooldownSeconds: 600 };
    expect(decideInstanceClass(input({ policy: quick, cpuHighWindow: 95, lastActionAt: hourAgo })).reason).toMatch(/scale-out cooldown 7200 s/);
    expect(decideInstanceClass(input({ policy: quick, cpuLowWindowPeak: 15, lastActionAt: hourAgo })).direction).toBe('down');
  });

  test('properties: at most one rung, never off the ladder, nothing while a change is pending', () => {
    const cpu = fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: LADDER.length - 1 }),
        cpu,
        cpu,
        fc.option(fc.constantFrom(...LADDER), { nil: undefined }),
        (at, high, low, pending) => {
          const d = decideInstanceClass(input({ currentClass: LADDER[at], cpuHighWindow: high, cpuLowWindowPeak: low, pendingClass: pending }));
          const to = LADDER.indexOf(d.instanceClass);
          expect(Math.abs(to - at)).toBeLessThanOrEqual(1);
          if (pending) expect(d.direction).toBe('none');
          if (d.direction === 'up') expect(high! > policy.cpuHighPercent).toBe(true);
          if (d.direction === 'down') expect(low!).toBeLessThan(policy.cpuLowPercent);
        },
      ),
    );
  });
});
