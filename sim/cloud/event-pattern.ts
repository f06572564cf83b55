/**
 * EventBridge event patterns: exact values (a list means any of), `prefix`, `suffix`,
 * `equals-ignore-case`, `wildcard`, `anything-but`, `exists`, `numeric`, nested objects and `$or`.
 * A field of the event that is an array matches when any of its elements matches.
 */

type Json = unknown;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Whether `event` matches `pattern`. Throws on a pattern EventBridge would reject as malformed. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  if (!isPlainObject(event)) return false;
  for (const [key, p] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(p)) throw new Error('event pattern: $or must be a list of patterns');
      if (!p.some((alt) => matchesPattern(alt as Record<string, unknown>, event))) return false;
      continue;
    }
    const value = event[key];
    if (Array.isArray(p)) {
      if (!matchesField(p, value, key in event)) return false;
    } else if (isPlainObject(p)) {
      const candidates = Array.isArray(value) ? value : [value];
      if (!candidates.some((v) => isPlainObject(v) && matchesPattern(p, v))) {
        // a nested pattern of only `exists: false` matchers matches an absent object
        if (!(value === undefined && onlyAbsent(p))) return false;
      }
    } else {
      throw new Error(`event pattern: the value of "${key}" must be a list or an object`);
    }
  }
  return true;
}

function onlyAbsent(p: Record<string, unknown>): boolean {
  return Object.values(p).every(
    (v) => (Array.isArray(v) && v.length > 0 && v.every((m) => isPlainObject(m) && m.exists === false)) || (isPlainObject(v) && onlyAbsent(v)),
  );
}

/** A leaf: the list of matchers against the event's value (a scalar, an array or absent). */
function matchesField(matchers: readonly Json[], value: unknown, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((m) => {
    if (isPlainObject(m) && 'exists' in m) {
      const exists = present && value !== undefined && !(Array.isArray(value) && value.length === 0);
      return m.exists === exists;
    }
    if (!present || value === undefined) return false;
    return values.some((v) => matchesOne(m, v));
  });
}

function matchesOne(m: Json, v: unknown): boolean {
  if (!isPlainObject(m)) return m === v;
  const [op, arg] = Object.entries(m)[0] ?? [];
  switch (op) {
    case 'prefix':
      if (isPlainObject(arg) && typeof arg['equals-ignore-case'] === 'string') {
        return typeof v === 'string' && v.toLowerCase().startsWith(arg['equals-ignore-case'].toLowerCase());
      }
      return typeof v === 'string' && typeof arg === 'string' && v.startsWith(arg);
    case 'suffix':
      if (isPlainObject(arg) && typeof arg['equals-ignore-case'] === 'string') {
        return typeof v === 'string' && v.toLowerCase().endsWith(arg['equals-ignore-case'].toLowerCase());
      }
      return typeof v === 'string' && typeof arg === 'string' && v.endsWith(arg);
    case 'equals-ignore-case':
      return typeof v === 'string' && typeof arg === 'string' && v.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      return typeof v === 'string' && typeof arg === 'string' && wildcardRegExp(arg).test(v);
    case 'anything-but':
      return anythingBut(arg, v);
    case 'numeric':
      return typeof v === 'number' && numeric(arg, v);
    default:
      throw new Error(`event pattern: unsupported matcher ${JSON.stringify(m)}`);
  }
}

const wildcardCache = new Map<string, RegExp>();
function wildcardRegExp(w: string): RegExp {
  let re = wildcardCache.get(w);
  if (!re) {
    // `*` matches any run of characters; `\*` is a literal star
    let src = '';
    for (let i = 0; i < w.length; i++) {
      const c = w[i];
      if (c === '\\' && w[i + 1] === '*') {
        src += '\\*';
        i++;
      } else if (c === '*') src += '.*';
      else src += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`, 's');
    wildcardCache.set(w, re);
  }
  return re;
}

function anythingBut(arg: unknown, v: unknown): boolean {
  if (Array.isArray(arg)) return !arg.some((a) => a === v);
  if (isPlainObject(arg)) {
    if ('prefix' in arg) return typeof v === 'string' && !v.startsWith(String(arg.prefix));
    if ('suffix' in arg) return typeof v === 'string' && !v.endsWith(String(arg.suffix));
    if ('equals-ignore-case' in arg) {
      const list = Array.isArray(arg['equals-ignore-case']) ? arg['equals-ignore-case'] : [arg['equals-ignore-case']];
      return typeof v === 'string' && !list.some((a) => String(a).toLowerCase() === v.toLowerCase());
    }
    if ('wildcard' in arg) {
      const list = Array.isArray(arg.wildcard) ? arg.wildcard : [arg.wildcard];
      return typeof v === 'string' && !list.some((w) => wildcardRegExp(String(w)).test(v));
    }
    throw new Error(`event pattern: unsupported anything-but ${JSON.stringify(arg)}`);
  }
  return v !== arg;
}

function numeric(arg: unknown, v: number): boolean {
  if (!Array.isArray(arg) || arg.length % 2 !== 0) throw new Error(`event pattern: bad numeric matcher ${JSON.stringify(arg)}`);
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i],
      n = Number(arg[i + 1]);
    const ok = op === '=' ? v === n : op === '>' ? v > n : op === '>=' ? v >= n : op === '<' ? v < n : op === '<=' ? v <= n : undefined;
    if (ok === undefined) throw new Error(`event pattern: bad numeric operator ${JSON.stringify(op)}`);
    if (!ok) return false;
  }
  return true;
}
