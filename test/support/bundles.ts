/**
 * A function's Lambda bundle built as the deployment builds it (lib/shared/function.ts: esbuild,
 * CommonJS, minified, the AWS SDK left to the runtime, Powertools from `powertools`), not written:
 * its esbuild metafile, for the tests that hold what a bundle may carry.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync, type Metafile } from 'esbuild';
import { functionBuildOptions, type PowertoolsSource } from '../../lib/shared/function';
import { writePowertoolsShims } from '../../lib/shared/powertools-layer';

let shims: string | undefined;

/** The shims a bundle built for the own layer aliases Powertools to; written once per test file. */
export function powertoolsShims(): string {
  if (!shims) {
    shims = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-shims-'));
    writePowertoolsShims(shims);
  }
  return shims;
}

export interface BuiltBundle {
  /** Every file the bundle reaches. */
  readonly inputs: string[];
  /** The bytes each input puts in the bundle. */
  readonly bytesOf: Record<string, number>;
  /** The bundle's size. */
  readonly bytes: number;
  /** What it leaves to the runtime and the layers. */
  readonly external: string[];
}

export function buildAsDeployed(entry: string, powertools: PowertoolsSource = 'layer'): BuiltBundle {
  const { metafile } = buildSync({
    entryPoints: [entry],
    outdir: 'unused',
    write: false,
    ...functionBuildOptions(powertools, powertoolsShims()),
    logLevel: 'silent',
    metafile: true,
  });
  const [output] = Object.values((metafile as Metafile).outputs);
  return {
    inputs: Object.keys((metafile as Metafile).inputs),
    bytesOf: Object.fromEntries(Object.entries(output.inputs).map(([file, { bytesInOutput }]) => [file, bytesInOutput])),
    bytes: output.bytes,
    external: [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))].sort(),
  };
}
