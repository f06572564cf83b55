/**
 * Event fuzzing: random JSON and mutations of the real-shaped fixtures (alarm state changes, the
 * schedule's input, other families' deploy events) delivered to the real capacity handler on dynalite.
 * Each ends in a designed outcome (RejectedEventError thrown, or a result that is rejected or ignored)
 * and never in an AWS write; a rejected event makes no call at all, DynamoDB included.
 */
import fc from 'fast-check';
import alarm from '../fixtures/cloudwatch-alarm-state-change.json';
import rdsAlarm from '../fixtures/cloudwatch-alarm-state-change-rds.json';
import schedule from '../fixtures/scheduler-reevaluate.json';
import ecsDeployment from '../fixtures/ecs-deployment-state-change.json';
import codePipeline from '../fixtures/codepipeline-execution-state-change.json';
import s3Object from '../fixtures/s3-object-created.json';
import { RejectedEventError } from '../../lambdas/shared/errors';
import { type Harness, withHarness, useDynalite } from './support';

const db = useDynalite();

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const FIXTURES = [alarm, rdsAlarm, schedule, ecsDeployment, codePipeline, s3Object] as unknown as Json[];

function paths(v: Json, at: Path = []): Path[] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

/** Interesting strings for the fields the handler reads. */
const NAMES = fc.constantFrom(
  'autoscaler/web/cpu/high', 'autoscaler/web/cpu/low', 'autoscaler/web/requests/high', 'autoscaler/nope/cpu/high',
  'autoscaler/web/cpu/high/x', 'autoscaler', '', 'autoscaler//cpu/high', 'other/web/cpu/high', 'ALARM', 'OK', 'capacity', 'reevaluate', 'window',
  'aws.cloudwatch', 'CloudWatch Alarm State Change', 'autoscaler.scheduler', '2026-01-05T10:00:00Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z',
);

const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'string', 'add-key', 'wrap'),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), NAMES),
  key: fc.string({ maxLength: 8 }),
});

function mutate(base: Json, ms: { at: number; op: string; value: unknown; key: string }[]): Json {
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

const EVENTS = fc.oneof(
  { weight: 1, arbitrary: fc.jsonValue() },
  { weight: 1, arbitrary: fc.anything() },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...FIXTURES), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([base, ms]) => mutate(base, ms)) },
);

async function deliver(h: Harness, event: unknown) {
  const callsBefore = h.calls.calls.length;
  const dynamoBefore = h.clients.dynamo!.faults.attempted.length;
  let outcome: string;
  try {
    const result = await h.handler(event);
    expect(['rejected', 'ignored']).toContain(result.status);
    outcome = result.status;
  } catch (err) {
    // the one designed exception: the event is refused before any call
    expect(err).toBeInstanceOf(RejectedEventError);
    expect(h.calls.calls.length).toBe(callsBefore);
    expect(h.clients.dynamo!.faults.attempted.length).toBe(dynamoBefore);
    outcome = 'thrown';
  }
  expect(h.writes()).toEqual([]);
  return outcome;
}

test('event fuzzing: 1,200 random and mutated events end in a designed outcome with no AWS write', async () => {
  const outcomes: Record<string, number> = {};
  await withHarness({ db: db(), faults: { dynamo: {} } }, async (h) => {
    await fc.assert(
      fc.asyncProperty(EVENTS, async (event) => {
        const o = await deliver(h, event);
        outcomes[o] = (outcomes[o] ?? 0) + 1;
        h.clock.advance(1);
      }),
      { numRuns: 1200, seed: 20260105 },
    );
  });
  const total = Object.values(outcomes).reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThanOrEqual(1200);
  // the mutations reach past the schema too: some events parse and are then rejected or ignored by the service
  expect(outcomes.thrown).toBeGreaterThan(0);
  expect((outcomes.rejected ?? 0) + (outcomes.ignored ?? 0)).toBeGreaterThan(50);
});
