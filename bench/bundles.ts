/**
 * Each family's Lambda bundle, built as NodejsFunction builds it (esbuild, minified, AWS SDK v3
 * external, the config beside it as autoscaler-config.json), its size, and its cold-start init time next to a bare handler's:
 * a fresh Node process each time, time from process start until the module is loaded, alternated
 * between the two so both see the same machine state.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLED_CONFIG_FILE } from '../lambdas/shared/bundled-config';
import type { AutoscalerConfig } from '../lambdas/shared/config';

export interface BundleRow {
  readonly family: string;
  readonly bytes: number;
  readonly initMs: number;
  readonly bareMs: number;
  readonly ratio: number;
}

const PROBE = `const t = require('node:perf_hooks').performance; require(process.argv[1]); process.stdout.write(String(t.now()));`;

function initMs(file: string, nodePath: string): number {
  const out = execFileSync(process.execPath, ['-e', PROBE, file], { env: { ...process.env, NODE_PATH: nodePath } });
  return Number(out.toString());
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export function bundleTable(entries: Readonly<Record<string, string>>, config: AutoscalerConfig, runs = 15): BundleRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'autoscaler-bench-'));
  const nodePath = join(__dirname, '..', 'node_modules');
  const bare = join(dir, 'bare.js');
  writeFileSync(bare, 'exports.handler = async () => ({});\n');
  writeFileSync(join(dir, BUNDLED_CONFIG_FILE), JSON.stringify(config));
  const rows: BundleRow[] = [];
  for (const [family, entry] of Object.entries(entries)) {
    const outfile = join(dir, `${family}.js`);
    buildSync({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      external: ['@aws-sdk/*'],
      logLevel: 'silent',
    });
    const ours: number[] = [];
    const theirs: number[] = [];
    initMs(outfile, nodePath); // warm the file cache once
    for (let i = 0; i < runs; i++) {
      ours.push(initMs(outfile, nodePath));
      theirs.push(initMs(bare, nodePath));
    }
    const initMsMedian = median(ours);
    const bareMs = median(theirs);
    rows.push({ family, bytes: statSync(outfile).size, initMs: initMsMedian, bareMs, ratio: initMsMedian / bareMs });
  }
  return rows;
}
