import * as v from 'valibot';
/**
 * The cost model's metrics per evaluation are what the capacity function requests: each target of the
 * bench's synthetic deployment evaluated once, on an alarm, through the real service and the in-memory
 * CloudWatch, Auto Scaling and ECS, and the metrics of its GetMetricData requests counted.
 */
import { costPerTarget, metricsPerEvaluation, USAGE } from '../../bench/cost';
import { syntheticConfig } from '../../bench/synth';
import { CapacityService } from '../../lambdas/scalers/capacity/service';
import { capacityMetrics } from '../../lambdas/shared/alarms';
import type { CapacityTarget } from '../../lambdas/shared/config';
import { CapacityEventSchema } from '../../lambdas/shared/events';
import { MemoryStateStore } from '../../lambdas/state/memory';
import { type CapacityBackend, FakeAutoScaling, FakeEcs } from '../../sim/cloud/capacity';
import { FakeCloudWatch, MetricStore } from '../../sim/cloud/cloudwatch';
import { CallLog } from '../../sim/cloud/recorder';
import alarmFixture from '../fixtures/cloudwatch-alarm-state-change.json';

const NOW = Date.UTC(2026, 0, 5, 10, 0, 30);

function fleet(): CapacityBackend {
  const backend = {
    desired: 2,
    setDesired: (n: number) => {
      backend.desired = n;
    },
    units: () => [
      { serial: 1, ready: true },
      { serial: 2, ready: true },
    ],
  };
  return backend;
}

/** Metrics requested by one alarm-driven evaluation of each target, in order. */
async function requestedPerTarget(n: number): Promise<number[]> {
  const config = syntheticConfig(n);
  const targets = config.targets as CapacityTarget[];
  const log = new CallLog(() => NOW);
  const store = new MetricStore();
  // A fresh CPU datapoint each: the reads are on time, so none is read again over a wider window.
  for (const t of targets) for (let m = 1; m <= 5; m++) store.put(capacityMetrics(t).cpu, NOW - 30_000 - m * 60_000, 50, 0);
  const alarmName = (t: CapacityTarget) => `${config.prefix}/${t.id}/cpu/high`;
  const cloudWatch = new FakeCloudWatch(store, log, () => NOW, { describe: () => targets.map((t) => ({ AlarmName: alarmName(t), StateValue: 'ALARM' })) });
  const autoScaling = new FakeAutoScaling(
    targets.flatMap((t) => (t.kind === 'asg' ? [{ name: t.autoScalingGroupName, minSize: 1, maxSize: 10, backend: fleet() }] : [])),
    log,
  );
  const ecs = new FakeEcs(
    targets.flatMap((t) => (t.kind === 'ecs-service' ? [{ cluster: t.cluster, service: t.service, backend: fleet() }] : [])),
    log,
  );
  const service = new CapacityService({ config, store: new MemoryStateStore(), autoScaling, ecs, cloudWatch, now: () => NOW, sleep: async () => undefined });
  const counts: number[] = [];
  for (const t of targets) {
    const before = log.of('cloudwatch', 'GetMetricDataCommand').length;
    const event = v.parse(CapacityEventSchema, {
      ...alarmFixture,
      time: new Date(NOW - 10_000).toISOString(),
      detail: { ...alarmFixture.detail, alarmName: alarmName(t) },
    });
    const result = await service.handle(event, `alarm:${t.id}`);
    expect(result).toMatchObject({ status: 'evaluated' });
    const reads = log.of('cloudwatch', 'GetMetricDataCommand').slice(before);
    counts.push(reads.flatMap((c) => (c.input as { MetricDataQueries: { MetricStat?: unknown }[] }).MetricDataQueries).filter((q) => q.MetricStat).length);
  }
  return counts;
}

test("metrics per evaluation: the mean of what each target's evaluation requests, counted from the configuration", async () => {
  const requested = await requestedPerTarget(8);
  // asg with a target group, asg alone, asg with a target group, ecs-service alone (CPU and memory)
  expect(requested).toEqual([4, 1, 4, 2, 4, 1, 4, 2]);
  expect(metricsPerEvaluation(syntheticConfig(8))).toBe(requested.reduce((a, b) => a + b, 0) / requested.length);
});

test('the cost per target counts the metrics it is given, and the assumed count where none is', () => {
  const assumed = costPerTarget(100, 279, 1);
  const counted = costPerTarget(100, 279, 1, 2.75);
  expect(assumed.metricsPerEvaluation).toBe(USAGE.metricsPerEvaluation);
  expect(assumed.perTarget - counted.perTarget).toBeCloseTo(USAGE.minutes * USAGE.alarmShare * (4 - 2.75) * (0.01 / 1000), 9);
  expect(counted.perTarget).toBeCloseTo(counted.alarmsPerTargetCost + counted.evaluationsPerTargetCost + counted.fixed / 100, 9);
});
