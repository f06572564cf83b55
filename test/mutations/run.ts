/**
 * `npm run mutate`: applies each mutation of the catalog on its own, runs the tests it names, and
 * reports which test caught it. A mutation no test catches is a protection the suite does not prove;
 * the run then exits with 1. The file is always restored, also on Ctrl-C.
 *
 *   npm run mutate                       # every mutation
 *   npm run mutate -- --only zero-backoff,ignore-the-lease
 *   npm run mutate -- --list
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { MUTATIONS, type Mutation } from './catalog';

const ROOT = path.join(__dirname, '..', '..');
const JEST = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

interface Outcome {
  readonly mutation: Mutation;
  readonly caught: boolean;
  /** The failing tests (file: name), or why the run is not a verdict. */
  readonly by: string[];
  readonly seconds: number;
}

interface JestJson {
  readonly numFailedTests: number;
  readonly numRuntimeErrorTestSuites: number;
  readonly testResults: { name: string; message: string; assertionResults: { fullName: string; status: string }[] }[];
}

let restoreCurrent: (() => void) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    restoreCurrent?.();
    process.exit(130);
  });
}

function apply(m: Mutation): () => void {
  const file = path.join(ROOT, m.file);
  const original = readFileSync(file, 'utf8');
  const occurrences = original.split(m.find).length - 1;
  if (occurrences !== 1) throw new Error(`${m.id}: the text to mutate occurs ${occurrences} times in ${m.file} (expected once)`);
  writeFileSync(
    file,
    original.replace(m.find, () => m.replace),
  );
  return () => writeFileSync(file, original);
}

function runTests(tests: readonly string[]): { json?: JestJson; status: number | null; stderr: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mutate-'));
  const out = path.join(dir, 'jest.json');
  try {
    const res = spawnSync(process.execPath, [JEST, '--silent', '--ci', '--json', `--outputFile=${out}`, ...tests], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    let json: JestJson | undefined;
    try {
      json = JSON.parse(readFileSync(out, 'utf8')) as JestJson;
    } catch {
      json = undefined;
    }
    return { json, status: res.status, stderr: res.stderr ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function failures(json: JestJson): string[] {
  const out: string[] = [];
  for (const file of json.testResults) {
    const rel = path.relative(ROOT, file.name);
    const failed = file.assertionResults.filter((a) => a.status === 'failed');
    if (failed.length) out.push(...failed.map((a) => `${rel}: ${a.fullName}`));
    else if (file.message) out.push(`${rel}: suite failed to run (${file.message.split('\n').find((l) => l.trim()) ?? 'error'})`);
  }
  return out;
}

function mutate(m: Mutation): Outcome {
  const started = Date.now();
  const restore = apply(m);
  restoreCurrent = restore;
  let res: ReturnType<typeof runTests>;
  try {
    res = runTests(m.tests);
  } finally {
    restore();
    restoreCurrent = undefined;
  }
  const seconds = (Date.now() - started) / 1000;
  if (!res.json)
    return { mutation: m, caught: false, by: [`jest gave no result (exit ${res.status}): ${res.stderr.split('\n').slice(-3).join(' ')}`], seconds };
  const by = failures(res.json);
  // A type error in the mutated file fails every suite that imports it: a mutation must compile, so
  // that "caught" means a test saw the behaviour, not the compiler.
  const compileOnly = by.length > 0 && by.every((b) => /suite failed to run/.test(b));
  if (compileOnly) return { mutation: m, caught: false, by: [`does not compile: ${by[0]}`], seconds };
  return { mutation: m, caught: by.length > 0, by, seconds };
}

function main(argv: string[]): number {
  const program = new Command()
    .name('mutate')
    .description('apply each mutation of test/mutations/catalog.ts alone and check that a test catches it')
    .option('--only <ids>', 'comma-separated mutation ids')
    .option('--list', 'list the mutations and exit')
    .parse(argv);
  const opts = program.opts<{ only?: string; list?: boolean }>();
  if (opts.list) {
    for (const m of MUTATIONS) process.stdout.write(`${m.id}\t${m.file}\t${m.breaks}\n`);
    return 0;
  }
  const wanted = opts.only ? new Set(opts.only.split(',').map((s) => s.trim())) : undefined;
  const unknown = wanted ? [...wanted].filter((id) => !MUTATIONS.some((m) => m.id === id)) : [];
  if (unknown.length) {
    process.stderr.write(`unknown mutation(s): ${unknown.join(', ')} (see --list)\n`);
    return 2;
  }
  const chosen = MUTATIONS.filter((m) => !wanted || wanted.has(m.id));
  const outcomes: Outcome[] = [];
  for (const m of chosen) {
    process.stdout.write(`${m.id} ... `);
    const o = mutate(m);
    outcomes.push(o);
    process.stdout.write(`${o.caught ? 'caught' : 'SURVIVED'} (${o.seconds.toFixed(0)} s)\n`);
    for (const b of o.by.slice(0, 3)) process.stdout.write(`    ${b}\n`);
    if (o.by.length > 3) process.stdout.write(`    ... and ${o.by.length - 3} more\n`);
  }
  const survived = outcomes.filter((o) => !o.caught);
  process.stdout.write(
    `\n${outcomes.length - survived.length} of ${outcomes.length} mutations caught${survived.length ? `; survived: ${survived.map((o) => o.mutation.id).join(', ')}` : ''}\n`,
  );
  return survived.length ? 1 : 0;
}

process.exitCode = main(process.argv);
