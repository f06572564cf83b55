/**
 * examples/: one config per seed guide. Each validates against the schema and synthesizes into the
 * stack the CDK app builds (cdk-nag's AwsSolutions checks and CloudFormation validation clean), in
 * the region its queues name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { allAlarms } from '../../lambdas/shared/alarms';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { buildApp } from '../../lib/app';
import { REPO_ROOT, testApp, validationFindings } from '../lib/helpers';

const DIR = path.join(REPO_ROOT, 'examples');
const FILES = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const README = fs.readFileSync(path.join(DIR, 'README.md'), 'utf8');

test('there is one example per seed guide', () => {
  expect(FILES).toHaveLength(5);
});

describe.each(FILES)('%s', (file) => {
  const config = loadConfigFile(path.join(DIR, file));

  test('synthesizes with no unacknowledged finding, in the region of its resources', () => {
    const app = testApp();
    const { stack } = buildApp(config, { app, env: { account: '123456789012', region: 'eu-west-1' } });
    expect(validationFindings(app)).toEqual([]);
    // Every target became alarms or a trigger: nothing in the file was dropped on the way.
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).length).toBeGreaterThan(0);
  });

  test('the README has its table, and names every target of it', () => {
    const section = README.split(/^## /m).find((s) => s.includes(`(${file})`));
    expect(section).toBeDefined();
    for (const t of config.targets) expect(section).toContain(`\`${t.id}\``);
  });
});

test("ca-dms.yaml: the guide's connections 80/20 are step rules on its custom metric, each with its alarm on it", () => {
  const config = loadConfigFile(path.join(DIR, 'ca-dms.yaml'));
  const onConnections = allAlarms(config).filter((a) => a.metric.metricName === 'ConnectionPoolUsedPercent');
  expect(onConnections.map((a) => [a.name, a.comparison, a.threshold])).toEqual([
    ['ca-dms/app/step-5/high', 'GreaterThanThreshold', 80],
    ['ca-dms/app/step-6/low', 'LessThanThreshold', 20],
  ]);
});
