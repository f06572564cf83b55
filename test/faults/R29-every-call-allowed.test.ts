/**
 * R29: every AWS call is allowed, and no role holds a permission its code never uses, with
 * `permissions: per-target` (each resource by its ARN); the check itself is test/faults/support-iam.ts,
 * and R29-every-call-allowed-by-tag runs it with `permissions: by-tag`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { API_HANDLER_ENTRY } from '../../lib/api';
import { RECOMMENDER_ENTRY } from '../../lib/recommender';
import { RUNBOOK_HANDLER_ENTRY } from '../../lib/runbooks/data';
import { FAMILY_ENTRIES, PROJECT_ROOT } from '../../lib/shared/function';
import { ALL_KINDS_CONFIG } from '../support/configs';
import { describeEveryCallAllowed } from './support-iam';

describeEveryCallAllowed(ALL_KINDS_CONFIG);

describe('R29: the IAM simulator stays out of what is deployed', () => {
  test('no file of lambdas/, lib/, bin/, cli/ or sim/ imports @cloud-copilot packages', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.[cm]?[jt]s$/.test(entry) && /['"]@cloud-copilot\//.test(readFileSync(path, 'utf8'))) offenders.push(path.slice(PROJECT_ROOT.length + 1));
      }
    };
    for (const dir of ['lambdas', 'lib', 'bin', 'cli', 'sim']) walk(join(PROJECT_ROOT, dir));
    expect(offenders).toEqual([]);
  });

  test('no function bundle contains them', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    const result = await esbuild.build({
      entryPoints: [...Object.values(FAMILY_ENTRIES), RUNBOOK_HANDLER_ENTRY, API_HANDLER_ENTRY, RECOMMENDER_ENTRY],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      outdir: 'out',
      external: ['@aws-sdk/*'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.length).toBeGreaterThan(50);
    expect(inputs.filter((p) => p.includes('@cloud-copilot/'))).toEqual([]);
  });
});
