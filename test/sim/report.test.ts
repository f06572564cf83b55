import { CacheWorld } from '../../sim/data/cache-world';
import { DatabaseWorld } from '../../sim/data/database-world';
import { flagBands, legendItems, noteIsAlarm, renderReport, SYNC_KEY, sharedYRange, violationBands } from '../../sim/report';
import { runBaseline, type ScenarioRun, scoreWorld } from '../../sim/runner';
import { parseScenario, type Scenario } from '../../sim/scenario';
import { World } from '../../sim/world';
import { queueScenario, T0, traceOf, webScenario } from './helpers';

const S0 = T0 / 1000;

/** Runs a world over its trace with no decisions. */
function idle<W extends { endStep(): void; steps: number }>(w: W): W {
  for (let t = 0; t < w.steps; t++) w.endStep();
  return w;
}

function dataScenario(workload: object, target: object): Scenario {
  return parseScenario({ name: 'test-data', trace: { file: 'x.csv' }, workload, target }, 'test', '/tmp');
}

describe('flagBands', () => {
  test('joins consecutive flagged slots; a band at the trace start starts there, one at the end ends there', () => {
    expect(flagBands([true, true, false, false, true], 1000, 60, 1300)).toEqual([
      [1000, 1120],
      [1240, 1300],
    ]);
    expect(flagBands([true, true, true], 1000, 60, 1180)).toEqual([[1000, 1180]]);
    expect(flagBands([false, false], 1000, 60, 1120)).toEqual([]);
    expect(flagBands([], 1000, 60, 1000)).toEqual([]);
  });

  test('a slot running past the trace end (a minute of 30 s steps) is clipped to the end', () => {
    expect(flagBands([false, true], 1000, 60, 1090)).toEqual([[1060, 1090]]);
  });
});

describe('violationBands, from what each world records', () => {
  test('web: steps whose arrivals exceed maxUtilization x ready x unitCapacity, first and last steps included', () => {
    // one unit of 10/s at 0.9: 540 requests a step fit, 541 do not
    const s = webScenario({ workload: { initialUnits: 1 }, target: { minUnits: 1 } });
    const w = idle(new World(s, traceOf([600, 540, 300, 541])));
    expect(violationBands(s, w)).toEqual([
      [S0, S0 + 60],
      [S0 + 180, S0 + 240],
    ]);
    // the bands cover exactly the steps the score counts
    expect(scoreWorld(s, w).violationPct).toBeGreaterThan(0);
    expect(violationBands(s, idle(new World(s, traceOf([540, 540]))))).toEqual([]);
  });

  test('queue: minutes whose oldest message has waited longer than maxWaitSeconds, up to the trace end', () => {
    // no workers: the first message waits on; its age passes 300 s at the end of minute 5
    const s = queueScenario({ workload: { initialUnits: 0 } });
    const w = idle(new World(s, traceOf([5, 5, 5, 5, 5, 5, 5, 5])));
    expect(w.violatedMessages).toBeGreaterThan(0);
    expect(violationBands(s, w)).toEqual([[S0 + 300, S0 + 480]]);
  });

  test('database: steps where the source (no replica ready) serves above maxUtilization of its capacity', () => {
    const s = dataScenario({ kind: 'database', unitCapacity: 10, provisioningSeconds: 120 }, { maxUnits: 5 });
    const w = idle(new DatabaseWorld(s, traceOf([600, 300, 300, 600])));
    expect(w.violated).toBeGreaterThan(0);
    expect(violationBands(s, w)).toEqual([
      [S0, S0 + 60],
      [S0 + 180, S0 + 240],
    ]);
  });

  test('cache: minutes in which keys were evicted before their TTL', () => {
    // a cache.t3.micro shard holds 1024 keys of 384 KiB: 1100 at once evict 76
    const s = dataScenario(
      { kind: 'cache', unitCapacity: 100, provisioningSeconds: 120, itemBytes: 393216, ttlSeconds: 180, nodeType: 'cache.t3.micro' },
      { minUnits: 1, maxUnits: 4, targetUtilization: 50, nodeTypeLadder: ['cache.t3.micro', 'cache.t3.medium'] },
    );
    const w = idle(new CacheWorld(s, traceOf([1100, 0, 0, 0])));
    expect(w.violated).toBeCloseTo(76, 6);
    expect(violationBands(s, w)).toEqual([[S0, S0 + 60]]);
  });
});

describe('noteIsAlarm', () => {
  test('a count of runbook executions is information; failures alarm', () => {
    expect(noteIsAlarm('12 runbook execution(s), 0 failed')).toBe(false);
    expect(noteIsAlarm('12 runbook execution(s), 2 failed; first: x: boom')).toBe(true);
    expect(noteIsAlarm('3 of 1440 handler invocations failed; first: ThrottlingException')).toBe(true);
  });
});

describe('renderReport', () => {
  // two baselines on a small web trace with a burst neither meets at once
  const s = webScenario({ workload: { initialUnits: 1, provisioningSeconds: 120 }, target: { minUnits: 1, maxUnits: 12 } });
  const arrivals = [...Array(30).fill(300), ...Array(30).fill(3000), ...Array(30).fill(300)];
  const trace = traceOf(arrivals);
  const runs = (['seed-step', 'target-tracking'] as const).map((name, i) => {
    const world = runBaseline(s, trace, name);
    return {
      name,
      world,
      score: scoreWorld(s, world),
      notes: i === 0 ? ['4 runbook execution(s), 0 failed'] : ['1 of 90 handler invocations failed; first: x'],
    };
  });
  const run: ScenarioRun = { scenario: s, trace, runs, skipped: {}, seconds: 0 };
  const html = renderReport(run);
  const constant = (name: string) => JSON.parse(new RegExp(`^const ${name} = (.*);$`, 'm').exec(html)![1]);
  const charts = constant('charts') as { name: string; bands: number[][]; notes: { text: string; alarm: boolean }[] }[];

  test('every chart marks its own SLO-violating periods, as violationBands computes them', () => {
    expect(charts.map((c) => c.bands)).toEqual(runs.map((r) => violationBands(s, r.world)));
    expect(charts.every((c) => c.bands.length > 0)).toBe(true);
    expect(html).toContain('plugins: [bandsPlugin(c.bands)]');
    expect(html).toContain('Shaded: steps where arrivals exceeded 0.9 x ready units x unit capacity');
  });

  test('one y range over every policy, passed to every chart; one cursor sync key', () => {
    const yRange = constant('yRange') as number[];
    expect(yRange).toEqual(sharedYRange([...runs.flatMap((r) => [r.world.ready, r.world.billed])]));
    expect(yRange[0]).toBe(0);
    for (const r of runs) expect(yRange[1]).toBeGreaterThanOrEqual(Math.max(...r.world.billed));
    expect(html.match(/new uPlot\(/g)).toHaveLength(1); // one constructor, in the loop over the charts
    expect(html).toContain('scales: { x: { time: true }, y: { range: yRange } }');
    expect(constant('syncKey')).toBe(SYNC_KEY);
    expect(html).toContain('cursor: { sync: { key: syncKey');
  });

  test('times are UTC: the axis ticks, the axis label, the legend value and the captions, whatever the zone', () => {
    expect(html).toContain("const utcDate = (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');");
    expect(html).toContain('tzDate: utcDate');
    expect(html).toContain("axes: [{ label: 'time (UTC)', values: utcTicks");
    expect(html).toContain("{ label: 'time (UTC)', value: (u, v) => (v == null ? '--' : utcText(v)) }");
    expect(html).toContain('cap.textContent = bandsText(c.bands);');
    expect(html).toContain('from 2026-01-05 00:00 to 2026-01-05 01:30 UTC');
    // the page's own formatters, given a Date whose local-time getters throw: they never read the local zone
    const block = /\/\/ utc:begin\n([\s\S]*?)\/\/ utc:end/.exec(html)![1];
    class UtcOnlyDate extends Date {}
    for (const getter of ['getFullYear', 'getMonth', 'getDate', 'getDay', 'getHours', 'getMinutes', 'toString', 'toLocaleString'] as const)
      Object.defineProperty(UtcOnlyDate.prototype, getter, {
        value: () => {
          throw new Error(`local time read: ${getter}`);
        },
      });
    const f = new Function('Date', `${block}; return { utcText, utcTicks, bandsText };`)(UtcOnlyDate);
    expect(f.utcText(S0 + 13.5 * 3600)).toBe('2026-01-05 13:30 UTC');
    expect(f.utcTicks(null, [S0 + 22 * 3600, S0 + 24 * 3600, S0 + 26 * 3600], 0, 50, 7200)).toEqual(['22:00\n2026-01-05', '00:00\n2026-01-06', '02:00']);
    expect(f.utcTicks(null, [S0, S0 + 86400], 0, 50, 86400)).toEqual(['2026-01-05', '2026-01-06']);
    expect(f.bandsText([])).toBe('SLO not violated.');
    expect(
      f.bandsText([
        [S0, S0 + 420],
        [S0 + 86400 - 60, S0 + 86400 + 60],
      ]),
    ).toBe('SLO violated in 2 period(s), 9 min in all: 2026-01-05 00:00-00:07, 2026-01-05 23:59-2026-01-06 00:01 (UTC).');
  });

  test('the inline script parses (a broken one leaves the page without charts)', () => {
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(2);
    expect(() => new Function(scripts[1])).not.toThrow();
  });

  test('the legend says what each score means, from the contract', () => {
    const legend = /<dl class="legend" id="legend">([\s\S]*?)<\/dl>/.exec(html)![1];
    for (const [h] of legendItems(s)) expect(legend).toContain(`<dt>${h}</dt>`);
    expect(legend).toContain("<dt>violation %</dt><dd>100 x requests above 0.9 of the ready units' capacity / all requests.");
    expect(legend).toContain(
      '<dt>cost ratio</dt><dd>billed units summed over the steps / the ideal summed over the steps, the ideal of a step being the fewest units that serve its requests at 70% utilization',
    );
    expect(legend).toMatch(/<dt>actions\/h<\/dt><dd>actions \/ hours of the trace/);
    expect(legend).toMatch(/<dt>reversals<\/dt><dd>actions opposite in direction to the previous one and within 600 s/);
    expect(legend).toMatch(/<dt>peak units<\/dt><dd>the most units billed/);
    expect(legendItems(queueScenario())[0][1]).toMatch(/messages that waited longer than 300 s/);
    expect(legendItems(queueScenario())[1][1]).toMatch(/the fewest workers that keep up with its arrivals/);
  });

  test('runbook counts print in the neutral note style; failures in alarm red', () => {
    expect(charts.map((c) => c.notes.map((n) => n.alarm))).toEqual([[false], [true]]);
    expect(html).toContain("p.className = n.alarm ? 'note alarm' : 'note';");
    expect(html).toMatch(/^\.note \{ color: #555;/m);
    expect(html).toMatch(/^\.skipped, \.note\.alarm \{ color: #a33; \}$/m);
  });
});
