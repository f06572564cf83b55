/**
 * The light validator of what the functions receive at run time: events, runbook task events and
 * their inputs. valibot, whose schemas are separate functions a bundle keeps only when it uses them
 * (a few KB in a function bundle, where zod's config schemas would add hundreds); the config itself
 * is validated once, at synth, with the zod schemas of lambdas/shared/config.
 */
import * as v from 'valibot';

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
