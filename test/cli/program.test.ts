/**
 * The operator CLI in-process: a real DynamoStateStore on dynalite; CloudFormation, CloudWatch, Auto
 * Scaling, ECS, Step Functions and STS answered by aws-sdk-client-mock (no local implementations).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { type CliDeps, runCli } from '../../cli/program';
import { OUTPUT_KEYS } from '../../lambdas/shared/deployment';
import { DynamoStateStore } from '../../lambdas/state/dynamo';
import type { StoredRecommendation } from '../../lambdas/state/store';
import { useDynalite } from '../support/dynalite';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const REGION = 'eu-west-1';
const CALLER = 'arn:aws:sts::123456789012:assumed-role/Operator/alice';
const RUNBOOK_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:shop-add-replica';
const SET_CAPACITY_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:shop-set-capacity';

const CONFIG = `
prefix: shop
auditRetentionDays: 7
targets:
  - kind: asg
    id: web
    autoScalingGroupName: shop-web
    minCapacity: 2
    maxCapacity: 12
    targetGroup:
      loadBalancerFullName: app/shop-alb/50dc6c495c0c9188
      targetGroupFullName: targetgroup/shop-web/73e2d6bc24d8a067
      requestsPerTarget: 1000
  - kind: ecs-service
    id: api
    cluster: shop
    service: shop-api
    dryRun: true
`;

let doc: DynamoDBDocumentClient;
let dir: string;
let configFile: string;

const cfn = mockClient(CloudFormationClient);
const cw = mockClient(CloudWatchClient);
const asg = mockClient(AutoScalingClient);
const ecs = mockClient(ECSClient);
const sfn = mockClient(SFNClient);
const sts = mockClient(STSClient);
const sns = mockClient(SNSClient);

const local = useDynalite();

beforeAll(() => {
  doc = local().doc;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-cli-'));
  configFile = path.join(dir, 'autoscaler.config.yaml');
  fs.writeFileSync(configFile, CONFIG);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A table with the construct's layout, ACTIVE. */
const createTable = () => local().stateTable();

let store: DynamoStateStore;
let tableName: string;

beforeEach(async () => {
  for (const m of [cfn, cw, asg, ecs, sfn, sts, sns]) m.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  tableName = await createTable();
  store = new DynamoStateStore({ tableName, client: doc });
  // Generic first: aws-sdk-client-mock lets the later, more specific matcher win.
  cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id other does not exist'), { name: 'ValidationError' }));
  cfn.on(DescribeStacksCommand, { StackName: 'shop-autoscaler' }).resolves({
    Stacks: [
      {
        StackName: 'shop-autoscaler',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(NOW - 86_400_000),
        Outputs: [
          { OutputKey: OUTPUT_KEYS.prefix, OutputValue: 'shop' },
          { OutputKey: OUTPUT_KEYS.stateTableName, OutputValue: tableName },
          { OutputKey: OUTPUT_KEYS.topicArn, OutputValue: 'arn:aws:sns:eu-west-1:123456789012:shop' },
          { OutputKey: 'AutoscalerRunbookAddReplica', OutputValue: RUNBOOK_ARN, Description: 'Runbook "add-replica"' },
          { OutputKey: 'AutoscalerRunbookSetCapacity', OutputValue: SET_CAPACITY_ARN, Description: 'Runbook "set-capacity"' },
        ],
      },
    ],
  });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER, Account: '123456789012', UserId: 'AROA:alice' });
  cw.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [
      { AlarmName: 'shop/web/cpu/high', StateValue: 'ALARM' },
      { AlarmName: 'shop/web/cpu/low', StateValue: 'OK' },
      { AlarmName: 'shop/web/requests/high', StateValue: 'OK' },
      { AlarmName: 'shop/web/latency/high', StateValue: 'INSUFFICIENT_DATA' },
      { AlarmName: 'shop/api/cpu/high', StateValue: 'OK' },
      { AlarmName: 'shop/api/cpu/low', StateValue: 'OK' },
      { AlarmName: 'shop/api/memory/high', StateValue: 'OK' },
    ],
  });
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: 'shop-web',
        DesiredCapacity: 6,
        MinSize: 2,
        MaxSize: 12,
        Instances: [
          ...Array.from({ length: 4 }, (_, i) => ({ InstanceId: `i-${i}`, LifecycleState: 'InService', HealthStatus: 'Healthy' })),
          { InstanceId: 'i-9', LifecycleState: 'Pending', HealthStatus: 'Healthy' },
        ],
      } as never,
    ],
  });
  ecs.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'shop-api', status: 'ACTIVE', desiredCount: 3, runningCount: 3, pendingCount: 0 }] });
});

/** The CLI's clock: NOW unless a test moves it (two commands a second apart keep their audit order). */
let clock = NOW;
beforeEach(() => {
  clock = NOW;
});

/** The program's dependencies, over the mocked clients and the dynalite table. */
function deps(): CliDeps {
  return {
    cloudFormation: new CloudFormationClient({ region: REGION }),
    cloudWatch: new CloudWatchClient({ region: REGION }),
    autoScaling: new AutoScalingClient({ region: REGION }),
    ecs: new ECSClient({ region: REGION }),
    sqs: new SQSClient({ region: REGION }),
    rds: new RDSClient({ region: REGION }),
    elastiCache: new ElastiCacheClient({ region: REGION }),
    cloudFront: new CloudFrontClient({ region: REGION }),
    sfn: new SFNClient({ region: REGION }),
    sts: new STSClient({ region: REGION }),
    sns: new SNSClient({ region: REGION }),
    region: async () => REGION,
    store: (name) => new DynamoStateStore({ tableName: name, client: doc }),
    now: () => clock,
    stdout: () => {},
    stderr: () => {},
  };
}

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(['--config', configFile, ...args], {
    ...deps(),
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

/** The web target acted 30 s ago (scale-out 4 -> 6 on CPU). */
async function webActed() {
  const at = NOW - 30_000;
  expect(await store.acquireLease('web', 'seed', at, 90)).toBe(true);
  await store.saveTarget(
    {
      targetId: 'web',
      lastActionAt: at,
      lastDecision: {
        at,
        previous: 4,
        desired: 6,
        direction: 'out',
        outcome: 'applied',
        reason: 'CPU 91.0% on 4 need 5.2; 4 -> 6',
        figures: { cpu: 91, busyUnits: 3.64, projected: 5.2 },
      },
    },
    'seed',
  );
  await store.releaseLease('web', 'seed');
}

describe('stack discovery', () => {
  test('a missing stack is named with the region, exit 1, no stack trace', async () => {
    const res = await run('--stack', 'other', 'status');
    expect(res).toEqual({ code: 1, out: '', err: 'autoscaler: stack "other" not found in eu-west-1: deploy it first or pass --stack\n' });
  });

  test('the stack name comes from the config prefix unless --stack is given', async () => {
    expect((await run('status')).code).toBe(0);
    expect(cfn.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({ StackName: 'shop-autoscaler' });
  });

  test('a config that does not parse is reported with its problems before any AWS call', async () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'prefix: shop\ntargets: []\nsurprise: 1\n');
    const res = await run('--config', bad, 'status');
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/targets: needs at least 1 entries/);
    expect(res.err).toMatch(/surprise: unknown key/);
    expect(cfn.calls()).toHaveLength(0);
  });

  test('a stack deployed with another prefix than the config is refused', async () => {
    const other = path.join(dir, 'other.yaml');
    fs.writeFileSync(other, CONFIG.replace('prefix: shop', 'prefix: shop2'));
    const res = await run('--config', other, '--stack', 'shop-autoscaler', 'status');
    expect(res.code).toBe(1);
    expect(res.err).toContain('deployed with prefix "shop", but');
  });
});

describe('status', () => {
  test('--json: current and desired from the service, bounds from the config, alarm states, last decision, cooldown left, switches', async () => {
    await webActed();
    await store.setSwitch('web', 'paused', true);
    const res = await run('status', '--json');
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.out);
    expect(doc).toMatchObject({ stack: 'shop-autoscaler', region: REGION, prefix: 'shop', global: { paused: false, dryRun: false } });
    expect(doc.targets).toEqual([
      {
        id: 'web',
        kind: 'asg',
        current: 4,
        desired: 6,
        min: 2,
        max: 12,
        alarms: { 'cpu/high': 'ALARM', 'cpu/low': 'OK', 'requests/high': 'OK', 'latency/high': 'INSUFFICIENT_DATA' },
        lastDecision: { at: new Date(NOW - 30_000).toISOString(), outcome: 'applied', previous: 4, desired: 6, reason: 'CPU 91.0% on 4 need 5.2; 4 -> 6' },
        lastActionAt: new Date(NOW - 30_000).toISOString(),
        cooldownLeftSeconds: { out: 30, in: 270 },
        paused: true,
        dryRun: [],
      },
      {
        id: 'api',
        kind: 'ecs-service',
        current: 3,
        desired: 3,
        min: 2,
        max: 10,
        alarms: { 'cpu/high': 'OK', 'cpu/low': 'OK', 'memory/high': 'OK' },
        paused: false,
        dryRun: ['target config'],
      },
    ]);
  });

  test('the table has one aligned row per target', async () => {
    await webActed();
    await store.setSwitch('*', 'dryRun', true);
    const { code, out } = await run('status');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('stack shop-autoscaler (eu-west-1), prefix "shop"; all targets: DRY-RUN');
    expect(lines[2]).toMatch(/^TARGET\s+KIND\s+CURRENT\s+DESIRED\s+MIN\s+MAX\s+ALARMS\s+LAST DECISION\s+COOLDOWN LEFT\s+MODE$/);
    const web = lines[3].split(/\s{2,}/);
    expect(web).toEqual([
      'web',
      'asg',
      '4',
      '6',
      '2',
      '12',
      'cpu/high ALARM, latency/high INSUFFICIENT_DATA',
      'applied 4->6, 30s ago',
      'out 30s, in 4m30s',
      'dry-run (switch)',
    ]);
    expect(lines[4].split(/\s{2,}/)).toEqual(['api', 'ecs-service', '3', '3', '2', '10', 'all OK (3)', '-', '-', 'dry-run (switch, target config)']);
    // Columns line up: every row's second column starts where the header's does.
    const col = lines[2].indexOf('KIND');
    expect(lines[3].indexOf('asg')).toBe(col);
    expect(lines[4].indexOf('ecs-service')).toBe(col);
  });

  test('a service that cannot be described shows "error" and the reason, the rest still shows', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });
    const { code, out } = await run('status');
    expect(code).toBe(0);
    expect(out).toMatch(/^api\s+ecs-service\s+error\s+error/m);
    expect(out).toContain('api: ECS service "shop-api" in cluster "shop" not found (MISSING)');
    expect(out).toMatch(/^web\s+asg\s+4\s+6/m);
  });
});

describe('pause, resume, dry-run', () => {
  test('pause and resume one target write its switch and an audit entry naming the caller', async () => {
    expect(await run('pause', 'web')).toMatchObject({ code: 0, out: 'paused: target web\n' });
    expect(await store.getSwitches('web')).toEqual({ paused: true, dryRun: false });
    expect(await store.getSwitches('api')).toEqual({ paused: false, dryRun: false });
    clock = NOW + 1000;
    expect(await run('resume', 'web')).toMatchObject({ code: 0, out: 'resumed: target web\n' });
    expect(await store.getSwitches('web')).toEqual({ paused: false, dryRun: false });
    const audit = await store.listAudit('web', 0, clock + 1);
    expect(audit.map((a) => [a.outcome, a.actor, a.reason])).toEqual([
      ['control', CALLER, `resumed for target web by ${CALLER}`],
      ['control', CALLER, `paused for target web by ${CALLER}`],
    ]);
  });

  test('pause without a target pauses every target; resuming one target says the global pause still holds', async () => {
    await run('pause');
    expect(await store.getSwitches('api')).toEqual({ paused: true, dryRun: false });
    const res = await run('resume', 'api');
    expect(res.out).toContain('note: pause is still on for every target');
    expect(await store.getSwitches('api')).toEqual({ paused: true, dryRun: false });
    expect((await store.listAudit('*', 0, NOW + 1))[0]).toMatchObject({ outcome: 'control', reason: `paused for every target by ${CALLER}` });
  });

  test('dry-run on|off sets the dryRun switch; anything else is refused', async () => {
    expect((await run('dry-run', 'on', 'api')).code).toBe(0);
    expect(await store.getSwitches('api')).toEqual({ paused: false, dryRun: true });
    expect((await run('dry-run', 'off', 'api')).code).toBe(0);
    expect(await store.getSwitches('api')).toEqual({ paused: false, dryRun: false });
    expect(await run('dry-run', 'maybe')).toMatchObject({ code: 1, err: 'autoscaler: dry-run takes "on" or "off", not "maybe"\n' });
  });

  test('an unknown target is refused with the list of targets and nothing is written', async () => {
    expect(await run('pause', 'nope')).toMatchObject({ code: 1, err: 'autoscaler: no target "nope" in the config (targets: web, api)\n' });
    expect(await store.getSwitches('nope')).toEqual({ paused: false, dryRun: false });
  });

  test('when STS does not answer, the audit entry says "cli"', async () => {
    sts.on(GetCallerIdentityCommand).rejects(new Error('no credentials'));
    await run('pause', 'web');
    expect((await store.listAudit('web', 0, NOW + 1))[0].actor).toBe('cli');
  });
});

describe('override set, end, list', () => {
  const HOUR = 3_600_000;

  test('set: within the deployed bounds, stored with who and until when, audited and announced on the topic', async () => {
    const res = await run('override', 'set', 'web', '--max', '8', '--for', '2h', '--reason', 'launch week');
    expect(res).toMatchObject({ code: 0, err: '' });
    expect(res.out).toBe(`override set: web: maxCapacity 8 until 2026-01-05T14:00:00.000Z by ${CALLER} (in 2h00m)\n`);
    expect(await store.getOverride('web')).toEqual({ targetId: 'web', max: 8, expiresAt: NOW + 2 * HOUR, setAt: NOW, setBy: CALLER, reason: 'launch week' });
    expect((await store.listAudit('web', 0, NOW + 1))[0]).toMatchObject({
      outcome: 'control',
      actor: CALLER,
      reason: `override set: maxCapacity 8 until 2026-01-05T14:00:00.000Z by ${CALLER} (launch week)`,
    });
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:shop',
      Subject: expect.stringMatching(/^shop: override of web: maxCapacity 8/),
    });
  });

  test('status shows the bounds in force and the override; list shows it; end ends it now', async () => {
    await run('override', 'set', 'web', '--min', '4', '--max', '8', '--pause', '--until', '2026-01-05T18:00:00Z');
    const status = JSON.parse((await run('status', '--json')).out);
    expect(status.targets.find((t: { id: string }) => t.id === 'web')).toMatchObject({
      min: 4,
      max: 8,
      paused: true,
      override: { until: '2026-01-05T18:00:00.000Z', by: CALLER, what: expect.stringContaining('minCapacity 4, maxCapacity 8, paused') },
    });
    expect((await run('status')).out).toMatch(/^web .* paused, override until 2026-01-05T18:00:00\.000Z/m);
    expect((await run('override', 'list')).out).toMatch(
      /^web\s+minCapacity 4, maxCapacity 8, paused until .*\s+6h00m\s+arn:aws:sts::123456789012:assumed-role\/Operator\/alice\s+-$/m,
    );
    clock = NOW + HOUR;
    expect(await run('override', 'end', 'web')).toMatchObject({ code: 0, out: 'override ended: web: the deployed config applies again within a minute\n' });
    expect((await store.getOverride('web'))?.expiresAt).toBe(NOW + HOUR);
    expect((await store.listAudit('web', 0, clock + 1))[0]).toMatchObject({
      outcome: 'control',
      reason: expect.stringMatching(/^override ended by .*: was minCapacity 4/),
    });
    expect((await run('override', 'list')).out).toBe('no override in force\n');
    expect(JSON.parse((await run('status', '--json')).out).targets[0]).toMatchObject({ min: 2, max: 12, paused: false });
    expect(await run('override', 'end', 'web')).toMatchObject({ code: 1, err: 'autoscaler: target "web" has no override in force\n' });
  });

  test('refused with the reason, and nothing stored, audited or announced', async () => {
    const refused = async (...args: string[]) => {
      const res = await run('override', 'set', ...args);
      expect(res.code).toBe(1);
      return res.err;
    };
    expect(await refused('web', '--max', '20', '--for', '1h')).toBe(
      'autoscaler: override refused: max: 20 is outside the deployed minCapacity-maxCapacity 2-12 of "web"\n',
    );
    expect(await refused('web', '--max', '8', '--until', '2026-01-05T11:00:00Z')).toBe(
      'autoscaler: override refused: expiresAt: 2026-01-05T11:00:00.000Z is not in the future\n',
    );
    expect(await refused('web', '--max', '8')).toMatch(/give exactly one of --for DURATION and --until TIME/);
    expect(await refused('web', '--max', '8', '--for', 'soon')).toMatch(/--for "soon" must be a duration/);
    expect(await refused('web', '--max', 'eight', '--for', '1h')).toMatch(/--max "eight" must be a number/);
    expect(await refused('nope', '--max', '8', '--for', '1h')).toMatch(/no target "nope" in the config \(targets: web, api\)/);
    expect(await refused('web', '--for', '1h')).toMatch(/nothing to override/);
    expect(await store.listOverrides()).toEqual([]);
    expect(await store.listAudit('web', 0, NOW + 1)).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  test('a topic that cannot be reached is a warning: the override stands', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError: not allowed to publish'));
    const res = await run('override', 'set', 'api', '--dry-run', '--for', '30m');
    expect(res.code).toBe(0);
    expect(res.err).toBe('warning: not announced on the topic: AuthorizationError: not allowed to publish\n');
    expect(await store.getOverride('api')).toMatchObject({ dryRun: true, expiresAt: NOW + 30 * 60_000 });
  });

  test('--output json', async () => {
    const res = await run('--output', 'json', 'override', 'set', 'web', '--target', '55', '--for', '90m');
    expect(JSON.parse(res.out)).toMatchObject({ action: 'set', targetId: 'web', target: 55, expiresAt: '2026-01-05T13:30:00.000Z' });
    expect(JSON.parse((await run('--output', 'json', 'override', 'list')).out)).toEqual([expect.objectContaining({ targetId: 'web', target: 55 })]);
  });
});

describe('history', () => {
  beforeEach(async () => {
    await store.appendAudit({ targetId: 'web', at: NOW - 3 * 3_600_000, outcome: 'applied', previous: 2, desired: 4, direction: 'out', reason: 'old' }, 7);
    await store.appendAudit({ targetId: 'web', at: NOW - 20 * 60_000, outcome: 'applied', previous: 4, desired: 6, direction: 'out', reason: 'CPU 91%' }, 7);
    await store.appendAudit({ targetId: 'api', at: NOW - 10 * 60_000, outcome: 'dry-run', previous: 3, desired: 2, direction: 'in', reason: 'CPU 20%' }, 7);
    await store.appendAudit({ targetId: '*', at: NOW - 5 * 60_000, outcome: 'control', actor: CALLER, reason: 'paused for every target' }, 7);
  });

  test('every target and the control actions, newest first, within --since', async () => {
    const { code, out } = await run('history', '--since', '1h');
    expect(code).toBe(0);
    const rows = out
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      ['TIME (UTC)', 'TARGET', 'OUTCOME', 'CHANGE', 'REASON'],
      ['2026-01-05 11:55:00Z', '(all)', 'control', '-', 'paused for every target'],
      ['2026-01-05 11:50:00Z', 'api', 'dry-run', '3 -> 2', 'CPU 20%'],
      ['2026-01-05 11:40:00Z', 'web', 'applied', '4 -> 6', 'CPU 91%'],
    ]);
  });

  test('--target, an ISO --since and --limit narrow it; --json is machine output', async () => {
    const { out } = await run('history', '--target', 'web', '--since', '2026-01-05T00:00:00Z', '--limit', '1', '--json');
    expect(JSON.parse(out)).toEqual([
      expect.objectContaining({ targetId: 'web', outcome: 'applied', previous: 4, desired: 6, time: '2026-01-05T11:40:00.000Z' }),
    ]);
  });

  test('bad times, limits and targets are named', async () => {
    expect((await run('history', '--since', 'yesterday')).err).toBe(
      'autoscaler: --since "yesterday" is neither an ISO 8601 time nor an age such as 30m, 6h, 7d\n',
    );
    expect((await run('history', '--limit', '0')).err).toBe('autoscaler: --limit "0" is not a whole number of at least 1\n');
    expect((await run('history', '--target', 'db')).code).toBe(1);
  });

  test('an empty window says so', async () => {
    expect((await run('history', '--since', '1m')).out).toBe('no audit entries between 2026-01-05T11:59:00.000Z and 2026-01-05T12:00:00.000Z\n');
  });
});

describe('explain', () => {
  test('the last decision with its change, reason, figures, switches and policy', async () => {
    await webActed();
    const { code, out } = await run('explain', 'web');
    expect(code).toBe(0);
    expect(out).toBe(
      [
        'web (asg): applied at 2026-01-05 11:59:30Z (30s ago)',
        '  change:   4 -> 6 (scale out)',
        '  reason:   CPU 91.0% on 4 need 5.2; 4 -> 6',
        '  figures:',
        '    cpu        91',
        '    busyUnits  3.640',
        '    projected  5.200',
        '  switches: paused no, dry-run no',
        '  policy:   2-12 units, CPU target 70%, scale-out cooldown 60 s, scale-in cooldown 300 s',
        '',
      ].join('\n'),
    );
  });

  test('--json, a target with no decision yet, and an unknown target', async () => {
    await webActed();
    expect(JSON.parse((await run('explain', 'web', '--json')).out)).toMatchObject({
      target: 'web',
      decision: { outcome: 'applied', figures: { cpu: 91 } },
      lastActionAt: NOW - 30_000,
    });
    expect((await run('explain', 'api')).out).toBe('api (ecs-service): no decision recorded yet\n');
    expect((await run('explain', 'db')).code).toBe(1);
  });
});

describe('config validate', () => {
  test('a good file: OK with a summary of targets and alarms', async () => {
    const res = await run('config', 'validate', configFile);
    expect(res.code).toBe(0);
    expect(res.out).toBe(
      [
        `${configFile}: OK`,
        '  prefix "shop", stack shop-autoscaler, 2 target(s)',
        '  web (asg, 2-12 units): 4 alarm(s): cpu/high, cpu/low, requests/high, latency/high',
        '  api (ecs-service, 2-10 units): 3 alarm(s): cpu/high, cpu/low, memory/high',
        '  7 alarm(s) in all',
        '',
      ].join('\n'),
    );
    expect(cfn.calls()).toHaveLength(0);
  });

  test('a bad file: every problem on its own line, exit 1', async () => {
    const bad = path.join(dir, 'invalid.yaml');
    fs.writeFileSync(
      bad,
      'prefix: shop\nnotifications: { email: not-an-address }\ntargets:\n  - { kind: asg, id: Web, autoScalingGroupName: g, minCapacity: 5, maxCapacity: 3 }\n',
    );
    const res = await run('config', 'validate', bad);
    expect(res.code).toBe(1);
    expect(res.out).toBe('');
    expect(res.err.split('\n')).toEqual([
      `${bad}: invalid`,
      '  notifications.email: "not-an-address" must be an email address',
      expect.stringMatching(/^ {2}targets\[0\]\.id: "Web" must be 1-40 lowercase/),
      '  targets[0].maxCapacity: 3 is below minCapacity 5',
      '',
    ]);
  });

  test('a missing file is named', async () => {
    const res = await run('config', 'validate', path.join(dir, 'none.yaml'));
    expect(res.code).toBe(1);
    expect(res.err).toContain('cannot read the file (ENOENT)');
  });
});

describe('runbook start', () => {
  test('starts the named runbook with the JSON input and records who started it', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${RUNBOOK_ARN.replace('stateMachine', 'execution')}:run-1`, startDate: new Date(NOW) });
    const res = await run('runbook', 'start', 'add-replica', '--input', '{"targetId":"db","count":1}');
    expect(res).toMatchObject({ code: 0, out: `started runbook add-replica: ${RUNBOOK_ARN.replace('stateMachine', 'execution')}:run-1\n` });
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({ stateMachineArn: RUNBOOK_ARN, input: '{"targetId":"db","count":1}' });
    expect((await store.listAudit('*', 0, NOW + 1))[0]).toMatchObject({
      outcome: 'control',
      actor: CALLER,
      reason: expect.stringMatching(/^runbook add-replica started by/),
    });
  });

  test('an unknown runbook lists those deployed; bad input is refused before any start', async () => {
    expect((await run('runbook', 'start', 'resize')).err).toBe(
      'autoscaler: no runbook "resize" in stack shop-autoscaler (runbooks: add-replica, set-capacity)\n',
    );
    expect((await run('runbook', 'start', 'add-replica', '--input', '{oops')).err).toMatch(/^autoscaler: --input is not valid JSON: /);
    expect((await run('runbook', 'start', 'add-replica', '--input', '[1]')).err).toBe('autoscaler: --input must be a JSON object\n');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('set-capacity TARGET N --reason starts <prefix>-set-capacity with its input and a name per minute, audited', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${SET_CAPACITY_ARN.replace('stateMachine', 'execution')}:web-set-8`, startDate: new Date(NOW) });
    const res = await run('runbook', 'set-capacity', 'web', '8', '--reason', 'launch at noon', '--force');
    expect(res).toMatchObject({ code: 0, out: expect.stringMatching(/^started runbook set-capacity: /) });
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({
      stateMachineArn: SET_CAPACITY_ARN,
      input: '{"targetId":"web","desired":8,"reason":"launch at noon","force":true}',
      name: 'web-set-8-202601051200',
    });
    expect((await store.listAudit('*', 0, NOW + 1))[0]).toMatchObject({
      outcome: 'control',
      actor: CALLER,
      reason: expect.stringMatching(/^runbook set-capacity started by/),
    });
  });

  test('set-capacity refuses, before any start, an unknown target, a kind it does not set, a count that is not one, a missing reason', async () => {
    expect((await run('runbook', 'set-capacity', 'db', '2', '--reason', 'x')).err).toBe('autoscaler: no target "db" in the config (targets: web, api)\n');
    expect((await run('runbook', 'set-capacity', 'web', '-1', '--reason', 'x')).code).not.toBe(0);
    expect((await run('runbook', 'set-capacity', 'web', '2.5', '--reason', 'x')).err).toBe(
      'autoscaler: count "2.5" must be a whole number of units (0 or more)\n',
    );
    expect((await run('runbook', 'set-capacity', 'web', '2', '--reason', '  ')).err).toBe('autoscaler: --reason must say why the count is set by hand\n');
    expect((await run('runbook', 'set-capacity', 'web', '2')).err).toMatch(/required option '-r, --reason <text>' not specified/);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('an AWS error is one line with its name, exit 1', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('Execution already exists'), { name: 'ExecutionAlreadyExists' }));
    expect(await run('runbook', 'start', 'add-replica', '--execution-name', 'x')).toMatchObject({
      code: 1,
      err: 'autoscaler: ExecutionAlreadyExists: Execution already exists\n',
    });
  });
});

describe('--output, on every command', () => {
  test("json is what each command's --json prints", async () => {
    await webActed();
    for (const args of [['status'], ['history', '--since', '1h'], ['explain', 'web']]) {
      const long = await run('--output', 'json', ...args);
      expect(long.code).toBe(0);
      expect(JSON.parse(long.out)).toEqual(JSON.parse((await run(...args, '--json')).out));
    }
  });

  test('text: status and history are tab-separated rows without a header, one per line', async () => {
    await webActed();
    const status = await run('status', '--output', 'text');
    expect(status.code).toBe(0);
    expect(status.out.split('\n')).toEqual([
      ['web', 'asg', '4', '6', '2', '12', 'cpu/high ALARM, latency/high INSUFFICIENT_DATA', 'applied 4->6, 30s ago', 'out 30s, in 4m30s', 'active'].join('\t'),
      ['api', 'ecs-service', '3', '3', '2', '10', 'all OK (3)', '-', '-', 'dry-run (target config)'].join('\t'),
      '',
    ]);
    await store.appendAudit({ targetId: 'web', at: NOW - 60_000, outcome: 'applied', previous: 4, desired: 6, direction: 'out', reason: 'CPU\t91%' }, 7);
    const history = await run('-o', 'text', 'history', '--since', '1h');
    expect(history.out).toBe(`${['2026-01-05 11:59:00Z', 'web', 'applied', '4 -> 6', 'CPU 91%'].join('\t')}\n`);
  });

  test('json from the switches, runbook start and config validate', async () => {
    expect(JSON.parse((await run('-o', 'json', 'pause', 'web')).out)).toEqual({
      target: 'web',
      switch: 'paused',
      value: true,
      actor: CALLER,
      stillOnForEveryTarget: false,
    });
    await run('pause');
    expect(JSON.parse((await run('resume', 'api', '--output', 'json')).out)).toMatchObject({ target: 'api', value: false, stillOnForEveryTarget: true });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x:run-1', startDate: new Date(NOW) });
    expect(JSON.parse((await run('-o', 'json', 'runbook', 'start', 'add-replica')).out)).toEqual({
      runbook: 'add-replica',
      executionArn: 'arn:x:run-1',
      startDate: new Date(NOW).toISOString(),
    });
    const valid = JSON.parse((await run('-o', 'json', 'config', 'validate')).out);
    expect(valid).toMatchObject({ file: configFile, valid: true, prefix: 'shop', targets: [{ id: 'web', kind: 'asg' }, { id: 'api' }] });
    const bad = path.join(dir, 'invalid-json.yaml');
    fs.writeFileSync(bad, 'prefix: shop\ntargets: []\nextra: 1\n');
    const res = await run('-o', 'json', 'config', 'validate', bad);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.out)).toEqual({ file: bad, valid: false, problems: expect.arrayContaining([expect.stringContaining('extra')]) });
  });

  test('a format it does not know is refused with the choices, before any AWS call', async () => {
    const res = await run('--output', 'yaml', 'status');
    expect(res.code).not.toBe(0);
    expect(res.err).toMatch(/argument 'yaml' is invalid. Allowed choices are json, table, text/);
    expect(cfn.calls()).toHaveLength(0);
  });
});

test('config validate without a file checks the --config file, and without --config autoscaler.config.yaml', async () => {
  expect((await run('config', 'validate')).out).toMatch(new RegExp(`^${configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: OK\n`));
  // The repository's own example config sits in the working directory the tests run in.
  let out = '';
  const code = await runCli(['config', 'validate'], {
    ...deps(),
    stdout: (t) => {
      out += t;
    },
  });
  expect(code).toBe(0);
  expect(out).toMatch(/^autoscaler\.config\.yaml: OK\n/);
});

test('an unknown command exits non-zero with the usage on stderr', async () => {
  const res = await run('scale');
  expect(res.code).not.toBe(0);
  expect(res.err).toMatch(/unknown command 'scale'/);
});

test('--help lists the options and every command in order, exit 0', async () => {
  const res = await run('--help');
  expect(res).toEqual({
    code: 0,
    err: '',
    out: [
      'Usage: autoscaler [options] [command]',
      '',
      'Operate a deployed autoscaler: what it sees and did, and its switches',
      '',
      'Options:',
      '  -c, --config <file>           the config the stack was deployed with (default:',
      '                                "autoscaler.config.yaml")',
      '  -s, --stack <name>            the stack name (default: derived from the config',
      '                                prefix)',
      '  --region <region>             the AWS region (default: AWS_REGION or the',
      "                                profile's)",
      '  --profile <name>              the AWS profile (default: AWS_PROFILE or the',
      '                                default chain)',
      '  --api <url>                   the operator API (output AutoscalerApiUrl)',
      '                                instead of the stack, SigV4-signed',
      '  -o, --output <format>         how results are printed (choices: "json",',
      '                                "table", "text", default: "table")',
      '  -h, --help                    display help for command',
      '',
      'Commands:',
      '  status [options]              every target: current, desired, min, max,',
      '                                alarms, last decision, cooldown left, switches',
      '  history [options]             the audit log: decisions and control actions,',
      '                                newest first',
      "  explain [options] <target>    a target's last decision with its numbers",
      '  pause [target]                stop acting on one target, or on all (decisions',
      '                                are still recorded)',
      '  resume [target]               act again on one target, or on all',
      '  dry-run <state> [target]      record what would be done without doing it, for',
      '                                one target or all',
      "  override                      change a target's bounds, tracking target, pause",
      '                                or dry-run for a while, within the deployed',
      '                                config (audited, announced)',
      '  config                        config files',
      '  tags                          the autoscaler:scaled-by tag that permissions:',
      '                                by-tag asks for',
      "  runbook                       the deployment's runbooks (Step Functions state",
      '                                machines)',
      "  recommend [options] <target>  replay a target's load with its settings and a",
      '                                few candidates: the change to make, or that the',
      '                                current settings are best',
      "  recommendations [options]     each target's latest recommendation from the",
      '                                daily recommender, with what the change costs a',
      '                                month',
      '  help [command]                display help for command',
      '',
    ].join('\n'),
  });
});

describe('recommendations', () => {
  const DAY = 86_400_000;
  const stored = (targetId: string, kind: string, extra: Partial<StoredRecommendation> = {}): StoredRecommendation => ({
    targetId,
    kind,
    computedAt: NOW - 9 * 3_600_000,
    trace: { from: NOW - 15 * DAY, to: NOW - DAY, steps: 20_160, stepSeconds: 60, source: 'CloudWatch ...' },
    verdict: 'keep',
    current: { settings: { targetCpu: 70, scaleInStabilizationSeconds: 900 }, figures: { costRatio: 1.2 } },
    ...extra,
  });

  test("each target's latest: verdict, history span, unit-hours and dollars a month, the change; --target one; -o text", async () => {
    await store.putRecommendation(
      stored('web', 'asg', {
        verdict: 'change',
        recommended: { settings: { targetCpu: 60, scaleInStabilizationSeconds: 900 }, figures: { costRatio: 1.1 } },
        monthly: { unitHours: -730, dollars: -60.74, price: { perUnitHour: 0.0832, source: 't3.large On-Demand, Linux, us-east-1' } },
      }),
    );
    await store.putRecommendation(
      stored('api', 'ecs-service', { verdict: 'cannot-judge', reason: 'the trace covers 20h00m, under one day: too short to judge', current: undefined }),
    );
    const { code, out } = await run('recommendations');
    expect(code).toBe(0);
    const lines = out
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s{2,}/));
    expect(lines).toEqual([
      ['TARGET', 'KIND', 'COMPUTED (UTC)', 'HISTORY', 'VERDICT', 'UNIT-HOURS/MONTH', '$/MONTH', 'CHANGE'],
      ['web', 'asg', '2026-01-05T03:00:00Z', '2025-12-21..2026-01-04', 'change', '-730', '-$60.74', 'targetCpu 70 -> 60'],
      [
        'api',
        'ecs-service',
        '2026-01-05T03:00:00Z',
        '2025-12-21..2026-01-04',
        'cannot-judge',
        '-',
        '-',
        'cannot judge: the trace covers 20h00m, under one day: too short to judge',
      ],
    ]);
    expect((await run('recommendations', '--target', 'web', '-o', 'text')).out).toBe(
      'web\tasg\t2026-01-05T03:00:00Z\t2025-12-21..2026-01-04\tchange\t-730\t-$60.74\ttargetCpu 70 -> 60\n',
    );
    const json = JSON.parse((await run('recommendations', '--json')).out);
    expect(json[0]).toMatchObject({ targetId: 'web', computedAt: '2026-01-05T03:00:00.000Z', monthly: { dollars: -60.74 } });
  });

  test('none stored says why; an unknown target is one line', async () => {
    expect((await run('recommendations')).out).toBe(
      'no recommendations stored: the daily recommender (recommendations: { enabled: true }) has not run yet, or is not deployed\n',
    );
    expect((await run('recommendations', '--target', 'nope')).err).toBe('autoscaler: no target "nope" in the config (targets: web, api)\n');
  });
});
