import { pick } from '../../../lambdas/engine/pick';

test('pick copies the named fields as they are, undefined ones included, and nothing else', () => {
  const target = { a: 1, b: undefined as number | undefined, c: 'not named' };
  const picked = pick(target, ['a', 'b']);
  expect(picked).toStrictEqual({ a: 1, b: undefined });
  expect(Object.keys(picked)).toEqual(['a', 'b']);
});
