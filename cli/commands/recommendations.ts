/**
 * `recommendations [--target ID]`: each target's latest recommendation as the daily recommender stored
 * it (config `recommendations.enabled`; lambdas/control/recommendations.ts), from the state table, or
 * with `--api URL` from the operator API's GET /recommendations. Replays nothing: `recommend` does that.
 */
import type { Command } from 'commander';
import { latestRecommendations, type RecommendationView } from '../../lambdas/control/recommendations';
import { type CommandContext, findTarget } from '../deployment';
import type { CliDeps, OutputFormat } from '../deps';
import { rows } from '../format';

interface RecommendationsOptions {
  readonly target?: string;
  readonly json?: boolean;
}

export function registerRecommendations(program: Command, { deps, open, output, api }: CommandContext): void {
  program
    .command('recommendations')
    .description("each target's latest recommendation from the daily recommender, with what the change costs a month")
    .option('-t, --target <id>', 'only this target')
    .option('--json', 'the same as --output json')
    .action(async (opts: RecommendationsOptions) => {
      const client = api();
      let found: RecommendationView[];
      if (client) {
        const body = (await client.request('GET', '/recommendations', { query: { target: opts.target } })) as { recommendations: RecommendationView[] };
        found = body.recommendations;
      } else {
        const d = await open();
        if (opts.target !== undefined) findTarget(d, opts.target);
        found = await latestRecommendations(d.config, d.store, opts.target);
      }
      print(found, deps, output(opts));
    });
}

/** `targetCpu 70 -> 60, idleSeconds 300 -> 60`; the reason when it cannot be judged; `-` to keep. */
function change(r: RecommendationView): string {
  if (r.verdict === 'cannot-judge') return `cannot judge: ${r.reason ?? ''}`;
  if (!r.recommended || !r.current) return 'keep the current settings';
  const now = r.current.settings;
  const next = r.recommended.settings;
  return Object.keys(next)
    .filter((k) => next[k] !== now[k])
    .map((k) => `${k} ${now[k]} -> ${next[k]}`)
    .join(', ');
}

/** `-$60.74` (saved) or `+$12.00`; unit-hours only without a price. */
function cost(r: RecommendationView): [string, string] {
  if (!r.monthly) return ['-', '-'];
  const sign = (n: number) => (n > 0 ? '+' : n < 0 ? '-' : '');
  const dollars = r.monthly.dollars === undefined ? 'no price' : `${sign(r.monthly.dollars)}$${Math.abs(r.monthly.dollars).toFixed(2)}`;
  return [`${sign(r.monthly.unitHours)}${Math.abs(r.monthly.unitHours)}`, dollars];
}

function print(found: readonly RecommendationView[], deps: CliDeps, format: OutputFormat): void {
  if (format === 'json') {
    deps.stdout(`${JSON.stringify(found, null, 2)}\n`);
    return;
  }
  if (!found.length) {
    if (format === 'table')
      deps.stdout('no recommendations stored: the daily recommender (recommendations: { enabled: true }) has not run yet, or is not deployed\n');
    return;
  }
  deps.stdout(
    rows(
      format,
      ['TARGET', 'KIND', 'COMPUTED (UTC)', 'HISTORY', 'VERDICT', 'UNIT-HOURS/MONTH', '$/MONTH', 'CHANGE'],
      found.map((r) => [
        r.targetId,
        r.kind,
        r.computedAt.replace(/\.\d{3}Z$/, 'Z'),
        `${r.trace.from.slice(0, 10)}..${r.trace.to.slice(0, 10)}`,
        r.verdict,
        ...cost(r),
        change(r),
      ]),
    ),
  );
}
