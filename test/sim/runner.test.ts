import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport } from '../../sim/report';
import { policiesOf, runScenario, scoreJson } from '../../sim/runner';
import { loadScenario, withTrackingUtilization } from '../../sim/scenario';
import { renderTable } from '../../sim/table';

const dir = mkdtempSync(join(tmpdir(), 'runner-'));
const rows = ['time,requests'];
for (let i = 0; i < 120; i++) rows.push(`${new Date(Date.UTC(2026, 0, 5, 0, i)).toISOString().replace('.000', '')},${i < 60 ? 1200 : 4800}`);
writeFileSync(join(dir, 'web.csv'), rows.join('\n'));
writeFileSync(
  join(dir, 'web.yaml'),
  'name: small-web\ntrace: { file: web.csv }\nworkload: { kind: web, unitCapacity: 40, provisioningSeconds: 120 }\ntarget: { minUnits: 2, maxUnits: 10 }\n',
);
writeFileSync(
  join(dir, 'queue.yaml'),
  'name: small-queue\ntrace: { file: web.csv, rows: 30 }\nworkload: { kind: queue, unitCapacity: 10 }\ntarget: { maxUnits: 10 }\n',
);

const FIELDS = ['violationPct', 'costRatio', 'unitHours', 'actions', 'actionsPerHour', 'reversals', 'peakUnits'];

describe('runScenario', () => {
  test('runs the autoscaler and every baseline; score.json has every field of every policy', async () => {
    const run = await runScenario(loadScenario(join(dir, 'web.yaml')));
    const json = scoreJson(run) as { scenario: string; steps: number; policies: Record<string, Record<string, unknown>> };
    expect(json.scenario).toBe('small-web');
    expect(json.steps).toBe(120);
    expect(Object.keys(json.policies)).toEqual(['autoscaler', 'seed-step', 'target-tracking']);
    for (const p of Object.values(json.policies)) expect(Object.keys(p).sort()).toEqual([...FIELDS].sort());
    expect(renderTable(run)).toMatch(/autoscaler\s+\d/);
    const html = renderReport(run);
    expect(html).toContain('new uPlot(');
    expect(html).toContain('.uplot');
    expect(html).not.toMatch(/<script src=/);
  });

  test('a queue scenario runs the autoscaler (queue-workers) and both queue baselines', async () => {
    const run = await runScenario(loadScenario(join(dir, 'queue.yaml')));
    expect(run.runs.map((r) => r.name)).toEqual(['autoscaler', 'seed-step', 'keda']);
    expect(run.runs[0].notes).toEqual([]);
    const json = scoreJson(run) as { policies: Record<string, Record<string, unknown>>; skipped?: unknown };
    expect(json.skipped).toBeUndefined();
    for (const p of Object.values(json.policies)) expect(Object.keys(p).sort()).toEqual([...FIELDS].sort());
    expect(renderTable(run)).toMatch(/autoscaler\s+\d/);
  });

  test('--policies filters, and names what the scenario does not have', () => {
    const s = loadScenario(join(dir, 'web.yaml'));
    expect(policiesOf(s, ['target-tracking'])).toEqual(['target-tracking']);
    expect(() => policiesOf(s, ['keda'])).toThrow(/--policies: keda not in this scenario/);
  });

  test('autoscaler-step runs only when asked for, by --policies or by compare, beside the autoscaler', async () => {
    const s = loadScenario(join(dir, 'web.yaml'));
    expect(policiesOf(s)).toEqual(['autoscaler', 'seed-step', 'target-tracking']);
    expect(policiesOf(s, ['seed-step', 'autoscaler-step', 'autoscaler'])).toEqual(['autoscaler', 'autoscaler-step', 'seed-step']);
    const run = await runScenario(s, { policies: ['autoscaler-step', 'seed-step'] });
    expect(run.runs.map((r) => [r.name, r.notes])).toEqual([
      ['autoscaler-step', []],
      ['seed-step', []],
    ]);
    expect(Object.keys((scoreJson(run) as { policies: object }).policies)).toEqual(['autoscaler-step', 'seed-step']);
    // The seed's rule: one unit at a time, at least 300 s apart.
    const actions = (run.runs[0].world as { actions: { step: number; from: number; to: number }[] }).actions;
    expect(actions.length).toBeGreaterThan(0);
    actions.forEach((a, i) => {
      expect(Math.abs(a.to - a.from)).toBe(1);
      if (i > 0) expect(a.step - actions[i - 1].step).toBeGreaterThanOrEqual(5);
    });
    writeFileSync(join(dir, 'compare.yaml'), `${readFileSync(join(dir, 'web.yaml'), 'utf8')}compare: [autoscaler-step, seed-step]\n`);
    expect(policiesOf(loadScenario(join(dir, 'compare.yaml')))).toEqual(['autoscaler', 'autoscaler-step', 'seed-step']);
  });
});

describe('anchors and tracking targets', () => {
  test('predictive runs only when named, after the baselines; --policies may name it', async () => {
    const s = loadScenario(join(dir, 'web.yaml'));
    expect(policiesOf(s)).not.toContain('predictive');
    expect(policiesOf(s, ['predictive', 'target-tracking'])).toEqual(['target-tracking', 'predictive']);
    expect(() => policiesOf(loadScenario(join(dir, 'queue.yaml')), ['predictive'])).toThrow(/--policies: predictive not in this scenario/);
    // two hours is under the forecast's first day: predictive is target tracking
    const run = await runScenario(s, { policies: ['target-tracking', 'predictive'] });
    expect(run.runs[1].score).toEqual(run.runs[0].score);
  });

  test('--target-utilization moves target tracking, not the ideal of the cost ratio nor the autoscaler', async () => {
    const s = loadScenario(join(dir, 'web.yaml'));
    const at70 = await runScenario(s, { policies: ['autoscaler', 'target-tracking'] });
    const at30 = await runScenario(withTrackingUtilization(s, 30), { policies: ['autoscaler', 'target-tracking'] });
    expect(at30.runs[0].score).toEqual(at70.runs[0].score);
    const [tt70, tt30] = [at70.runs[1].score, at30.runs[1].score];
    expect(tt30.unitHours).toBeGreaterThan(tt70.unitHours);
    // the same ideal: cost ratio per unit-hour unchanged
    expect(tt30.costRatio! / tt30.unitHours).toBeCloseTo(tt70.costRatio! / tt70.unitHours, 12);
    expect(renderTable(at30)).toMatch(/baselines tracking 30% \(ideal and autoscaler at 70%\)/);
  });
});
