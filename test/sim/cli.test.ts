import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cli-'));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'sim/cli.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });

writeFileSync(join(dir, 't.csv'), 'time,requests\n2026-01-05T00:00:00Z,100\n2026-01-05T00:01:00Z,oops\n');
writeFileSync(
  join(dir, 'ok.csv'),
  `time,requests\n${Array.from({ length: 30 }, (_, i) => `2026-01-05T00:${String(i).padStart(2, '0')}:00Z,${i * 100}`).join('\n')}`,
);
const scenario = (extra = '', file = 't.csv') =>
  `name: x\ntrace: { file: ${file} }\nworkload: { kind: web, unitCapacity: 40${extra} }\ntarget: { maxUnits: 5 }\n`;

function failing(name: string, text: string) {
  writeFileSync(join(dir, name), text);
  const r = cli('--scenario', join(dir, name), '--out', join(dir, 'out'));
  expect(r.status).toBe(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return r.stderr;
}

describe('sim cli', () => {
  test('an unknown field fails naming it, exit code 1, no stack trace', () => {
    expect(failing('a.yaml', scenario(', warmup: 3'))).toMatch(/^error: .*a\.yaml: invalid scenario:\n\s+workload\.warmup: unknown key/);
  });

  test('a bad CSV row fails naming the line and its content', () => {
    expect(failing('b.yaml', scenario())).toMatch(/line 3: column 2 is not a non-negative number: "2026-01-05T00:01:00Z,oops"/);
  });

  test('a missing scenario file fails cleanly', () => {
    const r = cli('--scenario', join(dir, 'none.yaml'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*none\.yaml: cannot read the scenario/);
  });

  test('a good scenario writes score.json and report.html and prints the table', () => {
    writeFileSync(join(dir, 'ok.yaml'), scenario('', 'ok.csv'));
    const out = join(dir, 'ok-out');
    const r = cli('--scenario', join(dir, 'ok.yaml'), '--out', out, '--policies', 'seed-step,target-tracking');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/seed-step\s+\d/);
    expect(r.stdout).toMatch(/target-tracking\s+\d/);
    expect(Object.keys(JSON.parse(readFileSync(join(out, 'score.json'), 'utf8')).policies)).toEqual(['seed-step', 'target-tracking']);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  test('--target-utilization: the baselines track it, named in the table; a bad value fails naming the flag', () => {
    writeFileSync(join(dir, 'ok.yaml'), scenario('', 'ok.csv'));
    const r = cli('--scenario', join(dir, 'ok.yaml'), '--out', join(dir, 'tu'), '--policies', 'target-tracking,predictive', '--target-utilization', '40');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/baselines tracking 40% \(ideal and autoscaler at 70%\)/);
    expect(r.stdout).toMatch(/predictive\s+\d/);
    const bad = cli('--scenario', join(dir, 'ok.yaml'), '--out', join(dir, 'tu'), '--target-utilization', 'high');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: --target-utilization: "high" is not a number/);
  });

  test('generate writes a trace the simulator reads, the same for the same seed; a bad shape fails naming it', () => {
    const out = (n: string) => join(dir, n);
    const r = cli('generate', '--shape', 'weekly', '--seed', '5', '--days', '7', '--out', out('w1.csv'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^wrote .*w1\.csv: weekly, seed 5, 10080 rows of 60 s/);
    cli('generate', '--shape', 'weekly', '--seed', '5', '--days', '7', '--out', out('w2.csv'));
    expect(readFileSync(out('w2.csv'), 'utf8')).toBe(readFileSync(out('w1.csv'), 'utf8'));
    const bad = cli('generate', '--shape', 'sine', '--seed', '5', '--out', out('w3.csv'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: --shape: "sine" is not one of diurnal, weekly, flash, bursty, step, batches/);
    expect(existsSync(out('w3.csv'))).toBe(false);
  });
});
