/**
 * The named fields of a configured target, copied as they are: the engines' policies carry most of a
 * target's fields under the same names. A list of names, not the fields written out one by one: each
 * name costs the function bundles once, not twice.
 */
export function pick<T, K extends keyof T>(target: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, target[k]])) as Pick<T, K>;
}
