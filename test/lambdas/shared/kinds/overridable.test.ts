/**
 * What an override may set on a kind is judged without zod (the operator API's bundle holds none): by
 * the rules each kind declares in `overridable.rules`, the rules its zod config schema is built from.
 * These tests hold the light check and the schema to the same verdict and the same words on a spread of
 * values, field by field for every kind that has overridable fields and end to end through
 * checkOverride, so the two cannot drift.
 */
import * as v from 'valibot';
import type { z } from 'zod';
import { checkOverride } from '../../../../lambdas/control/check-override';
import { ConfigError } from '../../../../lambdas/shared/config';
import { describeIssues } from '../../../../lambdas/shared/config/issues';
import type { NumberRule } from '../../../../lambdas/shared/config/numbers';
import { TARGET_KIND_NAMES, TARGET_KINDS, type TargetConfig } from '../../../../lambdas/shared/kinds';
import type { OverridableFields } from '../../../../lambdas/shared/kinds/kind';
import { KIND_SCHEMAS, kindSchemaOf } from '../../../../lambdas/shared/kinds/schemas';
import { overridableOf } from '../../../../lambdas/shared/overrides';
import { issueLines, problemsOf, ruleSchema } from '../../../../lambdas/shared/validate';
import { ALL_KINDS_CONFIG } from '../../../support/configs';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const HOUR = 3_600_000;
const KEYS = ['min', 'max', 'target'] as const;

/** Values around each bound of a rule, and a few anywhere. */
function spread(rule: NumberRule): number[] {
  const bounds = [rule.min, rule.gt, rule.max].filter((b): b is number => b !== undefined);
  const near = bounds.flatMap((b) => [b - 1, b - 0.5, b - 0.001, b, b + 0.001, b + 0.5, b + 1]);
  return [...new Set([-1e9, -1, -0.5, 0, 0.5, 1, 1.5, 2, 7, 50, 99.5, 100, 101, 3600, 1e6, 1e9, ...near])];
}

const overridableKinds = TARGET_KIND_NAMES.filter((k) => TARGET_KINDS[k].overridable);

/** The kind's zod schema of one field (its default unwrapped, so that a value is always judged). */
function zodField(kind: (typeof TARGET_KIND_NAMES)[number], field: string): z.ZodType {
  const shape = (KIND_SCHEMAS[kind] as unknown as z.ZodObject).shape;
  const s = shape[field] as z.ZodType & { unwrap?: () => z.ZodType };
  return typeof s.unwrap === 'function' ? s.unwrap() : s;
}

describe("the overridable fields' rules", () => {
  test('the kinds with overridable fields are the capacity and queue kinds and rds-replicas', () => {
    expect(overridableKinds).toEqual(['asg', 'ecs-service', 'rds-replicas', 'queue-workers', 'rabbitmq-workers', 'redis-workers']);
  });

  test.each(overridableKinds)('%s declares a rule for each field it lets an override set', (kind) => {
    const fields = TARGET_KINDS[kind].overridable as OverridableFields;
    for (const k of KEYS) expect([k, fields[k] === undefined, fields.rules[k] === undefined]).toEqual([k, fields[k] === undefined, fields[k] === undefined]);
  });

  test.each(overridableKinds)("%s: each rule gives the schema's verdict and words on a spread of values", (kind) => {
    const fields = TARGET_KINDS[kind].overridable as OverridableFields;
    for (const k of KEYS) {
      const field = fields[k];
      const rule = fields.rules[k];
      if (field === undefined || rule === undefined) continue;
      const schema = zodField(kind, field);
      for (const value of spread(rule)) {
        const byZod = schema.safeParse(value);
        const expected = byZod.success ? [] : describeIssues(byZod.error.issues, value);
        expect({ field, value, problems: problemsOf(ruleSchema(rule), value).problems ?? [] }).toEqual({ field, value, problems: expected });
      }
    }
  });
});

/** The refusal as the kind's zod schema gave it before the light check: the effective target parsed whole. */
function zodProblems(target: TargetConfig, fields: OverridableFields, o: { min?: number; max?: number; target?: number }): string[] {
  const effective = {
    ...target,
    ...(o.min !== undefined ? { [fields.min]: o.min } : {}),
    ...(o.max !== undefined ? { [fields.max]: o.max } : {}),
    ...(o.target !== undefined && fields.target ? { [fields.target]: o.target } : {}),
  };
  const checked = kindSchemaOf(target).safeParse(effective);
  if (checked.success) return [];
  return describeIssues(checked.error.issues, effective).map((line) =>
    line.replace(/^([^:]*)/, (path) => {
      const k = KEYS.find((key) => fields[key] === path);
      return k ? `${k} (${path})` : path;
    }),
  );
}

function overrideProblems(targetId: string, input: object): string[] {
  try {
    checkOverride(ALL_KINDS_CONFIG, targetId, { ...input, expiresAt: NOW + HOUR }, NOW, 'arn:aws:iam::123456789012:user/ops');
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
}

describe('checkOverride refuses what the kind schema refuses, in its words', () => {
  const targets = ALL_KINDS_CONFIG.targets.filter((t) => overridableOf(t));

  test('every kind with overridable fields has a target in the configuration checked', () => {
    expect([...new Set(targets.map((t) => t.kind))].sort()).toEqual([...overridableKinds].sort());
  });

  test.each(targets.map((t) => [t.id, t] as const))('%s: tracking targets and ceilings', (_id, target) => {
    const fields = overridableOf(target) as OverridableFields;
    const floor = (target as unknown as Record<string, number>)[fields.min];
    if (fields.target && fields.rules.target) {
      for (const value of spread(fields.rules.target).filter((x) => x > 0)) {
        expect({ value, problems: overrideProblems(target.id, { target: value }) }).toEqual({
          value,
          problems: zodProblems(target, fields, { target: value }),
        });
      }
    }
    // A ceiling at the deployed floor: 0 where the floor is 0, which the schema refuses for a ceiling.
    expect(overrideProblems(target.id, { max: floor })).toEqual(zodProblems(target, fields, { max: floor }));
  });

  test("a queue's ceiling of 0 is refused as the config refuses it", () => {
    expect(overrideProblems('celery', { max: 0 })).toEqual(
      zodProblems(ALL_KINDS_CONFIG.targets.find((t) => t.id === 'celery')!, overridableOf({ kind: 'queue-workers' })!, { max: 0 }),
    );
    expect(overrideProblems('celery', { max: 0 })).toEqual(['max (maxCapacity): 0 is below the minimum 1']);
  });
});

describe('issueLines: valibot issues in the config errors words', () => {
  const schema = v.strictObject({ n: v.pipe(v.number(), v.integer()), s: v.optional(v.string()), o: v.optional(v.strictObject({ b: v.boolean() })) });
  test.each([
    [{ n: 1, z: 2 }, ['z: unknown key']],
    [{}, ['n: is required (number)']],
    [{ n: 1.5 }, ['n: 1.5 is not a whole number']],
    [{ n: 1, s: 7 }, ['s: 7 is not a string']],
    [{ n: 1, o: {} }, ['o.b: is required (boolean)']],
    [5, ['(root): 5 is not an object']],
  ])('%j', (input, lines) => {
    const r = v.safeParse(schema, input, { abortPipeEarly: true });
    expect(r.success ? [] : issueLines(r.issues, schema)).toEqual(lines);
  });
});
