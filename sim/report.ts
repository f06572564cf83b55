/**
 * The human report: the score table and one uPlot chart per policy (demand, ideal, ready and billed
 * units over time, actions marked). uPlot's JS and CSS are inlined so the file works offline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioRun } from './runner';
import { idealUnits } from './score';
import { sloText, unitText } from './table';

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** JSON safe inside a <script> element. */
function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, '\\u003c');
}

const round = (x: number) => Math.round(x * 100) / 100;

export function renderReport(run: ScenarioRun, uplotDir = join(__dirname, '..', 'node_modules', 'uplot', 'dist')): string {
  const js = readFileSync(join(uplotDir, 'uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(join(uplotDir, 'uPlot.min.css'), 'utf8');
  const s = run.scenario;
  const d = s.trace.stepSeconds;
  const n = run.trace.arrivals.length;
  const x = new Array<number>(n);
  const demand = new Array<number>(n);
  const ideal = new Array<number>(n);
  for (let t = 0; t < n; t++) {
    x[t] = run.trace.start / 1000 + t * d;
    demand[t] = round((run.trace.arrivals[t] / d / s.workload.unitCapacity) * (s.workload.database?.readShare ?? 1));
    ideal[t] = s.workload.kind === 'cache' ? 0 : idealUnits(s, run.trace.arrivals[t]);
  }
  // A cache's demand and ideal depend on the keys in memory, the same in every policy's world.
  const cacheWorld = run.runs.find((r) => r.world.kind === 'cache')?.world;
  if (cacheWorld?.kind === 'cache') {
    for (let t = 0; t < n; t++) {
      demand[t] = round(cacheWorld.demand[t]);
      ideal[t] = round(cacheWorld.ideal[t]);
    }
  }
  const charts = run.runs.map((r) => {
    const marks: (number | null)[] = new Array(n).fill(null);
    for (const a of r.world.actions) marks[a.step] = a.to;
    return { name: r.name, ready: Array.from(r.world.ready), billed: Array.from(r.world.billed), actions: marks, notes: r.notes };
  });
  const rows = run.runs
    .map(
      (r) =>
        `<tr><td>${esc(r.name)}</td><td>${r.score.violationPct.toFixed(3)}</td><td>${r.score.costRatio === null ? 'n/a' : r.score.costRatio.toFixed(3)}</td>` +
        `<td>${r.score.unitHours.toFixed(1)}</td><td>${r.score.actions}</td><td>${r.score.actionsPerHour.toFixed(2)}</td><td>${r.score.reversals}</td><td>${r.score.peakUnits}</td></tr>`,
    )
    .join('\n');
  const skipped = Object.entries(run.skipped)
    .map(([name, why]) => `<p class="skipped"><b>${esc(name)}</b> not run: ${esc(why)}</p>`)
    .join('\n');
  const demandLabel = {
    web: 'demand (units busy at 100% CPU)',
    queue: 'demand (workers busy)',
    database: 'demand (replicas busy at 100% CPU with the reads)',
    cache: 'demand (GiB of node memory the keys within their TTL need)',
  }[s.workload.kind];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(s.name)}: simulator report</title>
<style>${css}</style>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.skipped, .note { color: #a33; }
h2 { margin-top: 1.5em; }
</style>
</head>
<body>
<h1>${esc(s.name)}</h1>
<p>${esc(s.description ?? '')}</p>
<p>${n} steps of ${d} s; ${s.workload.kind} workload, unit capacity ${s.workload.unitCapacity}/s, provisioning ${s.workload.provisioningSeconds} s;
${esc(unitText(s))} ${s.target.minUnits}-${s.target.maxUnits}; SLO ${esc(sloText(s))}.</p>
<table>
<tr><th>policy</th><th>violation %</th><th>cost ratio</th><th>unit-hours</th><th>actions</th><th>actions/h</th><th>reversals</th><th>peak units</th></tr>
${rows}
</table>
${skipped}
<div id="charts"></div>
<script>${js}</script>
<script>
const x = ${scriptJson(x)};
const demand = ${scriptJson(demand)};
const ideal = ${scriptJson(ideal)};
const charts = ${scriptJson(charts)};
const demandLabel = ${scriptJson(demandLabel)};
const root = document.getElementById('charts');
const width = () => Math.max(600, Math.min(1400, window.innerWidth - 60));
const plots = [];
for (const c of charts) {
  const h = document.createElement('h2');
  h.textContent = c.name;
  root.appendChild(h);
  for (const n of c.notes) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = n;
    root.appendChild(p);
  }
  const div = document.createElement('div');
  root.appendChild(div);
  const opts = {
    width: width(),
    height: 320,
    scales: { x: { time: true } },
    axes: [{}, { label: 'units' }],
    series: [
      {},
      { label: demandLabel, stroke: '#999', width: 1 },
      { label: 'ideal', stroke: '#7b7', width: 1, dash: [4, 4] },
      { label: 'ready', stroke: '#27c', width: 1.5 },
      { label: 'billed', stroke: '#e80', width: 1.5 },
      { label: 'actions', stroke: '#c22', fill: '#c22', width: 0, paths: () => null, points: { show: true, size: 6 } },
    ],
  };
  plots.push(new uPlot(opts, [x, demand, ideal, c.ready, c.billed, c.actions], div));
}
window.addEventListener('resize', () => plots.forEach((p) => p.setSize({ width: width(), height: 320 })));
</script>
</body>
</html>
`;
}
