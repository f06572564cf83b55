import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { alarmRulePattern } from '../../../lambdas/shared/alarms';
import { toEventPattern } from '../../../lib/shared/event-pattern';
import { testApp } from '../helpers';

describe('toEventPattern', () => {
  test('renames detail-type and keeps detail as it is, so the rule renders the raw pattern exactly', () => {
    const raw = alarmRulePattern('shop', 'capacity');
    const pattern = toEventPattern(raw);
    expect(pattern.detailType).toEqual(raw['detail-type']);
    expect(pattern.detail).toBe(raw.detail);
    const stack = new Stack(testApp(), 'S');
    new events.Rule(stack, 'R', { eventPattern: pattern });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { EventPattern: raw });
  });

  test('an unknown top-level key is refused', () => {
    expect(() => toEventPattern({ bogus: ['x'] })).toThrow('"bogus"');
  });
});
