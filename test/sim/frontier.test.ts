import { join } from 'node:path';
import { dominates, FRONTIER_TARGETS, type FrontierPoint, judgeAgainstFrontier, runFrontier } from '../../sim/frontier';
import { loadScenario } from '../../sim/scenario';
import { queueScenario, scoreOf, traceOf, webScenario } from './helpers';

const score = scoreOf;
const point = (target: number, violationPct: number, costRatio: number): FrontierPoint => ({
  policy: 'target-tracking',
  target,
  score: score(violationPct, costRatio),
});

describe('judging a policy against the frontier', () => {
  const frontier = [point(80, 4, 1.0), point(70, 2, 1.1), point(60, 1, 1.2), point(50, 0.6, 1.4)];

  test('dominated only by a point lower on both violation and cost', () => {
    expect(dominates(score(1, 1), score(2, 2))).toBe(true);
    expect(dominates(score(1, 2), score(2, 2))).toBe(false);
    expect(dominates(score(2, 1), score(2, 2))).toBe(false);
    expect(judgeAgainstFrontier(score(2.5, 1.15), frontier).dominatedBy.map((p) => p.target)).toEqual([70]);
    expect(judgeAgainstFrontier(score(0.9, 1.15), frontier).dominatedBy).toEqual([]);
  });

  test('half the lowest violation at the same or a lower cost ratio', () => {
    // at 1.2 the cheapest-enough points are 80, 70, 60: lowest 1, half 0.5
    const v = judgeAgainstFrontier(score(0.5, 1.2), frontier);
    expect(v.lowestAtCost?.target).toBe(60);
    expect(v.bound).toBe(0.5);
    expect(v.halfViolation).toBe(true);
    // at 1.15 only 80 and 70: lowest 2, half 1
    expect(judgeAgainstFrontier(score(1, 1.15), frontier)).toMatchObject({ bound: 1, halfViolation: true });
    expect(judgeAgainstFrontier(score(1.01, 1.15), frontier)).toMatchObject({ bound: 1, halfViolation: false });
  });

  test('the SLO allowance where half is lower: 0.5%', () => {
    const v = judgeAgainstFrontier(score(0.5, 1.5), frontier); // half of 0.6 is 0.3
    expect(v.bound).toBe(0.5);
    expect(v.halfViolation).toBe(true);
    expect(judgeAgainstFrontier(score(0.51, 1.5), frontier).halfViolation).toBe(false);
  });

  test('cheaper than every point: nothing to halve, the goal holds', () => {
    const v = judgeAgainstFrontier(score(9, 0.9), frontier);
    expect(v.lowestAtCost).toBeUndefined();
    expect(v.halfViolation).toBe(true);
    expect(v.dominatedBy).toEqual([]);
  });

  test('cheaper at no more violation: the dominating points and those that tie on violation at a lower cost', () => {
    const zero = [point(80, 0, 0.8), point(70, 0, 1.0), point(60, 0, 1.3)];
    const v = judgeAgainstFrontier(score(0, 1.1), zero);
    expect(v.dominatedBy).toEqual([]);
    expect(v.cheaperAtNoMoreViolation.map((p) => p.target)).toEqual([80, 70]);
    expect(judgeAgainstFrontier(score(2.5, 1.15), frontier).cheaperAtNoMoreViolation.map((p) => p.target)).toEqual([70]);
  });

  test('an undefined cost ratio compares as the dearest', () => {
    expect(dominates(score(1, 5), score(2, null))).toBe(true);
    expect(dominates(score(1, null), score(2, 5))).toBe(false);
  });
});

describe('runFrontier', () => {
  test('target tracking and predictive at every frontier target; a lower target costs more', async () => {
    const steps = [...new Array(60).fill(1200), ...new Array(60).fill(4800)];
    const points = await runFrontier(webScenario({ workload: { unitCapacity: 40 }, target: { minUnits: 2 } }), traceOf(steps));
    expect(points.map((p) => `${p.policy}@${p.target}`)).toEqual(FRONTIER_TARGETS.flatMap((t) => [`target-tracking@${t}`, `predictive@${t}`]));
    const tt = points.filter((p) => p.policy === 'target-tracking');
    expect(tt[tt.length - 1].score.unitHours).toBeGreaterThan(tt[0].score.unitHours);
  });

  test('a data-tier scenario: target tracking alone at every target (the contract names no anchor for it)', async () => {
    const scenario = loadScenario(join(__dirname, '..', '..', 'scenarios', 'postgres-replicas.yaml'));
    const points = await runFrontier(scenario, undefined, [80, 40]);
    expect(points.map((p) => `${p.policy}@${p.target}`)).toEqual(['target-tracking@80', 'target-tracking@40']);
    expect(points[1].score.unitHours).toBeGreaterThan(points[0].score.unitHours);
  });

  test('a queue scenario has no frontier: its reference is the clairvoyant', async () => {
    await expect(runFrontier(queueScenario(), traceOf([1, 2, 3]))).rejects.toThrow(/is a queue \(its reference is the clairvoyant\)/);
  });
});
