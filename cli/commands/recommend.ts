/**
 * `recommend TARGET [--days N | --trace FILE.csv]`: the target's load replayed through the simulator
 * with its current settings and a small grid of candidates (sim/recommend.ts), and the change to make
 * with its predicted figures beside the current ones, or that the current settings are best. The load
 * is the target's own history in CloudWatch, the last N days (default 14) minute by minute
 * (lambdas/control/load-history.ts), or a trace file; with a file, no AWS call.
 */
import type { Command } from 'commander';
import { badDays, LoadHistoryError, MAX_HISTORY_DAYS, readLoadHistory } from '../../lambdas/control/load-history';
import type { Recommendation, Replay, ReplayTrace, Setting } from '../../sim/recommend';
import type { Figures } from '../../sim/recommend-choice';
import { type CommandContext, readConfig } from '../deployment';
import { type CliDeps, CliError, type OutputFormat } from '../deps';
import { formatDuration, rows } from '../format';

/** Days of history read when neither --trace nor --days is given. */
export const DEFAULT_HISTORY_DAYS = 14;

interface RecommendOptions {
  readonly trace?: string;
  readonly days?: string;
  readonly unitCapacity?: string;
  readonly scale: string;
}

export function registerRecommend(program: Command, { deps, configFile, output }: CommandContext): void {
  program
    .command('recommend')
    .description("replay a target's load with its settings and a few candidates: the change to make, or that the current settings are best")
    .argument('<target>', 'target id (asg, ecs-service or queue-workers)')
    .option('--days <n>', `the target's load from CloudWatch: the last N days minute by minute, at most 15 (default: ${DEFAULT_HISTORY_DAYS} without --trace)`)
    .option('--trace <file>', "the target's load from a file instead: CSV with a header row, then an ISO-8601 UTC time and the arrivals of each step")
    .option('--unit-capacity <n>', 'web: requests/s one unit serves at 100% CPU (default: from targetGroup.requestsPerTarget at targetCpu)')
    .option('--scale <factor>', 'multiplies every arrival count of the trace', '1')
    .action((targetId: string, opts: RecommendOptions) => run(targetId, opts, configFile(), deps, output()));
}

function positive(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) throw new CliError(`${flag}: ${JSON.stringify(raw)} is not a positive number`);
  return n;
}

function historyDays(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 1)
    throw new CliError(`--days: ${JSON.stringify(raw)} is not a whole number of days from 1 to ${MAX_HISTORY_DAYS}`);
  const bad = badDays(n);
  if (bad) throw new CliError(`--days: ${bad}`);
  return n;
}

async function run(targetId: string, opts: RecommendOptions, file: string, deps: CliDeps, format: OutputFormat): Promise<void> {
  const unitCapacity = opts.unitCapacity === undefined ? undefined : positive('--unit-capacity', opts.unitCapacity);
  const scale = positive('--scale', opts.scale);
  if (opts.trace !== undefined && opts.days !== undefined) {
    throw new CliError("--trace and --days cannot be used together: --trace replays a file, --days the target's own history in CloudWatch");
  }
  const days = opts.days === undefined ? DEFAULT_HISTORY_DAYS : historyDays(opts.days);
  const config = readConfig(file);
  const target = config.targets.find((t) => t.id === targetId);
  if (!target) throw new CliError(`no target "${targetId}" in ${file} (targets: ${config.targets.map((t) => t.id).join(', ')})`);
  // Loaded on demand: the replay pulls in the simulator and the handlers, which no other command needs.
  const { judgeTrace, recommend, replayable, RecommendError, unitCapacityOf } = await import('../../sim/recommend');
  const { readReplayTrace } = await import('../../sim/recommend-file');
  let result: Recommendation;
  try {
    const replayed = replayable(target);
    if (replayed.kind !== 'queue-workers') unitCapacityOf(replayed, unitCapacity);
    let replay: ReplayTrace;
    if (opts.trace !== undefined) replay = readReplayTrace(opts.trace, scale);
    else {
      const rows = await readLoadHistory(deps.cloudWatch, replayed, days, deps.now());
      replay = judgeTrace(rows.source, rows, scale);
    }
    if (!replay.problem)
      deps.stderr(`replaying ${formatDuration(replay.trace.arrivals.length * replay.stepSeconds * 1000)} of ${replay.file} for ${target.id}...\n`);
    result = await recommend({ target, replay, ...(unitCapacity !== undefined ? { unitCapacity } : {}) });
  } catch (err) {
    if (err instanceof RecommendError || err instanceof LoadHistoryError) throw new CliError(err.message);
    throw err;
  }
  deps.stdout(render(result, format));
}

const FIGURES: readonly { readonly key: keyof Figures; readonly header: string; readonly digits: number }[] = [
  { key: 'violationPct', header: 'VIOLATION %', digits: 2 },
  { key: 'costRatio', header: 'COST RATIO', digits: 3 },
  { key: 'actionsPerHour', header: 'ACTIONS/H', digits: 2 },
  { key: 'reversalsPerDay', header: 'REVERSALS/DAY', digits: 1 },
  { key: 'unitHoursPerMonth', header: 'UNIT-HOURS/MONTH', digits: 0 },
];

function figure(f: Figures, key: keyof Figures, digits: number): string {
  const v = f[key];
  return v === null ? '-' : v.toFixed(digits);
}

/** The settings as a change: `targetCpu 70 -> 60, scaleInStabilizationSeconds 900 -> 300`. */
function change(current: Replay, best: Replay): string {
  return (Object.keys(best.settings) as Setting[])
    .filter((k) => best.settings[k] !== current.settings[k])
    .map((k) => `${k} ${current.settings[k]} -> ${best.settings[k]}`)
    .join(', ');
}

export function render(r: Recommendation, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(r, null, 2)}\n`;
  if (r.verdict === 'cannot-judge') {
    return format === 'text' ? `cannot-judge\t${r.reason}\n` : `${r.target.id} (${r.target.kind}): cannot judge ${r.trace.file}: ${r.reason}\n`;
  }
  const current = r.current as Replay;
  const keys = Object.keys(current.settings) as Setting[];
  const line = (label: string, x: Replay) => [label, ...keys.map((k) => String(x.settings[k])), ...FIGURES.map((f) => figure(x.figures, f.key, f.digits))];
  const body = [line('current', current), ...(r.recommended ? [line('recommended', r.recommended)] : [])];
  const header = ['SETTINGS', ...keys, ...FIGURES.map((f) => f.header)];
  if (format === 'text') return rows('text', header, body);
  const lines = [
    `${r.target.id} (${r.target.kind}): ${formatDuration(r.trace.hours * 3_600_000)} of ${r.trace.stepSeconds} s steps from ${r.trace.file}` +
      `${r.unitCapacity !== undefined ? `, ${Number(r.unitCapacity.toFixed(2))} requests/s per unit at 100% CPU` : ''}; ${r.candidates.length} settings replayed in ${r.seconds.toFixed(1)} s`,
    r.recommended
      ? `recommended: ${change(current, r.recommended)} (no more violations, cost or reversals than now)`
      : 'the current settings are best: no candidate is cheaper or calmer without more violations, cost or reversals',
    '',
    rows('table', header, body).trimEnd(),
    ...r.notes.map((n) => `note: ${n}`),
    ...r.candidates.filter((c) => c.failures).map((c) => `note: ${JSON.stringify(c.settings)}: ${c.failures}`),
  ];
  return `${lines.join('\n')}\n`;
}
