/**
 * The seasonal forecast in the simulator: the history it reads is the trace so far (never a minute the
 * world has not published yet), read at most once an hour, and its figures reach the audit.
 */
import { parseConfig } from '../../../lambdas/shared/config';
import type { ApiCall } from '../../../sim/cloud/recorder';
import { autoscalerConfig, runAutoscaler } from '../../../sim/policies/autoscaler';
import { T0, traceOf, webScenario } from '../helpers';

const MIN = 60_000;
const DAY = 1440;

const scenario = webScenario({
  workload: { unitCapacity: 40, provisioningSeconds: 180 },
  target: { minUnits: 2, maxUnits: 60, targetUtilization: 70 },
});
/** Three days of a daily sine between 200 and 1800 requests a minute: a shape each day repeats. */
const trace = traceOf(Array.from({ length: 3 * DAY }, (_, m) => Math.round(1000 + 800 * Math.sin((2 * Math.PI * m) / DAY))));

interface Answer {
  readonly call: ApiCall;
  readonly start: number;
  readonly timestamps: number[];
}

describe('the seasonal forecast in the simulator', () => {
  let answers: Answer[];
  let run: Awaited<ReturnType<typeof runAutoscaler>>;

  beforeAll(async () => {
    answers = [];
    // the scenario's target with the forecast on (it is off by default)
    const raw = JSON.parse(JSON.stringify(autoscalerConfig(scenario)));
    raw.targets[0].forecast = true;
    run = await runAutoscaler(scenario, trace, {
      config: parseConfig(raw, 'forecast on'),
      onAnswer: (call, output) => {
        const input = call.input as { StartTime: Date };
        const results = (output as { MetricDataResults: { Timestamps: Date[] }[] }).MetricDataResults;
        answers.push({ call, start: input.StartTime.getTime(), timestamps: results.flatMap((r) => r.Timestamps.map((t) => t.getTime())) });
      },
    });
  }, 120_000);

  test('no GetMetricData answer holds a minute that had not ended and been published when it was asked', () => {
    expect(run.failures).toEqual([]);
    expect(answers.length).toBeGreaterThan(0);
    for (const a of answers) {
      // CloudWatch publishes minute m at the start of minute m + 2 (sim/minutes.ts).
      for (const t of a.timestamps) expect(t + 2 * MIN).toBeLessThanOrEqual(a.call.at);
    }
  });

  test('the history is read at most once an hour, and it is the trace so far', () => {
    const reads = answers.filter((a) => a.call.at - a.start > 24 * 60 * MIN);
    expect(reads.length).toBeGreaterThan(24);
    for (let i = 1; i < reads.length; i++) expect(reads[i].call.at - reads[i - 1].call.at).toBeGreaterThanOrEqual(60 * MIN);
    for (const r of reads) {
      const published = Math.max(0, (r.call.at - T0) / MIN - 1);
      // every published minute of the trace from the read's start on, up to the newest one published
      expect(r.timestamps.length).toBe(Math.min(published, (r.call.at - r.start) / MIN - 1));
      if (published) expect(Math.max(...r.timestamps)).toBe(r.call.at - 2 * MIN);
    }
  });

  test('on the third day the forecast shows in the decisions that pre-scale, with its figures', async () => {
    const audit = await run.state.listAudit('web', T0 + 2 * DAY * MIN, T0 + 3 * DAY * MIN, 10_000);
    const forecast = audit.filter((e) => e.figures?.forecastPeak !== undefined);
    expect(forecast.length).toBeGreaterThan(0);
    expect(forecast.some((e) => /forecast .*\/s within/.test(e.reason))).toBe(true);
  });
});
