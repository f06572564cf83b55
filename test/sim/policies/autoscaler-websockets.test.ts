import { runAutoscaler } from '../../../sim/policies/autoscaler';
import { World } from '../../../sim/world';
import { queueScenario, traceOf, webScenario } from '../helpers';

/** Two hours at 100 req/s, then two at 300 req/s: CPU alone needs 4 then 11 units of 40 req/s at 70%. */
const trace = traceOf([...Array(120).fill(100 * 60), ...Array(120).fill(300 * 60)]);
const scenario = (connectionsPerUnit: number, connectionSeconds = 90) =>
  webScenario({
    workload: { unitCapacity: 40, provisioningSeconds: 180, connectionSeconds },
    target: { minUnits: 2, maxUnits: 60, targetUtilization: 70, connectionsPerUnit },
  });

/** Share of steps (after a settling hour) whose open connections per ready unit exceed `per`. */
function shareAbove(world: World, per: number): number {
  let above = 0;
  for (let t = 60; t < world.steps; t++) if (world.connectionsAtStep[t] / Math.max(1, world.ready[t]) > per * 1.25) above++;
  return above / (world.steps - 60);
}

describe('the world publishes WebSocket connections and the autoscaler sizes on them', () => {
  test("open connections follow Little's law: rate x mean duration once steady", () => {
    const world = new World(scenario(1500), trace);
    for (let t = 0; t < world.steps; t++) world.endStep();
    expect(world.connections[100]).toBeCloseTo(100 * 90, 6);
    expect(world.connections[230]).toBeCloseTo(300 * 90, 6);
    // After the step up, connections approach the new level over about one duration, not at once.
    expect(world.connections[120]).toBeGreaterThan(9000);
    expect(world.connections[120]).toBeLessThan(27_000);
    expect(world.connectionsAtStep[120]).toBeCloseTo(27_000 - 18_000 * Math.exp(-60 / 90), 6);
  });

  test('with 1,500 connections per unit the group holds them: 27,000 connections need 18 units where CPU asks for 11', async () => {
    const run = await runAutoscaler(scenario(1500), trace);
    expect(run.failures).toEqual([]);
    expect(run.alarmEvents.some((e) => e.detail.alarmName === 'sim/web/custom-websockets/high' && e.detail.state.value === 'ALARM')).toBe(true);
    expect(run.world.desired).toBeGreaterThanOrEqual(18);
    expect(shareAbove(run.world, 1500)).toBeLessThan(0.05);
  });

  test('a target per unit that never binds leaves the decisions to CPU, which lets connections per unit run above 1,500', async () => {
    const cpuOnly = await runAutoscaler(scenario(1e6), trace);
    expect(cpuOnly.world.desired).toBeLessThan(13);
    expect(shareAbove(cpuOnly.world, 1500)).toBeGreaterThan(0.3);
  });
});

describe("the seeds' WebSocket rule as a step rule on a custom metric (autoscaler-step)", () => {
  test("connections per unit in service above 1,500 add units through the rule's alarm, the handler and the decision loop, to about 18 where CPU asks for 11", async () => {
    const run = await runAutoscaler(scenario(1500), trace, { policy: 'step' });
    expect(run.failures).toEqual([]);
    // The rule on `websockets` is stepRules[2]: its alarm fires on the metric math, and the handler acts on it.
    expect(run.alarmEvents.some((e) => e.detail.alarmName === 'sim/web/step-2/high' && e.detail.state.value === 'ALARM')).toBe(true);
    const reasons = (await run.state.listAudit('web', 0, Number.MAX_SAFE_INTEGER, 10_000)).map((e) => e.reason);
    expect(reasons.some((r) => /rule 2: \d+ -> \d+$/.test(r))).toBe(true);
    // Read per unit in service (the metric math), not as the fleet total, which would run the group to its ceiling.
    expect(run.world.desired).toBeGreaterThanOrEqual(17);
    expect(run.world.desired).toBeLessThanOrEqual(20);
  });

  test('without connections above the threshold the rule stays quiet and CPU alone sizes the group', async () => {
    const run = await runAutoscaler(scenario(1e6), trace, { policy: 'step' });
    expect(run.alarmEvents.some((e) => e.detail.alarmName === 'sim/web/step-2/high' && e.detail.state.value === 'ALARM')).toBe(false);
    expect(run.world.desired).toBeLessThan(13);
  });
});

describe('the websockets extension of the scenario format', () => {
  test('connectionSeconds and connectionsPerUnit come together, on web workloads only, each named when wrong', () => {
    expect(() => webScenario({ workload: { connectionSeconds: 60 } })).toThrow(
      'target.connectionsPerUnit: missing; workload.connectionSeconds (60) opens connections that need a target per unit',
    );
    expect(() => webScenario({ target: { connectionsPerUnit: 1500 } })).toThrow(
      'workload.connectionSeconds: missing; target.connectionsPerUnit (1500) needs the connections it sizes on',
    );
    expect(() => queueScenario({ workload: { connectionSeconds: 60 }, target: { connectionsPerUnit: 1500 } })).toThrow(
      'workload.connectionSeconds: only for web workloads, not queue',
    );
  });

  test('a scenario without them has no connections: the world publishes none', () => {
    const world = new World(webScenario(), traceOf([600, 600, 600]));
    for (let t = 0; t < world.steps; t++) world.endStep();
    expect([...world.connections].every(Number.isNaN)).toBe(true);
    expect(webScenario().workload.websockets).toBeUndefined();
  });
});
