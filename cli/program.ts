/**
 * The operator's CLI (`npx autoscaler <command>`): status, history, explain, pause/resume, dry-run,
 * config validate, runbook start. Every AWS client and the state store come in through `CliDeps`, so
 * tests drive the same program in-process; `bin/cli.ts` supplies the real ones (default credential chain).
 */
import { DescribeStacksCommand, type Output, type Stack } from '@aws-sdk/client-cloudformation';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { Command, CommanderError } from 'commander';
import { AutoScalingAdapter } from '../lambdas/adapters/autoscaling';
import type { CapacityBackend, CapacitySnapshot } from '../lambdas/adapters/capacity';
import { CloudWatchAdapter } from '../lambdas/adapters/cloudwatch';
import { EcsAdapter } from '../lambdas/adapters/ecs';
import type { SendClient } from '../lambdas/adapters/types';
import { alarmsForTarget, parseAlarmName } from '../lambdas/shared/alarms';
import { type AutoscalerConfig, ConfigError, type TargetConfig } from '../lambdas/shared/config';
import { loadConfigFile } from '../lambdas/shared/config-file';
import { OUTPUT_KEYS, RUNBOOK_OUTPUT_PREFIX, runbookOutputKey, stackNameFor } from '../lambdas/shared/deployment';
import { awsErrorName } from '../lambdas/shared/errors';
import { ALL_TARGETS, type AuditEntry, type StateStore, type Switches } from '../lambdas/state/store';
import { formatDuration, parseWhen, table } from './format';

export interface CliDeps {
  readonly cloudFormation: SendClient;
  readonly cloudWatch: SendClient;
  readonly autoScaling: SendClient;
  readonly ecs: SendClient;
  readonly sfn: SendClient;
  readonly sts: SendClient;
  /** The region the clients talk to, for messages. */
  readonly region: () => Promise<string>;
  /** The state store over the deployed table. */
  readonly store: (tableName: string) => StateStore;
  /** Epoch ms now. */
  readonly now: () => number;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A problem the operator can fix; printed as one line, exit code 1, no stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export const DEFAULT_CONFIG = 'autoscaler.config.yaml';
const DEFAULT_HISTORY_LIMIT = 50;
const DEFAULT_HISTORY_SINCE = '24h';

interface GlobalOptions {
  readonly config: string;
  readonly stack?: string;
}

/** What a command needs of the deployment: its config, its stack's outputs, the state store. */
interface Deployment {
  readonly config: AutoscalerConfig;
  readonly stackName: string;
  readonly region: string;
  readonly outputs: Readonly<Record<string, Output>>;
  readonly store: StateStore;
}

/** Runs one command line (without `node` and the script); resolves to the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const program = buildProgram(deps);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof CliError) {
      deps.stderr(`autoscaler: ${err.message}\n`);
      return 1;
    }
    // An AWS or network error: its name and message, not a stack trace.
    deps.stderr(`autoscaler: ${awsErrorName(err)}: ${(err as Error).message}\n`);
    return 1;
  }
}

export function buildProgram(deps: CliDeps): Command {
  const program = new Command('autoscaler')
    .description('Operate a deployed autoscaler: what it sees and did, and its switches')
    .option('-c, --config <file>', 'the config the stack was deployed with', DEFAULT_CONFIG)
    .option('-s, --stack <name>', 'the stack name (default: derived from the config prefix)')
    .exitOverride()
    .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr })
    .showHelpAfterError();

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  const open = () => openDeployment(globals(), deps);

  program
    .command('status')
    .description('every target: current, desired, min, max, alarms, last decision, cooldown left, switches')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => status(await open(), deps, Boolean(opts.json)));

  program
    .command('history')
    .description('the audit log: decisions and control actions, newest first')
    .option('-t, --target <id>', 'only this target (`*` for control actions on all targets)')
    .option('--since <when>', 'from this time: ISO 8601 or an age such as 30m, 6h, 7d', DEFAULT_HISTORY_SINCE)
    .option('--until <when>', 'up to this time: ISO 8601 or an age', undefined)
    .option('-n, --limit <n>', 'at most this many entries', String(DEFAULT_HISTORY_LIMIT))
    .option('--json', 'machine-readable output')
    .action(async (opts: { target?: string; since: string; until?: string; limit: string; json?: boolean }) => history(await open(), deps, opts));

  program
    .command('explain')
    .description("a target's last decision with its numbers")
    .argument('<target>', 'target id')
    .option('--json', 'machine-readable output')
    .action(async (targetId: string, opts: { json?: boolean }) => explain(await open(), deps, targetId, Boolean(opts.json)));

  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    program
      .command(name)
      .description(paused ? 'stop acting on one target, or on all (decisions are still recorded)' : 'act again on one target, or on all')
      .argument('[target]', 'target id (default: every target)')
      .action(async (targetId: string | undefined) => setSwitch(await open(), deps, 'paused', paused, targetId));
  }

  program
    .command('dry-run')
    .description('record what would be done without doing it, for one target or all')
    .argument('<state>', 'on or off')
    .argument('[target]', 'target id (default: every target)')
    .action(async (state: string, targetId: string | undefined) => {
      if (state !== 'on' && state !== 'off') throw new CliError(`dry-run takes "on" or "off", not "${state}"`);
      await setSwitch(await open(), deps, 'dryRun', state === 'on', targetId);
    });

  const config = program.command('config').description('config files');
  config
    .command('validate')
    .description('check a config file against the schema: a summary, or every problem')
    .argument('<file>', 'the config file')
    .action((file: string) => validate(file, deps));

  const runbook = program.command('runbook').description("the deployment's runbooks (Step Functions state machines)");
  runbook
    .command('start')
    .description('start a runbook execution')
    .argument('<name>', 'runbook name')
    .option('-i, --input <json>', 'the execution input, a JSON object', '{}')
    .option('--execution-name <name>', 'the execution name (default: generated by Step Functions)')
    .action(async (name: string, opts: { input: string; executionName?: string }) => startRunbook(await open(), deps, name, opts));

  return program;
}

// ---- deployment discovery ----

async function openDeployment(opts: GlobalOptions, deps: CliDeps): Promise<Deployment> {
  let config: AutoscalerConfig;
  try {
    config = loadConfigFile(opts.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`${err.message}\n(pass the deployed config with --config FILE)`);
    throw err;
  }
  const stackName = opts.stack ?? stackNameFor(config.prefix);
  const region = await deps.region();
  let stack: Stack | undefined;
  try {
    const res = await deps.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    stack = res.Stacks?.[0];
  } catch (err) {
    if (!(awsErrorName(err) === 'ValidationError' && /does not exist/.test((err as Error).message))) throw err;
  }
  if (!stack) throw new CliError(`stack "${stackName}" not found in ${region}: deploy it first or pass --stack`);
  const outputs = Object.fromEntries((stack.Outputs ?? []).map((o: Output) => [o.OutputKey ?? '', o]));
  const tableName = outputs[OUTPUT_KEYS.stateTableName]?.OutputValue;
  if (!tableName) {
    throw new CliError(`stack "${stackName}" has no ${OUTPUT_KEYS.stateTableName} output: is it an autoscaler stack of this version? (redeploy it)`);
  }
  const deployedPrefix = outputs[OUTPUT_KEYS.prefix]?.OutputValue;
  if (deployedPrefix && deployedPrefix !== config.prefix) {
    throw new CliError(
      `stack "${stackName}" was deployed with prefix "${deployedPrefix}", but ${opts.config} has "${config.prefix}": pass the deployed config with --config`,
    );
  }
  return { config, stackName, region, outputs, store: deps.store(tableName) };
}

function findTarget(d: Deployment, targetId: string): TargetConfig {
  const target = d.config.targets.find((t) => t.id === targetId);
  if (!target) throw new CliError(`no target "${targetId}" in the config (targets: ${d.config.targets.map((t) => t.id).join(', ')})`);
  return target;
}

/** Who is acting, for the audit log: the caller's IAM identity, or `cli` when STS does not say. */
async function actor(deps: CliDeps): Promise<string> {
  try {
    const res = await deps.sts.send(new GetCallerIdentityCommand({}));
    return res.Arn ?? 'cli';
  } catch {
    return 'cli';
  }
}

// ---- status ----

export interface TargetStatus {
  readonly id: string;
  readonly kind: string;
  readonly current?: number;
  readonly desired?: number;
  readonly min?: number;
  readonly max?: number;
  /** Alarm name suffix (`cpu/high`) -> state. */
  readonly alarms: Readonly<Record<string, string>>;
  readonly lastDecision?: { at: string; outcome: string; previous: number; desired: number; reason: string };
  readonly lastActionAt?: string;
  /** Seconds until a scale-out, and a scale-in, may follow the last action; 0 when free. */
  readonly cooldownLeftSeconds?: { out: number; in: number };
  readonly paused: boolean;
  /** Why dry-run holds, if it does: `switch`, `config`, `target config`. */
  readonly dryRun: string[];
  /** Set when the service could not be described. */
  readonly error?: string;
}

function backendOf(target: TargetConfig, deps: CliDeps): CapacityBackend | undefined {
  const noSleep = async () => undefined;
  switch (target.kind) {
    case 'asg':
      return new AutoScalingAdapter(deps.autoScaling, target.autoScalingGroupName, noSleep);
    case 'ecs-service':
      return new EcsAdapter(deps.ecs, target.cluster, target.service);
    case 'queue-workers':
      return target.workers.kind === 'asg'
        ? new AutoScalingAdapter(deps.autoScaling, target.workers.autoScalingGroupName, noSleep)
        : new EcsAdapter(deps.ecs, target.workers.cluster, target.workers.service);
    default:
      return undefined;
  }
}

async function targetStatuses(d: Deployment, deps: CliDeps): Promise<{ global: Switches; targets: TargetStatus[] }> {
  const now = deps.now();
  const alarms = await new CloudWatchAdapter(deps.cloudWatch).alarms(`${d.config.prefix}/`);
  const alarmStates = new Map<string, Record<string, string>>();
  for (const a of alarms) {
    const parts = a.AlarmName ? parseAlarmName(d.config.prefix, a.AlarmName) : undefined;
    if (!parts) continue;
    const states = alarmStates.get(parts.targetId) ?? {};
    states[`${parts.signal}/${parts.direction}`] = a.StateValue ?? 'UNKNOWN';
    alarmStates.set(parts.targetId, states);
  }
  const global = await d.store.getSwitches(ALL_TARGETS);
  const targets = await Promise.all(
    d.config.targets.map(async (target): Promise<TargetStatus> => {
      const [record, switches] = await Promise.all([d.store.getTarget(target.id), d.store.getSwitches(target.id)]);
      const backend = backendOf(target, deps);
      let snapshot: CapacitySnapshot | undefined;
      let error: string | undefined;
      if (backend) {
        try {
          snapshot = await backend.describe();
        } catch (err) {
          error = (err as Error).message;
        }
      }
      const capacity = 'minCapacity' in target ? target : undefined;
      const acted = record?.lastActionAt;
      const left = (seconds: number) => (acted === undefined ? 0 : Math.max(0, Math.ceil((acted + seconds * 1000 - now) / 1000)));
      const dryRun = [
        ...(switches.dryRun ? ['switch'] : []),
        ...(d.config.dryRun ? ['config'] : []),
        ...('dryRun' in target && target.dryRun ? ['target config'] : []),
      ];
      const last = record?.lastDecision;
      return {
        id: target.id,
        kind: target.kind,
        current: snapshot?.ready,
        desired: snapshot?.desired,
        min: capacity?.minCapacity,
        max: capacity?.maxCapacity,
        // Every alarm the config defines, even one CloudWatch does not know (not deployed yet).
        alarms: Object.fromEntries(
          alarmsForTarget(d.config.prefix, target).map((s) => {
            const key = `${s.signal}/${s.direction}`;
            return [key, alarmStates.get(target.id)?.[key] ?? 'MISSING'];
          }),
        ),
        lastDecision: last && {
          at: new Date(last.at).toISOString(),
          outcome: last.outcome,
          previous: last.previous,
          desired: last.desired,
          reason: last.reason,
        },
        lastActionAt: acted === undefined ? undefined : new Date(acted).toISOString(),
        cooldownLeftSeconds:
          capacity && 'scaleOutCooldownSeconds' in capacity && acted !== undefined
            ? { out: left(capacity.scaleOutCooldownSeconds), in: left(capacity.cooldownSeconds) }
            : undefined,
        paused: switches.paused,
        dryRun,
        error,
      };
    }),
  );
  return { global, targets };
}

async function status(d: Deployment, deps: CliDeps, json: boolean): Promise<void> {
  const { global, targets } = await targetStatuses(d, deps);
  if (json) {
    deps.stdout(`${JSON.stringify({ stack: d.stackName, region: d.region, prefix: d.config.prefix, global, targets }, null, 2)}\n`);
    return;
  }
  const now = deps.now();
  const globalState = [global.paused ? 'PAUSED' : '', global.dryRun ? 'DRY-RUN' : '', d.config.dryRun ? 'DRY-RUN (config)' : ''].filter(Boolean).join(', ');
  deps.stdout(`stack ${d.stackName} (${d.region}), prefix "${d.config.prefix}"; all targets: ${globalState || 'active'}\n\n`);
  const rows = targets.map((t) => {
    const nonOk = Object.entries(t.alarms).filter(([, s]) => s !== 'OK');
    const alarms =
      Object.keys(t.alarms).length === 0 ? '-' : nonOk.length ? nonOk.map(([k, s]) => `${k} ${s}`).join(', ') : `all OK (${Object.keys(t.alarms).length})`;
    const last = t.lastDecision
      ? `${t.lastDecision.outcome} ${t.lastDecision.previous}->${t.lastDecision.desired}, ${formatDuration(now - Date.parse(t.lastDecision.at))} ago`
      : '-';
    const cooldown = t.cooldownLeftSeconds
      ? t.cooldownLeftSeconds.out || t.cooldownLeftSeconds.in
        ? `out ${formatDuration(t.cooldownLeftSeconds.out * 1000)}, in ${formatDuration(t.cooldownLeftSeconds.in * 1000)}`
        : 'none'
      : '-';
    const mode = [t.paused ? 'paused' : '', t.dryRun.length ? `dry-run (${t.dryRun.join(', ')})` : ''].filter(Boolean).join(', ') || 'active';
    return [t.id, t.kind, num(t.current, t.error), num(t.desired, t.error), num(t.min), num(t.max), alarms, last, cooldown, mode];
  });
  deps.stdout(table(['TARGET', 'KIND', 'CURRENT', 'DESIRED', 'MIN', 'MAX', 'ALARMS', 'LAST DECISION', 'COOLDOWN LEFT', 'MODE'], rows));
  for (const t of targets) if (t.error) deps.stdout(`\n${t.id}: ${t.error}`);
  if (targets.some((t) => t.error)) deps.stdout('\n');
}

function num(n: number | undefined, error?: string): string {
  if (error) return 'error';
  return n === undefined ? '-' : String(n);
}

// ---- history ----

async function history(d: Deployment, deps: CliDeps, opts: { target?: string; since: string; until?: string; limit: string; json?: boolean }): Promise<void> {
  const now = deps.now();
  const from = parseWhen(opts.since, now);
  const to = opts.until === undefined ? now : parseWhen(opts.until, now);
  if (from === undefined) throw new CliError(`--since "${opts.since}" is neither an ISO 8601 time nor an age such as 30m, 6h, 7d`);
  if (to === undefined) throw new CliError(`--until "${opts.until}" is neither an ISO 8601 time nor an age such as 30m, 6h, 7d`);
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit "${opts.limit}" is not a whole number of at least 1`);
  if (opts.target !== undefined && opts.target !== ALL_TARGETS) findTarget(d, opts.target);
  const ids = opts.target !== undefined ? [opts.target] : [ALL_TARGETS, ...d.config.targets.map((t) => t.id)];
  const lists = await Promise.all(ids.map((id) => d.store.listAudit(id, from, to, limit)));
  const entries = lists
    .flat()
    .sort((a, b) => b.at - a.at)
    .slice(0, limit);
  if (opts.json) {
    deps.stdout(
      `${JSON.stringify(
        entries.map((e) => ({ ...e, time: new Date(e.at).toISOString() })),
        null,
        2,
      )}\n`,
    );
    return;
  }
  if (!entries.length) {
    deps.stdout(`no audit entries between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}\n`);
    return;
  }
  deps.stdout(
    table(
      ['TIME (UTC)', 'TARGET', 'OUTCOME', 'CHANGE', 'REASON'],
      entries.map((e) => [isoSeconds(e.at), e.targetId === ALL_TARGETS ? '(all)' : e.targetId, e.outcome, change(e), e.reason]),
    ),
  );
}

function change(e: AuditEntry): string {
  if (e.previous === undefined || e.desired === undefined) return '-';
  return e.previous === e.desired ? `${e.desired}` : `${e.previous} -> ${e.desired}`;
}

function isoSeconds(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

// ---- explain ----

async function explain(d: Deployment, deps: CliDeps, targetId: string, json: boolean): Promise<void> {
  const target = findTarget(d, targetId);
  const [record, switches] = await Promise.all([d.store.getTarget(target.id), d.store.getSwitches(target.id)]);
  const decision = record?.lastDecision;
  if (json) {
    deps.stdout(
      `${JSON.stringify({ target: target.id, kind: target.kind, decision: decision ?? null, switches, lastActionAt: record?.lastActionAt ?? null }, null, 2)}\n`,
    );
    return;
  }
  if (!decision) {
    deps.stdout(`${target.id} (${target.kind}): no decision recorded yet\n`);
    return;
  }
  const lines = [
    `${target.id} (${target.kind}): ${decision.outcome} at ${isoSeconds(decision.at)} (${formatDuration(deps.now() - decision.at)} ago)`,
    `  change:   ${decision.previous} -> ${decision.desired} (${decision.direction === 'none' ? 'no change' : `scale ${decision.direction}`})`,
    `  reason:   ${decision.reason}`,
  ];
  const figures = Object.entries(decision.figures ?? {});
  if (figures.length) {
    lines.push('  figures:');
    const width = Math.max(...figures.map(([k]) => k.length));
    for (const [k, v] of figures) lines.push(`    ${k.padEnd(width)}  ${Number.isInteger(v) ? v : v.toFixed(3)}`);
  }
  lines.push(`  switches: paused ${switches.paused ? 'yes' : 'no'}, dry-run ${switches.dryRun ? 'yes' : 'no'}`);
  if ('targetCpu' in target) {
    lines.push(
      `  policy:   ${target.minCapacity}-${target.maxCapacity} units, CPU target ${target.targetCpu}%, scale-out cooldown ${target.scaleOutCooldownSeconds} s, scale-in cooldown ${target.cooldownSeconds} s`,
    );
  }
  deps.stdout(`${lines.join('\n')}\n`);
}

// ---- switches ----

async function setSwitch(d: Deployment, deps: CliDeps, name: keyof Switches, value: boolean, targetId: string | undefined): Promise<void> {
  const scope = targetId === undefined ? ALL_TARGETS : findTarget(d, targetId).id;
  const who = await actor(deps);
  await d.store.setSwitch(scope, name, value);
  const what = name === 'paused' ? (value ? 'paused' : 'resumed') : `dry-run ${value ? 'on' : 'off'}`;
  const subject = scope === ALL_TARGETS ? 'every target' : `target ${scope}`;
  await d.store.appendAudit(
    { targetId: scope, at: deps.now(), outcome: 'control', actor: who, reason: `${what} for ${subject} by ${who}` },
    d.config.auditRetentionDays,
  );
  deps.stdout(`${what}: ${subject}\n`);
  if (scope !== ALL_TARGETS) {
    // A global switch wins over a target's own: say so when it hides this change.
    const global = await d.store.getSwitches(ALL_TARGETS);
    if (!value && global[name])
      deps.stdout(
        `note: ${name === 'paused' ? 'pause' : 'dry-run'} is still on for every target (\`${name === 'paused' ? 'resume' : 'dry-run off'}\` without a target lifts it)\n`,
      );
  }
}

// ---- config validate ----

function validate(file: string, deps: CliDeps): void {
  let config: AutoscalerConfig;
  try {
    config = loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      deps.stderr(`${file}: invalid\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`);
      throw new CommanderError(1, 'autoscaler.invalidConfig', 'invalid config');
    }
    throw err;
  }
  const lines = [`${file}: OK`, `  prefix "${config.prefix}", stack ${stackNameFor(config.prefix)}, ${config.targets.length} target(s)`];
  let alarmCount = 0;
  for (const t of config.targets) {
    const alarms = alarmsForTarget(config.prefix, t);
    alarmCount += alarms.length;
    const bounds = 'minCapacity' in t ? `, ${t.minCapacity}-${t.maxCapacity} units` : '';
    const names = alarms.map((a) => `${a.signal}/${a.direction}`).join(', ');
    lines.push(`  ${t.id} (${t.kind}${bounds}): ${alarms.length} alarm(s)${names ? `: ${names}` : ''}`);
  }
  lines.push(`  ${alarmCount} alarm(s) in all${config.dryRun ? '; dry-run for every target' : ''}`);
  if (config.notifications.email) lines.push(`  notifications to ${config.notifications.email}`);
  deps.stdout(`${lines.join('\n')}\n`);
}

// ---- runbooks ----

async function startRunbook(d: Deployment, deps: CliDeps, name: string, opts: { input: string; executionName?: string }): Promise<void> {
  const arn = d.outputs[runbookOutputKey(name)]?.OutputValue;
  if (!arn) {
    const available = Object.values(d.outputs)
      .filter((o) => o.OutputKey?.startsWith(RUNBOOK_OUTPUT_PREFIX))
      .map((o) => /"([^"]+)"/.exec(o.Description ?? '')?.[1] ?? o.OutputKey)
      .sort();
    throw new CliError(`no runbook "${name}" in stack ${d.stackName} (runbooks: ${available.length ? available.join(', ') : 'none deployed'})`);
  }
  let input: unknown;
  try {
    input = JSON.parse(opts.input);
  } catch (err) {
    throw new CliError(`--input is not valid JSON: ${(err as Error).message}`);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new CliError('--input must be a JSON object');
  const who = await actor(deps);
  const res = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input), name: opts.executionName }));
  await d.store.appendAudit(
    { targetId: ALL_TARGETS, at: deps.now(), outcome: 'control', actor: who, reason: `runbook ${name} started by ${who}: ${res.executionArn}` },
    d.config.auditRetentionDays,
  );
  deps.stdout(`started runbook ${name}: ${res.executionArn}\n`);
}
