/**
 * What each function's Lambda bundle holds of the kinds, built as the deployment builds it
 * (lib/shared/function.ts: esbuild, minified, the AWS SDK external, Powertools from the own layer):
 * the modules of the kinds it runs and no other. A family function runs its family's kinds; the
 * recommender replays capacity and queue targets; the operator API and the broker reader run none.
 * What every function needs of any kind (its family, namespaces, overridable fields, runbook) is plain
 * data (lambdas/shared/kinds/facts.ts), so that no function loads another family's modules to know it;
 * and the kinds' synth rules (the config's checks and resources, lambdas/shared/kinds/rules.ts) reach
 * no bundle: the config a function runs was validated at synth.
 */
import type { Family } from '../../../../lambdas/shared/alarm-spec';
import { TARGET_KIND_NAMES, TARGET_KINDS } from '../../../../lambdas/shared/kinds';
import { API_HANDLER_ENTRY } from '../../../../lib/api';
import { RECOMMENDER_ENTRY } from '../../../../lib/recommender';
import { RUNBOOK_HANDLER_ENTRY } from '../../../../lib/runbooks/data';
import { FAMILY_ENTRIES } from '../../../../lib/shared/function';
import { BROKER_READER_ENTRY } from '../../../../lib/targets/redis-workers';
import { buildAsDeployed } from '../../../support/bundles';

/** What synth alone runs of the kinds (`KindRules`): the config's checks and resources. */
const SYNTH_RULES = ['lambdas/shared/kinds/rules.ts', 'lambdas/shared/config/checks.ts', 'lambdas/shared/config/resources.ts'];

/** Each function, and the families whose kinds it runs. */
const FUNCTIONS: readonly (readonly [string, string, readonly Family[]])[] = [
  ['capacity', FAMILY_ENTRIES.capacity, ['capacity']],
  ['cdn', FAMILY_ENTRIES.cdn, ['cdn']],
  ['database', FAMILY_ENTRIES.database, ['database']],
  ['queue', FAMILY_ENTRIES.queue, ['queue']],
  ['runbook tasks', RUNBOOK_HANDLER_ENTRY, ['database']],
  ['broker reader', BROKER_READER_ENTRY, []],
  ['operator API', API_HANDLER_ENTRY, []],
  ['recommender', RECOMMENDER_ENTRY, ['capacity', 'queue']],
];

/** A kind's module, as the metafile names it. */
const moduleOf = (kind: string) => `lambdas/shared/kinds/${kind}.ts`;

describe.each(FUNCTIONS)('the %s bundle', (_name, entry, families) => {
  const { inputs, bytesOf: bytes } = buildAsDeployed(entry);

  test(`holds the modules of no kind but ${families.join(' and ') || 'none'}'s`, () => {
    expect(inputs.length).toBeGreaterThan(3);
    const others = TARGET_KIND_NAMES.filter((k) => !families.includes(TARGET_KINDS[k].family)).map(moduleOf);
    expect(inputs.filter((i) => others.includes(i))).toEqual([]);
  });

  test("carries none of the kinds' synth rules (checks, resources)", () => {
    expect(SYNTH_RULES.filter((f) => (bytes[f] ?? 0) > 0)).toEqual([]);
  });
});
