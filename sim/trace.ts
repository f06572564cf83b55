/**
 * Load traces: CSV with a header row, column 1 an ISO-8601 UTC time, column 2 the arrivals in that step.
 * A bad row fails naming its line number and content.
 */
import { readFileSync } from 'node:fs';
import { ScenarioError } from './scenario-model';

export interface Trace {
  /** Epoch ms of the first selected row. */
  readonly start: number;
  /** Arrivals per step, already multiplied by `scale`. */
  readonly arrivals: Float64Array;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]00:?00)$/;

export interface TraceSelection {
  readonly scale: number;
  readonly startRow: number;
  readonly rows?: number;
}

/** The rows of a trace's CSV text as they stand: each row's time (epoch ms, increasing) and its arrivals. */
export interface TraceRows {
  readonly times: readonly number[];
  readonly values: readonly number[];
}

/** Reads every data row of the CSV text; `source` names the file in errors. */
export function parseTraceRows(text: string, source: string): TraceRows {
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (!lines.length) throw new ScenarioError(`${source}: empty trace (a header row and at least one data row are needed)`);
  const times: number[] = [];
  const values: number[] = [];
  let previous = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const bad = (why: string) => new ScenarioError(`${source}: line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    const cols = line.split(',');
    if (cols.length < 2) throw bad('expected a time and an arrival count');
    const time = cols[0].trim();
    if (!ISO_UTC.test(time)) throw bad('column 1 is not an ISO-8601 UTC time');
    const at = Date.parse(time);
    if (Number.isNaN(at)) throw bad('column 1 is not a valid time');
    if (at <= previous) throw bad('time does not increase');
    const raw = cols[1].trim();
    const n = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(n) || n < 0) throw bad('column 2 is not a non-negative number');
    previous = at;
    times.push(at);
    values.push(n);
  }
  return { times, values };
}

/** Parses the CSV text; `source` names the file in errors. */
export function parseTrace(text: string, source: string, sel: TraceSelection): Trace {
  const { times, values } = parseTraceRows(text, source);
  if (sel.startRow >= values.length) {
    throw new ScenarioError(`trace.startRow: ${sel.startRow} is past the last data row of ${source} (${values.length} rows)`);
  }
  const end = sel.rows === undefined ? values.length : sel.startRow + sel.rows;
  if (end > values.length) {
    throw new ScenarioError(`trace.rows: ${sel.rows} rows from startRow ${sel.startRow} run past the end of ${source} (${values.length} rows)`);
  }
  const arrivals = new Float64Array(end - sel.startRow);
  for (let i = 0; i < arrivals.length; i++) arrivals[i] = values[sel.startRow + i] * sel.scale;
  return { start: times[sel.startRow], arrivals };
}

export function loadTrace(file: string, sel: TraceSelection): Trace {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(`trace.file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseTrace(text, file, sel);
}
