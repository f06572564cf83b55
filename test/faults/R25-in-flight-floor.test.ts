/**
 * R25: queue workers without scale-in protection configured: the desired count never drops below the
 * workers the in-flight messages need, ceil(in flight / messagesInFlightPerWorker), so no worker is
 * stopped under the task it holds. With protection configured, the documented behaviour holds: on ECS
 * the autoscaler lowers the count and leaves the busy tasks to ECS's task protection; on an Auto Scaling
 * group it never asks for fewer than the instances protected now. The real queue handler, the state
 * store on dynalite, the in-memory SQS, ECS and Auto Scaling.
 */

import { useDynalite } from './support';
import { pollEvent, type QueueHarness, queueHarness } from './support-queue';

const db = useDynalite();

/** Polls every minute for `minutes`, the queue as `depth` says at each, and returns the fleet's desired count after each poll. */
async function polls(h: QueueHarness, minutes: number, depth: (minute: number) => { visible: number; notVisible: number }): Promise<number[]> {
  const out: number[] = [];
  for (let m = 0; m < minutes; m++) {
    if (m > 0) h.clock.advance(60);
    Object.assign(h.queue, depth(m));
    await h.handler(pollEvent(h.clock.now));
    out.push(h.fleet.desired);
  }
  return out;
}

for (const workers of ['ecs-service', 'asg'] as const) {
  test(`R25 ${workers} workers without scale-in protection, 8 of them each holding a message: none is removed while they hold them`, async () => {
    const h = await queueHarness({ db: db(), workers, initial: 8 });
    try {
      // one worker could do the work (8 messages at 2/s), but each of the 8 holds one of them
      expect(await polls(h, 6, () => ({ visible: 0, notVisible: 8 }))).toEqual([8, 8, 8, 8, 8, 8]);
      expect(h.writes()).toEqual([]);
      const last = (await h.store.getTarget('workers'))?.lastDecision;
      expect(last?.reason).toMatch(/no scale-in protection: 8 worker\(s\) hold the 8 in flight at 1 each; 8 -> 8 \(scale-in held by in-flight\)/);
      expect(last?.figures).toMatchObject({ holding: 8, inFlight: 8 });

      // as the messages are done, the fleet follows them down, never below what they need
      h.clock.advance(60);
      const inFlight = [5, 5, 3, 3, 3, 1, 1, 0];
      const after = await polls(h, inFlight.length, (m) => ({ visible: 0, notVisible: inFlight[m] }));
      after.forEach((desired, m) => {
        expect(desired).toBeGreaterThanOrEqual(inFlight[m]);
      });
      expect(after[after.length - 1]).toBeLessThan(8);
    } finally {
      h.restore();
    }
  });
}

test('R25 messagesInFlightPerWorker: workers prefetching 4 messages each keep ceil(in flight / 4) of them', async () => {
  const h = await queueHarness({ db: db(), initial: 8, fleet: { messagesInFlightPerWorker: 4 }, target: { maxStepDownRatio: 1 } });
  try {
    expect(await polls(h, 3, () => ({ visible: 0, notVisible: 9 }))).toEqual([3, 3, 3]);
    expect((await h.store.getTarget('workers'))?.lastDecision?.figures).toMatchObject({ holding: 3 });
  } finally {
    h.restore();
  }
});

test('R25 ECS workers with scale-in protection: the documented behaviour, the count is lowered and ECS keeps the protected tasks', async () => {
  const h = await queueHarness({ db: db(), initial: 8, fleet: { scaleInProtection: true } });
  try {
    const out = await polls(h, 8, () => ({ visible: 0, notVisible: 8 }));
    // down at once to what the work needs (one worker does 8 messages in time): the tasks holding messages are ECS's to keep
    expect(out).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect((await h.store.getTarget('workers'))?.lastDecision?.reason).not.toMatch(/no scale-in protection/);
  } finally {
    h.restore();
  }
});

test('R25 Auto Scaling workers with scale-in protection: never fewer than the instances protected now', async () => {
  const h = await queueHarness({ db: db(), workers: 'asg', initial: 8, fleet: { scaleInProtection: true } });
  try {
    h.protectedCount = 5;
    const out = await polls(h, 6, () => ({ visible: 0, notVisible: 8 }));
    expect(out).toEqual([5, 5, 5, 5, 5, 5]);
    expect((await h.store.getTarget('workers'))?.lastDecision?.reason).toMatch(/5 busy/);
  } finally {
    h.restore();
  }
});
