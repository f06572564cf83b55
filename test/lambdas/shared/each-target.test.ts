import { eachTarget, TargetFailuresError } from '../../../lambdas/shared/each-target';

const idOf = (x: string) => x;

test('every item is run, results in the items order', async () => {
  const seen: string[] = [];
  const out = await eachTarget(
    ['a', 'b', 'c'],
    async (x) => {
      seen.push(x);
      return x.toUpperCase();
    },
    { family: 'test', idOf },
  );
  expect(out).toEqual(['A', 'B', 'C']);
  expect(seen).toEqual(['a', 'b', 'c']);
});

test('a failing item does not stop the others; the error names every failed target once all were tried', async () => {
  const seen: string[] = [];
  const run = eachTarget(
    ['a', 'b', 'c', 'd'],
    async (x) => {
      seen.push(x);
      if (x === 'a' || x === 'c') throw new Error(`${x} is broken`);
      return x;
    },
    { family: 'queue', idOf },
  );
  await expect(run).rejects.toBeInstanceOf(TargetFailuresError);
  await expect(run).rejects.toThrow('2 of 4 queue target(s) failed: a: a is broken; c: c is broken');
  expect(seen).toEqual(['a', 'b', 'c', 'd']);
  const err = (await run.catch((e: unknown) => e)) as TargetFailuresError;
  expect(err.failures.map((f) => f.targetId)).toEqual(['a', 'c']);
  expect(err.total).toBe(4);
});

test('at most `concurrency` items run at once; failures are reported in the items order whatever finished first', async () => {
  let running = 0;
  let most = 0;
  const items = Array.from({ length: 9 }, (_, i) => `t${i}`);
  const run = eachTarget(
    items,
    async (x) => {
      running++;
      most = Math.max(most, running);
      // later items finish first
      for (let i = 0; i < 10 - Number(x.slice(1)); i++) await Promise.resolve();
      running--;
      if (x === 't1' || x === 't7') throw new Error('no');
      return x;
    },
    { family: 'test', idOf, concurrency: 3 },
  );
  await expect(run).rejects.toThrow('2 of 9 test target(s) failed: t1: no; t7: no');
  expect(most).toBe(3);
});

test('no items: nothing run, nothing thrown', async () => {
  await expect(eachTarget([], async () => 1, { family: 'test', idOf })).resolves.toEqual([]);
});
