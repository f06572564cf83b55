/**
 * A config that failed validation, and the readable line each zod issue becomes: the path, the value
 * found there and what is wrong with it.
 */
import type { z } from 'zod';
import { targetSchema } from '../kinds/schemas';
import { formatPath, show } from './paths';
import { renamedField } from './renamed';

export { ConfigError } from './error';

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/** One readable line per zod issue: the path, the value found there and what is wrong with it. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const value = valueAt(input, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        // A target's field under a name it no longer has says what it is called now.
        const kind = issue.path.length === 2 && issue.path[0] === 'targets' ? (value as { kind?: unknown } | undefined)?.kind : undefined;
        for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: ${renamedField(kind, key) ?? 'unknown key'}`);
        break;
      }
      case 'invalid_type':
        lines.push(
          value === undefined
            ? `${formatPath(issue.path)}: is required (${issue.expected})`
            : `${formatPath(issue.path)}: ${show(value)} is not ${article(issue.expected)}`,
        );
        break;
      case 'invalid_union': {
        const disc = (issue as { discriminator?: string }).discriminator;
        if (disc) {
          const options = targetSchema.options.map((o) => o.shape.kind.value).join(', ');
          // zod puts the discriminator itself at the end of the path.
          const path = issue.path[issue.path.length - 1] === disc ? issue.path : [...issue.path, disc];
          lines.push(`${formatPath(path)}: ${show(valueAt(input, path))} is not a known kind (${options})`);
        } else {
          // The one shape whose own keys all fit (its problems lie deeper) is what was meant: name those problems.
          const fitting = issue.errors.filter((errs) => errs.every((e) => e.path.length > 0 && !(e.path.length === 1 && valueAt(value, e.path) === undefined)));
          if (fitting.length === 1)
            lines.push(
              ...describeIssues(
                fitting[0].map((e) => ({ ...e, path: [...issue.path, ...e.path] })),
                input,
              ),
            );
          else lines.push(`${formatPath(issue.path)}: ${show(value)} matches none of the allowed shapes`);
        }
        break;
      }
      case 'too_small':
        lines.push(
          Array.isArray(value)
            ? `${formatPath(issue.path)}: needs at least ${issue.minimum} entries, has ${value.length}`
            : `${formatPath(issue.path)}: ${show(value)} is below the minimum ${issue.minimum}${issue.inclusive === false ? ' (exclusive)' : ''}`,
        );
        break;
      case 'too_big':
        lines.push(`${formatPath(issue.path)}: ${show(value)} is above the maximum ${issue.maximum}`);
        break;
      case 'invalid_value':
        lines.push(`${formatPath(issue.path)}: ${show(value)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`);
        break;
      case 'not_multiple_of':
        lines.push(`${formatPath(issue.path)}: ${show(value)} is not a whole number`);
        break;
      case 'invalid_format':
      case 'custom':
        lines.push(`${formatPath(issue.path)}: ${issue.code === 'custom' ? '' : `${show(value)} `}${issue.message}`);
        break;
      default:
        lines.push(`${formatPath(issue.path)}: ${show(value)} ${issue.message}`);
    }
  }
  return lines;
}

function article(type: string): string {
  if (type === 'int') return 'a whole number';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
