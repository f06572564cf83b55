/**
 * The deployment's own Powertools layer, the default: the Powertools entry points the functions
 * import, with what they bring along (the X-Ray SDK under the tracer, the JMESPath parser under
 * idempotency, the commons they share), built at synth from the packages installed here into one
 * minified CommonJS file, `nodejs/node_modules/autoscaler-powertools/index.js`. Beside it, one small
 * package per Powertools package whose entry points (`@aws-lambda-powertools/logger`,
 * `.../logger/middleware`, ...) hand out the matching module of that file, so the function bundles
 * are built exactly as for Powertools' public layer (`@aws-lambda-powertools/*` left external) and
 * Lambda resolves those requires in the layer (`/opt/nodejs/node_modules`, ahead of the runtime's own
 * modules on NODE_PATH; Lambda Developer Guide, "Layer paths for each Lambda runtime").
 *
 * Why not the public layer: it holds each package as published, some 150 files that Node resolves and
 * compiles one by one at every cold start (bench/RESULTS.md measures the difference). Why not in each
 * bundle: the same code again in every function, each bundle past 250 KiB. One file shared by the
 * stack's functions, each entry point loaded when first required, does both.
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
 * Every Powertools entry point a function imports. A function that imports one not listed fails at
 * its first cold start, so test/lib/shared/powertools-layer.test.ts builds every function and holds
 * its external Powertools requires to this list.
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
 * Writes the layer's contents into `outDir` (`nodejs/node_modules/...`): the one bundle and a stub
 * package per Powertools package. Deterministic: the same installed packages give the same bytes.
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
  const byPackage = new Map<string, string[]>();
  for (const entry of POWERTOOLS_ENTRY_POINTS) {
    const [scope, name, ...sub] = entry.split('/');
    const pkg = `${scope}/${name}`;
    byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), sub.join('/')]);
  }
  for (const [pkg, subpaths] of byPackage) {
    const dir = path.join(modules, pkg);
    fs.mkdirSync(dir, { recursive: true });
    const exportMap: Record<string, string> = {};
    for (const sub of subpaths) {
      const file = sub === '' ? 'index.js' : `${sub.replace(/\//g, '-')}.js`;
      exportMap[sub === '' ? '.' : `./${sub}`] = `./${file}`;
      const entry = sub === '' ? pkg : `${pkg}/${sub}`;
      fs.writeFileSync(path.join(dir, file), `module.exports = require(${JSON.stringify(POWERTOOLS_LAYER_MODULE)})(${JSON.stringify(entry)});\n`);
    }
    const { version } = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string };
    fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: pkg, version, exports: exportMap }, null, 2)}\n`);
  }
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
