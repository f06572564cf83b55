/**
 * `recommend --trace FILE`: a trace file read and judged for the replay (./recommend.ts). The CLI's
 * alone: the daily recommender holds its trace in memory and never reads a file.
 */
import { readFileSync } from 'node:fs';
import { judgeTrace, RecommendError, type ReplayTrace } from './recommend';
import { ScenarioError } from './scenario-model';
import { parseTraceRows, type TraceRows } from './trace';

/**
 * Reads a trace in the simulator's CSV format (sim/trace.ts), its arrivals multiplied by `scale`, and
 * judges it (`judgeTrace`).
 */
export function readReplayTrace(file: string, scale = 1): ReplayTrace {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RecommendError(`--trace: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let rows: TraceRows;
  try {
    rows = parseTraceRows(text, file);
  } catch (err) {
    if (err instanceof ScenarioError) throw new RecommendError(`--trace: ${err.message}`);
    throw err;
  }
  if (!rows.times.length) throw new RecommendError(`--trace: ${file}: no data rows (a header row, then an ISO-8601 UTC time and the arrivals of each step)`);
  return judgeTrace(file, rows, scale);
}
