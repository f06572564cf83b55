/** Config paths and values as error lines name them: `targets[2].maxCapacity: 3 is below minCapacity 5`. */

/** `targets[2].maxCapacity` from `['targets', 2, 'maxCapacity']`; a key that is not a plain name is quoted: `targets[0][" "]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  // A path into a document whose root is a list, not a map: `(root)[0][1]`.
  let out = typeof path[0] === 'number' ? '(root)' : '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(part))) out += out ? `.${String(part)}` : String(part);
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out || '(root)';
}

/** A short, readable rendering of a config value for an error line. */
export function show(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}
