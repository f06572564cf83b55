/**
 * The light validator of what the functions receive at run time: events, runbook task events and
 * their inputs, the operator API's requests and an operator's override. valibot, whose schemas are
 * separate functions a bundle keeps only when it uses them (a few KB in a function bundle, where zod's
 * config schemas would add hundreds); the config itself is validated once, at synth, with the zod
 * schemas of lambdas/shared/config.
 */
import * as v from 'valibot';
import type { NumberRule } from './config/numbers';
import { formatPath, show } from './config/paths';

/** A schema whose output is `T`. */
export type Schema<T> = v.GenericSchema<unknown, T>;

/** The first problems of a failed check, for one line: `detail.alarmName: Invalid type: Expected string but received 42`. */
export function describeProblems(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${v.getDotPath(i) ?? '(event)'}: ${i.message}`)
    .join('; ');
}

/** `input` as `schema` reads it, or an Error whose message names each problem: `what: path: problem`. */
export function parseInput<T>(schema: Schema<T>, input: unknown, what = 'input rejected'): T {
  const r = v.safeParse(schema, input);
  if (!r.success) throw new Error(`${what}: ${describeProblems(r.issues)}`);
  return r.output;
}

/** An ISO 8601 date and time with its zone (`2026-01-05T10:06:00Z`, `...+01:00`). */
export const isoDateTime = () => v.pipe(v.string(), v.isoTimestamp('must be an ISO 8601 date and time with its zone'));

/** A string of at least one character. */
export const nonEmpty = () => v.pipe(v.string(), v.minLength(1, 'must not be empty'));

/** A number field's rule (lambdas/shared/config/numbers.ts) as a valibot check: the config schema's checks, in its order. */
export function ruleSchema(rule: NumberRule): Schema<number> {
  const actions: v.PipeAction<number, number, v.BaseIssue<unknown>>[] = [];
  if (rule.int) actions.push(v.integer());
  if (rule.gt !== undefined) actions.push(v.gtValue(rule.gt));
  if (rule.min !== undefined) actions.push(v.minValue(rule.min));
  actions.push(v.maxValue(rule.max));
  return v.pipe(v.number(), ...(actions as [v.PipeAction<number, number, v.BaseIssue<unknown>>]));
}

/** `input` checked against `schema` as the config's and the operator's checks report: every problem, a pipe stopping at its first. */
export function problemsOf<T>(schema: Schema<T>, input: unknown): { readonly output: T; readonly problems?: undefined } | { readonly problems: string[] } {
  const r = v.safeParse(schema, input, { abortPipeEarly: true });
  return r.success ? { output: r.output } : { problems: issueLines(r.issues, schema) };
}

/**
 * One line per valibot issue, in the words the config's zod issues get (lambdas/shared/config/issues.ts),
 * so that a request or an override refused by the operator API reads as the same refusal from the CLI
 * or at synth: the path, the value found there and what is wrong with it (`max: 0 is below the minimum 1`).
 */
export function issueLines(issues: readonly v.BaseIssue<unknown>[], schema?: v.GenericSchema): string[] {
  return issues.map((issue) => {
    const keys = (issue.path ?? []).map((p) => p.key as PropertyKey);
    const at = formatPath(keys);
    const value = issue.input;
    const requirement = (issue as { requirement?: unknown }).requirement;
    switch (issue.type) {
      case 'object':
      case 'strict_object':
        // valibot reports an unknown key and a missing one as the object's issue, at the key.
        if (keys.length > 0 && issue.expected === 'never') return `${at}: unknown key`;
        if (keys.length > 0 && value === undefined) return `${at}: is required (${expectsAt(schema, keys) ?? 'a value'})`;
        break;
      case 'integer':
        return `${at}: ${show(value)} is not a whole number`;
      case 'min_value':
      case 'min_length':
        return `${at}: ${show(value)} is below the minimum ${String(requirement)}`;
      case 'gt_value':
        return `${at}: ${show(value)} is below the minimum ${String(requirement)} (exclusive)`;
      case 'max_value':
      case 'max_length':
        return `${at}: ${show(value)} is above the maximum ${String(requirement)}`;
    }
    if (issue.kind === 'schema') {
      const expected = (issue.expected ?? 'a value').toLowerCase();
      return value === undefined ? `${at}: is required (${expected})` : `${at}: ${show(value)} is not ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
    }
    // A regex or a check: its own message says what the value must be.
    return `${at}: ${show(value)} ${issue.message}`;
  });
}

/** What the schema expects at `keys` (`number`), through optional wrappers: for a missing key's line. */
function expectsAt(schema: v.GenericSchema | undefined, keys: readonly PropertyKey[]): string | undefined {
  let s = schema as { entries?: Record<PropertyKey, unknown>; wrapped?: unknown; expects?: string } | undefined;
  const unwrap = () => {
    while (s?.wrapped !== undefined) s = s.wrapped as typeof s;
  };
  for (const key of keys) {
    unwrap();
    s = s?.entries?.[key] as typeof s;
  }
  unwrap();
  return s?.expects;
}
