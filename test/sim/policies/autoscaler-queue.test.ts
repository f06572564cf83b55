import { autoscalerConfig, runAutoscaler, SIM_QUEUE_URL } from '../../../sim/policies/autoscaler';
import { runBaseline, scoreWorld } from '../../../sim/runner';
import { queueScenario, T0, traceOf } from '../helpers';

const MIN = 60_000;
const scenario = queueScenario({
  workload: { unitCapacity: 2, provisioningSeconds: 60 },
  slo: { maxWaitSeconds: 300 },
  target: { minUnits: 0, maxUnits: 30 },
});
// 10 idle minutes, one message, 10 idle minutes, a 3-minute batch of 6,000, then 20 idle minutes
const trace = traceOf([...new Array(10).fill(0), 1, ...new Array(10).fill(0), 2000, 2000, 2000, ...new Array(20).fill(0)]);

describe('the autoscaler policy on a queue scenario', () => {
  test('its config is a queue-workers target built from the scenario, project defaults for the rest', () => {
    const c = autoscalerConfig(scenario);
    expect(c.targets[0]).toMatchObject({
      id: 'workers',
      kind: 'queue-workers',
      queueUrl: SIM_QUEUE_URL,
      workers: { kind: 'ecs-service', cluster: 'sim', service: 'sim-workers' },
      messagesPerSecondPerWorker: 2,
      maxWaitSeconds: 300,
      minCapacity: 0,
      maxCapacity: 30,
      warmupSeconds: 60,
      idleSeconds: 300,
    });
  });

  test('the real poller scales from zero at the next poll, drains the batch within the SLO and returns to zero', async () => {
    const run = await runAutoscaler(scenario, trace);
    expect(run.failures).toEqual([]);
    // the poller read the queue every minute (and the age alarm's fast path once more: the batch is
    // drained by its deadlines, so its oldest message passes half the wait SLO)
    const reads = run.calls.of('sqs', 'GetQueueAttributesCommand');
    expect(new Set(reads.map((c) => Math.floor((c.at - T0) / MIN))).size).toBe(trace.arrivals.length);
    expect(reads.length).toBeLessThanOrEqual(trace.arrivals.length + 1);
    const updates = run.calls
      .of('ecs', 'UpdateServiceCommand')
      .map((c) => ({ step: (c.at - T0) / MIN, n: (c.input as { desiredCount: number }).desiredCount }));
    // the message of step 10 joins after that step's poll: the poll of step 11 asks for a worker
    expect(updates[0]).toEqual({ step: 11, n: 1 });
    // the batch from step 21 is acted on at step 22
    const batch = updates.find((u) => u.step >= 21 && u.n > 1);
    expect(batch?.step).toBe(22);
    // back to zero before the end, after the idle period
    expect(run.world.billed[run.world.steps - 1]).toBe(0);
    const score = scoreWorld(scenario, run.world);
    expect(score.violationPct).toBe(0);
    // cheaper than KEDA on the same trace
    const keda = scoreWorld(scenario, runBaseline(scenario, trace, 'keda'));
    expect(score.costRatio).toBeLessThan(keda.costRatio as number);
  });

  test('the age alarm is evaluated on the published SQS metrics and its event reaches the queue function', async () => {
    // a backlog no fleet of 2 can drain: the oldest message passes half the SLO
    const small = queueScenario({ workload: { unitCapacity: 1, provisioningSeconds: 60 }, slo: { maxWaitSeconds: 300 }, target: { minUnits: 0, maxUnits: 2 } });
    const run = await runAutoscaler(small, traceOf([2000, ...new Array(15).fill(0)]));
    expect(run.failures).toEqual([]);
    const alarm = run.alarmEvents.find((e) => e.detail.alarmName === 'sim/workers/age/high' && e.detail.state.value === 'ALARM');
    expect(alarm).toBeDefined();
    const decisions = await run.state.listAudit('workers', T0, T0 + 60 * MIN);
    expect(decisions.some((d) => d.eventId?.startsWith('alarm:'))).toBe(true);
  });
});

describe('autoscaler-step on a queue scenario', () => {
  test("the seeds' Celery rule as policy: step: the batch of 2,000 a minute adds two workers at once, then more as it stays", async () => {
    expect(autoscalerConfig(scenario, 'step').targets[0]).toMatchObject({ policy: 'step', evaluationIntervalSeconds: 300 });
    const run = await runAutoscaler(scenario, trace, { policy: 'step' });
    expect(run.failures).toEqual([]);
    const updates = run.calls.of('ecs', 'UpdateServiceCommand').map((c) => [(c.at - T0) / MIN, (c.input as { desiredCount: number }).desiredCount]);
    // The batch joins the queue at step 21. The poll of step 22 samples 2,000 visible but the rules are
    // evaluated every 300 s (next at step 25); the rule's alarm sees CloudWatch's datapoint of minute 21
    // at step 23, and its event is evaluated at once: more than 1,000, +2.
    expect(updates[0]).toEqual([23, 2]);
    expect(run.alarmEvents.find((e) => e.detail.alarmName === 'sim/workers/step-1/high' && e.detail.state.value === 'ALARM')?.time).toBe(
      new Date(T0 + 23 * MIN).toISOString().replace('.000', ''),
    );
    // Each later change is one rule's step, 300 s after the one before.
    for (let i = 1; i < updates.length; i++) expect(updates[i][0] - updates[i - 1][0]).toBeGreaterThanOrEqual(5);
  });
});
