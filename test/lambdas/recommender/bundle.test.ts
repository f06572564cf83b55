/**
 * The recommender's Lambda bundle, built as the deployment builds it (lib/shared/function.ts:
 * esbuild, minified, the AWS SDK external; with each source of Powertools): the replay of a
 * trace held in memory, never the scenario parser (zod, YAML) nor the readers of scenario and trace
 * files, which only the CLI and the simulator use (sim/scenario.ts, sim/trace.ts, sim/recommend-file.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync, type Metafile } from 'esbuild';
import { RECOMMENDER_ENTRY } from '../../../lib/recommender';
import { POWERTOOLS_SOURCES, type PowertoolsSource, powertoolsBuildOptions } from '../../../lib/shared/function';
import { writePowertoolsShims } from '../../../lib/shared/powertools-layer';

const shims = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-shims-'));
writePowertoolsShims(shims);

function build(powertools: PowertoolsSource): { inputs: string[]; bytes: number } {
  const { metafile } = buildSync({
    entryPoints: [RECOMMENDER_ENTRY],
    outdir: 'unused',
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    ...powertoolsBuildOptions(powertools, shims),
    logLevel: 'silent',
    metafile: true,
  });
  const [output] = Object.values((metafile as Metafile).outputs);
  return { inputs: Object.keys((metafile as Metafile).inputs), bytes: output.bytes };
}

/**
 * What the recommender must never pull in: the schema and YAML libraries, wherever installed, the
 * config schema's modules, and the simulator's file readers and scenario runner.
 */
const FORBIDDEN = [
  /(^|\/)node_modules\/(.*\/)?(zod|yaml)\//,
  /^lambdas\/shared\/kinds\/schemas\//,
  /^lambdas\/shared\/config\/(index|fields|issues)\.ts$/,
  /^sim\/scenario\.ts$/,
  /^sim\/trace\.ts$/,
  /^sim\/recommend-file\.ts$/,
  /^sim\/runner\.ts$/,
  // Fault injection: the replays have no faults section (sim/policies/autoscaler-run.ts, noChaos).
  /^sim\/cloud\/faults\.ts$/,
];

/** The project's budget for a function bundle: 150 KB, minified. */
const MAX_BUNDLE_BYTES = 146.5 * 1024;

describe.each(POWERTOOLS_SOURCES)('the recommender bundle (Powertools: %s)', (powertools) => {
  const { inputs } = build(powertools);

  test('replays through the real handlers on the in-memory cloud', () => {
    expect(inputs).toEqual(
      expect.arrayContaining(['sim/recommend.ts', 'sim/policies/autoscaler-run.ts', 'lambdas/scalers/capacity/handler.ts', 'lambdas/scalers/queue/handler.ts']),
    );
  });

  test('holds no zod, no yaml, no scenario or trace file reader and no fault injection', () => {
    expect(inputs.filter((i) => FORBIDDEN.some((f) => f.test(i)))).toEqual([]);
  });
});

test('the recommender bundle, built for the own layer as deployed, is within the 146.5 KiB budget', () => {
  expect(build('layer').bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
});
