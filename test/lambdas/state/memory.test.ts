import { copyOf, MemoryStateStore } from '../../../lambdas/state/memory';
import { storeContract } from './store-contract';

storeContract('MemoryStateStore', async () => new MemoryStateStore());

describe('copyOf: what a read from the store hands back', () => {
  test('a deep copy of plain data: nothing shared with the original, keys holding undefined kept', () => {
    const original = { targetId: 'web', last: { at: 1, values: [1, { n: 2 }] }, note: undefined, none: null };
    const copy = copyOf(original);
    expect(copy).toStrictEqual(original);
    expect('note' in copy).toBe(true);
    expect(copy.last).not.toBe(original.last);
    expect(copy.last.values).not.toBe(original.last.values);
    expect(copy.last.values[1]).not.toBe(original.last.values[1]);
  });

  test('anything but plain data as structuredClone copies it: a Date stays a Date, a function is refused', () => {
    const at = new Date(5);
    const copy = copyOf({ at });
    // (structuredClone's Date is of Node's realm, not jest's)
    expect(Object.prototype.toString.call(copy.at)).toBe('[object Date]');
    expect(copy.at).not.toBe(at);
    expect(copy.at.getTime()).toBe(5);
    expect(() => copyOf({ f: () => 1 })).toThrow();
  });

  test('a record read back is not changed by changes to the one saved, nor to the one read before', async () => {
    const store = new MemoryStateStore();
    await store.acquireLease('web', 'me', 0, 60);
    const record = { targetId: 'web', lastDecision: { at: 1, desired: 3, figures: { cpu: 50 } } } as never as Parameters<MemoryStateStore['saveTarget']>[0];
    await store.saveTarget(record, 'me');
    (record as unknown as { lastDecision: { figures: { cpu: number } } }).lastDecision.figures.cpu = 99;
    const read = (await store.getTarget('web')) as unknown as { lastDecision: { figures: { cpu: number } } };
    expect(read.lastDecision.figures.cpu).toBe(50);
    read.lastDecision.figures.cpu = 7;
    expect(((await store.getTarget('web')) as unknown as { lastDecision: { figures: { cpu: number } } }).lastDecision.figures.cpu).toBe(50);
  });
});
