/**
 * The human report: the score table, what each score means, and one uPlot chart per policy (demand,
 * ideal, ready and billed units over time, actions marked, SLO-violating periods shaded). The charts of
 * a scenario share one y scale and one cursor; every time is UTC. uPlot's JS and CSS are inlined so
 * the file works offline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyWorld, ScenarioRun } from './runner';
import type { Scenario } from './scenario';
import { idealUnits, REVERSAL_WINDOW_SECONDS } from './score';
import { sloText, unitText } from './table';

/** A span [from, to) in epoch seconds. */
export type Band = readonly [number, number];

/**
 * The spans of consecutive flagged slots, slot k covering [start + k * width, start + (k + 1) * width),
 * the last one clipped to `end` (a minute may run past the trace's last step).
 */
export function flagBands(flags: ArrayLike<boolean>, start: number, width: number, end: number): Band[] {
  const out: Band[] = [];
  let from = -1;
  for (let k = 0; k <= flags.length; k++) {
    const on = k < flags.length && flags[k];
    if (on && from < 0) from = k;
    if (!on && from >= 0) {
      out.push([start + from * width, Math.min(end, start + k * width)]);
      from = -1;
    }
  }
  return out;
}

/**
 * Where a policy's run violated the SLO, as the world records it:
 * web, steps whose arrivals exceed maxUtilization x ready x unitCapacity (the requests violationPct
 * counts, sim/score.ts); database, steps where the source or the replicas serve queries above
 * maxUtilization of their capacity (the formula of DatabaseWorld.endStep); queue, minutes whose oldest
 * message has waited longer than maxWaitSeconds at the minute's end (the world counts late messages
 * only in total, so this is the published ApproximateAgeOfOldestMessage); cache, minutes with
 * evictions (every eviction is a key lost before its TTL).
 */
export function violationBands(scenario: Scenario, world: AnyWorld): Band[] {
  const d = world.stepSeconds;
  const start = world.start / 1000;
  const end = start + world.steps * d;
  const cap = scenario.workload.unitCapacity;
  const m = scenario.slo.maxUtilization;
  const n = world.steps;
  if (world.kind === 'web' || world.kind === 'database') {
    const readShare = world.kind === 'database' ? (scenario.workload.database?.readShare ?? 1) : 1;
    const flags = new Array<boolean>(n);
    for (let t = 0; t < n; t++) {
      const l = world.arrivals[t] / d;
      const r = world.ready[t];
      if (world.kind === 'web') flags[t] = l - m * r * cap > 0;
      else {
        const reads = l * readShare;
        const source = r > 0 ? l - reads : l;
        flags[t] = source - m * cap > 0 || (r > 0 && reads - m * r * cap > 0);
      }
    }
    return flagBands(flags, start, d, end);
  }
  if (world.kind === 'cache')
    return flagBands(
      Array.from(world.evictions, (e) => e > 0),
      start,
      60,
      end,
    );
  const wait = scenario.slo.maxWaitSeconds;
  return flagBands(
    Array.from(world.queueAge, (age) => age > wait),
    start,
    60,
    end,
  );
}

/** What the shaded bands of a scenario's charts mark, and what they cannot. */
export function violationCaption(scenario: Scenario): string {
  const u = scenario.slo.maxUtilization;
  switch (scenario.workload.kind) {
    case 'web':
      return `Shaded: steps where arrivals exceeded ${u} x ready units x unit capacity, the requests violation % counts.`;
    case 'database':
      return `Shaded: steps where the source or the replicas served queries above ${u} of their capacity, the queries violation % counts.`;
    case 'queue':
      return (
        `Shaded: minutes at whose end the oldest message had waited longer than ${scenario.slo.maxWaitSeconds} s (the age of the oldest message as published). ` +
        'The run counts late messages only in total, so the bands show when messages were late, not how many.'
      );
    case 'cache':
      return 'Shaded: minutes in which keys were evicted before their TTL, the keys violation % counts.';
  }
}

/** One y range for every policy's chart of a scenario: 0 to a little above the highest value drawn. */
export function sharedYRange(series: readonly ArrayLike<number>[]): [number, number] {
  let max = 0;
  for (const s of series) for (let i = 0; i < s.length; i++) if (s[i] > max) max = s[i];
  return [0, Math.max(1, Math.ceil(max * 1.05))];
}

/** A note alarms only when it reports something that failed; a count of runbook executions is information. */
export function noteIsAlarm(note: string): boolean {
  const m = /(\d+)(?: of \d+ [\w ]+?)? failed/.exec(note);
  return m !== null && Number(m[1]) > 0;
}

/** The cursor sync key every chart of a report joins. */
export const SYNC_KEY = 'policies';

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
    return {
      name: r.name,
      ready: Array.from(r.world.ready),
      billed: Array.from(r.world.billed),
      actions: marks,
      bands: violationBands(s, r.world),
      notes: r.notes.map((text) => ({ text, alarm: noteIsAlarm(text) })),
    };
  });
  const yRange = sharedYRange([demand, ideal, ...charts.flatMap((c) => [c.ready, c.billed])]);
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
  const units = s.workload.kind === 'cache' ? 'GiB' : 'units';
  const from = new Date(run.trace.start).toISOString().slice(0, 16).replace('T', ' ');
  const to = new Date(run.trace.start + n * d * 1000).toISOString().slice(0, 16).replace('T', ' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(s.name)}: simulator report</title>
<style>${css}</style>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 1460px; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th[title] { text-decoration: underline dotted; cursor: help; }
.skipped, .note.alarm { color: #a33; }
.note { color: #555; margin: 0.2em 0; }
.caption { color: #555; font-size: 0.9em; }
.band-key { display: inline-block; width: 1.2em; height: 0.8em; background: rgba(214, 39, 40, 0.2); border: 1px solid rgba(214, 39, 40, 0.5); vertical-align: middle; }
dl.legend { display: grid; grid-template-columns: max-content 1fr; gap: 0.25em 1em; font-size: 0.9em; color: #333; }
dl.legend dt { font-weight: 600; }
dl.legend dd { margin: 0; }
h2 { margin: 1.2em 0 0.3em; }
</style>
</head>
<body>
<h1>${esc(s.name)}</h1>
<p>${esc(s.description ?? '')}</p>
<p>${n} steps of ${d} s from ${from} to ${to} UTC; ${s.workload.kind} workload, unit capacity ${s.workload.unitCapacity}/s, provisioning ${s.workload.provisioningSeconds} s;
${esc(unitText(s))} ${s.target.minUnits}-${s.target.maxUnits}; SLO ${esc(sloText(s))}.</p>
<table>
<tr><th>policy</th>${SCORE_COLUMNS.map(([h, title]) => `<th title="${esc(title)}">${esc(h)}</th>`).join('')}</tr>
${rows}
</table>
${skipped}
<dl class="legend" id="legend">
${legendItems(s)
  .map(([h, text]) => `<dt>${esc(h)}</dt><dd>${esc(text)}</dd>`)
  .join('\n')}
</dl>
<p class="caption"><span class="band-key"></span> ${esc(violationCaption(s))}
Periods too short to see are drawn 2 pixels wide; each chart's caption gives their minutes.
Every chart uses the same ${units} scale (0 to ${yRange[1]}) and follows one cursor; times are UTC.</p>
<div id="charts"></div>
<script>${js}</script>
<script>
const x = ${scriptJson(x)};
const demand = ${scriptJson(demand)};
const ideal = ${scriptJson(ideal)};
const charts = ${scriptJson(charts)};
const demandLabel = ${scriptJson(demandLabel)};
const unitsLabel = ${scriptJson(units)};
const yRange = ${scriptJson(yRange)};
const syncKey = ${scriptJson(SYNC_KEY)};
// Every time on the page is UTC, whatever the reader's time zone: uPlot places the ticks on UTC
// hours and days (tzDate), and these format them in 24-hour ISO form.
const utcDate = (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');
// utc:begin
const pad = (v) => String(v).padStart(2, '0');
const utcDay = (t) => t.getUTCFullYear() + '-' + pad(t.getUTCMonth() + 1) + '-' + pad(t.getUTCDate());
const utcClock = (t) => pad(t.getUTCHours()) + ':' + pad(t.getUTCMinutes());
const utcText = (ts) => utcDay(new Date(ts * 1e3)) + ' ' + utcClock(new Date(ts * 1e3)) + ' UTC';
// Axis ticks: the day under the first tick and under every midnight; days alone when ticks are a day or more apart.
const utcTicks = (u, splits, axis, space, incr) =>
  splits.map((ts, i) => {
    const t = new Date(ts * 1e3);
    if (incr >= 86400) return utcDay(t);
    return i === 0 || (t.getUTCHours() === 0 && t.getUTCMinutes() === 0) ? utcClock(t) + '\\n' + utcDay(t) : utcClock(t);
  });
// A violating period: its day and start, and its end (the day again only when it ends on another).
const periodText = ([from, to]) => {
  const a = new Date(from * 1e3);
  const b = new Date(to * 1e3);
  return utcDay(a) + ' ' + utcClock(a) + '-' + (utcDay(b) === utcDay(a) ? '' : utcDay(b) + ' ') + utcClock(b);
};
const bandsText = (bands) => {
  if (!bands.length) return 'SLO not violated.';
  const minutes = bands.reduce((sum, [from, to]) => sum + (to - from) / 60, 0);
  const shown = bands.slice(0, 3).map(periodText).join(', ');
  const more = bands.length > 3 ? ' and ' + (bands.length - 3) + ' more' : '';
  return 'SLO violated in ' + bands.length + ' period(s), ' + Math.round(minutes) + ' min in all: ' + shown + more + ' (UTC).';
};
// utc:end
// SLO-violating spans shaded behind the series.
const bandsPlugin = (bands) => ({
  hooks: {
    drawClear: [
      (u) => {
        const { left, top, width, height } = u.bbox;
        const ctx = u.ctx;
        ctx.save();
        ctx.fillStyle = 'rgba(214, 39, 40, 0.2)';
        // at least 2 CSS pixels wide, so that a short violation in a long trace still shows
        const least = 2 * (window.devicePixelRatio || 1);
        // widened bands may overlap their neighbours: each starts where the last one drawn ended, so
        // the shade stays one tone
        let drawnTo = -Infinity;
        for (const [from, to] of bands) {
          const start = u.valToPos(from, 'x', true);
          const x0 = Math.max(left, drawnTo, start);
          const x1 = Math.min(left + width, Math.max(u.valToPos(to, 'x', true), start + least));
          if (x1 > x0) ctx.fillRect(x0, top, x1 - x0, height);
          drawnTo = Math.max(drawnTo, x1);
        }
        ctx.restore();
      },
    ],
  },
});
const root = document.getElementById('charts');
const width = () => Math.max(600, Math.min(1400, window.innerWidth - 60));
const plots = [];
for (const c of charts) {
  const h = document.createElement('h2');
  h.textContent = c.name;
  root.appendChild(h);
  for (const n of c.notes) {
    const p = document.createElement('p');
    p.className = n.alarm ? 'note alarm' : 'note';
    p.textContent = n.text;
    root.appendChild(p);
  }
  const cap = document.createElement('p');
  cap.className = 'caption';
  cap.textContent = bandsText(c.bands);
  root.appendChild(cap);
  const div = document.createElement('div');
  root.appendChild(div);
  const opts = {
    width: width(),
    height: 320,
    tzDate: utcDate,
    cursor: { sync: { key: syncKey, setSeries: true } },
    scales: { x: { time: true }, y: { range: yRange } },
    // two-line ticks (time, then the day) need more room than uPlot's default above the label
    axes: [{ label: 'time (UTC)', values: utcTicks, size: 64 }, { label: unitsLabel }],
    plugins: [bandsPlugin(c.bands)],
    series: [
      { label: 'time (UTC)', value: (u, v) => (v == null ? '--' : utcText(v)) },
      { label: demandLabel, stroke: '#999', width: 1 },
      { label: 'ideal', stroke: '#7b7', width: 1, dash: [4, 4] },
      { label: 'ready', stroke: '#27c', width: 1.5 },
      { label: 'billed', stroke: '#e80', width: 1.5 },
      { label: 'actions', stroke: '#639', fill: '#639', width: 0, paths: () => null, points: { show: true, size: 5 }, value: (u, v) => (v == null ? '--' : v) },
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

/** The score table's columns and what each means (scenarios/README.md, the contract; sim/score.ts). */
const SCORE_COLUMNS: readonly (readonly [string, string])[] = [
  ['violation %', 'share of the load served outside the SLO'],
  ['cost ratio', 'billed units / ideal units'],
  ['unit-hours', 'billed units x hours'],
  ['actions', 'desired-count changes applied'],
  ['actions/h', 'actions per trace hour'],
  ['reversals', 'actions opposite to the previous one within 600 s of it'],
  ['peak units', 'the most units billed at once'],
];

/** The legend under the table: what each score means, for this scenario's kind of workload. */
export function legendItems(s: Scenario): [string, string][] {
  const violation = {
    web: `100 x requests above ${s.slo.maxUtilization} of the ready units' capacity / all requests.`,
    queue: `100 x messages that waited longer than ${s.slo.maxWaitSeconds} s (those still queued at the end with such age included) / all messages.`,
    database: `100 x queries above ${s.slo.maxUtilization} of an instance's capacity (the source's overflow plus the replicas') / all queries.`,
    cache: '100 x keys evicted before their TTL / keys written.',
  }[s.workload.kind];
  const ideal = {
    web: `the fewest units that serve its requests at ${s.target.targetUtilization}% utilization (within min and max)`,
    queue: 'the fewest workers that keep up with its arrivals (within min and max)',
    database: `the fewest replicas that serve its reads at ${s.target.targetUtilization}% utilization, none when the source alone does (within min and max)`,
    cache: `the GiB of the smallest shape that holds the keys within their TTL at ${s.target.targetUtilization}% of its memory`,
  }[s.workload.kind];
  return [
    ['violation %', `${violation} Lower is better; 0 means the SLO held throughout.`],
    [
      'cost ratio',
      `billed units summed over the steps / the ideal summed over the steps, the ideal of a step being ${ideal}. 1.0 is ideal; above 1 is over-provisioning; n/a when the ideal is zero throughout.`,
    ],
    ['unit-hours', 'billed units x hours: what the run pays for.'],
    ['actions', 'desired-count changes applied.'],
    ['actions/h', 'actions / hours of the trace: how busy the policy keeps the fleet.'],
    ['reversals', `actions opposite in direction to the previous one and within ${REVERSAL_WINDOW_SECONDS} s of it: flapping.`],
    ['peak units', 'the most units billed at any step.'],
  ];
}
