/**
 * What the CLI shows of every target kind (ALL_KINDS_CONFIG: each kind, each way it can be wired):
 * `status` reads the units of the kinds that have them from Auto Scaling and ECS and nothing for the
 * others; `status`, `explain` and `config validate` show bounds, cooldowns and the policy only where
 * the kind has them. The state store is the in-memory one; Auto Scaling and ECS answer per resource
 * through aws-sdk-client-mock (no local implementations).
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
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { stringify } from 'yaml';
import { runCli } from '../../cli/program';
import { type TargetKind, targetSchema } from '../../lambdas/shared/config';
import { OUTPUT_KEYS } from '../../lambdas/shared/deployment';
import { MemoryStateStore } from '../../lambdas/state/memory';
import { ALL_KINDS_CONFIG } from '../support/configs';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const REGION = 'eu-west-1';
const ACTED = NOW - 30_000;

const cfn = mockClient(CloudFormationClient);
const cw = mockClient(CloudWatchClient);
const asg = mockClient(AutoScalingClient);
const ecs = mockClient(ECSClient);

/** Instances of each group: desired count and how many are in service. */
const GROUPS: Record<string, { desired: number; inService: number }> = {
  'shop-web': { desired: 6, inService: 4 },
  'shop-workers': { desired: 3, inService: 2 },
  'shop-task-workers': { desired: 4, inService: 4 },
};
/** Tasks of each service: desired and running. */
const SERVICES: Record<string, { desired: number; running: number }> = {
  'shop-api': { desired: 3, running: 3 },
  'shop-reports-worker': { desired: 5, running: 1 },
  'shop-mail-worker': { desired: 2, running: 2 },
  'shop-admin': { desired: 2, running: 2 },
  'shop-exports-worker': { desired: 1, running: 1 },
};

let dir: string;
let configFile: string;
let store: MemoryStateStore;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-cli-kinds-'));
  configFile = path.join(dir, 'autoscaler.config.yaml');
  fs.writeFileSync(configFile, stringify(ALL_KINDS_CONFIG));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  for (const m of [cfn, cw, asg, ecs]) m.reset();
  store = new MemoryStateStore();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'shop-autoscaler',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(NOW - 86_400_000),
        Outputs: [
          { OutputKey: OUTPUT_KEYS.prefix, OutputValue: 'shop' },
          { OutputKey: OUTPUT_KEYS.stateTableName, OutputValue: 'shop-state' },
        ],
      },
    ],
  });
  cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames: string[] }) => {
    const name = input.AutoScalingGroupNames[0];
    const g = GROUPS[name];
    return {
      AutoScalingGroups: g
        ? [
            {
              AutoScalingGroupName: name,
              DesiredCapacity: g.desired,
              MinSize: 0,
              MaxSize: 20,
              Instances: Array.from({ length: g.inService }, (_, i) => ({ InstanceId: `i-${i}`, LifecycleState: 'InService', HealthStatus: 'Healthy' })),
            },
          ]
        : [],
    };
  });
  ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => {
    const s = SERVICES[input.services[0]];
    return { services: s ? [{ serviceName: input.services[0], status: 'ACTIVE', desiredCount: s.desired, runningCount: s.running, pendingCount: 0 }] : [] };
  });
  // Every target decided and acted 30 s ago (2 -> 3).
  for (const t of ALL_KINDS_CONFIG.targets) {
    expect(await store.acquireLease(t.id, 'seed', ACTED, 90)).toBe(true);
    await store.saveTarget(
      {
        targetId: t.id,
        lastActionAt: ACTED,
        lastDecision: { at: ACTED, previous: 2, desired: 3, direction: 'out', outcome: 'applied', reason: `${t.kind} grew`, figures: { load: 1.5 } },
      },
      'seed',
    );
    await store.releaseLease(t.id, 'seed');
  }
});

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(['--config', configFile, ...args], {
    cloudFormation: new CloudFormationClient({ region: REGION }),
    cloudWatch: new CloudWatchClient({ region: REGION }),
    autoScaling: new AutoScalingClient({ region: REGION }),
    ecs: new ECSClient({ region: REGION }),
    sqs: new SQSClient({ region: REGION }),
    rds: new RDSClient({ region: REGION }),
    elastiCache: new ElastiCacheClient({ region: REGION }),
    cloudFront: new CloudFrontClient({ region: REGION }),
    sns: new SNSClient({ region: REGION }),
    sfn: new SFNClient({ region: REGION }),
    sts: new STSClient({ region: REGION }),
    region: async () => REGION,
    store: () => store,
    now: () => NOW,
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

test('the config names every target kind', () => {
  const kinds = new Set<TargetKind>(ALL_KINDS_CONFIG.targets.map((t) => t.kind));
  expect([...kinds].sort()).toEqual(targetSchema.options.map((o) => o.shape.kind.value).sort());
});

describe('status', () => {
  test('units read from the group or service where the kind has them; bounds where the config has them, cooldowns where the kind has them', async () => {
    const res = await run('status', '--json');
    expect(res).toMatchObject({ code: 0, err: '' });
    const rows = Object.fromEntries(
      (JSON.parse(res.out).targets as Record<string, unknown>[]).map(({ id, current, desired, min, max, cooldownLeftSeconds }) => [
        id,
        { current, desired, min, max, cooldownLeftSeconds },
      ]),
    );
    const none = { current: undefined, desired: undefined, min: undefined, max: undefined, cooldownLeftSeconds: undefined };
    expect(rows).toEqual({
      web: { current: 4, desired: 6, min: 2, max: 10, cooldownLeftSeconds: { out: 30, in: 270 } },
      api: { current: 3, desired: 3, min: 2, max: 10, cooldownLeftSeconds: { out: 30, in: 270 } },
      // policy step: the shortest cooldown of the up rules and of the down rules (300 s each by default).
      admin: { current: 2, desired: 2, min: 1, max: 6, cooldownLeftSeconds: { out: 270, in: 270 } },
      exports: { current: 1, desired: 1, min: 0, max: 8, cooldownLeftSeconds: { out: 270, in: 270 } },
      celery: { current: 2, desired: 3, min: 0, max: 20, cooldownLeftSeconds: { out: 0, in: 30 } },
      reports: { current: 1, desired: 5, min: 0, max: 8, cooldownLeftSeconds: { out: 0, in: 30 } },
      mail: { current: 2, desired: 2, min: 0, max: 6, cooldownLeftSeconds: { out: 0, in: 30 } },
      tasks: { current: 4, desired: 4, min: 0, max: 12, cooldownLeftSeconds: { out: 0, in: 30 } },
      'orders-db': { ...none, cooldownLeftSeconds: { out: 1170, in: 3570 } },
      'reports-db': { ...none, cooldownLeftSeconds: { out: 1170, in: 3570 } },
      'ledger-disk': none,
      'search-class': { ...none, cooldownLeftSeconds: { out: 86370, in: 86370 } },
      cache: { ...none, cooldownLeftSeconds: { out: 0, in: 21570 } },
      sessions: { ...none, cooldownLeftSeconds: { out: 0, in: 21570 } },
      'cdn-web': none,
      'cdn-app': none,
      'cdn-static': none,
    });
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand).map((c) => c.args[0].input.AutoScalingGroupNames)).toEqual([
      ['shop-web'],
      ['shop-workers'],
      ['shop-task-workers'],
    ]);
    expect(ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services)).toEqual([
      ['shop-api'],
      ['shop-admin'],
      ['shop-exports-worker'],
      ['shop-reports-worker'],
      ['shop-mail-worker'],
    ]);
  });

  test('the table, byte for byte', async () => {
    const res = await run('status');
    expect(res).toMatchObject({ code: 0, err: '' });
    expect(res.out).toBe(
      [
        'stack shop-autoscaler (eu-west-1), prefix "shop"; all targets: active',
        '',
        'TARGET        KIND              CURRENT  DESIRED  MIN  MAX  ALARMS                                                                                                                      LAST DECISION          COOLDOWN LEFT          MODE',
        'web           asg               4        6        2    10   cpu/high MISSING, cpu/low MISSING, latency/high MISSING, custom-memory/high MISSING, custom-error-rate/high MISSING         applied 2->3, 30s ago  out 30s, in 4m30s      active',
        'api           ecs-service       3        3        2    10   cpu/high MISSING, cpu/low MISSING, memory/high MISSING, custom-websockets/high MISSING                                      applied 2->3, 30s ago  out 30s, in 4m30s      active',
        'celery        queue-workers     2        3        0    20   age/high MISSING                                                                                                            applied 2->3, 30s ago  out 0s, in 30s         active',
        'admin         ecs-service       2        2        1    6    step-0/high MISSING, step-1/low MISSING, step-2/high MISSING, step-3/high MISSING, step-4/low MISSING, step-5/high MISSING  applied 2->3, 30s ago  out 4m30s, in 4m30s    active',
        'exports       queue-workers     1        1        0    8    step-0/high MISSING, step-1/high MISSING, step-2/low MISSING                                                                applied 2->3, 30s ago  out 4m30s, in 4m30s    active',
        'reports       queue-workers     1        5        0    8    age/high MISSING                                                                                                            applied 2->3, 30s ago  out 0s, in 30s         active',
        'mail          rabbitmq-workers  2        2        0    6    backlog/high MISSING                                                                                                        applied 2->3, 30s ago  out 0s, in 30s         active',
        'tasks         redis-workers     4        4        0    12   backlog/high MISSING                                                                                                        applied 2->3, 30s ago  out 0s, in 30s         active',
        'orders-db     rds-replicas      -        -        -    -    cpu/high MISSING, cpu/low MISSING                                                                                           applied 2->3, 30s ago  out 19m30s, in 59m30s  active',
        'reports-db    rds-replicas      -        -        -    -    cpu/high MISSING, cpu/low MISSING, replica-cpu/high MISSING                                                                 applied 2->3, 30s ago  out 19m30s, in 59m30s  active',
        'ledger-disk   rds-storage       -        -        -    -    storage/low MISSING                                                                                                         applied 2->3, 30s ago  -                      active',
        'search-class  rds-instance      -        -        -    -    cpu/high MISSING, cpu/low MISSING                                                                                           applied 2->3, 30s ago  out 23h59m, in 23h59m  active',
        'cache         redis             -        -        -    -    -                                                                                                                           applied 2->3, 30s ago  out 0s, in 5h59m       active',
        'sessions      redis             -        -        -    -    -                                                                                                                           applied 2->3, 30s ago  out 0s, in 5h59m       active',
        'cdn-web       cloudfront        -        -        -    -    -                                                                                                                           applied 2->3, 30s ago  -                      active',
        'cdn-app       cloudfront        -        -        -    -    -                                                                                                                           applied 2->3, 30s ago  -                      active',
        'cdn-static    cloudfront        -        -        -    -    -                                                                                                                           applied 2->3, 30s ago  -                      active',
        '',
      ].join('\n'),
    );
  });
});

describe('explain', () => {
  test('the policy line for the kinds that have a CPU or step policy, none for the others', async () => {
    const policies: Record<string, string | undefined> = {};
    for (const t of ALL_KINDS_CONFIG.targets) {
      const res = await run('explain', t.id);
      expect(res).toMatchObject({ code: 0, err: '' });
      const lines = res.out.trimEnd().split('\n');
      expect(lines[0]).toBe(`${t.id} (${t.kind}): applied at 2026-01-05 11:59:30Z (30s ago)`);
      expect(lines[2]).toBe(`  reason:   ${t.kind} grew`);
      policies[t.id] = lines.find((l) => l.startsWith('  policy:'));
    }
    expect(Object.entries(policies).filter(([, p]) => p !== undefined)).toEqual([
      ['web', '  policy:   2-10 units, CPU target 70%, scale-out cooldown 60 s, scale-in cooldown 300 s'],
      ['api', '  policy:   2-10 units, CPU target 70%, scale-out cooldown 60 s, scale-in cooldown 300 s'],
      ['admin', '  policy:   1-6 units, step policy: 6 rule(s) on cpu, memory, connections, queue-share, evaluated every 120 s'],
    ]);
  });
});

test('config validate shows the unit bounds of the kinds that have them', async () => {
  const res = await run('config', 'validate', configFile);
  expect(res).toMatchObject({ code: 0, err: '' });
  expect(res.out.split('\n').map((l) => l.replace(/\): .*/, ')'))).toEqual([
    `${configFile}: OK`,
    '  prefix "shop", stack shop-autoscaler, 17 target(s)',
    '  web (asg, 2-10 units)',
    '  api (ecs-service, 2-10 units)',
    '  celery (queue-workers, 0-20 units)',
    '  admin (ecs-service, 1-6 units)',
    '  exports (queue-workers, 0-8 units)',
    '  reports (queue-workers, 0-8 units)',
    '  mail (rabbitmq-workers, 0-6 units)',
    '  tasks (redis-workers, 0-12 units)',
    '  orders-db (rds-replicas)',
    '  reports-db (rds-replicas)',
    '  ledger-disk (rds-storage)',
    '  search-class (rds-instance)',
    '  cache (redis)',
    '  sessions (redis)',
    '  cdn-web (cloudfront)',
    '  cdn-app (cloudfront)',
    '  cdn-static (cloudfront)',
    expect.stringMatching(/^ {2}\d+ alarm\(s\) in all$/),
    '',
  ]);
});
