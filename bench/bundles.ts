/**
 * Each function's Lambda bundle, built as NodejsFunction builds it (esbuild, minified, AWS SDK v3
 * external, Powertools external as it comes from its Lambda layer unless `bundlePowertools`, the
 * config beside it as autoscaler-config.json), its size, and its cold-start init time
 * next to a minimal handler's that loads the same AWS SDK clients: a fresh Node process each time,
 * time from process start until the module and those clients are loaded, alternated between the two so
 * both see the same machine state. Both load the clients after the module too (a no-op where the
 * bundle loaded them already), so a bundle that defers them to its first event gains nothing: the
 * ratio is what the project's own code and libraries add. NODE_PATH is the project's node_modules,
 * which plays both the runtime's AWS SDK and Powertools' layer (/opt/nodejs/node_modules in Lambda):
 * Powertools' own load time counts against the project.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLED_CONFIG_FILE } from '../lambdas/shared/bundled-config';
import type { AutoscalerConfig } from '../lambdas/shared/config';
import { externalModules } from '../lib/shared/function';

export interface BundleRow {
  readonly family: string;
  readonly bytes: number;
  /** The AWS SDK modules the bundle requires (left to the runtime). */
  readonly sdkModules: readonly string[];
  readonly initMs: number;
  /** The minimal handler that requires the same AWS SDK modules. */
  readonly minimalMs: number;
  readonly ratio: number;
}

/** argv: the module, then the AWS SDK modules to load after it. */
const PROBE = `const t = require('node:perf_hooks').performance; const [m, ...sdk] = process.argv.slice(1); require(m); for (const s of sdk) require(s); process.stdout.write(String(t.now()));`;

function initMs(file: string, sdk: readonly string[], nodePath: string): number {
  const out = execFileSync(process.execPath, ['-e', PROBE, file, ...sdk], { env: { ...process.env, NODE_PATH: nodePath } });
  return Number(out.toString());
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export function bundleTable(entries: Readonly<Record<string, string>>, config: AutoscalerConfig, runs = 15, bundlePowertools = true): BundleRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'autoscaler-bench-'));
  const nodePath = join(__dirname, '..', 'node_modules');
  writeFileSync(join(dir, BUNDLED_CONFIG_FILE), JSON.stringify(config));
  const rows: BundleRow[] = [];
  for (const [family, entry] of Object.entries(entries)) {
    const outfile = join(dir, `${family}.js`);
    const { metafile } = buildSync({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      external: externalModules(bundlePowertools),
      logLevel: 'silent',
      metafile: true,
    });
    const output = Object.values(metafile.outputs)[0];
    const sdkModules = [...new Set(output.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort();
    const minimal = join(dir, `${family}-minimal.js`);
    writeFileSync(minimal, `${sdkModules.map((m) => `require(${JSON.stringify(m)});\n`).join('')}exports.handler = async () => ({});\n`);
    const ours: number[] = [];
    const theirs: number[] = [];
    initMs(outfile, sdkModules, nodePath); // warm the file cache once
    initMs(minimal, sdkModules, nodePath);
    for (let i = 0; i < runs; i++) {
      ours.push(initMs(outfile, sdkModules, nodePath));
      theirs.push(initMs(minimal, sdkModules, nodePath));
    }
    const initMsMedian = median(ours);
    const minimalMs = median(theirs);
    rows.push({ family, bytes: statSync(outfile).size, sdkModules, initMs: initMsMedian, minimalMs, ratio: initMsMedian / minimalMs });
  }
  return rows;
}
