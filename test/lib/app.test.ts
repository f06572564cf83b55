import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { buildApp, main, stackNameFor } from '../../lib/app';
import { asg, config, EXAMPLE_CONFIG, ecs, TG, testApp, validationFindings } from './helpers';

describe('buildApp', () => {
  test('the example config synthesizes with zero unacknowledged AwsSolutions findings and no CloudFormation validation finding', () => {
    const app = testApp();
    const { stack } = buildApp(loadConfigFile(EXAMPLE_CONFIG), { app });
    expect(validationFindings(app)).toEqual([]);
    expect(stack.stackName).toBe('django-shop-autoscaler');
  });

  test('twenty mixed targets also synthesize with zero unacknowledged findings', () => {
    const app = testApp();
    const targets = Array.from({ length: 20 }, (_, i) => (i % 2 ? ecs(`t${i}`) : asg(`t${i}`, { targetGroup: { ...TG, requestsPerTarget: 900 } })));
    buildApp(config({ targets }), { app });
    expect(validationFindings(app)).toEqual([]);
  });

  test('cdk-nag runs: an unacknowledged finding is reported', () => {
    const app = testApp();
    const { stack } = buildApp(config({ targets: [asg('web')] }), { app });
    new sqs.Queue(stack, 'PlainQueue');
    const rules = validationFindings(app).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  test('every acknowledgement carries a reason and answers a finding that appears without it', () => {
    const acknowledged: Array<{ id: string; reason: string }> = [];
    const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation((...rules) => {
      acknowledged.push(...rules);
    });
    const app = testApp();
    try {
      buildApp(loadConfigFile(EXAMPLE_CONFIG), { app });
    } finally {
      spy.mockRestore();
    }
    const findings = validationFindings(app);
    expect(findings.every((f) => f.plugin === 'AwsSolutions')).toBe(true);
    expect(new Set(acknowledged.map((a) => a.id))).toEqual(new Set(findings.map((f) => f.rule)));
    for (const a of acknowledged) expect(a.reason.length).toBeGreaterThan(30);
  });
});

describe('stackNameFor', () => {
  test.each([
    ['autoscaler', 'Autoscaler'],
    ['django-shop', 'django-shop-autoscaler'],
  ])('%s -> %s', (prefix, name) => expect(stackNameFor(prefix)).toBe(name));
});

describe('main', () => {
  function run(yaml: string) {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'autoscaler-config-')), 'c.yaml');
    fs.writeFileSync(file, yaml);
    const app = testApp({ config: file });
    const err: string[] = [];
    const exit = jest.fn((code: number): never => {
      throw new Error(`exit ${code}`);
    });
    let result: unknown;
    try {
      result = main(app, { stderr: (t) => err.push(t), exit });
    } catch (e) {
      result = e;
    }
    return { result, stderr: err.join(''), exit };
  }

  test('a config with an unknown key exits with 1 and names the key on stderr', () => {
    const { stderr, exit } = run('prefix: shop\ntargets:\n  - kind: asg\n    id: web\n    autoScalingGroupName: web\n    maxCapacty: 5\n');
    expect(exit).toHaveBeenCalledWith(1);
    expect(stderr).toContain('targets[0].maxCapacty: unknown key');
  });

  test('the config named by the context is built', () => {
    const { result, exit } = run('prefix: shop\ntargets:\n  - kind: ecs-service\n    id: api\n    cluster: c\n    service: s\n');
    expect(exit).not.toHaveBeenCalled();
    expect((result as ReturnType<typeof buildApp>).autoscaler.config.targets[0].id).toBe('api');
  });
});
