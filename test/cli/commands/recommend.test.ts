/**
 * `recommend TARGET --trace FILE.csv` end to end: the program in-process on generated one-day traces
 * and a config file, every replay through the real handlers; no AWS call (every client refuses).
 * `recommend TARGET --days N` reads the same rows from CloudWatch, which has no local implementation:
 * GetMetricData is answered by aws-sdk-client-mock.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { render } from '../../../cli/commands/recommend';
import { type CliDeps, runCli } from '../../../cli/program';
import { generateTrace, traceCsv } from '../../../sim/generate';
import type { Recommendation, Replay } from '../../../sim/recommend';
import { type Figures, rounded } from '../../../sim/recommend-choice';

const FIGURES: readonly [keyof Figures, number][] = [
  ['violationPct', 2],
  ['costRatio', 3],
  ['actionsPerHour', 2],
  ['reversalsPerDay', 1],
  ['unitHoursPerMonth', 0],
];

const CONFIG = `
prefix: shop
targets:
  - kind: asg
    id: web
    autoScalingGroupName: shop-web
    minCapacity: 2
    maxCapacity: 40
    targetGroup:
      loadBalancerFullName: app/shop-alb/50dc6c495c0c9188
      targetGroupFullName: targetgroup/shop-web/73e2d6bc24d8a067
      requestsPerTarget: 4200
  - kind: ecs-service
    id: api
    cluster: shop
    service: shop-api
    minCapacity: 2
    maxCapacity: 40
    targetCpu: 50
    scaleInStabilizationSeconds: 300
  - kind: queue-workers
    id: workers
    queueUrl: https://sqs.eu-west-1.amazonaws.com/123456789012/shop-celery
    workers: { kind: ecs-service, cluster: shop, service: shop-workers }
    messagesPerSecondPerWorker: 2
    maxCapacity: 60
  - kind: rds-replicas
    id: db
    sourceInstanceIdentifier: shop-db
`;

let dir: string;
let config: string;
let webTrace: string;
let queueTrace: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-recommend-cli-'));
  config = path.join(dir, 'autoscaler.config.yaml');
  fs.writeFileSync(config, CONFIG);
  webTrace = path.join(dir, 'web.csv');
  fs.writeFileSync(webTrace, traceCsv(generateTrace({ shape: 'diurnal', seed: 3, days: 1 })));
  queueTrace = path.join(dir, 'queue.csv');
  fs.writeFileSync(queueTrace, traceCsv(generateTrace({ shape: 'batches', seed: 3, days: 1 })));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The program's dependencies with AWS clients that refuse every call: recommend is offline. */
function offlineDeps(out: string[], err: string[]): CliDeps {
  const refuse = { send: async () => Promise.reject(new Error('recommend made an AWS call')) };
  return {
    cloudFormation: refuse,
    cloudWatch: refuse,
    autoScaling: refuse,
    ecs: refuse,
    sqs: refuse,
    rds: refuse,
    elastiCache: refuse,
    cloudFront: refuse,
    sfn: refuse,
    sts: refuse,
    sns: refuse,
    region: async () => Promise.reject(new Error('recommend asked for a region')),
    store: () => {
      throw new Error('recommend opened the state store');
    },
    now: () => Date.UTC(2026, 0, 5),
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  };
}

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliWith({}, ...argv);
}

async function cliWith(more: Partial<CliDeps>, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...argv, '--config', config], { ...offlineDeps(out, err), ...more });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** A CSV of the web trace's first `rows` rows, without the rows of `skip`. */
function cut(rows: number, skip: ReadonlySet<number> = new Set()): string {
  const lines = fs.readFileSync(webTrace, 'utf8').split('\n');
  const file = path.join(dir, `cut-${rows}-${skip.size}.csv`);
  fs.writeFileSync(file, `${[lines[0], ...lines.slice(1, rows + 1).filter((_, i) => !skip.has(i))].join('\n')}\n`);
  return file;
}

describe('recommend --trace', () => {
  test('a wasteful target CPU: a change no worse in violation, cost and reversals, with both settings figures (json)', async () => {
    const { code, stdout } = await cli('recommend', 'api', '--trace', webTrace, '--unit-capacity', '100', '-o', 'json');
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as Recommendation;
    expect(r).toMatchObject({ target: { id: 'api', kind: 'ecs-service' }, trace: { steps: 1440, stepSeconds: 60, hours: 24 }, unitCapacity: 100 });
    expect(r.candidates[0].settings).toEqual({ targetCpu: 50, scaleInStabilizationSeconds: 300 });
    expect(r.current).toEqual(r.candidates[0]);
    // The candidates' settings reach the engine: their replays differ.
    expect(new Set(r.candidates.map((c) => c.figures.unitHoursPerMonth)).size).toBeGreaterThan(1);
    expect(r.verdict).toBe('change');
    const now = r.current!.figures;
    const next = r.recommended!.figures;
    expect(r.recommended!.settings).not.toEqual(r.current!.settings);
    expect(rounded(next, 'violationPct')).toBeLessThanOrEqual(rounded(now, 'violationPct'));
    expect(rounded(next, 'costRatio')).toBeLessThan(rounded(now, 'costRatio'));
    expect(rounded(next, 'reversalsPerDay')).toBeLessThanOrEqual(rounded(now, 'reversalsPerDay'));

    // The same recommendation as a table: what changes, then both settings' figures as compared.
    const lines = render(r, 'table').split('\n');
    expect(lines[0]).toMatch(
      /^api \(ecs-service\): 1d00h of 60 s steps from .*web\.csv, 100 requests\/s per unit at 100% CPU; 8 settings replayed in [\d.]+ s$/,
    );
    expect(lines[1]).toMatch(/^recommended: (targetCpu 50 -> \d+|scaleInStabilizationSeconds 300 -> \d+)(, scaleInStabilizationSeconds 300 -> \d+)? \(no more/);
    expect(lines[3].split(/\s{2,}/)).toEqual([
      'SETTINGS',
      'targetCpu',
      'scaleInStabilizationSeconds',
      'VIOLATION %',
      'COST RATIO',
      'ACTIONS/H',
      'REVERSALS/DAY',
      'UNIT-HOURS/MONTH',
    ]);
    const row = (x: Replay) => [x.settings.targetCpu, x.settings.scaleInStabilizationSeconds, ...FIGURES.map(([k, d]) => x.figures[k]!.toFixed(d))].join(' ');
    expect(lines[4].split(/\s+/).join(' ')).toBe(`current ${row(r.current!)}`);
    expect(lines[5].split(/\s+/).join(' ')).toBe(`recommended ${row(r.recommended!)}`);
    expect(lines[6]).toBe('note: memory is not in the trace: targetMemory is not replayed');
  });

  test('queue workers: the wait SLO stays, stabilization and idle time are tried (text)', async () => {
    const { code, stdout } = await cli('recommend', 'workers', '--trace', queueTrace, '-o', 'text');
    expect(code).toBe(0);
    const rows = stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^current\t60\t300\t\d+\.\d\d\t\d+\.\d{3}\t\d+\.\d\d\t\d+\.\d\t\d+$/);
    expect(rows.length === 1 || /^recommended\t\d+\t\d+\t/.test(rows[1])).toBe(true);
  });
});

describe('recommend: what cannot be judged says so instead of a number', () => {
  test('a trace under a day', async () => {
    const { code, stdout } = await cli('recommend', 'web', '--trace', cut(1200), '-o', 'json');
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as Recommendation;
    expect(r).toMatchObject({ verdict: 'cannot-judge', reason: 'the trace covers 20h00m, under one day: too short to judge', candidates: [] });
    expect(r).not.toHaveProperty('current');
  });

  test('a trace with gaps', async () => {
    const file = cut(1440, new Set([600, 601, 602]));
    const { code, stdout } = await cli('recommend', 'web', '--trace', file);
    expect(code).toBe(0);
    expect(stdout).toBe(
      `web (asg): cannot judge ${file}: the trace has 1 gap(s) in its 60 s rows, about 0h03m missing in all ` +
        '(the first from 2026-01-05T09:59:00Z to 2026-01-05T10:03:00Z): a replay would judge load that was never measured; fill or cut the gaps\n',
    );
  });
});

describe('recommend: bad input is one line naming the problem', () => {
  const oneLine = async (...argv: string[]) => {
    const { code, stdout, stderr } = await cli(...argv);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toHaveLength(2); // one line and its newline
    return stderr;
  };

  test('an unknown target id', async () => {
    expect(await oneLine('recommend', 'shop', '--trace', webTrace)).toBe(`autoscaler: no target "shop" in ${config} (targets: web, api, workers, db)\n`);
  });

  test('a kind it does not replay', async () => {
    expect(await oneLine('recommend', 'db', '--trace', webTrace)).toBe(
      'autoscaler: recommend: not supported for kind rds-replicas (target "db"); it replays asg, ecs-service, queue-workers targets\n',
    );
  });

  test('a web target without what one unit serves', async () => {
    expect(await oneLine('recommend', 'api', '--trace', webTrace)).toMatch(
      /^autoscaler: recommend: what one unit of target "api" serves is unknown: pass --unit-capacity N/,
    );
    expect(await oneLine('recommend', 'api', '--trace', webTrace, '--unit-capacity', 'fast')).toBe(
      'autoscaler: --unit-capacity: "fast" is not a positive number\n',
    );
  });

  test('a CSV that cannot be read, or a row that is not a time and a count', async () => {
    const missing = path.join(dir, 'missing.csv');
    expect(await oneLine('recommend', 'web', '--trace', missing)).toBe(`autoscaler: --trace: cannot read ${missing} (ENOENT)\n`);
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'time,requests\n2026-01-05T00:00:00Z,12\n5 January,40\n');
    expect(await oneLine('recommend', 'web', '--trace', bad)).toBe(
      `autoscaler: --trace: ${bad}: line 3: column 1 is not an ISO-8601 UTC time: "5 January,40"\n`,
    );
  });
});

describe("recommend --days: the target's own history in CloudWatch", () => {
  const cw = mockClient(CloudWatchClient);
  const MIN = 60_000;
  const START = Date.UTC(2026, 0, 5);
  // one day, the shortest trace the replay judges: each replay of nine settings is a day of minutes
  const END = START + 86_400_000;
  let oneDay: string;
  let rows: [number, number][];

  beforeAll(() => {
    oneDay = path.join(dir, 'one-day.csv');
    fs.writeFileSync(oneDay, traceCsv(generateTrace({ shape: 'diurnal', seed: 5, days: 1 })));
    rows = fs
      .readFileSync(oneDay, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .map(([t, v]) => [Date.parse(t), Number(v)]);
  });

  beforeEach(() => cw.reset());

  /** CloudWatch holding `requests` (the ALB's RequestCount, epoch ms -> Sum) and healthy hosts every minute of `hosts`; one page. */
  function holds(requests: ReadonlyMap<number, number>, hosts: (at: number) => boolean = () => true): void {
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      const start = (input.StartTime as Date).getTime();
      const end = (input.EndTime as Date).getTime();
      const results = (input.MetricDataQueries ?? []).map((q) => {
        const points: [number, number][] = [];
        for (let at = start; at < end; at += MIN) {
          if (q.MetricStat?.Metric?.MetricName === 'RequestCount' && requests.has(at)) points.push([at, requests.get(at) as number]);
          if (q.MetricStat?.Metric?.MetricName === 'HealthyHostCount' && hosts(at) && at >= START && at < END) points.push([at, 3]);
        }
        return { Id: q.Id, Timestamps: points.map(([at]) => new Date(at)), Values: points.map(([, v]) => v), StatusCode: 'Complete' as const };
      });
      return Promise.resolve({ MetricDataResults: results });
    });
  }

  const history = { cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }), now: () => END + 30_000 };
  const SOURCE = 'CloudWatch ALB RequestCount of targetgroup/shop-web/73e2d6bc24d8a067 2026-01-05T00:00Z..2026-01-06T00:00Z';

  test('a day read from CloudWatch gives the recommendation --trace gives on the same rows as a CSV', async () => {
    holds(new Map(rows));
    const fromFile = await cliWith(history, 'recommend', 'web', '--trace', oneDay);
    const fromCloudWatch = await cliWith(history, 'recommend', 'web', '--days', '1');
    expect(fromFile.code).toBe(0);
    expect(fromCloudWatch.code).toBe(0);
    const same = (t: string, source: string) => t.replace(source, 'SOURCE').replace(/replayed in [\d.]+ s/, 'replayed in N s');
    expect(same(fromCloudWatch.stdout, SOURCE)).toBe(same(fromFile.stdout, oneDay));
    expect(fromCloudWatch.stdout).toMatch(
      /^web \(asg\): 1d00h of 60 s steps from CloudWatch ALB RequestCount of targetgroup\/shop-web\/73e2d6bc24d8a067 2026-01-05T00:00Z\.\.2026-01-06T00:00Z, /,
    );
    expect(fromCloudWatch.stdout).toMatch(/\nrecommended: |\nthe current settings are best/);
    expect(fromCloudWatch.stderr).toBe(`replaying 1d00h of ${SOURCE} for web...\n`);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });

  test('without --days or --trace it reads the last 14 days; nothing there is too short to judge', async () => {
    holds(new Map(), () => false);
    const { code, stdout } = await cliWith(history, 'recommend', 'web');
    expect(code).toBe(0);
    expect(stdout).toBe(
      'web (asg): cannot judge CloudWatch ALB RequestCount of targetgroup/shop-web/73e2d6bc24d8a067 2025-12-23T00:00Z..2026-01-06T00:00Z: ' +
        'the trace has no rows: too short to judge (a day at least)\n',
    );
    expect(cw.commandCalls(GetMetricDataCommand)[0].args[0].input.StartTime).toEqual(new Date(END - 14 * 86_400_000));
  });

  test('minutes CloudWatch never got are gaps: no figure', async () => {
    const lost = (at: number) => at >= START + 600 * MIN && at < START + 603 * MIN;
    holds(new Map(rows.filter(([at]) => !lost(at))), (at) => !lost(at));
    const { code, stdout } = await cliWith(history, 'recommend', 'web', '--days', '1', '-o', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      verdict: 'cannot-judge',
      reason: expect.stringMatching(
        /^the trace has 1 gap\(s\) in its 60 s rows, about 0h03m missing in all \(the first from 2026-01-05T09:59:00Z to 2026-01-05T10:03:00Z\)/,
      ),
      candidates: [],
    });
  });

  test('bad --days, --days with --trace, a web target without a target group: one line, no call', async () => {
    const one = async (...argv: string[]) => {
      const { code, stdout, stderr } = await cliWith(history, ...argv);
      expect([code, stdout]).toEqual([1, '']);
      return stderr;
    };
    expect(await one('recommend', 'web', '--days', '20')).toBe(
      'autoscaler: --days: 20 days is more than CloudWatch keeps at one minute (15 days; older data is only kept as 5-minute averages): pass at most 15\n',
    );
    expect(await one('recommend', 'web', '--days', 'two')).toBe('autoscaler: --days: "two" is not a whole number of days from 1 to 15\n');
    expect(await one('recommend', 'web', '--days', '1', '--trace', webTrace)).toBe(
      "autoscaler: --trace and --days cannot be used together: --trace replays a file, --days the target's own history in CloudWatch\n",
    );
    expect(await one('recommend', 'api', '--unit-capacity', '100')).toBe(
      'autoscaler: target "api" has no targetGroup: its requests are read from the ALB\'s RequestCount; set targetGroup, or pass --trace FILE.csv\n',
    );
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });
});
