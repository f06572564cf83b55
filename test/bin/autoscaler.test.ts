import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.join(__dirname, '..', '..');

describe('bin/autoscaler.ts', () => {
  test('a config with an unknown key exits non-zero, names the key on stderr, and prints no stack trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-bin-'));
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'prefix: shop\nretention: 3\ntargets:\n  - kind: asg\n    id: web\n    autoScalingGroupName: web\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/autoscaler.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ config: file }), CDK_OUTDIR: path.join(dir, 'out') },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${file}: invalid autoscaler config:`);
    expect(run.stderr).toContain('retention: unknown key');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
