/**
 * The deployment's own Powertools layer, the default: the Powertools entry points the functions
 * import, with what they bring along (the X-Ray SDK under the tracer, the JMESPath parser under
 * idempotency, the commons they share), built at synth from the packages installed here into a few
 * minified CommonJS modules under `nodejs/node_modules/autoscaler-powertools/`, which Lambda finds in
 * the layer (`/opt/nodejs/node_modules` is on the runtime's NODE_PATH; Lambda Developer Guide, "Layer
 * paths for each Lambda runtime"). Each module holds entry points the functions use together
 * (`POWERTOOLS_LAYER_MODULES`): `core`, the logger, metrics and tracer every function uses, and
 * `idempotency`, which only the families and the recommender use. A bundle built for the layer
 * aliases each Powertools package to shims that hand out their entry point from its module
 * (`require('autoscaler-powertools/core').logger`), so it holds none of Powertools and a function
 * reads and compiles only the modules of the entry points it imports.
 *
 * Each module is one scope-hoisted ES module graph, as in a bundle: no wrapper per entry point to
 * initialize it on first use (measured: those wrappers, and compiling the idempotency code a function
 * never uses, cost the functions some 2-5 ms of cold init). The two modules each carry the few commons
 * helpers they use (`@aws-lambda-powertools/commons`: environment readers, type checks, the middy
 * cleanup keys, which are strings): they keep no state and share no class or Symbol between them, so
 * two copies behave as one (test/lib/shared/powertools-layer.test.ts runs an idempotent handler inside
 * the three middlewares through the layer).
 *
 * Why not the public layer: it holds each package as published, some 150 files that Node resolves and
 * compiles one by one at every cold start (bench/RESULTS.md measures the difference). Why not in each
 * bundle: the same code again in every function, each bundle past 250 KiB. Why not an ES module layer
 * built with esbuild's code splitting (one file per entry point, shared chunks), which the shims could
 * load with `require()`: Node's ES module loader added some 40 ms to each function's cold init where
 * it was measured (bench/bundles.ts's probe, Node 22), and an ES module's imports do not find the
 * runtime's AWS SDK ("NODE_PATH is not part of resolving import specifiers", Node.js docs, ECMAScript
 * modules). The AWS SDK stays out, as everywhere: the runtime's SDK serves the layer and the bundles alike.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { buildSync, type Metafile } from 'esbuild';

/** Root of the repository, where node_modules and package-lock.json are. */
const ROOT = path.join(__dirname, '..', '..');

/**
 * The layer's modules and the Powertools entry points each holds: every entry point a function
 * imports, each in one module. A bundle built for the layer that imports another entry point of these
 * packages fails to build (its shim is missing): synth names the import. One that imports another
 * Powertools package would carry it in the bundle; test/lib/shared/powertools-layer.test.ts refuses
 * that for every function. Idempotency's four entry points share one module: its persistence layers
 * and its handler check each other with `instanceof`.
 */
export const POWERTOOLS_LAYER_MODULES: Readonly<Record<string, readonly string[]>> = {
  core: [
    '@aws-lambda-powertools/logger',
    '@aws-lambda-powertools/logger/middleware',
    '@aws-lambda-powertools/metrics',
    '@aws-lambda-powertools/metrics/middleware',
    '@aws-lambda-powertools/tracer',
    '@aws-lambda-powertools/tracer/middleware',
  ],
  idempotency: [
    '@aws-lambda-powertools/idempotency',
    '@aws-lambda-powertools/idempotency/cache',
    '@aws-lambda-powertools/idempotency/dynamodb',
    '@aws-lambda-powertools/idempotency/persistence',
  ],
};

/** Every Powertools entry point a function imports. */
export const POWERTOOLS_ENTRY_POINTS: readonly string[] = Object.values(POWERTOOLS_LAYER_MODULES).flat();

/** The package that holds the modules, in the layer's node_modules. */
export const POWERTOOLS_LAYER_MODULE = 'autoscaler-powertools';

/** The directory of the layer's modules, as Lambda mounts it under /opt. */
export const LAYER_MODULES_DIR = path.join('nodejs', 'node_modules');

/** The layer's module of `entry` (`autoscaler-powertools/core`), and the name it exports the entry point as (`logger_middleware`). */
export function powertoolsLayerExport(entry: string): { module: string; name: string } {
  const group = Object.keys(POWERTOOLS_LAYER_MODULES).find((m) => POWERTOOLS_LAYER_MODULES[m].includes(entry));
  if (!group) throw new Error(`${entry} is not in the ${POWERTOOLS_LAYER_MODULE} layer`);
  return { module: `${POWERTOOLS_LAYER_MODULE}/${group}`, name: entry.split('/').slice(1).join('_').replace(/-/g, '_') };
}

/**
 * What the layer serves of semver: its `gte`, the one function the X-Ray SDK calls (patchers/aws_p.js,
 * `semver.gte`), instead of the whole package the SDK requires, whose range parsers cost every
 * function some 3 ms of cold init to compile and run. `checkSemverUse` holds the SDK to that call.
 */
const SEMVER_GTE = 'module.exports = { gte: require(%GTE%) };\n';

/**
 * Refuses a build whose modules use semver beyond `gte`, naming them: each module that requires
 * semver (through the alias to `SEMVER_GTE`) must call `semver.gte` and nothing else of it.
 */
export function checkSemverUse(sources: Readonly<Record<string, string>>): void {
  const beyond = Object.entries(sources)
    .filter(([, text]) => {
      const used = new Set([...text.matchAll(/\bsemver\.(\w+)/g)].map((m) => m[1]));
      return !/\bsemver\s*=\s*require\(\s*['"]semver['"]\s*\)/.test(text) || [...used].some((u) => u !== 'gte');
    })
    .map(([file]) => file);
  if (beyond.length) {
    throw new Error(
      `${beyond.join(', ')}: uses semver beyond semver.gte, which is all the ${POWERTOOLS_LAYER_MODULE} layer serves of it (lib/shared/powertools-layer.ts)`,
    );
  }
}

/**
 * Writes the layer's contents into `outDir` (`nodejs/node_modules/autoscaler-powertools/<module>.js`).
 * Deterministic: the same installed packages give the same bytes.
 */
export function writePowertoolsLayer(outDir: string, root: string = ROOT): void {
  const modules = path.join(outDir, LAYER_MODULES_DIR, POWERTOOLS_LAYER_MODULE);
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-powertools-layer-'));
  try {
    // Each module an ES module that re-exports its entry points, so that esbuild takes the packages'
    // ES module builds (their `import` condition), as it does for a bundle, and hoists them into one scope.
    for (const [name, entries] of Object.entries(POWERTOOLS_LAYER_MODULES)) {
      const lines = entries.map((entry) => `export * as ${powertoolsLayerExport(entry).name} from ${JSON.stringify(entry)};`);
      fs.writeFileSync(path.join(src, `${name}.mjs`), `${lines.join('\n')}\n`);
    }
    const gte = require.resolve('semver/functions/gte', { paths: [path.join(root, 'node_modules', 'aws-xray-sdk-core')] });
    fs.writeFileSync(path.join(src, 'semver.js'), SEMVER_GTE.replace('%GTE%', JSON.stringify(path.relative(src, gte))));
    const { metafile } = buildSync({
      entryPoints: Object.keys(POWERTOOLS_LAYER_MODULES).map((name) => path.join(src, `${name}.mjs`)),
      // Paths in the output are relative to it: the same bytes wherever the sources were written.
      absWorkingDir: src,
      nodePaths: [path.join(root, 'node_modules')],
      outdir: modules,
      outExtension: { '.js': '.js' },
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      external: ['@aws-sdk/*'],
      alias: { semver: './semver.js' },
      metafile: true,
      logLevel: 'warning',
    });
    checkSemverUse(
      Object.fromEntries(
        Object.entries((metafile as Metafile).inputs)
          .filter(([, input]) => input.imports.some((i) => i.path === 'semver.js'))
          .map(([file]) => [file.replace(/.*node_modules\//, ''), fs.readFileSync(path.join(src, file), 'utf8')]),
      ),
    );
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
}

/** The Powertools packages of the entry points (`@aws-lambda-powertools/logger`, ...). */
function powertoolsPackages(): string[] {
  return [...new Set(POWERTOOLS_ENTRY_POINTS.map((e) => e.split('/').slice(0, 2).join('/')))];
}

/**
 * One shim per entry point, by its path under the shims' directory (`logger/index.js`,
 * `logger/middleware.js`, ...): it hands out the entry point from its layer module.
 */
export function powertoolsShimSources(): Record<string, string> {
  return Object.fromEntries(
    POWERTOOLS_ENTRY_POINTS.map((entry) => {
      const [, name, ...sub] = entry.split('/');
      const { module, name: exported } = powertoolsLayerExport(entry);
      return [path.join(name, sub.length ? `${sub.join('/')}.js` : 'index.js'), `module.exports = require(${JSON.stringify(module)}).${exported};\n`];
    }),
  );
}

/** Writes the shims (`powertoolsShimSources`) under `dir`. */
export function writePowertoolsShims(dir: string): void {
  for (const [file, source] of Object.entries(powertoolsShimSources())) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), source);
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
 * What the layer's bytes depend on: the installed packages (package-lock.json), the modules' entry
 * points and this file's build. The asset's hash, so a synth reuses the layer it built and a deploy publishes a
 * new layer version only when one of them changes.
 */
function layerHash(root: string): string {
  return crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(root, 'package-lock.json')))
    .update(JSON.stringify(POWERTOOLS_LAYER_MODULES))
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
    description: 'Powertools for AWS Lambda (TypeScript) as minified modules, for the autoscaler functions',
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
