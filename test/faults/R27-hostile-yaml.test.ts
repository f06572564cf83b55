/**
 * R27: hostile YAML (an alias bomb, a huge or deeply nested document, repeated keys, a number past any
 * sensible bound) ends in a ConfigError from both entry points that read a config file, `npx autoscaler
 * config validate` and `cdk synth` (lib/app.ts `main`): exit code 1, a line naming the path of the
 * problem, and no stack trace.
 */
import { configFile, type EntryResult, STACK_TRACE, synth, validate } from './config-entries';

/** `  targets[0].id: ...`, `  (root): ...`, `  (root)[0][0]: ...`, `  f[1]: ...` (indented under the file's first line). */
const PROBLEM_LINE = /^ {2}(\(root\)|[A-Za-z_$][\w$-]*|\["(?:[^"\\]|\\.)*"\])(\[\d+\]|\["(?:[^"\\]|\\.)*"\]|\.[A-Za-z_$][\w$-]*)*: \S/;

/** Nine "lol"s, then nine aliases of the level before, ten times over: 9^10 (3.5 billion) values. */
const BILLION_LAUGHS = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat([...'bcdefghij'].map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`))
  .join('\n');

const VALID_TARGET = '  - kind: asg\n    id: web\n    autoScalingGroupName: web-asg\n';

const CASES: [string, string | Buffer, RegExp][] = [
  [
    'an alias bomb (billion laughs)',
    BILLION_LAUGHS,
    /^ {2}f\[1\]: the alias \*e \(line 6\) expands the document past 200,000 values; aliases may not multiply it$/m,
  ],
  [
    'an alias bomb inside a target',
    `prefix: shop\ntargets:\n${VALID_TARGET}    tags: &t0 [x, x, x, x, x, x, x, x]\n${[1, 2, 3, 4, 5, 6, 7]
      .map(
        (i) =>
          `    t${i}: &t${i} [${Array(8)
            .fill(`*t${i - 1}`)
            .join(', ')}]`,
      )
      .join('\n')}\n`,
    /^ {2}targets\[0\]\.t5\[\d\]: the alias \*t4 \(line \d+\) expands the document past 200,000 values/m,
  ],
  [
    'a huge document (2 MiB)',
    `prefix: shop\ntargets:\n${VALID_TARGET}# ${'x'.repeat(2 * 1024 * 1024)}\n`,
    /^ {2}\(root\): the file holds more than 1,048,576 bytes; a config may hold at most 1,048,576 bytes \(1 MiB\)$/m,
  ],
  [
    'a deeply nested list (20,000 levels)',
    `prefix: shop\ntargets: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`,
    /^ {2}targets(\[0\]){16}: nested more than 16 levels deep \(line 2\); a config needs at most 7$/m,
  ],
  [
    'a deeply nested map (1,000 levels, block style)',
    `prefix: shop\ntargets:\n${VALID_TARGET}    extra:\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(6 + 2 * i)}k:`).join('\n')} 1\n`,
    /^ {2}targets\[0\]\.extra(\.k){14}: nested more than 16 levels deep \(line \d+\)/m,
  ],
  [
    'a repeated key at the top',
    `prefix: shop\ntargets:\n${VALID_TARGET}prefix: other\n`,
    /^ {2}prefix: the key is repeated \(line 6\), first on line 1; keys of a map are unique$/m,
  ],
  [
    'a repeated key in a target',
    `prefix: shop\ntargets:\n${VALID_TARGET}    id: api\n`,
    /^ {2}targets\[0\]\.id: the key is repeated \(line 6\), first on line 4; keys of a map are unique$/m,
  ],
  [
    'an alias to the value that contains it',
    `prefix: shop\ntargets: &t\n  - *t\n`,
    /^ {2}targets\[0\]: the alias \*t \(line 3\) refers to a value that contains it$/m,
  ],
  [
    'a number past its bound',
    `prefix: shop\ntargets:\n${VALID_TARGET}    scaleInCooldownSeconds: 1000000000\n`,
    /^ {2}targets\[0\]\.scaleInCooldownSeconds: 1000000000 is above the maximum 86400$/m,
  ],
];

function expectRefused(res: EntryResult, line: RegExp) {
  expect(res.escaped).toBeUndefined();
  expect(res.code).toBe(1);
  expect(res.stdout).toBe('');
  expect(res.stderr).toMatch(line);
  expect(res.stderr).not.toMatch(STACK_TRACE);
  // Every problem is one line naming its path.
  for (const l of res.stderr.trimEnd().split('\n').slice(1)) expect(l).toMatch(PROBLEM_LINE);
}

describe.each(CASES)('R27 %s', (_name, text, line) => {
  const file = configFile(text);

  test('`config validate`: exit 1, one line per problem naming its path, no stack trace', async () => {
    expectRefused(await validate(file), line);
  });

  test('`cdk synth`: exit 1, one line per problem naming its path, no stack trace', () => {
    expectRefused(synth(file), line);
  });
});

test('R27 a file that never ends (/dev/zero) is read no further than the limit', async () => {
  const line = /^ {2}\(root\): the file holds more than 1,048,576 bytes/m;
  expectRefused(await validate('/dev/zero'), line);
  expectRefused(synth('/dev/zero'), line);
});
