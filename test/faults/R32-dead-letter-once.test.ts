/**
 * R32: a failed asynchronous event reaches the dead-letter queue once. Every function has one way to
 * the queue, its on-failure destination (whose record carries the request and the error); none has a
 * DeadLetterConfig as well, which would deliver the same failure a second time. Read from the
 * synthesized template of the example config and run through `LambdaAsync` configured from it, with
 * the real capacity handler on dynalite. The queue's depth alarm, as synthesized, fires on one message.
 * That cdk-nag takes the queue for the dead-letter queue it is (SQS3 acknowledged) is R20's check of
 * every finding.
 */
import type { AlarmSpec } from '../../lambdas/shared/alarms';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { AlarmEvaluator } from '../../sim/cloud/alarms';
import { MetricStore } from '../../sim/cloud/cloudwatch';
import { EXAMPLE_CONFIG } from '../lib/helpers';
import { asyncInvokeConfigs, eventOf, type InvocationRecord, LambdaAsync, synthesize, T0, useDynalite, withHarness } from './support';

const db = useDynalite();

const config = loadConfigFile(EXAMPLE_CONFIG);
const { stack, autoscaler, template } = synthesize(config);
type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
const resources = template.toJSON().Resources as Resources;
const wiring = asyncInvokeConfigs(resources);
const dlqId = stack.getLogicalId(autoscaler.deadLetterQueue.node.defaultChild as never);
const capacityId = stack.getLogicalId(autoscaler.functions.capacity!.node.defaultChild as never);

test('R32 the template: no function has a DeadLetterConfig; every asynchronously invoked one has the dead-letter queue as its one on-failure destination', () => {
  const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  expect(functions.length).toBeGreaterThan(wiring.size); // the runbook task function is invoked synchronously
  for (const [, fn] of functions) expect(fn.Properties.DeadLetterConfig).toBeUndefined();
  expect(wiring.size).toBe(Object.keys(autoscaler.functions).length);
  for (const c of wiring.values()) expect(c).toMatchObject({ onFailure: dlqId, deadLetter: undefined });
  // one EventInvokeConfig per function: two could not both hold
  const invokeConfigs = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
  expect(invokeConfigs).toHaveLength(wiring.size);
  for (const r of invokeConfigs) expect(r.Properties.DestinationConfig).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } });
});

test('R32 an event that fails every attempt (the state table throttled) reaches the dead-letter queue once, with the request and the error', async () => {
  await withHarness({ db: db(), faults: { dynamo: { throttle: 1, throttleError: 'ProvisionedThroughputExceededException' } } }, async (h) => {
    h.load(92);
    const event = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
    const lambda = new LambdaAsync(wiring.get(capacityId)!, { handler: (e) => h.handler(e), clock: h.clock });
    const run = await lambda.invoke(event);
    expect(run.attempts).toBe(3);
    expect(lambda.allMessages()).toHaveLength(1);
    expect(lambda.messages(dlqId)).toEqual([
      expect.objectContaining<Partial<InvocationRecord>>({
        requestPayload: event,
        requestContext: expect.objectContaining({ condition: 'RetriesExhausted', approximateInvokeCount: 3 }),
        responsePayload: { errorType: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded' },
      }),
    ]);
    expect(h.writes()).toHaveLength(0);
  });
});

test('R32 an event that fails once and then succeeds reaches no queue', async () => {
  let failures = 0;
  await withHarness(
    { db: db(), faults: { dynamo: { throttle: () => failures++ < 4, throttleError: 'ProvisionedThroughputExceededException' } } },
    async (h) => {
      h.load(92);
      const event = eventOf(h.evaluate(), 'autoscaler/web/cpu/high');
      const lambda = new LambdaAsync(wiring.get(capacityId)!, { handler: (e) => h.handler(e), clock: h.clock });
      const run = await lambda.invoke(event);
      expect(run.attempts).toBe(2);
      expect(lambda.allMessages()).toEqual([]);
      expect(h.writes()).toHaveLength(1);
    },
  );
});

test('R32 the dead-letter queue depth alarm, as synthesized, fires on one message', () => {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((r) => JSON.stringify(r.Properties.Dimensions ?? []).includes(dlqId));
  expect(alarms).toHaveLength(1);
  const p = alarms[0].Properties;
  expect(p.AlarmActions?.length).toBeGreaterThan(0);
  const spec: AlarmSpec = {
    name: p.AlarmName,
    targetId: 'self',
    signal: 'age',
    direction: 'high',
    metric: { namespace: p.Namespace, metricName: p.MetricName, dimensions: { QueueName: 'autoscaler-dlq' }, stat: p.Statistic },
    periodSeconds: p.Period,
    evaluationPeriods: p.EvaluationPeriods,
    datapointsToAlarm: p.DatapointsToAlarm ?? p.EvaluationPeriods,
    threshold: p.Threshold,
    comparison: p.ComparisonOperator,
    treatMissingData: p.TreatMissingData,
    description: p.AlarmDescription,
  };
  expect(spec.metric).toMatchObject({ namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible' });
  const metrics = new MetricStore();
  const evaluator = new AlarmEvaluator([spec], metrics, {}, T0 - 3600_000);
  // an empty queue publishes zeros: OK
  for (let m = -10; m < 0; m++) metrics.put(spec.metric, T0 + m * 60_000, 0, T0 + m * 60_000);
  evaluator.evaluate(T0);
  expect(evaluator.stateOf(spec.name)).toBe('OK');
  // one dead letter: the next evaluation raises the alarm
  metrics.put(spec.metric, T0, 1, T0);
  const events = evaluator.evaluate(T0 + 120_000);
  expect(events.map((e) => [e.detail.alarmName, e.detail.state.value])).toEqual([[spec.name, 'ALARM']]);
});
