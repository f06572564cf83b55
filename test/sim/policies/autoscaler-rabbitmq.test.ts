import { autoscalerConfig, runAutoscaler, SIM_BROKER } from '../../../sim/policies/autoscaler';
import { scoreWorld } from '../../../sim/runner';
import { queueScenario, T0, traceOf, webScenario } from '../helpers';

const MIN = 60_000;
const scenario = queueScenario({
  workload: { unitCapacity: 2, provisioningSeconds: 60, broker: 'rabbitmq' },
  slo: { maxWaitSeconds: 300 },
  target: { minUnits: 0, maxUnits: 30 },
});
const sqs = queueScenario({ workload: { unitCapacity: 2, provisioningSeconds: 60 }, slo: { maxWaitSeconds: 300 }, target: { minUnits: 0, maxUnits: 30 } });
// 10 idle minutes, one message, 10 idle minutes, a 3-minute batch of 6,000, then 20 idle minutes
const trace = traceOf([...new Array(10).fill(0), 1, ...new Array(10).fill(0), 2000, 2000, 2000, ...new Array(20).fill(0)]);

describe('the autoscaler policy on a queue scenario with workload.broker: rabbitmq', () => {
  test('the scenario field is the simulator’s extension: queue only, sqs or rabbitmq', () => {
    expect(scenario.workload.broker).toBe('rabbitmq');
    expect(sqs.workload.broker).toBeUndefined();
    expect(() => webScenario({ workload: { broker: 'rabbitmq' } })).toThrow(/workload\.broker: only for queue workloads, not web/);
    expect(() => queueScenario({ workload: { broker: 'kafka' } })).toThrow(/workload\.broker/);
  });

  test('its config is a rabbitmq-workers target on the simulated broker, built from the scenario', () => {
    expect(autoscalerConfig(scenario).targets[0]).toMatchObject({
      id: 'workers',
      kind: 'rabbitmq-workers',
      ...SIM_BROKER,
      workers: { kind: 'ecs-service', cluster: 'sim', service: 'sim-workers' },
      messagesPerSecondPerWorker: 2,
      maxWaitSeconds: 300,
      maxCapacity: 30,
    });
  });

  test('the real handler reads the AmazonMQ metrics with their lag, scales from zero a minute after SQS would, meets the SLO and returns to zero', async () => {
    const run = await runAutoscaler(scenario, trace);
    expect(run.failures).toEqual([]);
    // CloudWatch only: no SQS read, every poll a GetMetricData on the broker's queue
    expect(run.calls.of('sqs', 'GetQueueAttributesCommand')).toEqual([]);
    const reads = run.calls.of('cloudwatch', 'GetMetricDataCommand');
    expect(reads.length).toBeGreaterThanOrEqual(trace.arrivals.length);
    const query = (reads[0].input as { MetricDataQueries: { MetricStat: { Metric: unknown; Period: number } }[] }).MetricDataQueries;
    expect(query.map((q) => q.MetricStat.Metric)).toEqual(
      ['MessageReadyCount', 'MessageUnacknowledgedCount'].map((MetricName) => ({
        Namespace: 'AWS/AmazonMQ',
        MetricName,
        Dimensions: [
          { Name: 'Broker', Value: 'sim-broker' },
          { Name: 'VirtualHost', Value: '/' },
          { Name: 'Queue', Value: 'celery' },
        ],
      })),
    );
    expect(query[0].MetricStat.Period).toBe(60);
    const updates = run.calls
      .of('ecs', 'UpdateServiceCommand')
      .map((c) => ({ step: (c.at - T0) / MIN, n: (c.input as { desiredCount: number }).desiredCount }));
    // the message of step 10 is in minute 10's datapoint (sampled at its end), visible from step 12 (SQS: acted on at step 11)
    expect(updates[0]).toEqual({ step: 12, n: 1 });
    // the batch from step 21 is acted on at step 23 (SQS: 22)
    expect(updates.find((u) => u.step >= 21 && u.n > 1)?.step).toBe(23);
    expect(run.world.billed[run.world.steps - 1]).toBe(0);
    expect(scoreWorld(scenario, run.world).violationPct).toBe(0);
  });

  test('the same trace on SQS, for comparison: the poll has no lag', async () => {
    const run = await runAutoscaler(sqs, trace);
    expect(run.calls.of('cloudwatch', 'GetMetricDataCommand')).toEqual([]);
    const first = run.calls.of('ecs', 'UpdateServiceCommand')[0];
    expect((first.at - T0) / MIN).toBe(11);
  });
});
