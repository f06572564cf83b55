/**
 * Event fuzzing: random JSON and mutations of the real-shaped fixtures (alarm state changes, the
 * schedule's input, other families' deploy events) delivered to the real capacity handler on dynalite,
 * with the world set up so that a well-formed event reaches a decision: CPU is at 92% for the last
 * quarter of an hour, the target's `cpu/high` alarm is in ALARM, the fleet is back at 10 units and every
 * cooldown has passed before each event.
 *
 * Each event is judged by an oracle written from the README's guarantees, not from the code:
 * - an event the schema refuses is rejected before any call, DynamoDB included;
 * - an AWS write happens only for a fresh alarm event of the configured target whose alarm is in ALARM
 *   now, or for the capacity family's schedule; it is one SetDesiredCapacity on the configured group, a
 *   scale-out (the load is high) within the bounds and the step limit, and the result says so.
 * A last test feeds the oracle an injected write to show that it does fail.
 */

import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import fc from 'fast-check';
import * as v from 'valibot';
import type { CapacityResult } from '../../lambdas/scalers/capacity/service';
import { RejectedEventError } from '../../lambdas/shared/errors';
import { CapacityOrWindowSchema } from '../../lambdas/shared/events';
import alarm from '../fixtures/cloudwatch-alarm-state-change.json';
import rdsAlarm from '../fixtures/cloudwatch-alarm-state-change-rds.json';
import codePipeline from '../fixtures/codepipeline-execution-state-change.json';
import ecsDeployment from '../fixtures/ecs-deployment-state-change.json';
import s3Object from '../fixtures/s3-object-created.json';
import schedule from '../fixtures/scheduler-reevaluate.json';
import { GROUP, type Harness, useDynalite, withHarness } from './support';

const db = useDynalite();

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const FIXTURES = [alarm, rdsAlarm, schedule, ecsDeployment, codePipeline, s3Object] as unknown as Json[];
/** The units the fleet is put back to before each event; the target's bounds are 2-20. */
const START_UNITS = 10;

function paths(v: Json, at: Path = []): Path[] {
  const out = [at];
  if (Array.isArray(v)) for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

/** Interesting strings for the fields the handler reads. */
const NAMES = fc.constantFrom(
  'autoscaler/web/cpu/high',
  'autoscaler/web/cpu/low',
  'autoscaler/web/requests/high',
  'autoscaler/nope/cpu/high',
  'autoscaler/web/cpu/high/x',
  'autoscaler',
  '',
  'autoscaler//cpu/high',
  'other/web/cpu/high',
  'ALARM',
  'OK',
  'INSUFFICIENT_DATA',
  'capacity',
  'queue',
  'reevaluate',
  'window',
  'aws.cloudwatch',
  'CloudWatch Alarm State Change',
  'autoscaler.scheduler',
  '2026-01-05T10:00:00Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
);

const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'string', 'add-key', 'wrap'),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), NAMES),
  key: fc.string({ maxLength: 8 }),
});
type Mutation = { at: number; op: string; value: unknown; key: string };

/**
 * The fields the handler reads, each set to a value of its own kind (another alarm, another state, a
 * stale or future time, another family...): these events pass the schema and reach the service.
 */
const ISO = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const fieldEdit = fc.oneof(
  fc.record({
    field: fc.constant(['detail', 'alarmName']),
    value: fc.constantFrom(
      'autoscaler/web/cpu/high',
      'autoscaler/web/cpu/low',
      'autoscaler/web/requests/high',
      'autoscaler/web/latency/high',
      'autoscaler/nope/cpu/high',
      'autoscaler/web/cpu/high/x',
      'other/web/cpu/high',
      'autoscaler',
    ),
  }),
  fc.record({ field: fc.constant(['detail', 'state', 'value']), value: fc.constantFrom('ALARM', 'OK', 'INSUFFICIENT_DATA') }),
  fc.record({ field: fc.constant(['time']), value: fc.constantFrom(-700_000, -300_000, 0, 3_600_000, -Infinity) }),
  fc.record({ field: fc.constant(['family']), value: fc.constantFrom('capacity', 'queue', 'database', 'cdn', 'nope') }),
  fc.record({ field: fc.constant(['action']), value: fc.constantFrom('reevaluate', 'window') }),
  fc.record({ field: fc.constant(['scheduledTime']), value: fc.constantFrom(-86_400_000, 0, 86_400_000) }),
);
type FieldEdit = { readonly field: readonly (string | number)[]; readonly value: string | number };

function setField(root: Json, field: readonly (string | number)[], raw: string | number, now: number): Json {
  // Times are offsets from now (-Infinity: the epoch).
  const value = typeof raw === 'number' ? ISO(raw === -Infinity ? 0 : now + raw) : raw;
  let cur = root as Record<string | number, Json>;
  for (const k of field.slice(0, -1)) {
    if (!cur || typeof cur !== 'object' || !(k in cur)) return root;
    cur = cur[k] as Record<string | number, Json>;
  }
  if (cur && typeof cur === 'object' && field[field.length - 1] in cur) cur[field[field.length - 1]] = value;
  return root;
}

function mutate(base: Json, ms: Mutation[]): Json {
  let root = structuredClone(base);
  for (const m of ms) {
    const all = paths(root);
    const path = all[m.at % all.length];
    if (path.length === 0) {
      root = m.op === 'wrap' ? [root] : m.op === 'replace' ? (m.value as Json) : root;
      continue;
    }
    const parent = path.slice(0, -1).reduce<Json>((cur, k) => (cur as Record<string | number, Json>)[k], root) as Record<string | number, Json>;
    const key = path[path.length - 1];
    switch (m.op) {
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        break;
      case 'replace':
      case 'string':
        parent[key] = m.value as Json;
        break;
      case 'add-key':
        if (parent[key] && typeof parent[key] === 'object' && !Array.isArray(parent[key])) (parent[key] as Record<string, Json>)[m.key] = m.value as Json;
        else parent[m.key] = m.value as Json;
        break;
      case 'wrap':
        parent[key] = [parent[key]];
        break;
    }
  }
  return root;
}

/**
 * An event made fresh for `now`: the fixtures' times and ids are replaced first (an alarm event a few
 * seconds old, the schedule's run of this minute, a new id so idempotency does not answer from an
 * earlier delivery), then the mutations apply (and may break those fields again).
 */
function freshEvent(base: Json, ms: Mutation[], now: number, n: number, edits: FieldEdit[] = []): Json {
  const seeded = structuredClone(base) as Record<string, Json>;
  if (seeded && typeof seeded === 'object' && !Array.isArray(seeded)) {
    if ('time' in seeded) seeded.time = new Date(now - 5_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    if ('id' in seeded) seeded.id = `fuzz-${n}`;
    if ('scheduledTime' in seeded) seeded.scheduledTime = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    if ('executionId' in seeded) seeded.executionId = `fuzz-${n}`;
  }
  let edited: Json = seeded;
  for (const e of edits) edited = setField(edited, e.field, e.value, now);
  return mutate(edited, ms);
}

const CAPACITY_FIXTURES = [alarm, schedule] as unknown as Json[];
const EVENTS = fc.oneof(
  { weight: 1, arbitrary: fc.jsonValue().map((e) => ({ make: () => e as Json })) },
  { weight: 1, arbitrary: fc.anything().map((e) => ({ make: () => e as Json })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...FIXTURES), fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([base, ms]) => ({ make: (now: number, n: number) => freshEvent(base, ms, now, n) })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...CAPACITY_FIXTURES), fc.array(fieldEdit, { maxLength: 2 }))
      .map(([base, edits]) => ({ make: (now: number, n: number) => freshEvent(base, [], now, n, edits) })),
  },
);

/** What the handler accepts: exactly its schema (the union of alarm, schedule and window inputs). */
const ACCEPTED = CapacityOrWindowSchema;

/** Sets the world up so that a good event reaches a decision: 10 units, CPU 92%, cpu/high in ALARM, cooldowns over. */
function primeWorld(h: Harness): void {
  h.clock.advance(120);
  h.fleet.setDesired(START_UNITS);
  h.load(92);
  h.evaluate();
}

/**
 * Whether this parsed event may lead to a write: a fresh alarm event of a configured alarm that is in
 * ALARM now, or the capacity family's schedule (which evaluates the targets whose alarms are in ALARM).
 */
function mayWrite(h: Harness, event: v.InferOutput<typeof ACCEPTED>): boolean {
  if ('detail-type' in event) {
    const name = event.detail.alarmName;
    const fresh = (h.clock.now - Date.parse(event.time)) / 1000 <= h.config.maxEventAgeSeconds;
    return fresh && event.detail.state.value === 'ALARM' && h.alarms.stateOf(name) === 'ALARM' && name.startsWith('autoscaler/web/');
  }
  return event.action === 'reevaluate' && event.family === 'capacity';
}

type Outcome = 'thrown' | 'rejected' | 'ignored' | 'held' | 'applied';

/** Delivers one event and judges what happened with the oracle above; returns the outcome. */
async function deliver(h: Harness, event: unknown, handler: (e: unknown) => Promise<CapacityResult> = h.handler): Promise<Outcome> {
  const callsBefore = h.calls.calls.length;
  const writesBefore = h.writes().length;
  const dynamoBefore = h.clients.dynamo!.faults.attempted.length;
  const desiredBefore = h.fleet.desired;
  const parsed = v.safeParse(ACCEPTED, event);
  let result: CapacityResult | undefined;
  try {
    result = await handler(event);
  } catch (err) {
    // The one designed exception: an event the schema refuses, refused before any call.
    expect(parsed.success).toBe(false);
    expect(err).toBeInstanceOf(RejectedEventError);
  }
  const writes = h.writes().slice(writesBefore);
  if (!parsed.success) {
    expect(result).toBeUndefined();
    expect(h.calls.calls.length).toBe(callsBefore);
    expect(h.clients.dynamo!.faults.attempted.length).toBe(dynamoBefore);
    return 'thrown';
  }
  expect(result).toBeDefined();
  if (!mayWrite(h, parsed.output)) {
    expect(writes).toEqual([]);
  }
  expect(writes.length).toBeLessThanOrEqual(1);
  const t = h.target;
  for (const w of writes) {
    const input = w.input as { AutoScalingGroupName?: string; DesiredCapacity?: number };
    expect(w.command).toBe(SetDesiredCapacityCommand.name);
    expect(input.AutoScalingGroupName).toBe(GROUP);
    expect(input.DesiredCapacity).toBeGreaterThan(desiredBefore);
    expect(input.DesiredCapacity).toBeLessThanOrEqual(Math.min(t.maxCapacity, desiredBefore * (1 + t.maxStepUpRatio)));
    expect(result!.status).toBe('evaluated');
    expect(result!.targets).toContainEqual(expect.objectContaining({ targetId: t.id, outcome: 'applied', desired: input.DesiredCapacity }));
  }
  if (writes.length) return 'applied';
  if (result!.status === 'evaluated') return 'held';
  return result!.status as 'rejected' | 'ignored';
}

/**
 * Two runs of 600 events with their own seeds, each its own test so that neither carries the other's
 * time. Idempotency records stay in memory (R01 and R03 prove them on DynamoDB); the state store, whose
 * every call the oracle counts, is on dynalite.
 */
for (const [part, seed] of [
  [1, 20260105],
  [2, 20261130],
] as const) {
  test(`event fuzzing (${part} of 2): 600 random and mutated events, many reaching a decision, each ending as the oracle allows`, async () => {
    const outcomes: Partial<Record<Outcome, number>> = {};
    await withHarness({ db: db(), idempotency: 'memory', faults: { dynamo: {} } }, async (h) => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(EVENTS, async (generated) => {
          primeWorld(h);
          const o = await deliver(h, generated.make(h.clock.now, ++n));
          outcomes[o] = (outcomes[o] ?? 0) + 1;
        }),
        { numRuns: 600, seed },
      );
    });
    const total = Object.values(outcomes).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(600);
    // Every kind of ending is reached: refused by the schema, refused or ignored by the service, and
    // decisions, a good share of which scale out.
    expect(outcomes.thrown).toBeGreaterThan(25);
    expect((outcomes.rejected ?? 0) + (outcomes.ignored ?? 0)).toBeGreaterThan(25);
    expect(outcomes.applied).toBeGreaterThan(50);
  });
}

describe('the oracle fails when it should', () => {
  /** A handler that runs the real one, then sends one more SetDesiredCapacity of `desired`. */
  const injecting = (h: Harness, desired: number) => async (event: unknown) => {
    try {
      return await h.handler(event);
    } finally {
      await h.clients.autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: GROUP, DesiredCapacity: desired }));
    }
  };

  test('a write injected after a refused event is caught', async () => {
    await withHarness({ db: db(), faults: { dynamo: {} } }, async (h) => {
      primeWorld(h);
      await expect(deliver(h, { hello: 'world' }, injecting(h, 11))).rejects.toThrow();
    });
  });

  test('a write injected after an event that must not act (an OK alarm) is caught', async () => {
    await withHarness({ db: db(), faults: { dynamo: {} } }, async (h) => {
      primeWorld(h);
      const ok = freshEvent(alarm as unknown as Json, [], h.clock.now, 1) as Record<string, any>;
      ok.detail.state.value = 'OK';
      await expect(deliver(h, ok, injecting(h, 11))).rejects.toThrow();
    });
  });

  test('an out-of-bounds write after a decision is caught, and the same decision without it passes', async () => {
    await withHarness({ db: db(), faults: { dynamo: {} } }, async (h) => {
      primeWorld(h);
      expect(await deliver(h, freshEvent(alarm as unknown as Json, [], h.clock.now, 1))).toBe('applied');
      primeWorld(h);
      await expect(deliver(h, freshEvent(alarm as unknown as Json, [], h.clock.now, 2), injecting(h, 99))).rejects.toThrow();
    });
  });
});
