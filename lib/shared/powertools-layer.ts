/**
 * The deployment's own Powertools layer, the default: the Powertools entry points the functions
 * import, with what they bring along (the X-Ray SDK under the tracer, the JMESPath parser under
 * idempotency, the commons they share), built at synth from the packages installed here into one
 * minified CommonJS module, `nodejs/node_modules/autoscaler-powertools/index.js`, which Lambda finds
 * in the layer (`/opt/nodejs/node_modules` is on the runtime's NODE_PATH; Lambda Developer Guide,
 * "Layer paths for each Lambda runtime"). A bundle built for it aliases each Powertools package to a
 * shim that asks that module for the entry point (`require('autoscaler-powertools')('@aws-lambda-
 * powertools/logger')`), so it holds none of Powertools and resolves one module, not one per entry.
 *
 * Why not the public layer: it holds each package as published, some 150 files that Node resolves and
 * compiles one by one at every cold start (bench/RESULTS.md measures the difference). Why not in each
 * bundle: the same code again in every function, each bundle past 250 KiB. One module shared by the
 * stack's functions, each entry point initialized when first asked for, does both.
 * The AWS SDK stays out, as everywhere: the runtime's SDK serves the layer and the bundles alike.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { buildSync } from 'esbuild';

/** Root of the repository, where node_modules and package-lock.json are. */
const ROOT = path.join(__dirname, '..', '..');

/**
 * Every Powertools entry point a function imports. A bundle built for the layer that imports another
 * entry point of these packages fails to build (its shim is missing): synth names the import. One that
 * imports another Powertools package would carry it in the bundle; test/lib/shared/powertools-layer.test.ts
 * refuses that for every function.
 */
export const POWERTOOLS_ENTRY_POINTS: readonly string[] = [
  '@aws-lambda-powertools/idempotency',
  '@aws-lambda-powertools/idempotency/cache',
  '@aws-lambda-powertools/idempotency/dynamodb',
  '@aws-lambda-powertools/idempotency/persistence',
  '@aws-lambda-powertools/logger',
  '@aws-lambda-powertools/logger/middleware',
  '@aws-lambda-powertools/metrics',
  '@aws-lambda-powertools/metrics/middleware',
  '@aws-lambda-powertools/tracer',
  '@aws-lambda-powertools/tracer/middleware',
];

/** The module that holds them all, in the layer's node_modules. */
export const POWERTOOLS_LAYER_MODULE = 'autoscaler-powertools';

/** The directory of the layer's modules, as Lambda mounts it under /opt. */
export const LAYER_MODULES_DIR = path.join('nodejs', 'node_modules');

/**
 * Writes the layer's contents into `outDir` (`nodejs/node_modules/autoscaler-powertools/index.js`).
 * Deterministic: the same installed packages give the same bytes.
 */
export function writePowertoolsLayer(outDir: string, root: string = ROOT): void {
  const modules = path.join(outDir, LAYER_MODULES_DIR);
  // Each entry point behind a function, so a function initializes only the ones it requires; each
  // through a module of its own that re-exports it, so esbuild takes the packages' ES module builds
  // (their `import` condition), as it does for a bundle, rather than their CommonJS ones.
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-powertools-layer-'));
  try {
    const loaders = POWERTOOLS_ENTRY_POINTS.map((entry, i) => {
      fs.writeFileSync(path.join(src, `entry-${i}.mjs`), `export * from ${JSON.stringify(entry)};\n`);
      return `  ${JSON.stringify(entry)}: () => require('./entry-${i}.mjs'),`;
    });
    fs.writeFileSync(
      path.join(src, 'index.js'),
      [
        `const loaders = {\n${loaders.join('\n')}\n};`,
        'const loaded = {};',
        'module.exports = (entry) => {',
        `  if (!(entry in loaders)) throw new Error(entry + ' is not in the ${POWERTOOLS_LAYER_MODULE} layer');`,
        '  return (loaded[entry] ??= loaders[entry]());',
        '};',
        '',
      ].join('\n'),
    );
    buildSync({
      entryPoints: [path.join(src, 'index.js')],
      // Paths in the output are relative to it: the same bytes wherever the sources were written.
      absWorkingDir: src,
      nodePaths: [path.join(root, 'node_modules')],
      outfile: path.join(modules, POWERTOOLS_LAYER_MODULE, 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      external: ['@aws-sdk/*'],
      logLevel: 'warning',
    });
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
}

/** The Powertools packages of the entry points (`@aws-lambda-powertools/logger`, ...). */
function powertoolsPackages(): string[] {
  return [...new Set(POWERTOOLS_ENTRY_POINTS.map((e) => e.split('/').slice(0, 2).join('/')))];
}

/**
 * Writes under `dir` one shim per entry point (`logger/index.js`, `logger/middleware.js`, ...) that
 * hands out the layer module's copy of it.
 */
export function writePowertoolsShims(dir: string): void {
  for (const entry of POWERTOOLS_ENTRY_POINTS) {
    const [, name, ...sub] = entry.split('/');
    const file = path.join(dir, name, sub.length ? `${sub.join('/')}.js` : 'index.js');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `module.exports = require(${JSON.stringify(POWERTOOLS_LAYER_MODULE)})(${JSON.stringify(entry)});\n`);
  }
}

/**
 * esbuild's `alias` for a bundle built for the layer: each Powertools package to its directory of
 * shims under `shimDir` (esbuild carries a subpath over: `.../logger/middleware` to `<shimDir>/logger/middleware`).
 */
export function powertoolsAliases(shimDir: string): Record<string, string> {
  return Object.fromEntries(powertoolsPackages().map((pkg) => [pkg, path.join(shimDir, pkg.split('/')[1])]));
}

/**
 * What the layer's bytes depend on: the installed packages (package-lock.json), the entry points and
 * this file's build. The asset's hash, so a synth reuses the layer it built and a deploy publishes a
 * new layer version only when one of them changes.
 */
function layerHash(root: string): string {
  return crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(root, 'package-lock.json')))
    .update(JSON.stringify(POWERTOOLS_ENTRY_POINTS))
    .update(fs.readFileSync(__filename))
    .digest('hex');
}

/**
 * The stack's Powertools layer (one per stack, whatever the number of functions), built locally by
 * esbuild like the function bundles; skipped with them where the stack is not bundled
 * (`aws:cdk:bundling-stacks`).
 */
export function powertoolsOwnLayer(scope: Construct): lambda.ILayerVersion {
  const stack = Stack.of(scope);
  const id = 'AutoscalerPowertoolsLayer';
  const existing = stack.node.tryFindChild(id) as lambda.ILayerVersion | undefined;
  if (existing) return existing;
  return new lambda.LayerVersion(stack, id, {
    description: 'Powertools for AWS Lambda (TypeScript) as one minified module, for the autoscaler functions',
    compatibleRuntimes: [lambda.Runtime.NODEJS_24_X],
    compatibleArchitectures: [lambda.Architecture.ARM_64],
    code: lambda.Code.fromAsset(path.join(ROOT, 'lib', 'shared'), {
      assetHash: layerHash(ROOT),
      bundling: {
        // Never used: the local build below always succeeds or throws.
        image: lambda.Runtime.NODEJS_24_X.bundlingImage,
        local: {
          tryBundle(outputDir: string) {
            writePowertoolsLayer(outputDir);
            return true;
          },
        },
      },
    }),
  });
}
