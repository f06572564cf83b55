import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig, type TargetConfig } from '../../lambdas/shared/config';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { MAX_REQUESTS_PER_TARGET } from '../../lambdas/shared/kinds/formats';
import { SIM_GROUP, SIM_QUEUE_URL } from '../../sim/policies/autoscaler';
import {
  candidateGrid,
  figuresOf,
  RECOMMEND_KINDS,
  RecommendError,
  type RecommendTarget,
  replayable,
  replayConfig,
  replayScenario,
  unitCapacityOf,
} from '../../sim/recommend';
import { readReplayTrace } from '../../sim/recommend-file';
import { parseScenario } from '../../sim/scenario';

const TARGETS = parseConfig({
  prefix: 'shop',
  targets: [
    {
      kind: 'asg',
      id: 'web',
      autoScalingGroupName: 'shop-web',
      minCapacity: 2,
      maxCapacity: 12,
      targetCpu: 50,
      warmupSeconds: 120,
      targetGroup: {
        loadBalancerFullName: 'app/shop-alb/50dc6c495c0c9188',
        targetGroupFullName: 'targetgroup/shop-web/73e2d6bc24d8a067',
        requestsPerTarget: 1200,
      },
    },
    {
      kind: 'ecs-service',
      id: 'api',
      cluster: 'shop',
      service: 'shop-api',
      targetCpu: 65,
      scaleInStabilizationSeconds: 600,
      customMetrics: [{ name: 'sessions', metric: { namespace: 'Shop', metricName: 'Sessions', stat: 'Average' }, targetPerUnit: 100, aggregation: 'perUnit' }],
    },
    {
      kind: 'queue-workers',
      id: 'workers',
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/shop-celery',
      deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/shop-celery-dlq',
      workers: { kind: 'asg', autoScalingGroupName: 'shop-workers', scaleInProtection: true },
      messagesPerSecondPerWorker: 2,
      maxWaitSeconds: 600,
      maxCapacity: 40,
      warmupSeconds: 45,
    },
    { kind: 'rds-replicas', id: 'db', sourceInstanceIdentifier: 'shop-db' },
  ],
}).targets;
const target = (id: string) => TARGETS.find((t) => t.id === id) as TargetConfig;
const web = () => replayable(target('web'));
const api = () => replayable(target('api'));
const workers = () => replayable(target('workers'));

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-recommend-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A CSV of `rows` rows `stepSeconds` apart from 2026-01-05, without the rows of `skip`. */
function csv(rows: number, stepSeconds = 60, skip: ReadonlySet<number> = new Set()): string {
  const file = path.join(dir, `t-${rows}-${stepSeconds}-${skip.size}.csv`);
  const lines = ['time,requests'];
  const t0 = Date.UTC(2026, 0, 5);
  for (let i = 0; i < rows; i++) {
    if (!skip.has(i)) lines.push(`${new Date(t0 + i * stepSeconds * 1000).toISOString()},${i % 7}`);
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('readReplayTrace', () => {
  test('a day of one-minute rows is judged, the step read off the rows and the arrivals scaled', () => {
    const r = readReplayTrace(csv(1440), 10);
    expect(r.problem).toBeUndefined();
    expect(r.stepSeconds).toBe(60);
    expect(r.trace.arrivals.length).toBe(1440);
    expect(Array.from(r.trace.arrivals.subarray(0, 3))).toEqual([0, 10, 20]);
    expect(readReplayTrace(csv(288, 300)).stepSeconds).toBe(300);
  });

  test('under a day is too short to judge, saying how long it is', () => {
    expect(readReplayTrace(csv(1439)).problem).toBe('the trace covers 23h59m, under one day: too short to judge');
    expect(readReplayTrace(csv(720)).problem).toBe('the trace covers 12h00m, under one day: too short to judge');
  });

  test('missing rows are gaps, counted and the first one named', () => {
    const skip = new Set([100, 101, 102, 900]);
    const r = readReplayTrace(csv(1500, 60, skip));
    expect(r.problem).toBe(
      'the trace has 2 gap(s) in its 60 s rows, about 0h04m missing in all (the first from 2026-01-05T01:39:00Z to 2026-01-05T01:43:00Z): ' +
        'a replay would judge load that was never measured; fill or cut the gaps',
    );
  });

  test('an unreadable file or a bad row is an error naming the file', () => {
    expect(() => readReplayTrace(path.join(dir, 'missing.csv'))).toThrow(/^--trace: cannot read .*missing\.csv \(ENOENT\)$/);
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'time,requests\n2026-01-05T00:00:00Z,12\n2026-01-05T00:01:00Z,lots\n');
    expect(() => readReplayTrace(bad)).toThrow(`--trace: ${bad}: line 3: column 2 is not a non-negative number: "2026-01-05T00:01:00Z,lots"`);
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, 'time,requests\n');
    expect(() => readReplayTrace(empty)).toThrow(/no data rows/);
  });
});

describe('the replayed target', () => {
  test('kinds other than asg, ecs-service and queue-workers are not supported, by name', () => {
    expect(() => replayable(target('db'))).toThrow(
      'recommend: not supported for kind rds-replicas (target "db"); it replays asg, ecs-service, queue-workers targets',
    );
  });

  test("a web unit's capacity follows from requestsPerTarget at the target CPU, or must be given", () => {
    // 1200 requests a minute at 50% CPU: 20/s at half load, 40/s at full.
    expect(unitCapacityOf(web() as Exclude<RecommendTarget, { kind: 'queue-workers' }>)).toBe(40);
    expect(unitCapacityOf(web() as Exclude<RecommendTarget, { kind: 'queue-workers' }>, 25)).toBe(25);
    expect(() => unitCapacityOf(api() as Exclude<RecommendTarget, { kind: 'queue-workers' }>)).toThrow(/pass --unit-capacity N/);
  });

  test("the scenario is the target's: warm-up, bounds, target CPU; for a queue its throughput and wait SLO", () => {
    const replay = readReplayTrace(csv(1440));
    const s = replayScenario(web(), replay);
    expect(s.workload).toMatchObject({ kind: 'web', unitCapacity: 40, provisioningSeconds: 120, initialUnits: 2 });
    expect(s.target).toEqual({ minUnits: 2, maxUnits: 12, targetUtilization: 50 });
    const q = replayScenario(workers(), replay);
    expect(q.workload).toMatchObject({ kind: 'queue', unitCapacity: 2, provisioningSeconds: 45, initialUnits: 0 });
    expect(q.slo.maxWaitSeconds).toBe(600);
    expect(q.target).toMatchObject({ minUnits: 0, maxUnits: 40 });
  });

  test('the grid: the current settings first, then one setting changed, then two; a queue never changes its wait SLO', () => {
    const g = candidateGrid(web());
    expect(g[0]).toEqual({ targetCpu: 50, scaleInStabilizationSeconds: 900 });
    expect(g).toHaveLength(8); // targetCpu 50, 80, 70, 60 x stabilization 900, 300
    expect(g.slice(1, 5)).toEqual([
      { targetCpu: 50, scaleInStabilizationSeconds: 300 },
      { targetCpu: 80, scaleInStabilizationSeconds: 900 },
      { targetCpu: 70, scaleInStabilizationSeconds: 900 },
      { targetCpu: 60, scaleInStabilizationSeconds: 900 },
    ]);
    expect(candidateGrid(api())).toHaveLength(15); // 65 is off the grid, and so is 600 s
    const q = candidateGrid(workers());
    expect(q[0]).toEqual({ scaleInStabilizationSeconds: 60, idleSeconds: 300 });
    expect(q).toHaveLength(9);
    expect(q.every((s) => !('maxWaitSeconds' in s))).toBe(true);
  });

  test("a replay's config: the target's own settings on the simulated resources, the candidate's in place", () => {
    const w = replayConfig(web(), { targetCpu: 60, scaleInStabilizationSeconds: 300 }).targets[0];
    expect(w).toMatchObject({ kind: 'asg', id: 'web', autoScalingGroupName: SIM_GROUP, targetCpu: 60, scaleInStabilizationSeconds: 300, warmupSeconds: 120 });
    // requestsPerTarget is what one unit serves at the target CPU: it moves with it.
    expect(w).toMatchObject({ targetGroup: { requestsPerTarget: 1440 } });
    const a = replayConfig(api(), { targetCpu: 65, scaleInStabilizationSeconds: 600 }).targets[0];
    expect(a).toMatchObject({ kind: 'asg', autoScalingGroupName: SIM_GROUP, targetCpu: 65, scaleInStabilizationSeconds: 600 });
    expect(a).not.toHaveProperty('customMetrics');
    const q = replayConfig(workers(), { scaleInStabilizationSeconds: 60, idleSeconds: 900 }).targets[0];
    expect(q).toMatchObject({ kind: 'queue-workers', queueUrl: SIM_QUEUE_URL, maxWaitSeconds: 600, scaleInStabilizationSeconds: 60, idleSeconds: 900 });
    expect(q).not.toHaveProperty('deadLetterQueueUrl');
  });

  test('figures per day and per month of 730 hours', () => {
    const f = figuresOf({ violationPct: 1, costRatio: 1.2, unitHours: 96, actions: 48, actionsPerHour: 1, reversals: 6, peakUnits: 9 }, 48);
    expect(f).toEqual({ violationPct: 1, costRatio: 1.2, actionsPerHour: 1, reversalsPerDay: 3, unitHoursPerMonth: 1460 });
  });
});

/**
 * The replay builds its config and scenario without the schemas (zod stays out of the recommender's
 * bundle): what it builds must be what the schemas would have returned.
 */
describe('the replay without the schemas', () => {
  const example = loadConfigFile(path.join(__dirname, '..', '..', 'autoscaler.config.yaml')).targets;
  const replayed = [...TARGETS, ...example]
    .filter((t) => (RECOMMEND_KINDS as readonly string[]).includes(t.kind) && !('policy' in t && t.policy === 'step'))
    .map((t) => replayable(t));

  test('every candidate config of every replayable target is one the config schema returns unchanged: valid, every default filled', () => {
    expect(replayed.map((t) => t.kind)).toEqual(expect.arrayContaining(['asg', 'ecs-service', 'queue-workers']));
    for (const t of replayed) {
      for (const settings of candidateGrid(t)) {
        const config = replayConfig(t, settings);
        expect(parseConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
      }
    }
  });

  test('a candidate target CPU that moves requestsPerTarget past its limit is refused, as the schema refuses it', () => {
    const tg = { loadBalancerFullName: 'app/busy/50dc6c495c0c9188', targetGroupFullName: 'targetgroup/busy/73e2d6bc24d8a067' };
    const busy = (requestsPerTarget: number) => ({
      kind: 'asg',
      id: 'busy',
      autoScalingGroupName: 'busy',
      targetCpu: 50,
      targetGroup: { ...tg, requestsPerTarget },
    });
    const near = replayable(parseConfig({ targets: [busy(700_000)] }).targets[0]);
    expect(replayConfig(near, { targetCpu: 70, scaleInStabilizationSeconds: 900 }).targets[0]).toMatchObject({ targetGroup: { requestsPerTarget: 980_000 } });
    expect(() => replayConfig(near, { targetCpu: 80, scaleInStabilizationSeconds: 900 })).toThrow(RecommendError);
    expect(() => parseConfig({ targets: [busy(MAX_REQUESTS_PER_TARGET)] })).not.toThrow();
    expect(() => parseConfig({ targets: [busy(MAX_REQUESTS_PER_TARGET + 1)] })).toThrow(/requestsPerTarget/);
  });

  test("the replay's scenario is the one the scenario schema returns for the same fields", () => {
    const replay = readReplayTrace(csv(1440));
    const trace = { file: replay.file, stepSeconds: replay.stepSeconds };
    for (const t of replayed) {
      const source = `the replay of target "${t.id}"`;
      const expected =
        t.kind === 'queue-workers'
          ? parseScenario(
              {
                name: t.id,
                trace,
                workload: { kind: 'queue', unitCapacity: t.messagesPerSecondPerWorker, provisioningSeconds: t.warmupSeconds },
                slo: { maxWaitSeconds: t.maxWaitSeconds },
                target: { minUnits: t.minCapacity, maxUnits: t.maxCapacity },
              },
              source,
              '.',
            )
          : parseScenario(
              {
                name: t.id,
                trace,
                workload: { kind: 'web', unitCapacity: unitCapacityOf(t, 30), provisioningSeconds: t.warmupSeconds },
                target: { minUnits: t.minCapacity, maxUnits: t.maxCapacity, targetUtilization: t.targetCpu },
              },
              source,
              '.',
            );
      expect(replayScenario(t, replay, t.kind === 'queue-workers' ? undefined : 30)).toEqual(expected);
    }
  });
});
