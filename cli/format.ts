/** Text helpers of the CLI: aligned tables and tab-separated rows, short durations, UTC times to the second, times given as ISO or as an age. */

/** Columns padded to their widest cell, two spaces apart, a header line first. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/**
 * Rows for `--output table` (aligned, a header line first) or `--output text` (tab-separated, no
 * header, one row a line, as the AWS CLI's text output: for cut, awk and grep).
 */
export function rows(format: 'table' | 'text', header: readonly string[], body: readonly (readonly string[])[]): string {
  if (format === 'table') return table(header, body);
  return body.map((r) => `${r.map((c) => c.replace(/[\t\n]/g, ' ')).join('\t')}\n`).join('');
}

/** `45s`, `4m40s`, `2h05m`, `3d04h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of a duration (`90s`, `30m`, `6h`, `7d`, `2w`); undefined if it is not one. */
export function parseDuration(text: string): number | undefined {
  const d = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  return d ? Number(d[1]) * UNITS[d[2]] : undefined;
}

/** Epoch ms of an ISO 8601 time or of an age before `now` (`90s`, `30m`, `6h`, `7d`, `2w`); undefined if neither. */
export function parseWhen(text: string, now: number): number | undefined {
  const age = parseDuration(text);
  if (age !== undefined) return now - age;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

/** `2026-01-05 11:59:30Z`: an epoch ms as UTC to the second. */
export function isoSeconds(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}
