/**
 * R29 (test/faults/R29-*): every AWS call is allowed, and no role holds a permission its code never uses.
 *
 * One config with every target kind is synthesized once. Its functions run as deployed: the real
 * entry points with the bundled config and the environment the template gives them, building their
 * own SDK clients; every call those clients send is caught at the SDK's shared `send` and answered by
 * an in-memory AWS (DynamoDB on dynalite). The events are the ones the stack sends: alarm state
 * changes, the schedules' inputs from the template, deploy events; every runbook a function starts is
 * run from the template's ASL with the task function's real entry, and the runbooks an operator starts
 * by hand are run too. Each call becomes the IAM requests it needs (tests/support/iam-requests.ts),
 * evaluated by @cloud-copilot/iam-simulate against the synthesized policies of the role the function
 * runs as. Nothing here lists the calls to expect: a call the code starts making is checked as soon as
 * it is made, and an action a role allows that no call needed fails the reverse check.
 *
 * Both ways of granting run, each in a file of its own: `permissions: per-target` (each resource by its
 * ARN) and `by-tag` (any resource tagged `autoscaler:scaled-by=<prefix>`; the in-memory world carries
 * that tag on every resource the config names). In `by-tag`, each call a tag-conditioned statement
 * allows is simulated again on the same resource without the tag, and tagged for another deployment:
 * both must be refused.
 */
import { CreateTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { CfnElement } from 'aws-cdk-lib';
import type { Context } from 'aws-lambda';
import { allAlarms, familyOf } from '../../lambdas/shared/alarms';
import type { AutoscalerConfig } from '../../lambdas/shared/config';
import { SCALED_BY_TAG } from '../../lambdas/shared/tags';
import { API_HANDLER_ENTRY } from '../../lib/api';
import { RUNBOOK_HANDLER_ENTRY } from '../../lib/runbooks/data';
import { FAMILY_ENTRIES, PROJECT_ROOT } from '../../lib/shared/function';
import { type AslState, resolveIntrinsics } from '../../sim/cloud/asl';
import apiFixture from '../fixtures/apigateway-http-api-iam.json';
import pipelineFixture from '../fixtures/codepipeline-execution-state-change.json';
import ecsFixture from '../fixtures/ecs-deployment-state-change.json';
import s3Fixture from '../fixtures/s3-object-created.json';
import { runLocally, type TaskHandler } from '../runbooks/harness';
import { projectClientClasses, SdkTap, type SentCall } from '../support/iam-calls';
import { type IamRequest, requestsOf } from '../support/iam-requests';
import { ACCOUNT, asList, type CfnTemplate, type DeployedFunction, type PolicyDocument, REGION, ResolvedTemplate } from '../support/iam-template';
import { DATA_KEY, IamWorld, type Load } from '../support/iam-world';
import { alarmEvent, Clock, lambdaContext, synthesize, T0, useDynalite } from './support';

const CLUSTER_MODE_GROUPS = ['shop-sessions'];

/**
 * Actions a role may hold that no SDK call of the code makes, each with why, and (where it is one
 * resource) the resource it may hold them on.
 */
const NOT_CALLED_BY_THE_CODE: Readonly<Record<string, { readonly why: string; readonly on?: 'dead-letter queue' }>> = {
  'logs:CreateLogStream': { why: "the Lambda service writes the function's log streams with the function's role" },
  'logs:PutLogEvents': { why: "the Lambda service writes the function's log events with the function's role" },
  'xray:PutTraceSegments': { why: "active tracing: the Lambda runtime sends the trace segments with the function's role" },
  'xray:PutTelemetryRecords': { why: "active tracing: the Lambda runtime sends its telemetry with the function's role" },
  'sqs:SendMessage': {
    why: "Lambda's asynchronous invocation sends a failed event to the dead-letter queue and the on-failure destination with the function's role",
    on: 'dead-letter queue',
  },
  'sqs:GetQueueAttributes': {
    why: "granted with SendMessage by the SQS on-failure destination (CDK's grantSendMessages); Lambda needs SendMessage only",
    on: 'dead-letter queue',
  },
  'sqs:GetQueueUrl': {
    why: "granted with SendMessage by the SQS on-failure destination (CDK's grantSendMessages); Lambda needs SendMessage only",
    on: 'dead-letter queue',
  },
};

interface Drive {
  readonly functions: DeployedFunction[];
  /** Resource policies by ARN: the stack's, and the default key policy of the data's customer managed key. */
  readonly resourcePolicies: ReadonlyMap<string, PolicyDocument>;
  readonly deadLetterQueueArn: string;
  readonly calls: readonly SentCall[];
  readonly requests: readonly IamRequest[];
  /** How each runbook run ended, for messages. */
  readonly runs: string[];
}

/**
 * The check for one config, in a test file of its own: the handlers' modules (and the clients they
 * build) are loaded once per file.
 */
/** How long the run of every function may take on a busy machine. */
const RUN_EVERYTHING_MS = 5 * 60_000;

export function describeEveryCallAllowed(CONFIG: AutoscalerConfig): void {
  const mode = CONFIG.permissions;
  const local = useDynalite();
  // Two steps: the synth (cdk-nag and CloudFormation validation included), then the functions' run: every
  // family, every runbook, every kind. On a machine busy with other suites the run takes minutes; its
  // hook is given five, since a hook cut short proves nothing either way.
  let synthesized: ReturnType<typeof synthesize>;
  beforeAll(() => {
    synthesized = synthesize(CONFIG);
  });

  describe(`R29 (permissions: ${mode}): every AWS call is allowed by the role it runs as`, () => {
    let drive: Drive;
    beforeAll(async () => {
      drive = await runEverything(CONFIG, synthesized, local);
    }, RUN_EVERYTHING_MS);

    test('every call each function and runbook task sent, on every resource it touches, is allowed by the synthesized role', async () => {
      const refused: string[] = [];
      const seen = new Set<string>();
      for (const r of drive.requests) {
        const key = JSON.stringify([r.fn, r.action, r.resource, r.context]);
        if (seen.has(key)) continue;
        seen.add(key);
        const fn = drive.functions.find((f) => f.logicalId === r.fn)!;
        const verdict = await simulate(fn, r, drive.resourcePolicies.get(r.resource));
        if (verdict !== 'Allowed') refused.push(`${fn.logicalId}: ${r.action} on ${r.resource} ${verdict} (${r.origin}; context ${JSON.stringify(r.context)})`);
      }
      expect(refused).toEqual([]);
      // Every function was driven, and every service the code uses was reached.
      expect(new Set(drive.calls.map((c) => c.fn))).toEqual(new Set(drive.functions.map((f) => f.logicalId)));
    });

    test('every action a role allows is one its code was seen needing (or a listed exception)', () => {
      const unused: string[] = [];
      for (const fn of drive.functions) {
        const needed = [...new Set(drive.requests.filter((r) => r.fn === fn.logicalId).map((r) => r.action))];
        for (const { action: pattern, resources } of allowedActions(fn)) {
          const re = new RegExp(
            `^${pattern
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '.*')
              .replace(/\?/g, '.')}$`,
            'i',
          );
          if (needed.some((a) => re.test(a))) continue;
          const exception = NOT_CALLED_BY_THE_CODE[pattern];
          if (exception && (!exception.on || resources.every((r) => r === drive.deadLetterQueueArn))) continue;
          unused.push(`${fn.logicalId}: ${pattern} on ${resources.join(', ')}`);
        }
      }
      expect({ unused, runs: unused.length ? drive.runs : [] }).toEqual({ unused: [], runs: [] });
    });

    // Only roles granted by tag have tag-conditioned statements.
    if (mode === 'by-tag')
      test('a call a tag-conditioned statement allows is refused on the same resource untagged, or tagged for another deployment', async () => {
        const key = `aws:ResourceTag/${SCALED_BY_TAG}`;
        const allowedOnlyByTag: string[] = [];
        const exercised = new Set<string>();
        const seen = new Set<string>();
        for (const r of drive.requests) {
          if (r.context[key] !== CONFIG.prefix) continue;
          const fn = drive.functions.find((f) => f.logicalId === r.fn)!;
          const statement = taggedStatements(fn).find((s) => s.actions.includes(r.action));
          if (!statement) continue;
          exercised.add(`${fn.logicalId}/${statement.sid}`);
          const id = JSON.stringify([r.fn, r.action, r.resource]);
          if (seen.has(id)) continue;
          seen.add(id);
          const { [key]: _tag, ...untagged } = r.context;
          for (const [how, context] of [
            ['untagged', untagged],
            ['tagged for another deployment', { ...untagged, [key]: `not-${CONFIG.prefix}` }],
          ] as const) {
            const verdict = await simulate(fn, { ...r, context }, drive.resourcePolicies.get(r.resource));
            if (verdict === 'Allowed') allowedOnlyByTag.push(`${fn.logicalId}: ${r.action} on ${r.resource} ${how}: ${verdict}`);
          }
        }
        expect(allowedOnlyByTag).toEqual([]);
        // Every tag-conditioned statement of every role was needed by some call (none is left unproven).
        const statements = drive.functions.flatMap((f) => taggedStatements(f).map((s) => `${f.logicalId}/${s.sid}`));
        expect(statements.length).toBeGreaterThan(0);
        expect(statements.filter((s) => !exercised.has(s))).toEqual([]);
      });
  });
}

// ------------------------------------------------------------------------------------------ checks

async function simulate(fn: DeployedFunction, r: IamRequest, resourcePolicy: PolicyDocument | undefined): Promise<string> {
  const res = await runSimulation(
    {
      request: { principal: fn.roleArn, action: r.action, resource: { resource: r.resource, accountId: ACCOUNT }, contextVariables: r.context },
      identityPolicies: fn.policies.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    },
    {},
  );
  if (res.resultType === 'error') return `not simulated: ${res.errors.message}`;
  return res.overallResult;
}

/** The role's Allow statements conditioned on the deployment's tag (permissions: by-tag), with their actions. */
function taggedStatements(fn: DeployedFunction): { sid: string; actions: string[] }[] {
  const key = `aws:ResourceTag/${SCALED_BY_TAG}`;
  return fn.policies.flatMap((p) =>
    p.document.Statement.filter((s) => s.Effect === 'Allow' && JSON.stringify((s as { Condition?: unknown }).Condition ?? {}).includes(key)).map((s) => ({
      sid: String((s as { Sid?: string }).Sid ?? '?'),
      actions: asList(s.Action),
    })),
  );
}

/** Every action pattern an Allow statement of the role grants, with the statement's resources. */
function allowedActions(fn: DeployedFunction): { action: string; resources: string[] }[] {
  const out: { action: string; resources: string[] }[] = [];
  for (const p of fn.policies)
    for (const s of p.document.Statement) if (s.Effect === 'Allow') for (const a of asList(s.Action)) out.push({ action: a, resources: asList(s.Resource) });
  return out;
}

// ------------------------------------------------------------------------------------------- drive

type Handler = (event: unknown, context: Context) => Promise<unknown>;

async function runEverything(
  CONFIG: AutoscalerConfig,
  built: ReturnType<typeof synthesize>,
  local: () => ReturnType<ReturnType<typeof useDynalite>>,
): Promise<Drive> {
  const template = new ResolvedTemplate(built.template.toJSON() as CfnTemplate);
  const logicalId = (fn: { node: { defaultChild?: unknown } }) => built.stack.getLogicalId(fn.node.defaultChild as CfnElement);
  const entries = new Map<string, string>();
  for (const [family, fn] of Object.entries(built.autoscaler.functions)) entries.set(logicalId(fn), FAMILY_ENTRIES[family as keyof typeof FAMILY_ENTRIES]);
  if (built.autoscaler.dataRunbooks) entries.set(logicalId(built.autoscaler.dataRunbooks.taskFunction), RUNBOOK_HANDLER_ENTRY);
  if (built.autoscaler.api) entries.set(logicalId(built.autoscaler.api.function), API_HANDLER_ENTRY);
  const functions = [...entries.keys()].map((id) => template.deployedFunction(id));
  const byArn = new Map(functions.map((f) => [f.arn, f]));

  // DynamoDB: the template's tables on dynalite, reached through the functions' own clients.
  const db = local();
  for (const id of template.ofType('AWS::DynamoDB::Table')) {
    const p = template.resource(id).Properties as Record<string, unknown>;
    await db.client.send(
      new CreateTableCommand({
        TableName: template.ref(id),
        KeySchema: p.KeySchema,
        AttributeDefinitions: p.AttributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST',
      } as CreateTableCommandInput),
    );
  }
  const endpoint = await db.client.config.endpoint!();
  const env = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_ENDPOINT_URL_DYNAMODB: `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`,
  });
  const clock = new Clock(T0);
  const dateNow = jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
  const topicId = template.ofType('AWS::SNS::Topic')[0];
  const world = new IamWorld({
    config: CONFIG,
    clock,
    clusterModeGroups: CLUSTER_MODE_GROUPS,
    topic: topicId
      ? { arn: template.ref(topicId), keyArn: template.resolve(template.resource(topicId).Properties?.KmsMasterKeyId) as string | undefined }
      : undefined,
  });
  const requests: IamRequest[] = [];
  const tap = new SdkTap(world.backends(), async (call) => void requests.push(...(await requestsOf(call, world))));
  (globalThis as { __AUTOSCALER_CONFIG__?: unknown }).__AUTOSCALER_CONFIG__ = CONFIG;
  const runs: string[] = [];
  try {
    tap.install(projectClientClasses(PROJECT_ROOT).map((c) => c.client));
    // The deployed entry points, as bundled (each builds its clients on its first event).
    const handlers = new Map<string, Handler>();
    for (const [id, entry] of entries) handlers.set(id, (require(entry) as { handler: Handler }).handler); // eslint-disable-line @typescript-eslint/no-require-imports
    let requestId = 0;
    const invoke = (fn: DeployedFunction, event: unknown) => {
      Object.assign(process.env, fn.environment);
      return tap
        .as(fn.logicalId, () => handlers.get(fn.logicalId)!(structuredClone(event), lambdaContext(`req-${++requestId}`)))
        .catch((err: Error) => {
          throw new Error(
            `${fn.logicalId} failed on ${JSON.stringify(event).slice(0, 200)}: ${err.message} ${(err as { cause?: Error }).cause?.message ?? ''}`,
          );
        });
    };
    const familyFunction = (family: string) =>
      byArn.get(template.getAtt(logicalId(built.autoscaler.functions[family as keyof typeof built.autoscaler.functions]!), 'Arn'))!;

    // The state machines as deployed, each task served by its function's entry.
    const machines = new Map<string, { States: Record<string, AslState> }>();
    for (const id of template.ofType('AWS::StepFunctions::StateMachine')) {
      machines.set(template.ref(id), JSON.parse(resolveIntrinsics(template.resource(id).Properties!.DefinitionString)));
    }
    const tasks: Record<string, TaskHandler> = Object.fromEntries(functions.map((f) => [f.arn, (event: unknown) => invoke(f, event)]));
    const run = async (arn: string, input: Record<string, unknown>, name: string) => {
      const machine = machines.get(arn);
      if (!machine) throw new Error(`no state machine ${arn} in the template`);
      const r = await runLocally(machine as never, tasks, input, { name });
      runs.push(`${name}: ${r.error ? `failed: ${r.error.message}` : `${String(r.output?.outcome ?? 'done')} ${String(r.output?.reason ?? '')}`}`);
    };
    let ran = 0;
    const runStarted = async () => {
      for (; ran < world.stepFunctions.started.length; ran++) {
        const s = world.stepFunctions.started[ran];
        await run(s.stateMachineArn, s.input, s.name);
      }
    };

    // The scheduler's inputs, from the template.
    const schedules = template.ofType('AWS::Scheduler::Schedule').map((id) => {
      const target = template.resolve(template.resource(id).Properties!.Target) as { Arn: string; Input: string };
      return { fn: byArn.get(target.Arn), input: target.Input };
    });
    const scheduled = async () => {
      for (const s of schedules) {
        if (!s.fn) continue;
        const time = new Date(clock.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
        await invoke(s.fn, JSON.parse(s.input.replace('<aws.scheduler.scheduled-time>', time).replace('<aws.scheduler.execution-id>', `exec-${clock.now}`)));
      }
    };

    // An operator's look at a group before the database function ever saw it: the runbook records
    // the group's first-seen shape (its floor) itself; the goal is already met, so nothing else.
    const cache = world.caches.find((c) => c.group.id === 'shop-cache')!.group;
    const redisRunbook = [...machines.keys()].find((arn) => arn.endsWith(`:stateMachine:${CONFIG.prefix}-redis`))!;
    await run(redisRunbook, { targetId: 'cache', nodeType: cache.nodeType }, 'operator-first-look');

    for (const load of ['high', 'low'] as Load[]) {
      // Scale-ins wait out every cooldown and stabilization after the scale-outs.
      if (load === 'low') clock.advance(8 * 3600);
      world.setLoad(load);
      // Each target's first alarm of this direction goes to ALARM.
      for (const target of CONFIG.targets) {
        const alarm = allAlarms({ ...CONFIG, targets: [target] }).find((a) => a.direction === load);
        if (alarm) await invoke(familyFunction(familyOf(target)), alarmEvent(alarm.name, clock.now));
      }
      clock.advance(60);
      await scheduled();
      await runStarted();
      clock.advance(300);
      await scheduled();
      await runStarted();
    }

    // CloudWatch stops for a quarter of an hour, then publishes again: the families decide on without it
    // and tell the operator when their metrics go late and when they are back (R33).
    world.cloudWatch.silentFrom = clock.now;
    for (let i = 0; i < 15; i++) {
      clock.advance(60);
      await scheduled();
    }
    world.cloudWatch.silentFrom = undefined;
    clock.advance(60);
    await scheduled();
    await runStarted();

    // At-least-once delivery: the same event again (the idempotency record answers), and an
    // invocation that fails after its record was written (Powertools deletes the record for the retry).
    const stateTable = template.ref(logicalId(built.autoscaler.stateTable));
    for (const target of CONFIG.targets) {
      const alarms = allAlarms({ ...CONFIG, targets: [target] });
      const alarm = alarms.find((a) => a.direction === world.cloudWatch.load) ?? alarms[0];
      if (!alarm) continue;
      const fn = familyFunction(familyOf(target));
      const event = alarmEvent(alarm.name, clock.now, 'ALARM', `again-${target.id}`);
      await invoke(fn, event);
      await invoke(fn, event);
      tap.failNext(
        (c) => c.fn === fn.logicalId && c.operation === 'UpdateItem' && c.input.TableName === stateTable,
        Object.assign(new Error('injected'), { name: 'InternalServerError' }),
      );
      await invoke(fn, alarmEvent(alarm.name, clock.now, 'ALARM', `failing-${target.id}`)).catch(() => undefined);
      tap.clearFaults();
      clock.advance(60);
    }

    // Deploys: each trigger's event, then the tick that flushes the window.
    const cdn = familyFunction('cdn');
    const deployed = (fixture: { time: string; id?: string }, i: number) => ({
      ...fixture,
      id: `deploy-${i}`,
      time: new Date(clock.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    for (const [i, fixture] of [ecsFixture, pipelineFixture, s3Fixture].entries()) await invoke(cdn, deployed(fixture, i));
    clock.advance(120);
    await scheduled();
    clock.advance(120);
    await scheduled();

    // What an operator starts by hand: an invalidation, and Redis shard and replica changes both ways
    // (forced past the cooldowns that the function's own changes set).
    const runbook = (name: string) => [...machines.keys()].find((arn) => arn.endsWith(`:stateMachine:${CONFIG.prefix}-${name}`))!;
    await run(runbook('invalidate'), { targetId: 'cdn-static', paths: ['/index.html'] }, 'operator-invalidate');
    const sessions = world.caches.find((c) => c.group.id === 'shop-sessions')!.group;
    for (const [i, input] of [{ shards: sessions.shards + 1 }, { shards: sessions.shards }, { replicasPerShard: 2 }, { replicasPerShard: 1 }].entries()) {
      clock.advance(3600);
      await run(runbook('redis'), { targetId: 'sessions', ...input, force: true }, `operator-redis-${i}`);
    }
    // A web tier and a worker pool set by hand, each fleet kind both ways (forced past the cooldowns and
    // steps of the functions' own changes); a pool set down reads its queue's in-flight messages.
    for (const [i, [targetId, desired]] of (
      [
        ['web', 9],
        ['api', 4],
        ['celery', 3],
        ['celery', 1],
        ['reports', 3],
        ['reports', 1],
      ] as const
    ).entries()) {
      clock.advance(60);
      await run(runbook('set-capacity'), { targetId, desired, reason: 'by hand', force: true }, `operator-set-capacity-${i}`);
    }
    // The operator API: every route, as API Gateway sends it (payload format 2.0, the caller's IAM
    // identity); each must succeed, or its calls would not be the ones a real request makes.
    if (built.autoscaler.api) {
      const fn = byArn.get(template.getAtt(logicalId(built.autoscaler.api.function), 'Arn'))!;
      const request = async (method: string, path: string, opts: { body?: unknown; query?: Record<string, string> } = {}) => {
        const e = structuredClone(apiFixture) as Record<string, any>;
        Object.assign(e, { routeKey: '$default', rawPath: path, rawQueryString: new URLSearchParams(opts.query ?? {}).toString() });
        Object.assign(e.requestContext.http, { method, path });
        if (opts.query) e.queryStringParameters = opts.query;
        if (opts.body !== undefined) e.body = JSON.stringify(opts.body);
        const res = (await invoke(fn, e)) as { statusCode: number; body: string };
        if (res.statusCode !== 200) throw new Error(`${method} ${path} answered ${res.statusCode}: ${res.body}`);
        return JSON.parse(res.body) as Record<string, unknown>;
      };
      await request('GET', '/status');
      await request('GET', '/targets/web');
      await request('GET', '/metrics');
      const first = await request('GET', '/history', { query: { limit: '1' } });
      await request('GET', '/history', { query: { limit: '1', next: String(first.next) } });
      for (const body of [{ target: 'web', reason: 'by hand' }, undefined]) {
        await request('POST', '/pause', { body });
        await request('POST', '/resume', { body });
      }
      const until = new Date(clock.now + 3_600_000).toISOString();
      await request('PUT', '/targets/web/overrides', { body: { max: 8, expiresAt: until, reason: 'by hand' } });
      await request('DELETE', '/targets/web/overrides');
    }
    const resourcePolicies = template.resourcePolicies();
    // The key's default policy: the account's IAM policies decide (AWS KMS Developer Guide, "Default key policy").
    resourcePolicies.set(DATA_KEY, {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' } as never],
    });
    const deadLetterQueueArn = template.getAtt(logicalId(built.autoscaler.deadLetterQueue), 'Arn');
    return { functions, resourcePolicies, deadLetterQueueArn, calls: tap.calls, requests, runs };
  } finally {
    tap.uninstall();
    dateNow.mockRestore();
    delete (globalThis as { __AUTOSCALER_CONFIG__?: unknown }).__AUTOSCALER_CONFIG__;
    for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
    Object.assign(process.env, env);
  }
}
