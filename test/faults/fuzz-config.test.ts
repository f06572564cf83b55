/**
 * Config fuzzing: thousands of malformed configs, made by mutating the complete example config
 * (unknown keys, wrong types, out-of-range numbers, missing fields, bad kinds, duplicates, inverted
 * bounds), from random values, and hostile YAML (alias bombs of every shape, deep nesting in every
 * style, repeated keys, oversized files). Each is rejected with a ConfigError whose every line starts
 * with the path of the problem; nothing escapes as another exception or a stack trace.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { ConfigError, parseConfig } from '../../lambdas/shared/config';
import { parseConfigText, YAML_LIMITS } from '../../lambdas/shared/config-file';
import { EXAMPLE_CONFIG } from '../lib/helpers';

const TEXT = readFileSync(EXAMPLE_CONFIG, 'utf8');
const BASE = parseYaml(TEXT) as Record<string, unknown>;

/** `targets[0].targetGroup.requestsPerTarget: ...`, `windows[1]: ...`, `prefix: ...`, `(root): ...`, `targets[0][" "]: ...` */
const SEGMENT = String.raw`(\[\d+\]|\["(?:[^"\\]|\\.)*"\]|\.[A-Za-z_$][\w$-]*)`;
const PATH_LINE = new RegExp(String.raw`^(\(root\)|[A-Za-z_$][\w$-]*|\["(?:[^"\\]|\\.)*"\])${SEGMENT}*: \S`);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** Every path in `v` to an object, an array or a leaf, with the value there. */
function paths(v: Json, at: Path = []): { path: Path; value: Json }[] {
  const out = [{ path: at, value: v }];
  if (Array.isArray(v)) for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function get(root: Json, path: Path): Json {
  return path.reduce<Json>((cur, k) => (cur as Record<string | number, Json>)[k], root);
}

function set(root: Json, path: Path, value: Json | undefined): void {
  const parent = get(root, path.slice(0, -1)) as Record<string | number, Json>;
  const key = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else parent[key] = value;
}

/** A value of another JSON type than `v`. */
function otherType(v: Json, pick: number): Json {
  const choices: Json[] = ['text', 42, true, null, [1, 2], { a: 1 }].filter(
    (c) => typeof c !== typeof v || Array.isArray(c) !== Array.isArray(v) || (c === null) !== (v === null),
  );
  return choices[pick % choices.length];
}

const KNOWN_KEYS = new Set(paths(BASE as Json).flatMap((p) => p.path.filter((k): k is string => typeof k === 'string')));
/** Fields that every target or window must have (their absence is always an error). */
const REQUIRED = new Set([
  'kind',
  'id',
  'autoScalingGroupName',
  'cluster',
  'service',
  'distributionId',
  'maxAllocatedGiB',
  'instanceIdentifier',
  'replicationGroupId',
  'nodeTypeLadder',
  'queueUrl',
  'workers',
  'name',
  'target',
  'start',
  'targets',
]);

const mutation = fc.oneof(
  fc.record({ op: fc.constant('unknown-key' as const), at: fc.nat(), key: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,12}$/), value: fc.jsonValue() }),
  fc.record({ op: fc.constant('wrong-type' as const), at: fc.nat(), pick: fc.nat() }),
  fc.record({
    op: fc.constant('out-of-range' as const),
    at: fc.nat(),
    value: fc.constantFrom(-1, -1000, -0.5, Number.NaN, Infinity, -Infinity, Number.MAX_VALUE),
  }),
  fc.record({ op: fc.constant('missing' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('bad-kind' as const), at: fc.nat(), kind: fc.string({ maxLength: 20 }) }),
  fc.record({ op: fc.constant('duplicate-id' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ op: fc.constant('inverted-bounds' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('no-targets' as const) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

/** Applies one mutation, each of which alone makes the config invalid; returns false if it found nothing to mutate. */
function apply(config: Json, m: Mutation): boolean {
  const all = paths(config);
  const objects = all.filter((p) => p.value && typeof p.value === 'object' && !Array.isArray(p.value));
  const leaves = all.filter((p) => p.path.length > 0 && (p.value === null || typeof p.value !== 'object'));
  const targets = (config as { targets?: Json[] }).targets;
  switch (m.op) {
    case 'unknown-key': {
      if (KNOWN_KEYS.has(m.key)) return false;
      const o = objects[m.at % objects.length];
      (o.value as Record<string, Json>)[m.key] = m.value as Json;
      return true;
    }
    case 'wrong-type': {
      const l = leaves[m.at % leaves.length];
      set(config, l.path, otherType(l.value, m.pick));
      return true;
    }
    case 'out-of-range': {
      const nums = leaves.filter((l) => typeof l.value === 'number');
      if (!nums.length) return false;
      set(config, nums[m.at % nums.length].path, m.value);
      return true;
    }
    case 'missing': {
      const req = all.filter((p) => typeof p.path[p.path.length - 1] === 'string' && REQUIRED.has(p.path[p.path.length - 1] as string) && p.path.length <= 3);
      if (!req.length) return false;
      set(config, req[m.at % req.length].path, undefined);
      return true;
    }
    case 'bad-kind': {
      if (!Array.isArray(targets) || !targets.length) return false;
      if (['asg', 'ecs-service', 'cloudfront', 'rds-replicas', 'rds-storage', 'redis', 'queue-workers'].includes(m.kind)) return false;
      (targets[m.at % targets.length] as Record<string, Json>).kind = m.kind;
      return true;
    }
    case 'duplicate-id': {
      if (!Array.isArray(targets) || targets.length < 2) return false;
      const a = m.a % targets.length,
        b = m.b % targets.length;
      if (a === b) return false;
      (targets[b] as Record<string, Json>).id = (targets[a] as Record<string, Json>).id;
      return true;
    }
    case 'inverted-bounds': {
      const capacity = (Array.isArray(targets) ? targets : []).filter((t) => t && typeof t === 'object' && 'maxCapacity' in (t as object));
      if (!capacity.length) return false;
      const t = capacity[m.at % capacity.length] as Record<string, Json>;
      if (typeof t.maxCapacity !== 'number') return false;
      t.minCapacity = t.maxCapacity + 1;
      return true;
    }
    case 'no-targets':
      (config as Record<string, Json>).targets = [];
      return true;
  }
}

function expectDesignedRejection(input: unknown) {
  let error: unknown;
  try {
    parseConfig(input, 'fuzzed.yaml');
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const e = error as ConfigError;
  expect(e.problems.length).toBeGreaterThan(0);
  for (const line of e.problems) expect(line).toMatch(PATH_LINE);
  expect(e.message).not.toMatch(/\n\s+at /);
}

test('config fuzzing: the example config itself is valid', () => {
  expect(() => parseConfig(BASE)).not.toThrow();
});

test('config fuzzing: 1,200 mutated configs are each rejected with a ConfigError naming a path on every line', () => {
  let rejected = 0;
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ms) => {
      const config = structuredClone(BASE) as Json;
      const applied = ms.map((m) => apply(config, m)).filter(Boolean).length;
      fc.pre(applied > 0);
      expectDesignedRejection(config);
      rejected++;
    }),
    { numRuns: 1200, seed: 20260105 },
  );
  expect(rejected).toBeGreaterThanOrEqual(1000);
});

test('config fuzzing: 1,000 random values are each rejected the same way', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.anything(), fc.record({ prefix: fc.anything(), targets: fc.anything(), windows: fc.anything() }, { requiredKeys: [] })),
      (input) => {
        expectDesignedRejection(input);
      },
    ),
    { numRuns: 1000, seed: 42 },
  );
});

test('config fuzzing: 200 corrupted YAML texts are either valid or a ConfigError naming a path on every line, never another exception', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4 }), (edits) => {
      let text = TEXT;
      for (const [at, cut, insert] of edits) {
        const i = at % text.length;
        text = text.slice(0, i) + insert + text.slice(i + cut);
      }
      try {
        parseConfigText(text, 'fuzzed.yaml');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).not.toMatch(/\n\s+at /);
        for (const line of (err as ConfigError).problems) expect(line).toMatch(PATH_LINE);
      }
    }),
    { numRuns: 200, seed: 7 },
  );
});

// ---------------------------------------------------------------------------------- hostile YAML

/** The ConfigError of a YAML text, every line naming a path; anything else thrown fails the test. */
function rejectionOf(text: string): string[] {
  let error: unknown;
  try {
    parseConfigText(text, 'hostile.yaml');
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const e = error as ConfigError;
  expect(e.message).not.toMatch(/\n\s+at /);
  for (const line of e.problems) expect(line).toMatch(PATH_LINE);
  return e.problems;
}

const indent = (n: number) => ' '.repeat(n);

test('hostile YAML: 60 alias bombs (fan-out, depth, flow or block, at the root or inside a target) each end in a ConfigError naming where', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.boolean(), fc.boolean(), (fanout, levels, flow, inTarget) => {
      const at = inTarget ? 4 : 0;
      const list = (items: string[], depth: number) => (flow ? ` [${items.join(', ')}]` : `\n${items.map((x) => `${indent(depth + 2)}- ${x}`).join('\n')}`);
      const lines = [`${indent(at)}l0: &l0${list(Array(fanout).fill('lol'), at)}`];
      for (let i = 1; i <= levels; i++) lines.push(`${indent(at)}l${i}: &l${i}${list(Array(fanout).fill(`*l${i - 1}`), at)}`);
      const text = inTarget
        ? `prefix: shop\ntargets:\n  - kind: asg\n    id: web\n    autoScalingGroupName: web-asg\n${lines.join('\n')}\n`
        : `${lines.join('\n')}\n`;
      const problems = rejectionOf(text);
      // A bomb (its expansion past the limit) is named as one; a small one is refused by the schema (unknown keys).
      if (fanout ** (levels + 1) > YAML_LIMITS.maxValues)
        expect(problems).toEqual([expect.stringMatching(/: the alias \*l\d+ \(line \d+\) expands the document past 200,000 values/)]);
    }),
    { numRuns: 60, seed: 2713 },
  );
});

test('hostile YAML: 40 deeply nested documents (flow and block lists and maps, to 3,000 levels, block ones to 900) each end in a ConfigError naming the path', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: YAML_LIMITS.maxDepth + 1, max: 3000 }),
      fc.constantFrom('flow-list', 'flow-map', 'block-list', 'block-map'),
      fc.boolean(),
      (depth, style, inTargets) => {
        let nested: string;
        // Block styles indent each level: past about 900 levels the file outgrows the size limit instead.
        if (style.startsWith('block')) depth = YAML_LIMITS.maxDepth + 1 + (depth % 880);
        if (style === 'flow-list') nested = `${'['.repeat(depth)}1${']'.repeat(depth)}`;
        else if (style === 'flow-map') nested = `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
        else if (style === 'block-list') nested = `\n${Array.from({ length: depth }, (_, i) => `${indent(2 + 2 * i)}-`).join('\n')} 1`;
        else nested = `\n${Array.from({ length: depth }, (_, i) => `${indent(2 + 2 * i)}a:`).join('\n')} 1`;
        const problems = rejectionOf(inTargets ? `prefix: shop\ntargets: ${nested}\n` : `deep: ${nested}\n`);
        expect(problems).toContainEqual(expect.stringMatching(/: nested more than 16 levels deep \(line \d+\); a config needs at most 7$/));
      },
    ),
    { numRuns: 40, seed: 2714 },
  );
});

test('hostile YAML: every key of the example config, repeated right after itself, is named as repeated with both lines', () => {
  const lines = TEXT.split('\n');
  const keyLines = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^\s*[A-Za-z][A-Za-z0-9]*:(\s|$)/.test(l));
  expect(keyLines.length).toBeGreaterThan(100);
  for (const { l, i } of keyLines) {
    const text = [...lines.slice(0, i + 1), l.replace(/:.*$/, ': null'), ...lines.slice(i + 1)].join('\n');
    const key = /^\s*([A-Za-z0-9]+):/.exec(l)![1];
    expect(rejectionOf(text)).toContainEqual(
      expect.stringMatching(new RegExp(`(^|\\.)${key}: the key is repeated \\(line ${i + 2}\\), first on line ${i + 1}; keys of a map are unique$`)),
    );
  }
});

test('hostile YAML: files over the size limit are refused before they are parsed, whatever they hold', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 64 * 1024 }), fc.constantFrom('#', 'a', '[', '{', '*x ', '&x '), (extra, unit) => {
      const text = unit.repeat(Math.ceil((YAML_LIMITS.maxBytes + extra) / unit.length));
      expect(rejectionOf(text)).toEqual([
        expect.stringMatching(/^\(root\): the file holds [\d,]+ bytes; a config may hold at most 1,048,576 bytes \(1 MiB\)$/),
      ]);
    }),
    { numRuns: 12, seed: 2715 },
  );
});
