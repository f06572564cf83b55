import { App, Stack } from 'aws-cdk-lib';
import { flattenCfnValue } from '../../../lib/shared/nag';

describe('flattenCfnValue', () => {
  test('flattens joins, refs and attributes the way cdk-nag names IAM5 findings', () => {
    expect(flattenCfnValue({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':x:', { 'Fn::GetAtt': ['Fn', 'Arn'] }]] })).toBe(
      'arn:<AWS::Partition>:x:<Fn.Arn>',
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template literal
    expect(flattenCfnValue({ 'Fn::Sub': 'arn:${AWS::Partition}:y' })).toBe('arn:<AWS::Partition>:y');
    expect(flattenCfnValue('*')).toBe('*');
  });

  test('an ARN of a stack with a concrete environment flattens to literals', () => {
    const stack = new Stack(new App({ context: { '@aws-cdk/core:enablePartitionLiterals': true } }), 'S', {
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    const arn = stack.formatArn({ service: 'ecs', resource: 'service', resourceName: 'c/s' });
    expect(flattenCfnValue(stack.resolve(arn))).toBe('arn:aws:ecs:eu-west-1:123456789012:service/c/s');
  });
});
