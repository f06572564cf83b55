import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alarmRulePattern } from '../../../lambdas/shared/alarms';
import { matchesPattern } from '../../../sim/cloud/event-pattern';

const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/cloudwatch-alarm-state-change.json'), 'utf8'));

describe('the capacity rule pattern', () => {
  test('matches the real-shaped alarm state change of a prefixed alarm on a capacity namespace', () => {
    expect(matchesPattern(alarmRulePattern('autoscaler', 'capacity'), fixture)).toBe(true);
  });

  test('rejects another prefix, another namespace, another source', () => {
    expect(matchesPattern(alarmRulePattern('other', 'capacity'), fixture)).toBe(false);
    // "autoscaler-2/..." does not start with "autoscaler/"
    const renamed = { ...fixture, detail: { ...fixture.detail, alarmName: 'autoscaler-2/web/cpu/high' } };
    expect(matchesPattern(alarmRulePattern('autoscaler', 'capacity'), renamed)).toBe(false);
    const rds = structuredClone(fixture);
    rds.detail.configuration.metrics[0].metricStat.metric.namespace = 'AWS/RDS';
    expect(matchesPattern(alarmRulePattern('autoscaler', 'capacity'), rds)).toBe(false);
    expect(matchesPattern(alarmRulePattern('autoscaler', 'capacity'), { ...fixture, source: 'aws.ec2' })).toBe(false);
  });

  test('an event array matches when any element does', () => {
    const two = structuredClone(fixture);
    two.detail.configuration.metrics.unshift({ id: 'm0', metricStat: { metric: { namespace: 'AWS/RDS', name: 'x', dimensions: {} } } });
    expect(matchesPattern(alarmRulePattern('autoscaler', 'capacity'), two)).toBe(true);
  });
});

describe('matchesPattern', () => {
  const event = { source: 'app', detail: { n: 5, s: 'prod-eu-1', tags: ['a', 'b'], nested: { k: null }, empty: [] } };
  const m = (detail: Record<string, unknown>) => matchesPattern({ detail }, event);

  test('exact values; a list means any of', () => {
    expect(matchesPattern({ source: ['app', 'other'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['other'] }, event)).toBe(false);
    expect(m({ n: [5] })).toBe(true);
    expect(m({ n: ['5'] })).toBe(false);
    expect(m({ tags: ['b'] })).toBe(true);
    expect(m({ nested: { k: [null] } })).toBe(true);
    expect(m({ missing: ['x'] })).toBe(false);
  });

  test('prefix, suffix, equals-ignore-case, wildcard', () => {
    expect(m({ s: [{ prefix: 'prod-' }] })).toBe(true);
    expect(m({ s: [{ prefix: 'dev-' }] })).toBe(false);
    expect(m({ s: [{ suffix: '-1' }] })).toBe(true);
    expect(m({ s: [{ 'equals-ignore-case': 'PROD-EU-1' }] })).toBe(true);
    expect(m({ s: [{ wildcard: 'prod-*-1' }] })).toBe(true);
    expect(m({ s: [{ wildcard: 'prod-*-2' }] })).toBe(false);
    expect(m({ n: [{ prefix: '5' }] })).toBe(false);
  });

  test('anything-but', () => {
    expect(m({ s: [{ 'anything-but': 'dev' }] })).toBe(true);
    expect(m({ s: [{ 'anything-but': ['prod-eu-1', 'x'] }] })).toBe(false);
    expect(m({ s: [{ 'anything-but': { prefix: 'prod' } }] })).toBe(false);
    expect(m({ s: [{ 'anything-but': { prefix: 'dev' } }] })).toBe(true);
    // only present fields match anything-but
    expect(m({ missing: [{ 'anything-but': 'x' }] })).toBe(false);
  });

  test('exists', () => {
    expect(m({ s: [{ exists: true }] })).toBe(true);
    expect(m({ missing: [{ exists: true }] })).toBe(false);
    expect(m({ missing: [{ exists: false }] })).toBe(true);
    expect(m({ s: [{ exists: false }] })).toBe(false);
    expect(matchesPattern({ other: { deep: [{ exists: false }] } }, event)).toBe(true);
  });

  test('numeric ranges', () => {
    expect(m({ n: [{ numeric: ['>', 0, '<=', 5] }] })).toBe(true);
    expect(m({ n: [{ numeric: ['>', 5] }] })).toBe(false);
    expect(m({ n: [{ numeric: ['=', 5] }] })).toBe(true);
    expect(m({ s: [{ numeric: ['>', 0] }] })).toBe(false);
  });

  test('nested objects must all match; $or takes any alternative', () => {
    expect(matchesPattern({ source: ['app'], detail: { n: [5], s: [{ prefix: 'prod' }] } }, event)).toBe(true);
    expect(matchesPattern({ source: ['app'], detail: { n: [6], s: [{ prefix: 'prod' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { $or: [{ n: [6] }, { s: ['prod-eu-1'] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { $or: [{ n: [6] }, { s: ['x'] }] } }, event)).toBe(false);
  });

  test('a malformed pattern is an error, not a silent mismatch', () => {
    expect(() => matchesPattern({ source: 'app' }, event)).toThrow(/must be a list or an object/);
    expect(() => m({ n: [{ between: [1, 2] }] })).toThrow(/unsupported matcher/);
  });
});
