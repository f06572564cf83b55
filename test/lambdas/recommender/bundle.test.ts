/**
 * The recommender's Lambda bundle, built as the deployment builds it (lib/shared/function.ts:
 * esbuild, minified, the AWS SDK external; Powertools bundled, and left to its layer): the replay of a
 * trace held in memory, never the scenario parser (zod, YAML) nor the readers of scenario and trace
 * files, which only the CLI and the simulator use (sim/scenario.ts, sim/trace.ts, sim/recommend-file.ts).
 */
import { buildSync, type Metafile } from 'esbuild';
import { RECOMMENDER_ENTRY } from '../../../lib/recommender';
import { externalModules } from '../../../lib/shared/function';

function inputsOf(bundlePowertools: boolean): string[] {
  const { metafile } = buildSync({
    entryPoints: [RECOMMENDER_ENTRY],
    outdir: 'unused',
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    external: externalModules(bundlePowertools),
    logLevel: 'silent',
    metafile: true,
  });
  return Object.keys((metafile as Metafile).inputs);
}

/** What the recommender must never pull in: the schema and YAML libraries, wherever installed, and the file readers of the simulator. */
const FORBIDDEN = [/(^|\/)node_modules\/(.*\/)?(zod|yaml)\//, /^sim\/scenario\.ts$/, /^sim\/trace\.ts$/, /^sim\/recommend-file\.ts$/, /^sim\/runner\.ts$/];

describe.each([
  ['Powertools bundled', true],
  ['Powertools from its layer', false],
])('the recommender bundle (%s)', (_mode, bundlePowertools) => {
  const inputs = inputsOf(bundlePowertools);

  test('replays through the real handlers on the in-memory cloud', () => {
    expect(inputs).toEqual(
      expect.arrayContaining(['sim/recommend.ts', 'sim/policies/autoscaler-run.ts', 'lambdas/scalers/capacity/handler.ts', 'lambdas/scalers/queue/handler.ts']),
    );
  });

  test('holds no zod, no yaml and no scenario or trace file reader', () => {
    expect(inputs.filter((i) => FORBIDDEN.some((f) => f.test(i)))).toEqual([]);
  });
});
