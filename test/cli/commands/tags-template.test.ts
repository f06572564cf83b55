/**
 * `tags check` covers what the stacks grant by tag: the kinds of resource it reads are the resource types
 * of every statement conditioned on `aws:ResourceTag/autoscaler:scaled-by` in the synthesized template of
 * a deployment with every target kind and `permissions: by-tag`. A new tag-scoped grant fails here until
 * the check reads that kind of resource too.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { TAGGED_KINDS, taggedResources } from '../../../cli/commands/tags';
import { parseConfig } from '../../../lambdas/shared/config';
import { SCALED_BY_TAG } from '../../../lambdas/shared/tags';
import { buildApp } from '../../../lib/app';
import { testApp } from '../../lib/helpers';
import { ALL_KINDS_CONFIG } from '../../support/configs';
import { ACCOUNT, asList, REGION, ResolvedTemplate } from '../../support/iam-template';

/** The kind of resource an ARN pattern stands for, as the check names it; any other as `service:resource`. */
function resourceKind(arn: string): string {
  const [, , service, , , ...rest] = arn.split(':');
  const resource = rest.join(':');
  if (service === 'autoscaling' && resource.startsWith('autoScalingGroup:')) return 'asg';
  if (service === 'ecs' && resource.startsWith('service/')) return 'ecs-service';
  if (service === 'sqs') return 'sqs-queue';
  if (service === 'rds' && resource.startsWith('db:')) return 'rds-instance';
  if (service === 'elasticache' && resource.startsWith('replicationgroup:')) return 'elasticache-replication-group';
  if (service === 'cloudfront' && resource.startsWith('distribution/')) return 'cloudfront-distribution';
  return `${service}:${resource}`;
}

describe('tags check and the by-tag grants', () => {
  const config = parseConfig({ ...ALL_KINDS_CONFIG, permissions: 'by-tag' });
  const { stack } = buildApp(config, { app: testApp(), env: { account: ACCOUNT, region: REGION } });
  const template = new ResolvedTemplate(Template.fromStack(stack).toJSON() as never);
  const condition = `aws:ResourceTag/${SCALED_BY_TAG}`;
  const grantedByTag = new Set<string>();
  for (const id of template.ofType('AWS::Lambda::Function'))
    for (const { document } of template.deployedFunction(id).policies)
      for (const s of document.Statement)
        if (Object.values(s.Condition ?? {}).some((c) => condition in c)) for (const arn of asList(s.Resource)) grantedByTag.add(resourceKind(arn));
  const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

  test('the template grants by tag on some resource types (the check below is not vacuous)', () => {
    expect(grantedByTag.size).toBeGreaterThanOrEqual(6);
  });

  test('the kinds the check reads for the config are the resource types granted by tag', () => {
    expect(sorted(config.targets.flatMap(taggedResources).map((r) => r.kind))).toEqual(sorted(grantedByTag));
  });

  test('the kinds the check knows are the same', () => {
    expect(sorted(TAGGED_KINDS)).toEqual(sorted(grantedByTag));
  });

  test.each([
    ['arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/*', 'asg'],
    ['arn:aws:ecs:eu-west-1:123456789012:service/*', 'ecs-service'],
    ['arn:aws:sqs:eu-west-1:123456789012:*', 'sqs-queue'],
    ['arn:aws:rds:eu-west-1:123456789012:db:*', 'rds-instance'],
    ['arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:*', 'elasticache-replication-group'],
    ['arn:aws:cloudfront::123456789012:distribution/*', 'cloudfront-distribution'],
    ['arn:aws:rds:eu-west-1:123456789012:cluster:*', 'rds:cluster:*'],
  ])('resourceKind(%s) = %s', (arn, kind) => expect(resourceKind(arn)).toBe(kind));
});
