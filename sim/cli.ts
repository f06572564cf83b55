/**
 * The simulator's command line: `npm start -- --scenario FILE --out DIR [--policies a,b]
 * [--target-utilization N]` writes DIR/score.json and DIR/report.html and prints the score table;
 * `npm start -- generate --shape S --seed N --days D --out FILE` writes a synthetic trace (sim/generate.ts).
 */
import './policies/quiet';
import './esm-interop';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { generateTrace, SHAPES, type Shape, STEP_SECONDS, traceCsv } from './generate';
import { AUTOSCALER, autoscalerUnsupported } from './policies/support';
import { renderReport } from './report';
import { policiesOf, runScenario, scoreJson } from './runner';
import { loadScenario, ScenarioError, withTrackingUtilization } from './scenario';
import { renderTable } from './table';
import { loadTrace } from './trace';

export const DEFAULT_SCENARIO = 'scenarios/synthetic-diurnal-flash.yaml';

/** `generate`: a synthetic trace of a shape, seed and length, as CSV. */
function generate(argv: string[]): void {
  const program = new Command()
    .name('sim generate')
    .description('Write a synthetic load trace (the same one for the same shape, seed and days)')
    .requiredOption('--shape <shape>', `one of ${SHAPES.join(', ')}`)
    .requiredOption('--seed <n>', 'seed of the draws (an integer)')
    .option('--days <d>', 'days of one-minute rows', '7')
    .requiredOption('--out <file>', 'CSV file to write')
    .showHelpAfterError()
    .parse(argv, { from: 'user' });
  const opts = program.opts<{ shape: string; seed: string; days: string; out: string }>();
  const int = (flag: string, raw: string) => {
    if (!/^\d+$/.test(raw.trim())) throw new ScenarioError(`${flag}: ${JSON.stringify(raw)} is not a whole number`);
    return Number(raw);
  };
  const trace = generateTrace({ shape: opts.shape as Shape, seed: int('--seed', opts.seed), days: int('--days', opts.days) });
  mkdirSync(dirname(resolve(opts.out)), { recursive: true });
  writeFileSync(opts.out, traceCsv(trace));
  const total = trace.arrivals.reduce((a, b) => a + b, 0);
  process.stdout.write(
    `wrote ${opts.out}: ${trace.shape}, seed ${trace.seed}, ${trace.arrivals.length} rows of ${STEP_SECONDS} s, ${total.toFixed(0)} ${trace.kind === 'queue' ? 'messages' : 'requests'}, ${trace.events.length} events\n`,
  );
}

async function main(argv: string[]): Promise<void> {
  if (argv[2] === 'generate') return generate(argv.slice(3));
  const program = new Command()
    .name('sim')
    .description('Replay a load trace against the autoscaler and its baselines, and score them')
    .option('--scenario <file>', 'scenario file (YAML or JSON)', DEFAULT_SCENARIO)
    .option('--out <dir>', 'directory for score.json and report.html', 'out')
    .option('--policies <list>', 'comma-separated policies to run (default: the autoscaler and every baseline of the scenario)')
    .option(
      '--target-utilization <percent>',
      "percent the tracking baselines and anchors aim at (default the scenario's targetUtilization, which the autoscaler and the cost ratio's ideal keep)",
    )
    .showHelpAfterError()
    .parse(argv);
  const opts = program.opts<{ scenario: string; out: string; policies?: string; targetUtilization?: string }>();
  const loaded = loadScenario(opts.scenario);
  const raw = opts.targetUtilization;
  if (raw !== undefined && !/^\d+(\.\d+)?$/.test(raw.trim())) throw new ScenarioError(`--target-utilization: ${JSON.stringify(raw)} is not a number`);
  const scenario = raw === undefined ? loaded : withTrackingUtilization(loaded, Number(raw));
  const filter = opts.policies
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const policies = policiesOf(scenario, filter);

  const trace = loadTrace(scenario.trace.file, scenario.trace);
  const runnable = policies.filter((p) => !(p === AUTOSCALER && autoscalerUnsupported(scenario)));
  const total = Math.max(1, trace.arrivals.length * runnable.length);
  // only on a terminal, and only for runs long enough to need one
  const bar =
    process.stderr.isTTY && total >= 2000
      ? new SingleBar({ stream: process.stderr, format: ' {bar} {percentage}% | {value}/{total} steps | ETA {eta}s', hideCursor: true, clearOnComplete: true })
      : undefined;
  let done = 0;
  bar?.start(total, 0);
  const run = await runScenario(scenario, {
    trace,
    policies: filter,
    onStep: bar ? () => void (++done % 200 === 0 && bar.update(done)) : undefined,
  });
  bar?.stop();

  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, 'score.json'), `${JSON.stringify(scoreJson(run), null, 2)}\n`);
  writeFileSync(join(opts.out, 'report.html'), renderReport(run));
  process.stdout.write(`${renderTable(run)}\n\nwrote ${join(opts.out, 'score.json')} and ${join(opts.out, 'report.html')} in ${run.seconds.toFixed(1)} s\n`);
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof ScenarioError || (err instanceof Error && err.name === 'ConfigError') || (err instanceof Error && /^--[a-z-]+: /.test(err.message))) {
    process.stderr.write(`error: ${err.message}\n`);
  } else {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (process.env.SIM_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  }
  process.exitCode = 1;
});
