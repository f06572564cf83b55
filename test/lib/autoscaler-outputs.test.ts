/** The Autoscaler construct's stack outputs (read by the operator CLI) and its runbook registration. */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { OUTPUT_KEYS } from '../../lambdas/shared/deployment';
import { Autoscaler } from '../../lib/autoscaler';
import { asg, config, ecs, testApp } from './helpers';

const cfg = config({ targets: [asg('web'), ecs('api')] });
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:shop-add-replica';

function synth(extend?: (a: Autoscaler) => void) {
  const stack = new Stack(testApp(), 'Test');
  const autoscaler = new Autoscaler(stack, 'Autoscaler', { config: cfg });
  extend?.(autoscaler);
  return { stack, autoscaler, template: Template.fromStack(stack) };
}

test('the CLI finds the prefix, state table, topic, queue and dashboard under exact output keys', () => {
  const { template, stack, autoscaler } = synth();
  const outputs = template.findOutputs('*');
  expect(Object.keys(outputs)).toEqual(expect.arrayContaining(Object.values(OUTPUT_KEYS)));
  expect(outputs[OUTPUT_KEYS.prefix].Value).toBe('shop');
  expect(outputs[OUTPUT_KEYS.stateTableName].Value).toEqual({ Ref: stack.getLogicalId(autoscaler.stateTable.node.defaultChild as never) });
  expect(outputs[OUTPUT_KEYS.topicArn].Value).toEqual({ Ref: stack.getLogicalId(autoscaler.notifications.topic.node.defaultChild as never) });
});

test('a registered runbook gets an output, a failed-executions alarm and a dashboard graph', () => {
  const { template, autoscaler, stack } = synth((a) => a.addRunbook('add-replica', sfn.StateMachine.fromStateMachineArn(a, 'AddReplica', ARN)));
  expect(template.findOutputs('AutoscalerRunbookAddReplica').AutoscalerRunbookAddReplica).toMatchObject({ Value: ARN, Description: 'Runbook "add-replica"' });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'shop-self/state-machine/add-replica/failed',
    Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)' })]),
  });
  const body = JSON.stringify(stack.resolve((autoscaler.dashboard.dashboard.node.defaultChild as unknown as { dashboardBody: unknown }).dashboardBody));
  expect(body).toContain('state machine add-replica: executions');
  expect(autoscaler.runbooks['add-replica'].stateMachineArn).toBe(ARN);
});

test('a bad or repeated runbook name is refused, naming it', () => {
  synth((a) => {
    const m = sfn.StateMachine.fromStateMachineArn(a, 'M', ARN);
    expect(() => a.addRunbook('Add_Replica', m)).toThrow('runbook name "Add_Replica" must be 1-40 lowercase letters');
    a.addRunbook('resize', m);
    expect(() => a.addRunbook('resize', m)).toThrow('runbook "resize" is already registered');
  });
});
