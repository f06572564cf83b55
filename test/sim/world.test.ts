import { Fleet, World } from '../../sim/world';
import { queueScenario, traceOf, webScenario } from './helpers';

describe('Fleet', () => {
  test('a new unit is billed at once and ready after provisioningSeconds, from the step after its ready time', () => {
    const f = new Fleet(1, 90);
    f.setDesired(3, 60);
    expect(f.desired).toBe(3);
    // ready at 150 s: inside the step [120, 180), so it serves from 180
    expect(f.readyCount(120)).toBe(1);
    expect(f.readyCount(180)).toBe(3);
  });

  test('scale-in removes the newest units first, provisioning ones included, at once', () => {
    const f = new Fleet(2, 180);
    f.setDesired(3, 0); // ready at 180
    f.setDesired(5, 120); // ready at 300
    expect(f.readyCount(180)).toBe(3);
    f.setDesired(3, 180);
    expect(f.units().map((u) => u.readyAt)).toEqual([-Infinity, -Infinity, 180]);
    expect(f.readyCount(180)).toBe(3);
    f.setDesired(1, 180);
    expect(f.readyCount(180)).toBe(1);
    expect(f.units().map((u) => u.serial)).toEqual([0]);
  });
});

describe('World, web', () => {
  const scenario = webScenario({ workload: { unitCapacity: 10, provisioningSeconds: 180 } });

  function run(decide: (step: number, w: World) => void, arrivals = [600, 600, 600, 600, 600, 600]) {
    const w = new World(scenario, traceOf(arrivals));
    for (let t = 0; t < arrivals.length; t++) {
      decide(t, w);
      w.endStep();
    }
    return w;
  }

  test('ready, billed, actions and CPU per step', () => {
    const w = run((t, w) => {
      if (t === 1) w.setDesired(3);
      if (t === 5) w.setDesired(2);
    });
    expect(Array.from(w.billed)).toEqual([1, 3, 3, 3, 3, 2]);
    expect(Array.from(w.ready)).toEqual([1, 1, 1, 1, 3, 2]);
    expect(w.actions).toEqual([
      { step: 1, at: 60, from: 1, to: 3 },
      { step: 5, at: 300, from: 3, to: 2 },
    ]);
    expect(Array.from(w.cpu).map((x) => Math.round(x * 100) / 100)).toEqual([100, 100, 100, 100, 33.33, 50]);
    expect(Array.from(w.requestCount)).toEqual([600, 600, 600, 600, 600, 600]);
    expect(Array.from(w.requestCountPerTarget)).toEqual([600, 600, 600, 600, 200, 300]);
  });

  test('no ready unit with demand reads 100% CPU, without demand 0%', () => {
    const s = webScenario({ target: { minUnits: 0 }, workload: { initialUnits: 0 } });
    const w = new World(s, traceOf([60, 0]));
    w.endStep();
    w.endStep();
    expect(Array.from(w.cpu)).toEqual([100, 0]);
    expect(Number.isNaN(w.requestCountPerTarget[0])).toBe(true);
  });

  test('the datapoint of minute m is first visible at the start of minute m + 2', () => {
    const w = new World(scenario, traceOf([600, 600, 600, 600]));
    const seen: number[] = [];
    for (let t = 0; t < 4; t++) {
      seen.push(w.newestVisibleMinute());
      w.endStep();
    }
    expect(seen).toEqual([-1, -1, 0, 1]);
  });

  test('with 30 s steps a minute averages its two steps', () => {
    const s = webScenario({ trace: { stepSeconds: 30 }, workload: { unitCapacity: 10 } });
    const w = new World(s, traceOf([300, 150, 0, 0]));
    for (let t = 0; t < 4; t++) w.endStep();
    expect(Array.from(w.cpu)).toEqual([75, 0]);
    expect(Array.from(w.requestCount)).toEqual([450, 0]);
  });
});

describe('World, queue', () => {
  test('FIFO service, waits in whole steps, NotVisible = min(ready, backlog), age of oldest', () => {
    const s = queueScenario({ workload: { unitCapacity: 1, initialUnits: 1 }, target: { minUnits: 1 }, slo: { maxWaitSeconds: 60 } });
    const w = new World(s, traceOf([150, 0, 0, 0]));
    const states = [];
    for (let t = 0; t < 4; t++) {
      states.push(w.queueState());
      w.endStep();
    }
    expect(states[0]).toEqual({ visible: 0, notVisible: 0, ageOfOldest: 0 });
    // 150 arrive, 60 done in step 0
    expect(states[1]).toEqual({ visible: 89, notVisible: 1, ageOfOldest: 60 });
    expect(states[2]).toEqual({ visible: 29, notVisible: 1, ageOfOldest: 120 });
    expect(states[3]).toEqual({ visible: 0, notVisible: 0, ageOfOldest: 0 });
    expect(Array.from(w.queueVisible)).toEqual([89, 29, 0, 0]);
    expect(Array.from(w.queueNotVisible)).toEqual([1, 1, 0, 0]);
    expect(Array.from(w.queueAge)).toEqual([60, 120, 0, 0]);
    // the last 30 were taken in step 2 after 120 s > 60 s
    expect(w.violatedMessages).toBe(30);
  });

  test('arrivals join after the decision; a worker added now serves after provisioning', () => {
    const s = queueScenario({ workload: { unitCapacity: 1, provisioningSeconds: 60 } });
    const w = new World(s, traceOf([120, 0, 0]));
    w.setDesired(2); // ready at 60: serves from step 1
    w.endStep();
    expect(w.queueState()).toEqual({ visible: 120, notVisible: 0, ageOfOldest: 60 });
    w.endStep();
    expect(w.queueState()).toEqual({ visible: 0, notVisible: 0, ageOfOldest: 0 });
    w.endStep();
    expect(w.violatedMessages).toBe(0);
  });

  test('messages still queued at the end count when they have waited too long by then', () => {
    const short = new World(queueScenario({ slo: { maxWaitSeconds: 60 } }), traceOf([100, 5, 0]));
    const long = new World(queueScenario({ slo: { maxWaitSeconds: 300 } }), traceOf([100, 5, 0]));
    for (let t = 0; t < 3; t++) {
      short.endStep();
      long.endStep();
    }
    // waited 180 s and 120 s by the end
    expect(short.violatedMessages).toBe(105);
    expect(long.violatedMessages).toBe(0);
  });
});
