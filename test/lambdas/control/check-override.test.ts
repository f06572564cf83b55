import { checkOverride, MAX_OVERRIDE_SECONDS } from '../../../lambdas/control/check-override';
import { ConfigError } from '../../../lambdas/shared/config';
import { ALL_KINDS_CONFIG } from '../../support/configs';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const HOUR = 3_600_000;
const OPS = 'arn:aws:iam::123456789012:user/ops';

/** The problems checkOverride reports, or [] when it accepts. */
function problems(targetId: string, input: unknown): string[] {
  try {
    checkOverride(ALL_KINDS_CONFIG, targetId, input, NOW, OPS);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems;
  }
}

describe('checkOverride', () => {
  test('an override within the deployed bounds is stored with who set it and when', () => {
    const o = checkOverride(ALL_KINDS_CONFIG, 'web', { min: 4, max: 8, target: 55, expiresAt: NOW + HOUR, reason: 'launch' }, NOW, OPS);
    expect(o).toEqual({ targetId: 'web', min: 4, max: 8, target: 55, expiresAt: NOW + HOUR, setAt: NOW, setBy: OPS, reason: 'launch' });
  });

  test("each kind's fields: a queue's target is its wait SLO, replicas have a floor and ceiling only", () => {
    expect(problems('celery', { min: 2, max: 12, target: 120, expiresAt: NOW + HOUR })).toEqual([]);
    expect(problems('orders-db', { min: 1, max: 2, expiresAt: NOW + HOUR })).toEqual([]);
    expect(problems('orders-db', { target: 50, expiresAt: NOW + HOUR })).toEqual([
      'target: a rds-replicas target has no target to override (it can be paused or put in dry-run)',
    ]);
  });

  test('a kind without bounds can still be paused or put in dry-run', () => {
    expect(problems('cache', { paused: true, expiresAt: NOW + HOUR })).toEqual([]);
    expect(problems('cdn-web', { dryRun: true, expiresAt: NOW + HOUR })).toEqual([]);
    expect(problems('cache', { max: 3, expiresAt: NOW + HOUR })).toEqual(['max: a redis target has no max to override (it can be paused or put in dry-run)']);
  });

  test('never beyond the deployed bounds', () => {
    expect(problems('web', { max: 11, expiresAt: NOW + HOUR })).toEqual(['max: 11 is outside the deployed minCapacity-maxCapacity 2-10 of "web"']);
    expect(problems('web', { min: 1, expiresAt: NOW + HOUR })).toEqual(['min: 1 is outside the deployed minCapacity-maxCapacity 2-10 of "web"']);
    expect(problems('orders-db', { max: 4, expiresAt: NOW + HOUR })).toEqual(['max: 4 is outside the deployed minReplicas-maxReplicas 0-3 of "orders-db"']);
  });

  test('a floor above the ceiling, against the deployed one too', () => {
    expect(problems('web', { min: 8, max: 4, expiresAt: NOW + HOUR })).toEqual(['min: 8 is above max 4']);
  });

  test("a tracking target the kind's schema refuses is refused with the schema's words", () => {
    const [problem] = problems('web', { target: 150, expiresAt: NOW + HOUR });
    expect(problem).toMatch(/^target \(targetCpu\): /);
    expect(problem).toContain('150');
    expect(problems('celery', { target: 10, expiresAt: NOW + HOUR })[0]).toMatch(/^target \(maxWaitSeconds\): .*10/);
  });

  test('an expiry in the past, now, or more than a week away', () => {
    expect(problems('web', { max: 8, expiresAt: NOW - 1 })).toEqual(['expiresAt: 2026-11-30T11:59:59.999Z is not in the future']);
    expect(problems('web', { max: 8, expiresAt: NOW })).toHaveLength(1);
    expect(problems('web', { max: 8, expiresAt: NOW + MAX_OVERRIDE_SECONDS * 1000 })).toEqual([]);
    expect(problems('web', { max: 8, expiresAt: NOW + MAX_OVERRIDE_SECONDS * 1000 + 1 })).toEqual([
      'expiresAt: 2026-12-07T12:00:00.001Z is more than 7 days away; a lasting change belongs in the config',
    ]);
  });

  test('an unknown target, an unknown field, nothing to override', () => {
    expect(problems('nope', { max: 8, expiresAt: NOW + HOUR })).toEqual([
      `no target "nope" in this deployment (${ALL_KINDS_CONFIG.targets.map((t) => t.id).join(', ')})`,
    ]);
    expect(problems('web', { maxCapacity: 8, expiresAt: NOW + HOUR }).join()).toContain('maxCapacity');
    expect(problems('web', { expiresAt: NOW + HOUR })).toEqual(['nothing to override: give min, max, target, paused or dryRun']);
    expect(problems('web', { max: 8 }).join()).toContain('expiresAt');
  });
});
