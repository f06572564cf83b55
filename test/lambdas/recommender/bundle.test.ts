/**
 * The recommender's Lambda bundle, built as the deployment builds it (lib/shared/function.ts:
 * esbuild, minified, the AWS SDK external; with each source of Powertools): the replay of a
 * trace held in memory, never the scenario parser (zod, YAML) nor the readers of scenario and trace
 * files, which only the CLI and the simulator use (sim/scenario.ts, sim/trace.ts, sim/recommend-file.ts).
 */
import { RECOMMENDER_ENTRY } from '../../../lib/recommender';
import { POWERTOOLS_SOURCES } from '../../../lib/shared/function';
import { buildAsDeployed } from '../../support/bundles';

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
  // The resolve hook tsx needs for the handlers' ESM-only dependencies, which the bundle holds.
  /^sim\/esm-interop\.ts$/,
];

/** The project's budget for a function bundle: 150 KB, minified. */
const MAX_BUNDLE_BYTES = 146.5 * 1024;

describe.each(POWERTOOLS_SOURCES)('the recommender bundle (Powertools: %s)', (powertools) => {
  const { inputs } = buildAsDeployed(RECOMMENDER_ENTRY, powertools);

  test('replays through the real handlers on the in-memory cloud', () => {
    expect(inputs).toEqual(
      expect.arrayContaining(['sim/recommend.ts', 'sim/policies/autoscaler-run.ts', 'lambdas/scalers/capacity/handler.ts', 'lambdas/scalers/queue/handler.ts']),
    );
  });

  test('holds no zod, no yaml, no scenario or trace file reader, no fault injection and no ESM resolve hook', () => {
    expect(inputs.filter((i) => FORBIDDEN.some((f) => f.test(i)))).toEqual([]);
  });
});

test('the recommender bundle, built for the own layer as deployed, is within the 146.5 KiB budget', () => {
  expect(buildAsDeployed(RECOMMENDER_ENTRY, 'layer').bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
});
