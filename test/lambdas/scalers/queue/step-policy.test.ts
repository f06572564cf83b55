/**
 * A queue-workers target with `policy: step` on the real path: the real queue handler (middy,
 * idempotency, QueueService, the decision loop), the in-memory SQS and ECS, the state store on dynalite.
 */
import { decideQueue, type QueueMemory, queuePolicyOf } from '../../../../lambdas/engine/queue';
import { QueueService } from '../../../../lambdas/scalers/queue/service';
import { allAlarms } from '../../../../lambdas/shared/alarms';
import { parseConfig } from '../../../../lambdas/shared/config';
import { MemoryStateStore } from '../../../../lambdas/state/memory';
import { pollEvent, QUEUE_URL, type QueueHarness, queueHarness } from '../../../faults/support-queue';
import { useDynalite } from '../../../support/dynalite';

const db = useDynalite();
const NOWHERE = { send: async () => ({}) };

/** The seeds' Celery rule: more than 100 tasks for 5 minutes adds a worker, more than 1,000 adds half again (at least 2). */
const CELERY_RULES = [
  { signal: 'visibleMessages', direction: 'up', comparison: '>', threshold: 100, evaluationPeriods: 5, change: { add: 1 }, cooldownSeconds: 300 },
  { signal: 'visibleMessages', direction: 'up', comparison: '>', threshold: 1000, change: { percent: 50, minMagnitude: 2 }, cooldownSeconds: 120 },
  { signal: 'visibleMessages', direction: 'down', comparison: '<', threshold: 10, evaluationPeriods: 5, change: { add: -1 }, cooldownSeconds: 300 },
];

const reasons: string[] = [];

async function polls(h: QueueHarness, n: number, visible: number, notVisible = 0): Promise<string[]> {
  const out: string[] = [];
  reasons.length = 0;
  for (let i = 0; i < n; i++) {
    h.queue.visible = visible;
    h.queue.notVisible = notVisible;
    const r = await h.handler(pollEvent(h.clock.now));
    out.push(`${r.targets[0].outcome} ${r.targets[0].desired}`);
    reasons.push(r.targets[0].reason);
    h.clock.advance(60);
  }
  return out;
}

async function withQueue(target: Record<string, unknown>, fn: (h: QueueHarness) => Promise<void>, initial = 2): Promise<void> {
  const h = await queueHarness({ db: db(), target: { policy: 'step', stepRules: CELERY_RULES, ...target }, initial });
  try {
    await fn(h);
  } finally {
    h.restore();
  }
}

test('more than 100 visible messages at five polls in a row add one worker, at the fifth', async () => {
  await withQueue({}, async (h) => {
    expect(await polls(h, 5, 150)).toEqual(['held 2', 'held 2', 'held 2', 'held 2', 'applied 3']);
    const audit = await h.audit();
    expect(audit.at(-1)?.reason).toMatch(/^step policy: rule 0 \(visibleMessages > 100 for 5 of 5 x 60 s: \+1\) holds: 5 of 5, newest 150; rule 0: 2 -> 3/);
    expect(h.fleet.desired).toBe(3);
  });
});

test('more than 1,000 visible messages add half the fleet again, at least two, at once', async () => {
  await withQueue({}, async (h) => {
    expect(await polls(h, 1, 5000)).toEqual(['applied 4']);
    // The big rule waits its 120 s cooldown, then acts again: 4 -> 6.
    expect(await polls(h, 3, 5000)).toEqual(['held 4', 'applied 6', 'held 6']);
  });
});

test("a step rule's raise is a scale-out the default engine will not reverse within 600 s when cheap, should the target go back to it", async () => {
  await withQueue({}, async (h) => {
    const raisedAt = h.clock.now;
    expect(await polls(h, 1, 5000)).toEqual(['applied 4']);
    const memory = (await h.store.getTarget(h.target.id))?.memory as unknown as QueueMemory;
    expect(memory).toMatchObject({ lastChangeAt: raisedAt, lastScaleOutAt: raisedAt });
    // the default engine on that memory, the queue drained two minutes later: 3 idle workers to 660 s, within the 70 default
    const { decision } = decideQueue({
      policy: queuePolicyOf(h.target),
      fleet: { desired: 4, ready: 4 },
      observation: { visible: 0, notVisible: 1 },
      memory,
      now: raisedAt + 120_000,
    });
    expect(decision).toMatchObject({ desired: 4, heldBy: 'reversal' });
  });
});

test('fewer than 10 for five polls remove one worker, but never one that holds a message', async () => {
  await withQueue(
    {},
    async (h) => {
      expect(await polls(h, 5, 0, 4)).toEqual(['held 4', 'held 4', 'held 4', 'held 4', 'held 4']);
      expect(reasons.at(-1)).toContain('4 kept (no lower than 4: 4 in flight, 0 busy)');
      expect(await polls(h, 1, 0, 1)).toEqual(['applied 3']);
    },
    4,
  );
});

test('with an evaluation interval, the poll samples every minute but decides every interval', async () => {
  await withQueue({ evaluationIntervalSeconds: 300 }, async (h) => {
    // The first poll decides (nothing held yet); the next four only sample; the sixth decides on 5 of 5.
    expect(await polls(h, 6, 150)).toEqual(['held 2', 'held 2', 'held 2', 'held 2', 'held 2', 'applied 3']);
    expect(reasons.map((r) => r.replace(/ \(.*$/, ''))).toEqual([
      'step policy: no rule holds; 2 unchanged',
      'step policy: next evaluation in 240 s',
      'step policy: next evaluation in 180 s',
      'step policy: next evaluation in 120 s',
      'step policy: next evaluation in 60 s',
      'step policy: rule 0',
    ]);
    // Polls that only sample and repeat the held count are quiet: no audit entry each minute.
    expect((await h.audit()).map((e) => e.outcome)).toEqual(['held', 'applied']);
  });
});

describe('rules on the age of the oldest message (read from CloudWatch)', () => {
  const AGE_RULES = [
    { signal: 'ageOfOldestMessage', direction: 'up', comparison: '>', threshold: 200, evaluationPeriods: 2, change: { add: 1 }, cooldownSeconds: 60 },
    { signal: 'ageOfOldestMessage', direction: 'down', comparison: '<', threshold: 30, evaluationPeriods: 2, change: { add: -1 }, cooldownSeconds: 60 },
  ];
  const MIN = 60_000;
  /** Publishes the age for the minutes `fromAgo` to `toAgo` before now, visible now. */
  function ages(h: QueueHarness, value: number, fromAgo: number, toAgo: number) {
    const metric = allAlarms(h.config)[0].metric;
    const end = Math.floor(h.clock.now / MIN) * MIN;
    for (let m = fromAgo; m >= toAgo; m--) h.metrics.put(metric, end - m * MIN, value, h.clock.now);
  }

  test('an age above 200 s for 2 of 2 minutes adds a worker; below 30 s removes one', async () => {
    await withQueue({ stepRules: AGE_RULES }, async (h) => {
      expect(allAlarms(h.config)[0].metric).toMatchObject({ namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage' });
      ages(h, 250, 4, 2);
      expect(await polls(h, 1, 500)).toEqual(['applied 3']);
      expect(h.calls.of('cloudwatch', 'GetMetricDataCommand').length).toBeGreaterThan(0);
      h.clock.advance(60);
      ages(h, 5, 4, 2);
      expect(await polls(h, 1, 0)).toEqual(['applied 2']);
    });
  });

  test("a rule on the messages in flight reads CloudWatch's ApproximateNumberOfMessagesNotVisible the same way", async () => {
    const busy = [
      { signal: 'inFlightMessages', direction: 'up', comparison: '>', threshold: 40, evaluationPeriods: 2, change: { add: 2 }, cooldownSeconds: 60 },
    ];
    await withQueue({ stepRules: busy }, async (h) => {
      const metric = allAlarms(h.config)[0].metric;
      expect(metric).toMatchObject({ namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesNotVisible' });
      const end = Math.floor(h.clock.now / MIN) * MIN;
      for (let m = 4; m >= 2; m--) h.metrics.put(metric, end - m * MIN, 50, h.clock.now);
      // The queue itself says 0 in flight: the rule reads CloudWatch's datapoints, not the poll's.
      expect(await polls(h, 1, 0, 0)).toEqual(['applied 4']);
      expect(reasons[0]).toMatch(/^step policy: rule 0 \(inFlightMessages > 40 for 2 of 2 x 60 s: \+2\) holds: 2 of 2, newest 50/);
    });
  });

  test('the age stalled (no datapoint for ten minutes): its down rule removes nothing', async () => {
    await withQueue({ stepRules: AGE_RULES }, async (h) => {
      ages(h, 5, 14, 12);
      expect(await polls(h, 1, 0)).toEqual(['held 2']);
      expect(reasons[0]).toMatch(/ageOfOldestMessage: metrics stalled .*, its down rules held/);
      expect(h.writes()).toEqual([]);
    });
  });

  test('a rule on the age needs CloudWatch: a queue function without it is refused at once', () => {
    const config = parseConfig({
      targets: [
        {
          id: 'workers',
          kind: 'queue-workers',
          queueUrl: QUEUE_URL,
          workers: { kind: 'ecs-service', cluster: 'celery', service: 'workers' },
          messagesPerSecondPerWorker: 2,
          policy: 'step',
          stepRules: AGE_RULES,
        },
      ],
    });
    const deps = {
      config,
      store: new MemoryStateStore(),
      sqs: NOWHERE,
      cloudWatch: NOWHERE,
      autoScaling: NOWHERE,
      ecs: NOWHERE,
      now: () => 0,
      sleep: async () => undefined,
    };
    expect(() => new QueueService(deps)).toThrow('target "workers" has a step rule on ageOfOldestMessage, which needs CloudWatch; none was given');
    expect(() => new QueueService({ ...deps, cloudWatchIn: () => NOWHERE })).not.toThrow();
  });
});
