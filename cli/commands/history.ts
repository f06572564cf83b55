/** `history`: the audit log, decisions and control actions, newest first (its first page: lambdas/control/history.ts). */
import type { Command } from 'commander';
import { historyPage } from '../../lambdas/control/history';
import { ALL_TARGETS, type AuditEntry } from '../../lambdas/state/store';
import { type CommandContext, type Deployment, findTarget } from '../deployment';
import { type CliDeps, CliError, type OutputFormat } from '../deps';
import { isoSeconds, parseWhen, rows } from '../format';
import { remoteHistory } from '../remote';

const DEFAULT_HISTORY_LIMIT = 50;
const DEFAULT_HISTORY_SINCE = '24h';

interface HistoryOptions {
  readonly target?: string;
  readonly since: string;
  readonly until?: string;
  readonly limit: string;
  readonly json?: boolean;
}

export function registerHistory(program: Command, { deps, open, output, api }: CommandContext): void {
  program
    .command('history')
    .description('the audit log: decisions and control actions, newest first')
    .option('-t, --target <id>', 'only this target (`*` for control actions on all targets)')
    .option('--since <when>', 'from this time: ISO 8601 or an age such as 30m, 6h, 7d', DEFAULT_HISTORY_SINCE)
    .option('--until <when>', 'up to this time: ISO 8601 or an age', undefined)
    .option('-n, --limit <n>', 'at most this many entries', String(DEFAULT_HISTORY_LIMIT))
    .option('--json', 'the same as --output json')
    .action(async (opts: HistoryOptions) => {
      const client = api();
      if (client) return remoteHistory(client, deps, output(opts), { target: opts.target, ...historyWindow(opts, deps.now()) });
      return history(await open(), deps, opts, output(opts));
    });
}

/** The command line's time range and limit, checked. */
function historyWindow(opts: HistoryOptions, now: number): { from: number; to: number; limit: number } {
  const from = parseWhen(opts.since, now);
  const to = opts.until === undefined ? now : parseWhen(opts.until, now);
  if (from === undefined) throw new CliError(`--since "${opts.since}" is neither an ISO 8601 time nor an age such as 30m, 6h, 7d`);
  if (to === undefined) throw new CliError(`--until "${opts.until}" is neither an ISO 8601 time nor an age such as 30m, 6h, 7d`);
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit "${opts.limit}" is not a whole number of at least 1`);
  return { from, to, limit };
}

async function history(d: Deployment, deps: CliDeps, opts: HistoryOptions, format: OutputFormat): Promise<void> {
  const { from, to, limit } = historyWindow(opts, deps.now());
  if (opts.target !== undefined && opts.target !== ALL_TARGETS) findTarget(d, opts.target);
  const { entries } = await historyPage(d.config, d.store, { targetId: opts.target, from, to, limit });
  if (format === 'json') {
    deps.stdout(
      `${JSON.stringify(
        entries.map((e) => ({ ...e, time: new Date(e.at).toISOString() })),
        null,
        2,
      )}\n`,
    );
    return;
  }
  if (!entries.length) {
    if (format === 'text') return;
    deps.stdout(`no audit entries between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}\n`);
    return;
  }
  deps.stdout(
    rows(
      format,
      ['TIME (UTC)', 'TARGET', 'OUTCOME', 'CHANGE', 'REASON'],
      entries.map((e) => [isoSeconds(e.at), e.targetId === ALL_TARGETS ? '(all)' : e.targetId, e.outcome, change(e), e.reason]),
    ),
  );
}

function change(e: AuditEntry): string {
  if (e.previous === undefined || e.desired === undefined) return '-';
  return e.previous === e.desired ? `${e.desired}` : `${e.previous} -> ${e.desired}`;
}
