/**
 * Powertools from its public Lambda layer: the layer of the version installed here on every function,
 * Powertools left out of the bundles for it, and the option to bundle it instead.
 */
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildSync } from 'esbuild';
import { API_HANDLER_ENTRY } from '../../../lib/api';
import { buildApp } from '../../../lib/app';
import { RUNBOOK_HANDLER_ENTRY } from '../../../lib/runbooks/data';
import {
  BUNDLE_POWERTOOLS_CONTEXT_KEY,
  externalModules,
  FAMILY_ENTRIES,
  POWERTOOLS_LAYER_PACKAGES,
  PROJECT_ROOT,
  powertoolsLayerParameter,
  powertoolsVersion,
} from '../../../lib/shared/function';
import { BROKER_READER_ENTRY } from '../../../lib/targets/redis-workers';
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
  const synth = (options: { bundlePowertools?: boolean; context?: Record<string, unknown> } = {}) => {
    const app = testApp(options.context);
    const { stack } = buildApp(ALL_KINDS_CONFIG, { app, bundlePowertools: options.bundlePowertools });
    return { app, stack, template: Template.fromStack(stack) };
  };
  const functionLayers = (template: Template) => Object.values(template.findResources('AWS::Lambda::Function')).map((r) => r.Properties.Layers);
  const layer = `{{resolve:ssm:${powertoolsLayerParameter(powertoolsVersion())}}}`;

  test('by default no function has a layer: Powertools is in each bundle', () => {
    const layers = functionLayers(synth().template);
    expect(layers.length).toBe(7);
    for (const l of layers) expect(l).toBeUndefined();
  });

  test('bundlePowertools false: every function has the layer of the installed version, by its public SSM parameter; no template parameter; cdk-nag quiet', () => {
    const { app, stack, template } = synth({ bundlePowertools: false });
    // one reference for the stack, whatever the number of functions
    expect(stack.node.findAll().filter((c) => c.node.id === 'PowertoolsLayer')).toHaveLength(1);
    const layers = functionLayers(template);
    // the four families, the runbook tasks, the broker reader, the operator API
    expect(layers.length).toBe(7);
    for (const l of layers) expect(l).toEqual([layer]);
    expect(layer).toMatch(/^\{\{resolve:ssm:\/aws\/service\/powertools\/typescript\/generic\/all\/\d+\.\d+\.\d+\}\}$/);
    expect(Object.keys(template.toJSON().Parameters ?? {}).filter((p) => /powertools/i.test(p))).toEqual([]);
    expect(validationFindings(app)).toEqual([]);
  });

  test('-c autoscaler:bundlePowertools=false takes the layer; true bundles it; anything else is refused', () => {
    for (const l of functionLayers(synth({ context: { [BUNDLE_POWERTOOLS_CONTEXT_KEY]: 'true' } }).template)) expect(l).toBeUndefined();
    for (const l of functionLayers(synth({ context: { [BUNDLE_POWERTOOLS_CONTEXT_KEY]: 'false' } }).template)) expect(l).toEqual([layer]);
    expect(() => synth({ context: { [BUNDLE_POWERTOOLS_CONTEXT_KEY]: 'yes' } })).toThrow(`-c ${BUNDLE_POWERTOOLS_CONTEXT_KEY}=yes: must be true or false`);
  });
});

describe('what each function bundle requires at run time', () => {
  const entries = { ...FAMILY_ENTRIES, runbooks: RUNBOOK_HANDLER_ENTRY, publisher: BROKER_READER_ENTRY, api: API_HANDLER_ENTRY };
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  // The Lambda Node.js runtimes from 18 on include the AWS SDK for JavaScript v3, all of it (Lambda
  // Developer Guide, "Building Lambda functions with Node.js"; Powertools stopped shipping SDK clients
  // in its layer because the runtime's SDK is "complete, self-consistent": aws-powertools/
  // powertools-lambda-typescript#5512).
  const inRuntime = (m: string) => builtins.has(m) || m.startsWith('@aws-sdk/');
  const inLayer = (m: string) => POWERTOOLS_LAYER_PACKAGES.some((p) => m === p || m.startsWith(`${p}/`));

  const externalRequires = (entry: string, bundlePowertools: boolean) => {
    const { metafile } = buildSync({
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      outfile: 'out/index.js',
      external: externalModules(bundlePowertools),
      logLevel: 'silent',
    });
    const output = Object.values(metafile.outputs)[0];
    return [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))].sort();
  };

  test.each(Object.entries(entries))('%s, with the layer: node builtins, the runtime SDK and the layer packages only', (_name, entry) => {
    const required = externalRequires(entry, false);
    expect(required.filter((m) => !inRuntime(m) && !inLayer(m))).toEqual([]);
    // Powertools comes from the layer: none of it is in the bundle
    expect(required.some(inLayer)).toBe(true);
  });

  test.each(Object.entries(entries))('%s, with Powertools bundled: node builtins and the runtime SDK only', (_name, entry) => {
    expect(externalRequires(entry, true).filter((m) => !inRuntime(m))).toEqual([]);
  });
});
