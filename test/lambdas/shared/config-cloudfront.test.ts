import { parseConfig } from '../../../lambdas/shared/config';
import { configProblems } from '../../support/config-problems';

function withTarget(target: Record<string, unknown>) {
  return { targets: [{ kind: 'cloudfront', id: 'cdn', distributionId: 'E2QWRUHAPOMQZL', ...target }] };
}

const problems = configProblems;

describe('cloudfront target config', () => {
  test('defaults: no triggers, /* for deploys, 60 s windows, the 1,000 free paths a month', () => {
    const [t] = parseConfig(withTarget({})).targets;
    expect(t).toEqual({
      kind: 'cloudfront',
      id: 'cdn',
      distributionId: 'E2QWRUHAPOMQZL',
      triggers: [],
      paths: ['/*'],
      coalesceSeconds: 60,
      monthlyPathBudget: 1000,
      dryRun: false,
    });
  });

  test('the three trigger shapes, with the s3 defaults filled in', () => {
    const [t] = parseConfig(
      withTarget({
        triggers: [
          { ecsDeployment: { cluster: 'shop', service: 'web', paths: ['/index.html'] } },
          { codePipeline: { pipeline: 'frontend' } },
          { s3: { bucket: 'shop-static' } },
        ],
      }),
    ).targets;
    expect(t.kind === 'cloudfront' && t.triggers).toEqual([
      { ecsDeployment: { cluster: 'shop', service: 'web', paths: ['/index.html'] } },
      { codePipeline: { pipeline: 'frontend' } },
      { s3: { bucket: 'shop-static', prefix: '', pathPrefix: '/' } },
    ]);
  });

  test('a malformed distribution id is named with its value', () => {
    expect(problems(withTarget({ distributionId: 'd111111abcdef8' }))).toEqual([
      'targets[0].distributionId: "d111111abcdef8" must be a CloudFront distribution id: "E" then capital letters and digits',
    ]);
  });

  test('paths must start with / and may only end with *', () => {
    expect(problems(withTarget({ paths: ['static/*'] }))[0]).toMatch(/^targets\[0\]\.paths\[0\]: "static\/\*" must start with "\/"/);
    expect(problems(withTarget({ paths: ['/a/*/b'] }))[0]).toMatch(/^targets\[0\]\.paths\[0\]: "\/a\/\*\/b"/);
  });

  test('an unknown trigger or an unknown key in one is rejected', () => {
    expect(problems(withTarget({ triggers: [{ lambda: { name: 'x' } }] }))).toEqual(['targets[0].triggers[0]: an object matches none of the allowed shapes']);
    expect(problems(withTarget({ triggers: [{ s3: { bucket: 'shop-static', suffix: '.css' } }] }))).toEqual(['targets[0].triggers[0].s3.suffix: unknown key']);
  });

  test('out-of-range windows and budgets are named', () => {
    expect(problems(withTarget({ coalesceSeconds: 5 }))).toEqual(['targets[0].coalesceSeconds: 5 is below the minimum 10']);
    expect(problems(withTarget({ monthlyPathBudget: 0 }))).toEqual(['targets[0].monthlyPathBudget: 0 is below the minimum 1']);
  });

  test('two targets on the same distribution are rejected (they would share its in-progress limits)', () => {
    const input = {
      targets: [
        { kind: 'cloudfront', id: 'a', distributionId: 'E2QWRUHAPOMQZL' },
        { kind: 'cloudfront', id: 'b', distributionId: 'E2QWRUHAPOMQZL' },
      ],
    };
    expect(problems(input)).toEqual(['targets[1].distributionId: "E2QWRUHAPOMQZL" is already the distribution of targets[0]']);
  });
});
