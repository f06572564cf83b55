/**
 * R19: the state table fails. The handler fails closed: no AWS write, the error is thrown so that the
 * event is retried later; once the table answers again, the retry acts once.
 */
import { eventOf, useDynalite, withHarness } from './support';

const db = useDynalite();

/** Each call the handler makes to the state table before it may write to AWS. */
const STAGES = [
  { stage: 'taking the lease', command: 'UpdateCommand' },
  { stage: 'reading the target record', command: 'GetCommand' },
  { stage: 'reading the switches', command: 'BatchGetCommand' },
];

for (const { stage, command } of STAGES) {
  for (const error of ['InternalServerError', 'ServiceUnavailable', 'ResourceNotFoundException']) {
    test(`R19 state table failing (${error} while ${stage}): fails closed, no AWS write, retried later`, async () => {
      let broken = true;
      await withHarness({ db: db(), faults: { dynamo: { throttle: (c) => broken && c.command === command, throttleError: error } } }, async (h) => {
        h.load(92);
        const event = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
        await expect(h.handler(event)).rejects.toMatchObject({ name: error });
        expect(h.writes()).toHaveLength(0);
        expect(h.fleet.desired).toBe(10);

        broken = false;
        h.clock.advance(60); // Lambda's retry; a lease taken before the failure was given back or has expired
        if (command !== 'UpdateCommand') h.clock.advance(90);
        const retry = await h.handler(structuredClone(event));
        expect(retry.targets[0]).toMatchObject({ outcome: 'applied', previous: 10 });
        expect(h.writes()).toHaveLength(1);
      });
    });
  }
}

test('R19 state table failing: every call failing makes no AWS call beyond the alarm check', async () => {
  await withHarness({ db: db(), faults: { dynamo: { throttle: 1, throttleError: 'InternalServerError' } } }, async (h) => {
    h.load(92);
    await expect(h.handler(eventOf(h.evaluate(), 'autoscaler/web/cpu/high'))).rejects.toThrow();
    expect(h.calls.calls.map((c) => c.command)).toEqual(['DescribeAlarmsCommand']);
  });
});
