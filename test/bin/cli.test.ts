import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.join(__dirname, '..', '..');

describe('bin/cli.js', () => {
  test('a command that loads the simulator on demand runs through the script (recommend: an unsupported kind is one line)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-cli-bin-'));
    try {
      const config = path.join(dir, 'autoscaler.config.yaml');
      fs.writeFileSync(config, 'prefix: shop\ntargets:\n  - kind: rds-replicas\n    id: db\n    sourceInstanceIdentifier: shop-db\n');
      const run = spawnSync(process.execPath, ['bin/cli.js', 'recommend', 'db', '--trace', path.join(dir, 'db.csv'), '--config', config], {
        cwd: REPO_ROOT,
        // As an operator runs it: not a jest worker (the simulator leaves its module hooks to jest there).
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'JEST_WORKER_ID')),
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.stderr).toBe('autoscaler: recommend: not supported for kind rds-replicas (target "db"); it replays asg, ecs-service, queue-workers targets\n');
      expect(run.status).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
