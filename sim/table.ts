/** The terminal table of a run. */
import type { ScenarioRun } from './runner';
import type { Scenario } from './scenario';

/** The SLO a scenario scores, in words. */
export function sloText(s: Scenario): string {
  switch (s.workload.kind) {
    case 'web':
      return `utilization <= ${s.slo.maxUtilization}`;
    case 'queue':
      return `wait <= ${s.slo.maxWaitSeconds} s`;
    case 'database':
      return `instance utilization <= ${s.slo.maxUtilization}`;
    case 'cache':
      return 'no key evicted before its TTL';
  }
}

/** What the units of a scenario are. */
export function unitText(s: Scenario): string {
  return s.workload.kind === 'database' ? 'replicas' : s.workload.kind === 'cache' ? 'shards (scores in GiB of node memory)' : 'units';
}

function fmt(x: number | null, digits: number): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

export function renderTable(run: ScenarioRun): string {
  const head = ['policy', 'violation %', 'cost ratio', 'unit-hours', 'actions', 'actions/h', 'reversals', 'peak units'];
  const rows = run.runs.map((r) => [
    r.name,
    fmt(r.score.violationPct, 3),
    fmt(r.score.costRatio, 3),
    fmt(r.score.unitHours, 1),
    String(r.score.actions),
    fmt(r.score.actionsPerHour, 2),
    String(r.score.reversals),
    String(r.score.peakUnits),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const s = run.scenario;
  const hours = (run.trace.arrivals.length * s.trace.stepSeconds) / 3600;
  const out = [
    `${s.name}: ${run.trace.arrivals.length} steps of ${s.trace.stepSeconds} s (${hours.toFixed(1)} h), ${s.workload.kind}, ` +
      `${unitText(s)} ${s.target.minUnits}-${s.target.maxUnits}, SLO ${sloText(s)}` +
      (s.target.trackingUtilization === undefined
        ? ''
        : `, baselines tracking ${s.target.trackingUtilization}% (ideal and autoscaler at ${s.target.targetUtilization}%)`),
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ];
  for (const [name, why] of Object.entries(run.skipped)) out.push(`${name}: not run: ${why}`);
  for (const r of run.runs) for (const n of r.notes) out.push(`${r.name}: ${n}`);
  return out.join('\n');
}
