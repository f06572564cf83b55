/**
 * Where the functions find Powertools: the deployment's own layer (the default), Powertools' public
 * layer of the version installed here, or each bundle; what each bundle then leaves to the runtime,
 * and what the own layer serves.
 */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildSync } from 'esbuild';
import { BUNDLED_CONFIG_FILE } from '../../../lambdas/shared/bundled-config';
import { parseConfig } from '../../../lambdas/shared/config';
import { API_HANDLER_ENTRY } from '../../../lib/api';
import { buildApp } from '../../../lib/app';
import { RECOMMENDER_ENTRY } from '../../../lib/recommender';
import { RUNBOOK_HANDLER_ENTRY } from '../../../lib/runbooks/data';
import {
  FAMILY_ENTRIES,
  functionBuildOptions,
  POWERTOOLS_CONTEXT_KEY,
  POWERTOOLS_LAYER_PACKAGES,
  type PowertoolsSource,
  PROJECT_ROOT,
  powertoolsLayerParameter,
  powertoolsVersion,
} from '../../../lib/shared/function';
import {
  checkSemverUse,
  LAYER_MODULES_DIR,
  POWERTOOLS_ENTRY_POINTS,
  POWERTOOLS_LAYER_MODULE,
  POWERTOOLS_LAYER_MODULES,
  powertoolsLayerExport,
  powertoolsOwnLayer,
  powertoolsShimSources,
  writePowertoolsLayer,
  writePowertoolsShims,
} from '../../../lib/shared/powertools-layer';
import { BROKER_READER_ENTRY } from '../../../lib/targets/redis-workers';
import { buildAsDeployed } from '../../support/bundles';
import { ALL_KINDS_CONFIG } from '../../support/configs';
import { testApp, validationFindings } from '../helpers';

const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const powertoolsDeps = Object.entries(pkg.dependencies).filter(([name]) => name.startsWith('@aws-lambda-powertools/'));

describe('the Powertools version', () => {
  test('every @aws-lambda-powertools/* dependency has the same exact version: the layer serves one', () => {
    expect(powertoolsDeps.length).toBeGreaterThanOrEqual(4);
    for (const [, spec] of powertoolsDeps) expect(spec).toMatch(/^\d+\.\d+\.\d+$/);
    expect(new Set(powertoolsDeps.map(([, spec]) => spec)).size).toBe(1);
  });

  test('is the installed one, which package.json names', () => {
    expect(powertoolsVersion()).toBe(powertoolsDeps[0][1]);
  });

  test('two installed versions are refused, naming each package', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-powertools-'));
    const write = (file: string, json: unknown) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), JSON.stringify(json));
    };
    write('package.json', { dependencies: { '@aws-lambda-powertools/logger': '2.1.0', '@aws-lambda-powertools/tracer': '2.1.0', yaml: '2.0.0' } });
    write('node_modules/@aws-lambda-powertools/logger/package.json', { version: '2.1.0' });
    write('node_modules/@aws-lambda-powertools/tracer/package.json', { version: '2.1.0' });
    expect(powertoolsVersion(root)).toBe('2.1.0');
    write('node_modules/@aws-lambda-powertools/tracer/package.json', { version: '2.2.0' });
    expect(() => powertoolsVersion(root)).toThrow('@aws-lambda-powertools/logger@2.1.0, @aws-lambda-powertools/tracer@2.2.0');
  });
});

describe('the functions of a deployment with every target kind', () => {
  const synth = (options: { powertools?: PowertoolsSource; context?: Record<string, unknown> } = {}) => {
    const app = testApp(options.context);
    const { stack } = buildApp(ALL_KINDS_CONFIG, { app, powertools: options.powertools });
    return { app, stack, template: Template.fromStack(stack) };
  };
  const shimDirs = (app: App) => fs.readdirSync(app.outdir).filter((f) => f.startsWith('autoscaler-powertools-shims.'));
  const functionLayers = (template: Template) => Object.values(template.findResources('AWS::Lambda::Function')).map((r) => r.Properties.Layers);
  const publicLayer = `{{resolve:ssm:${powertoolsLayerParameter(powertoolsVersion())}}}`;
  // the four families, the runbook tasks, the broker reader, the operator API
  const FUNCTIONS = 7;

  test('by default every function has the one layer the stack builds, for arm64 on Node.js 24; cdk-nag quiet', () => {
    const { app, template } = synth();
    const layers = template.findResources('AWS::Lambda::LayerVersion');
    expect(Object.keys(layers)).toHaveLength(1);
    const [[logicalId, layer]] = Object.entries(layers);
    expect(layer.Properties.CompatibleRuntimes).toEqual(['nodejs24.x']);
    expect(layer.Properties.CompatibleArchitectures).toEqual(['arm64']);
    const attached = functionLayers(template);
    expect(attached.length).toBe(FUNCTIONS);
    for (const l of attached) expect(l).toEqual([{ Ref: logicalId }]);
    expect(validationFindings(app)).toEqual([]);
    // the bundles' Powertools shims, once in the cloud assembly for every function
    expect(shimDirs(app)).toHaveLength(1);
  });

  test("'bundled': no function has a layer: Powertools is in each bundle, and no shims are written for it", () => {
    const { app, template } = synth({ powertools: 'bundled' });
    expect(shimDirs(app)).toEqual([]);
    const layers = functionLayers(template);
    expect(layers.length).toBe(FUNCTIONS);
    for (const l of layers) expect(l).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::LayerVersion', 0);
  });

  test("'public-layer': every function has the public layer of the installed version, by its public SSM parameter; no template parameter; cdk-nag quiet", () => {
    const { app, stack, template } = synth({ powertools: 'public-layer' });
    // one reference for the stack, whatever the number of functions
    expect(stack.node.findAll().filter((c) => c.node.id === 'PowertoolsLayer')).toHaveLength(1);
    const layers = functionLayers(template);
    expect(layers.length).toBe(FUNCTIONS);
    for (const l of layers) expect(l).toEqual([publicLayer]);
    expect(publicLayer).toMatch(/^\{\{resolve:ssm:\/aws\/service\/powertools\/typescript\/generic\/all\/\d+\.\d+\.\d+\}\}$/);
    expect(Object.keys(template.toJSON().Parameters ?? {}).filter((p) => /powertools/i.test(p))).toEqual([]);
    template.resourceCountIs('AWS::Lambda::LayerVersion', 0);
    expect(validationFindings(app)).toEqual([]);
  });

  test('-c autoscaler:powertools picks the source; anything else is refused, naming the choices', () => {
    for (const l of functionLayers(synth({ context: { [POWERTOOLS_CONTEXT_KEY]: 'bundled' } }).template)) expect(l).toBeUndefined();
    for (const l of functionLayers(synth({ context: { [POWERTOOLS_CONTEXT_KEY]: 'public-layer' } }).template)) expect(l).toEqual([publicLayer]);
    for (const l of functionLayers(synth({ context: { [POWERTOOLS_CONTEXT_KEY]: 'layer' } }).template)) expect(l).toEqual([{ Ref: expect.any(String) }]);
    expect(() => synth({ context: { [POWERTOOLS_CONTEXT_KEY]: 'true' } })).toThrow(
      `-c ${POWERTOOLS_CONTEXT_KEY}=true: must be one of layer, bundled, public-layer`,
    );
  });
});

describe('the own layer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-layer-'));
  writePowertoolsLayer(dir);
  const modules = path.join(dir, LAYER_MODULES_DIR);
  const shims = path.join(dir, 'shims');
  writePowertoolsShims(shims);
  /** The names `expression` exports, evaluated in a fresh Node process on the module path `nodePath`. */
  const exportedNames = (expression: string, nodePath: string) =>
    JSON.parse(
      execFileSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(Object.keys(${expression}).sort()))`], {
        cwd: os.tmpdir(),
        env: { ...process.env, NODE_PATH: nodePath },
      }).toString(),
    ) as string[];

  test('serves every entry point, through its shim, with the names the installed package exports', () => {
    const nodeModules = path.join(PROJECT_ROOT, 'node_modules');
    const shimFiles = Object.keys(powertoolsShimSources());
    expect(shimFiles).toHaveLength(POWERTOOLS_ENTRY_POINTS.length);
    for (const entry of POWERTOOLS_ENTRY_POINTS) {
      const [, name, ...sub] = entry.split('/');
      const shim = path.join(shims, name, sub.length ? `${sub.join('/')}.js` : 'index.js');
      const served = exportedNames(`require(${JSON.stringify(shim)})`, `${modules}${path.delimiter}${nodeModules}`);
      expect(served.length).toBeGreaterThan(0);
      expect({ entry, served }).toEqual({ entry, served: exportedNames(`require(${JSON.stringify(entry)})`, nodeModules) });
    }
  });

  /** Only the layer and the AWS SDK on the module path: no installed Powertools to fall back on. */
  const layerAndSdk = () => {
    const sdkOnly = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-sdk-'));
    fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules', '@aws-sdk'), path.join(sdkOnly, '@aws-sdk'));
    fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules', '@smithy'), path.join(sdkOnly, '@smithy'));
    return `${modules}${path.delimiter}${sdkOnly}`;
  };
  /** `entry` built for the layer into a directory of its own, with the config beside it. */
  const buildForLayer = (entry: string) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-bundle-'));
    const { metafile } = buildSync({
      entryPoints: [entry],
      outfile: path.join(out, 'index.js'),
      ...functionBuildOptions('layer', shims),
      nodePaths: [path.join(PROJECT_ROOT, 'node_modules')],
      logLevel: 'silent',
      metafile: true,
    });
    expect(Object.keys(metafile.inputs).filter((i) => i.includes('@aws-lambda-powertools'))).toEqual([]);
    fs.writeFileSync(path.join(out, BUNDLED_CONFIG_FILE), JSON.stringify(parseConfig(ALL_KINDS_CONFIG)));
    return path.join(out, 'index.js');
  };

  test.each([
    ['capacity', FAMILY_ENTRIES.capacity, ['core.js', 'idempotency.js']],
    ['cdn', FAMILY_ENTRIES.cdn, ['core.js']],
    ['broker reader', BROKER_READER_ENTRY, ['core.js']],
    ['operator API', API_HANDLER_ENTRY, ['core.js']],
  ])("the %s bundle built for the layer loads its handler with the layer's modules of the entry points it imports, and no other", (_name, entry, expected) => {
    const bundle = buildForLayer(entry);
    const script = `const m = require(${JSON.stringify(bundle)}); process.stdout.write(typeof m.handler + ' ' + Object.keys(require.cache).filter((k) => k.includes('powertools')).map((k) => require('node:path').relative(${JSON.stringify(modules)}, k)).sort().join(','))`;
    const loaded = execFileSync(process.execPath, ['-e', script], { cwd: path.dirname(bundle), env: { ...process.env, NODE_PATH: layerAndSdk() } }).toString();
    expect(loaded).toBe(`function ${expected.map((m) => path.join(POWERTOOLS_LAYER_MODULE, m)).join(',')}`);
  });

  test("an idempotent entry inside the three middlewares runs a duplicate delivery once, the layer's two modules side by side", () => {
    // lambdas/shared/handler.ts as the families run it: the logger, metrics and tracer middlewares
    // (core) around makeIdempotent on Powertools' cache persistence (idempotency), each module with
    // its own copy of the commons helpers.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-idempotent-'));
    const entry = path.join(dir, 'entry.ts');
    fs.writeFileSync(
      entry,
      [
        "import * as v from 'valibot';",
        `import { idempotentEntry } from ${JSON.stringify(path.join(PROJECT_ROOT, 'lambdas', 'shared', 'handler'))};`,
        'export let runs = 0;',
        'export const handler = idempotentEntry({ schema: v.object({ id: v.string() }), key: (e) => e.id, handle: async (e) => ({ id: e.id, run: ++runs }) });',
        '',
      ].join('\n'),
    );
    const bundle = buildForLayer(entry);
    const script = [
      `const m = require(${JSON.stringify(bundle)});`,
      "const context = { functionName: 'f', functionVersion: '1', invokedFunctionArn: 'arn', memoryLimitInMB: '128', awsRequestId: 'r', getRemainingTimeInMillis: () => 60000 };",
      "(async () => { const a = await m.handler({ id: 'x' }, context); const b = await m.handler({ id: 'x' }, context); const c = await m.handler({ id: 'y' }, context);",
      "process.stdout.write('\\nRESULT ' + JSON.stringify({ a, b, c, runs: m.runs })); })().catch((e) => { console.error(e); process.exit(1); });",
    ].join('\n');
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: dir,
      env: { ...process.env, NODE_PATH: layerAndSdk(), POWERTOOLS_METRICS_NAMESPACE: 'Test' },
    }).toString();
    const result = JSON.parse(out.slice(out.lastIndexOf('RESULT ') + 'RESULT '.length));
    expect(result).toEqual({ a: { id: 'x', run: 1 }, b: { id: 'x', run: 1 }, c: { id: 'y', run: 2 }, runs: 2 });
  });

  test('holds its modules, without the AWS SDK, which the runtime serves', () => {
    expect(fs.readdirSync(modules)).toEqual([POWERTOOLS_LAYER_MODULE]);
    const files = fs.readdirSync(path.join(modules, POWERTOOLS_LAYER_MODULE)).sort();
    expect(files).toEqual(
      Object.keys(POWERTOOLS_LAYER_MODULES)
        .map((m) => `${m}.js`)
        .sort(),
    );
    const idempotency = fs.readFileSync(path.join(modules, POWERTOOLS_LAYER_MODULE, 'idempotency.js'), 'utf8');
    expect(idempotency).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
    for (const file of files)
      expect(fs.readFileSync(path.join(modules, POWERTOOLS_LAYER_MODULE, file), 'utf8')).not.toMatch(/DynamoDBClient=class|class DynamoDBClient/);
  });

  test('holds each entry point in one module', () => {
    expect(new Set(POWERTOOLS_ENTRY_POINTS).size).toBe(POWERTOOLS_ENTRY_POINTS.length);
  });

  test('refuses an entry point it does not hold, naming it: no module for it, and a bundle that imports it fails to build', () => {
    expect(() => powertoolsLayerExport('@aws-lambda-powertools/batch')).toThrow(`@aws-lambda-powertools/batch is not in the ${POWERTOOLS_LAYER_MODULE} layer`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-unlisted-'));
    fs.writeFileSync(path.join(dir, 'entry.ts'), "export * from '@aws-lambda-powertools/logger/correlationId';\n");
    expect(() => buildSync({ entryPoints: [path.join(dir, 'entry.ts')], write: false, ...functionBuildOptions('layer', shims), logLevel: 'silent' })).toThrow(
      '@aws-lambda-powertools/logger/correlationId',
    );
  });

  test('serves of semver only the gte the X-Ray SDK calls, and refuses a build whose modules call more of it, naming them', () => {
    const core = fs.readFileSync(path.join(modules, POWERTOOLS_LAYER_MODULE, 'core.js'), 'utf8');
    // semver's range parsing (Range, satisfies) is not in the layer
    expect(core).not.toMatch(/maxSatisfying|satisfies/);
    expect(() => checkSemverUse({ 'aws_p.js': "var semver = require('semver');\nif (!semver.gte(v, min)) throw e;" })).not.toThrow();
    expect(() => checkSemverUse({ 'aws_p.js': "var semver = require('semver');\nsemver.satisfies(v, r);" })).toThrow(
      /aws_p\.js: uses semver beyond semver\.gte/,
    );
    expect(() => checkSemverUse({ 'other.js': "const { gte } = require('semver');" })).toThrow(/other\.js/);
  });

  test('is the same bytes from the same packages, wherever it is built', () => {
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-layer-again-'));
    writePowertoolsLayer(again);
    for (const m of Object.keys(POWERTOOLS_LAYER_MODULES)) {
      const file = path.join(LAYER_MODULES_DIR, POWERTOOLS_LAYER_MODULE, `${m}.js`);
      expect(fs.readFileSync(path.join(again, file)).equals(fs.readFileSync(path.join(dir, file)))).toBe(true);
    }
  });

  test('is built into the cloud assembly when the stack is bundled, once per stack', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-cdk-')) });
    const stack = new Stack(app, 'Layered');
    expect(powertoolsOwnLayer(stack)).toBe(powertoolsOwnLayer(stack));
    const assembly = app.synth();
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::LayerVersion', 1);
    const built = fs
      .readdirSync(assembly.directory)
      .filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(assembly.directory, d, LAYER_MODULES_DIR, POWERTOOLS_LAYER_MODULE, 'core.js')));
    expect(built).toHaveLength(1);
  });
});

describe('what each function bundle requires at run time', () => {
  const entries = {
    ...FAMILY_ENTRIES,
    runbooks: RUNBOOK_HANDLER_ENTRY,
    publisher: BROKER_READER_ENTRY,
    api: API_HANDLER_ENTRY,
    recommender: RECOMMENDER_ENTRY,
  };
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  // The Lambda Node.js runtimes from 18 on include the AWS SDK for JavaScript v3, all of it (Lambda
  // Developer Guide, "Building Lambda functions with Node.js"; Powertools stopped shipping SDK clients
  // in its layer because the runtime's SDK is "complete, self-consistent": aws-powertools/
  // powertools-lambda-typescript#5512).
  const inRuntime = (m: string) => builtins.has(m) || m.startsWith('@aws-sdk/');
  const inPublicLayer = (m: string) => POWERTOOLS_LAYER_PACKAGES.some((p) => m === p || m.startsWith(`${p}/`));
  const externalRequires = (entry: string, powertools: PowertoolsSource) => {
    const { external, inputs } = buildAsDeployed(entry, powertools);
    return { required: external, bundled: inputs };
  };

  test.each(Object.entries(entries))(
    "%s, with the own layer: node builtins, the runtime SDK and the layer's modules; no Powertools in the bundle",
    (_name, entry) => {
      const { required, bundled } = externalRequires(entry, 'layer');
      const layerModules = Object.keys(POWERTOOLS_LAYER_MODULES).map((m) => `${POWERTOOLS_LAYER_MODULE}/${m}`);
      expect(required.filter((m) => !inRuntime(m) && !layerModules.includes(m))).toEqual([]);
      expect(required).toContain(`${POWERTOOLS_LAYER_MODULE}/core`);
      // a Powertools package the layer does not hold would be bundled: add its entry points to the layer
      expect(bundled.filter((i) => i.includes('@aws-lambda-powertools/'))).toEqual([]);
    },
  );

  test.each(Object.entries(entries))('%s, with the public layer: node builtins, the runtime SDK and the packages the layer holds', (_name, entry) => {
    const { required } = externalRequires(entry, 'public-layer');
    expect(required.filter((m) => !inRuntime(m) && !inPublicLayer(m))).toEqual([]);
    // Powertools comes from the layer: none of it is in the bundle
    expect(required.some(inPublicLayer)).toBe(true);
  });

  test.each(Object.entries(entries))('%s, with Powertools bundled: node builtins and the runtime SDK only', (_name, entry) => {
    expect(externalRequires(entry, 'bundled').required.filter((m) => !inRuntime(m))).toEqual([]);
  });
});
