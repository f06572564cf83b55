/**
 * The operator API's Lambda bundle, built as the functions are deployed and as bench/bundles.ts builds
 * them (esbuild, minified, the AWS SDK v3 left to the runtime, Powertools bundled): it holds no zod and
 * no config schema of a kind, which would add some 440 KiB to it; requests and overrides are judged
 * with valibot and the rules each kind declares for its overridable fields (`overridable.rules`,
 * lambdas/shared/kinds).
 */
import { API_HANDLER_ENTRY } from '../../../lib/api';
import { buildAsDeployed } from '../../support/bundles';

describe('the operator API bundle', () => {
  const { inputs } = buildAsDeployed(API_HANDLER_ENTRY, 'bundled');

  test('holds no zod, no kind config schema and no config schema module', () => {
    expect(inputs.length).toBeGreaterThan(20);
    expect(inputs.filter((p) => /(^|\/)node_modules\/zod\//.test(p))).toEqual([]);
    expect(inputs.filter((p) => /^lambdas\/shared\/kinds\/schemas\//.test(p))).toEqual([]);
    expect(inputs.filter((p) => /^lambdas\/shared\/config\/(index|fields|issues)\.ts$/.test(p))).toEqual([]);
  });
});
