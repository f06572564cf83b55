/**
 * Each function's Lambda bundle, built as NodejsFunction builds it (esbuild, minified, AWS SDK v3
 * external, Powertools external unless it is bundled, the config beside it as autoscaler-config.json),
 * its size, and its cold-start init time with Powertools from each source (`PowertoolsSource`) next
 * to a minimal handler's that loads the same AWS SDK clients: a fresh Node process each time, time
 * from process start until the module and those clients are loaded, the four alternated so all see
 * the same machine state. All load the clients after the module too (a no-op where the bundle loaded
 * them already), so a bundle that defers them to its first event gains nothing: the ratio is what the
 * project's own code and libraries add. NODE_PATH plays Lambda's: the layer's node_modules first
 * (/opt/nodejs/node_modules), then the project's node_modules, which play the runtime's AWS SDK and,
 * for `public-layer`, Powertools' public layer. Powertools' own load time counts against the project.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { buildSync } from 'esbuild';
import { BUNDLED_CONFIG_FILE } from '../lambdas/shared/bundled-config';
import type { AutoscalerConfig } from '../lambdas/shared/config';
import { functionBuildOptions, POWERTOOLS_SOURCES, type PowertoolsSource } from '../lib/shared/function';
import {
  LAYER_MODULES_DIR,
  POWERTOOLS_LAYER_MODULE,
  POWERTOOLS_LAYER_MODULES,
  writePowertoolsLayer,
  writePowertoolsShims,
} from '../lib/shared/powertools-layer';

export interface BundleRow {
  readonly family: string;
  readonly powertools: PowertoolsSource;
  readonly bytes: number;
  /** The AWS SDK modules the bundle requires (left to the runtime). */
  readonly sdkModules: readonly string[];
  readonly initMs: number;
  /** The minimal handler that requires the same AWS SDK modules. */
  readonly minimalMs: number;
  readonly ratio: number;
}

export interface BundleTable {
  readonly rows: BundleRow[];
  /** The bytes of each of the own layer's modules (`PowertoolsSource` 'layer'), by name; the functions of a stack share them. */
  readonly layerModuleBytes: Readonly<Record<string, number>>;
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

export function bundleTable(entries: Readonly<Record<string, string>>, config: AutoscalerConfig, runs = 15): BundleTable {
  const dir = mkdtempSync(join(tmpdir(), 'autoscaler-bench-'));
  const nodeModules = join(__dirname, '..', 'node_modules');
  const layerDir = join(dir, 'layer');
  writePowertoolsLayer(layerDir);
  const shimDir = join(dir, 'shims');
  writePowertoolsShims(shimDir);
  const layerModules = join(layerDir, LAYER_MODULES_DIR);
  const nodePaths: Record<PowertoolsSource, string> = {
    layer: `${layerModules}${delimiter}${nodeModules}`,
    bundled: nodeModules,
    'public-layer': nodeModules,
  };
  writeFileSync(join(dir, BUNDLED_CONFIG_FILE), JSON.stringify(config));
  const rows: BundleRow[] = [];
  for (const [family, entry] of Object.entries(entries)) {
    const build = (powertools: PowertoolsSource) => {
      const outfile = join(dir, `${family}-${powertools}.js`);
      const { metafile } = buildSync({
        entryPoints: [entry],
        outfile,
        ...functionBuildOptions(powertools, shimDir),
        logLevel: 'silent',
        metafile: true,
      });
      const output = Object.values(metafile.outputs)[0];
      const sdk = [...new Set(output.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path))].sort();
      return { outfile, sdk };
    };
    const built = Object.fromEntries(POWERTOOLS_SOURCES.map((p) => [p, build(p)])) as Record<PowertoolsSource, { outfile: string; sdk: string[] }>;
    // Every source's bundle requires the same SDK modules, wherever Powertools comes from.
    const sdkModules = [...new Set(POWERTOOLS_SOURCES.flatMap((p) => built[p].sdk))].sort();
    const minimal = join(dir, `${family}-minimal.js`);
    writeFileSync(minimal, `${sdkModules.map((m) => `require(${JSON.stringify(m)});\n`).join('')}exports.handler = async () => ({});\n`);
    const times = Object.fromEntries(POWERTOOLS_SOURCES.map((p) => [p, [] as number[]])) as Record<PowertoolsSource, number[]>;
    const theirs: number[] = [];
    // warm the file cache once
    initMs(minimal, sdkModules, nodeModules);
    for (const p of POWERTOOLS_SOURCES) initMs(built[p].outfile, sdkModules, nodePaths[p]);
    for (let i = 0; i < runs; i++) {
      theirs.push(initMs(minimal, sdkModules, nodeModules));
      for (const p of POWERTOOLS_SOURCES) times[p].push(initMs(built[p].outfile, sdkModules, nodePaths[p]));
    }
    const minimalMs = median(theirs);
    for (const p of POWERTOOLS_SOURCES) {
      const ms = median(times[p]);
      rows.push({ family, powertools: p, bytes: statSync(built[p].outfile).size, sdkModules, initMs: ms, minimalMs, ratio: ms / minimalMs });
    }
  }
  const layerModuleBytes = Object.fromEntries(
    Object.keys(POWERTOOLS_LAYER_MODULES).map((name) => [name, statSync(join(layerModules, POWERTOOLS_LAYER_MODULE, `${name}.js`)).size]),
  );
  return { rows, layerModuleBytes };
}
