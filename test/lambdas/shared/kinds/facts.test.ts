/**
 * The kinds' facts (lambdas/shared/kinds/facts.ts), which functions read without the kinds' modules,
 * are the modules' own: the same kinds in the registry's order (messages and tables list them so),
 * and each module carries its entry unchanged.
 */
import { KIND_FACTS, TARGET_KIND_NAMES, TARGET_KINDS } from '../../../../lambdas/shared/kinds';
import { familyOf, RUNBOOK_ARN_ENV } from '../../../../lambdas/shared/kinds/facts';
import { CAPACITY_KINDS } from '../../../../lambdas/shared/kinds/family/capacity';
import { CDN_KINDS } from '../../../../lambdas/shared/kinds/family/cdn';
import { DATABASE_KINDS } from '../../../../lambdas/shared/kinds/family/database';
import { QUEUE_KINDS } from '../../../../lambdas/shared/kinds/family/queue';
import { kindIn } from '../../../../lambdas/shared/kinds/family/view';

test('the facts list the registry kinds, in its order', () => {
  expect(Object.keys(KIND_FACTS)).toEqual(TARGET_KIND_NAMES);
});

test.each(TARGET_KIND_NAMES)('the %s module carries its facts', (kind) => {
  expect(TARGET_KINDS[kind]).toMatchObject(KIND_FACTS[kind]);
  expect(familyOf({ kind })).toBe(TARGET_KINDS[kind].family);
});

test("each family's file holds exactly the kinds of that family", () => {
  const families = { capacity: CAPACITY_KINDS, cdn: CDN_KINDS, database: DATABASE_KINDS, queue: QUEUE_KINDS };
  for (const [family, kinds] of Object.entries(families)) {
    expect(Object.keys(kinds)).toEqual(TARGET_KIND_NAMES.filter((k) => TARGET_KINDS[k].family === family));
  }
});

test('a lookup among one family refuses a kind of another', () => {
  expect(kindIn<'queue'>(QUEUE_KINDS, { kind: 'queue-workers' })).toBe(TARGET_KINDS['queue-workers']);
  expect(() => kindIn<'capacity'>(CAPACITY_KINDS, { kind: 'redis' })).toThrow('kind redis is not among asg, ecs-service');
});

test('the runbook ARN variables are those of the kinds with a runbook', () => {
  expect(RUNBOOK_ARN_ENV).toEqual(
    Object.fromEntries(TARGET_KIND_NAMES.flatMap((k) => (TARGET_KINDS[k].runbook ? [[k, TARGET_KINDS[k].runbook!.arnEnv]] : []))),
  );
});
