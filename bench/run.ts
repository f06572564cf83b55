/**
 * `npm run bench`: writes bench/RESULTS.md with the date and the machine, and prints it.
 * Figures are measured in this one run; times are given as ratios where a comparison is meant.
 */
import '../sim/policies/quiet';
import '../sim/esm-interop';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { familyOf } from '../lambdas/shared/alarms';
import { loadConfigFile } from '../lambdas/shared/config-file';
import { API_HANDLER_ENTRY } from '../lib/api';
import { IAM_LIMITS } from '../lib/limits';
import { RECOMMENDER_ENTRY } from '../lib/recommender';
import { RUNBOOK_HANDLER_ENTRY } from '../lib/runbooks/data';
import { FAMILY_ENTRIES, POWERTOOLS_SOURCES } from '../lib/shared/function';
import { BROKER_READER_ENTRY } from '../lib/targets/redis-workers';
import { bundleTable } from './bundles';
import { CHAOS_FAULTS, chaosTable } from './chaos';
import { costPerTarget, metricsPerEvaluation, PRICES, USAGE } from './cost';
import { frontierLines, frontierTables } from './frontier';
import { CALM_GOAL, calmGoal, generatedSuite, QUEUE_GOAL_TEXT, SUITE_SEEDS, SUITE_WEB_SHAPES, suiteDays, suiteLines } from './generated';
import { CLAIRVOYANT, scenarioTable, WEBSOCKETS_VARIANT, websocketsVariant } from './scenarios';
import { syntheticConfig, synthRow } from './synth';

/** Fresh processes per bundle and source for the init medians: with 15, a ratio moved by up to 0.06 between runs on the same 2-core machine. */
const INIT_RUNS = 25;

/** The deployments synthesized, by number of web targets; and one granted per target, past what that mode holds. */
const SYNTH_TARGETS = [10, 100, 1000, 5000];
const PER_TARGET_PROBE = 1000;

const ROOT = join(__dirname, '..');
const f = (x: number | null, d = 3) => (x === null ? 'n/a' : x.toFixed(d));

async function main() {
  const lines: string[] = [];
  const out = (s = '') => lines.push(s);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  out('# Benchmark results');
  out();
  out(
    `Run ${new Date().toISOString()} on ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}/${process.arch}.`,
  );
  out('Produced by `npm run bench`; every figure below comes from this one run.');

  process.stderr.write('scenarios...\n');
  const scen = await scenarioTable(join(ROOT, 'scenarios'));
  out();
  out('## Scenarios: every bundled scenario x every policy');
  out();
  out('| scenario | policy | violation % | cost ratio | unit-hours | actions/h | reversals | peak units |');
  out('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of scen.rows) {
    out(
      `| ${r.scenario} | ${r.policy} | ${f(r.violationPct)} | ${f(r.costRatio)} | ${f(r.unitHours, 1)} | ${f(r.actionsPerHour, 2)} | ${r.reversals} | ${r.peakUnits} |`,
    );
  }
  const ws = await websocketsVariant(join(ROOT, 'scenarios'));
  scen.seconds[ws.rows[0]?.scenario ?? 'websockets'] = ws.seconds;
  for (const r of ws.rows) {
    out(
      `| ${r.scenario} | ${r.policy} | ${f(r.violationPct)} | ${f(r.costRatio)} | ${f(r.unitHours, 1)} | ${f(r.actionsPerHour, 2)} | ${r.reversals} | ${r.peakUnits} |`,
    );
  }
  for (const s of scen.skipped) out(`\nNot run: ${s}`);
  out();
  const calm = [...scen.rows, ...ws.rows].filter((r) => r.policy === 'autoscaler');
  out(
    `The calm goal (at most ${CALM_GOAL.maxActionsPerHour} actions an hour and ${CALM_GOAL.maxReversalsPerDay} reversals a day) for the autoscaler: ` +
      calm
        .map((r) => `${r.scenario} ${calmGoal(r) ? 'pass' : 'fail'} (${f(r.actionsPerHour, 2)} actions/h, ${f(r.reversalsPerDay, 1)} reversals a day)`)
        .join(', ') +
      '.',
  );
  out();
  out(`The \`${CLAIRVOYANT}\` rows are a reference, not a policy. ${QUEUE_GOAL_TEXT}`);
  out();
  out(
    `The "+ websockets" rows: every request also opens a WebSocket connection held ${WEBSOCKETS_VARIANT.connectionSeconds} s on average, and the autoscaler sizes on`,
  );
  out(
    `${WEBSOCKETS_VARIANT.connectionsPerUnit} connections per unit as a custom metric beside CPU; autoscaler-step adds a unit while connections per unit in service exceed it (the seeds' rule, a step rule on a metric math custom metric); the baselines know CPU only. What each left per ready unit:`,
  );
  out();
  out(`| policy | steps above ${WEBSOCKETS_VARIANT.connectionsPerUnit * 1.25} connections per unit, % | peak connections per unit |`);
  out('| --- | ---: | ---: |');
  for (const c of ws.connections) out(`| ${c.policy} | ${f(c.abovePct, 2)} | ${c.peakPerUnit.toFixed(0)} |`);
  out();
  out(
    `Simulation time (all policies of a scenario): ${Object.entries(scen.seconds)
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(', ')}.`,
  );

  process.stderr.write('frontier...\n');
  const frontier = await frontierTables(join(ROOT, 'scenarios'), (name) => scen.rows.find((r) => r.scenario === name && r.policy === 'autoscaler'));
  out();
  out('## Frontier: the autoscaler against target tracking (and on web predictive scaling) at tracking targets 80-30');
  out();
  out('Each bundled web scenario with the anchors of scenarios/README.md at every tracking target (`--target-utilization`;');
  out("the cost ratio's ideal stays at the scenario's own target, the autoscaler's), and each data-tier scenario with target");
  out('tracking alone (the contract names no anchor for database or cache). An anchor point dominates the autoscaler');
  out('when both its violation % and its cost ratio are lower; "cheaper, same violation" marks a point as cheap at no more');
  out("violation (where every point has none, the cheaper ones are better all the same). The half-violation goal: the autoscaler's");
  out('violation % at most half the lowest anchor violation % at the same or a lower cost ratio, or at most 0.5 where that is higher.');
  for (const t of frontier) {
    out();
    for (const l of frontierLines(t)) out(l);
  }
  out();
  out(`Frontier time: ${frontier.map((t) => `${t.scenario} ${t.seconds.toFixed(1)} s`).join(', ')}.`);

  process.stderr.write('generated suite...\n');
  const suite = await generatedSuite();
  out();
  out('## Generated suite: median and worst case over generated traces');
  out();
  out(
    `\`npm start -- generate\` shapes built in memory: ${SUITE_WEB_SHAPES.join(', ')} (web) and batches (queue), seeds ${SUITE_SEEDS.join(', ')}, ` +
      `${suiteDays('weekly')} days for weekly and ${suiteDays('diurnal')} for the others (shortened from a week: the suite takes about a minute of CPU time).`,
  );
  out("Web: the bundled synthetic scenario's workload (40 requests/s per unit, 180 s to start, 2 units at least, 70% target);");
  out("queue: celery-batches' (2 messages/s per worker, 60 s to start, 300 s wait). maxUnits is twice the peak ideal count.");
  out('Peak ratio: peak units over the highest ideal count of any step; reversals per day of trace.');
  out();
  for (const l of suiteLines(suite.runs)) out(l);
  out();
  out(`Generated suite time: ${suite.seconds.toFixed(1)} s for ${suite.runs.length} traces.`);

  process.stderr.write('bundles...\n');
  const config = loadConfigFile(join(ROOT, 'autoscaler.config.yaml'));
  const families = new Set(config.targets.map(familyOf));
  const entries = {
    ...Object.fromEntries(Object.entries(FAMILY_ENTRIES).filter(([family]) => families.has(family as never))),
    'runbook tasks': RUNBOOK_HANDLER_ENTRY,
    'broker reader': BROKER_READER_ENTRY,
    'operator API': API_HANDLER_ENTRY,
    recommender: RECOMMENDER_ENTRY,
  };
  const bundles = bundleTable(entries, config, INIT_RUNS);
  out();
  out('## Lambda bundles (example config)');
  out();
  out('Built as the construct builds them (esbuild, minified, AWS SDK v3 left to the runtime), with Powertools from each');
  out("source `powertools` offers: `layer`, the default, the deployment's own layer (Powertools as minified modules shared by");
  out(
    `the stack's functions, each loading those it imports: ${Object.entries(bundles.layerModuleBytes)
      .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KiB`)
      .join(', ')}); \`bundled\`, in each bundle; \`public-layer\`, Powertools' public layer.`,
  );
  out(`Init time is the median, over ${INIT_RUNS} fresh Node processes each, of the time from process start until the handler module`);
  out('and the AWS SDK modules its bundle requires are loaded, alternated with a minimal handler that requires the same SDK');
  out("modules and nothing else, in the same run; NODE_PATH is the layer's node_modules (for `layer`) and then the project's");
  out("node_modules, which play the runtime's SDK and the public layer. The ratio is what the project adds (its code,");
  out('Powertools wherever it comes from, middy, valibot) over the SDK clients any handler of the function would load.');
  out('Goal: at most 150 KB (146.5 KiB) and 1.2x.');
  out();
  out('| function | Powertools | bundle | init (ms) | minimal handler init (ms) | ratio | AWS SDK modules |');
  out('| --- | --- | ---: | ---: | ---: | ---: | --- |');
  for (const p of POWERTOOLS_SOURCES) {
    for (const b of bundles.rows.filter((r) => r.powertools === p)) {
      const sdk = b.sdkModules.map((m) => m.replace('@aws-sdk/', '')).join(', ');
      out(`| ${b.family} | ${b.powertools} | ${(b.bytes / 1024).toFixed(0)} KiB | ${f(b.initMs, 1)} | ${f(b.minimalMs, 1)} | ${f(b.ratio, 2)} | ${sdk} |`);
    }
  }

  process.stderr.write('synth...\n');
  synthRow(1, 'by-tag', { bundling: false }); // load aws-cdk-lib and cdk-nag once, outside the measured runs
  const synth = SYNTH_TARGETS.map((n) => {
    process.stderr.write(`synth ${n}...\n`);
    return synthRow(n);
  });
  const perTarget = synthRow(PER_TARGET_PROBE, 'per-target');
  out();
  out('## Synth at scale (web targets, `permissions: by-tag`; bundling, cdk-nag and CloudFormation validation included)');
  out();
  out('| targets | synth (s) | stacks | largest stack (resources) | alarms | rules | functions | families | dashboards (widgets) |');
  out('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const s of synth) {
    if (s.error) out(`| ${s.targets} | ${f(s.seconds, 1)} | fails: ${s.error.replace(/\|/g, '/').replace(/\n/g, ' ')} | | | | | | |`);
    else
      out(
        `| ${s.targets} | ${f(s.seconds, 1)} | ${s.stacks.length} | ${Math.max(...s.stacks.map((x) => x.resources))} | ${s.alarms} | ${s.rules} | ${s.functions} | ${s.families} | ${s.footprint!.dashboards.length} (${s.footprint!.dashboards.map((d) => d.widgets).join(', ')}) |`,
      );
  }
  out();
  out(
    `Each role's policies, as IAM counts them (characters without whitespace, references at their longest), against its quotas: ${IAM_LIMITS.inlineCharactersPerRole} inline characters per role, ${IAM_LIMITS.managedPoliciesPerRole} managed policies per role (default quota) of ${IAM_LIMITS.charactersPerManagedPolicy} characters each.`,
  );
  out();
  out('| targets | role | inline characters | managed policies (characters) |');
  out('| ---: | --- | ---: | --- |');
  for (const s of synth)
    for (const r of s.footprint?.roles ?? [])
      out(
        `| ${s.targets} | ${r.path.replace(/^[^/]+\/Autoscaler\//, '')} | ${r.inlineCharacters} | ${r.managedPolicies.length ? r.managedPolicies.join(', ') : 'none'} |`,
      );
  out();
  out(
    `With \`permissions: per-target\`, ${PER_TARGET_PROBE} targets: ${perTarget.error ? `synth refuses it (${f(perTarget.seconds, 1)} s): ${perTarget.error.replace(/\n\s*/g, ' ').slice(0, 600)}` : 'synth accepts it.'}`,
  );
  out();
  out('## Monthly AWS cost of the deployment itself, per target');
  out();
  out(
    `Prices (us-east-1, AWS public pricing pages; free tiers ignored), in dollars per million units: ${Object.entries(PRICES)
      .map(([k, v]) => `${k} ${+(v * 1e6).toPrecision(6)}`)
      .join(', ')}.`,
  );
  out(
    `Usage assumed: ${Object.entries(USAGE)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
  );
  out("Metrics per evaluation: the GetMetricData metrics each target's function requests, counted from its configuration.");
  out();
  out(
    '| targets | alarms | alarms per target | metrics per evaluation | fixed per month (schedule, ticks) | alarms per target per month | evaluations and polls per target per month | per target per month |',
  );
  out('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of synth) {
    if (s.error) continue;
    const c = costPerTarget(s.targets, s.alarms, s.families, metricsPerEvaluation(syntheticConfig(s.targets)));
    out(
      `| ${c.targets} | ${c.alarms} | ${f(c.alarmsPerTarget, 1)} | ${f(c.metricsPerEvaluation, 2)} | $${f(c.fixed, 2)} | $${f(c.alarmsPerTargetCost, 3)} | $${f(c.evaluationsPerTargetCost, 3)} | $${f(c.perTarget, 3)} |`,
    );
  }

  process.stderr.write('chaos...\n');
  const chaos = await chaosTable(join(ROOT, 'scenarios'));
  out();
  out('## Chaos: the autoscaler with the scenario `faults` section');
  out();
  out(`Each bundled scenario, clean and with faults ${JSON.stringify(CHAOS_FAULTS)}: that share of the in-memory AWS's`);
  out('requests throttled (under the SDK retries the deployed clients make), of deliveries duplicated, every alarm');
  out('event that many seconds late. Double actions: applied');
  out('decisions beyond the first of one event; out of bounds: desired counts set outside min/max (both must be 0).');
  out();
  out(
    '| scenario | violation % clean | violation % faulted | cost ratio clean / faulted | actions clean / faulted | throttled | duplicated | delayed | double actions | out of bounds |',
  );
  out('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of chaos) {
    out(
      `| ${c.scenario} | ${f(c.cleanViolationPct)} | ${f(c.faultedViolationPct)} | ${f(c.cleanCostRatio)} / ${f(c.faultedCostRatio)} | ${c.cleanActions} / ${c.faultedActions} | ${c.throttled} | ${c.duplicated} | ${c.delayed} | ${c.doubleActions} | ${c.outOfBounds} |`,
    );
  }

  const text = `${lines.join('\n')}\n`;
  writeFileSync(join(__dirname, 'RESULTS.md'), text);
  process.stdout.write(text);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
