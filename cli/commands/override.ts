/** `override set | end | list`: an operator's override of a target's bounds, tracking target, pause or dry-run, for a while. */
import type { Command } from 'commander';
import { SnsNotifier } from '../../lambdas/adapters/sns';
import { type ControlDeps, describeOverride, endOverride, overridesInForce, setOverride } from '../../lambdas/control/overrides';
import { ConfigError } from '../../lambdas/shared/config';
import { OUTPUT_KEYS } from '../../lambdas/shared/deployment';
import type { Override } from '../../lambdas/state/store';
import { actor, type CommandContext, type Deployment, findTarget } from '../deployment';
import { type CliDeps, CliError, type OutputFormat } from '../deps';
import { formatDuration, parseDuration, rows } from '../format';
import { remoteOverride, remoteOverrides } from '../remote';

interface SetOptions {
  readonly min?: string;
  readonly max?: string;
  readonly target?: string;
  readonly pause?: boolean;
  readonly dryRun?: boolean;
  readonly for?: string;
  readonly until?: string;
  readonly reason?: string;
}

export function registerOverride(program: Command, { deps, open, output, api }: CommandContext): void {
  const override = program
    .command('override')
    .description("change a target's bounds, tracking target, pause or dry-run for a while, within the deployed config (audited, announced)");
  override
    .command('set')
    .description("set a target's override, replacing its earlier one")
    .argument('<target>', 'target id')
    .option('--min <n>', 'the floor while it lasts (minCapacity, minReplicas), within the deployed bounds')
    .option('--max <n>', 'the ceiling while it lasts (maxCapacity, maxReplicas), within the deployed bounds')
    .option('--target <n>', "the tracking target while it lasts (a web tier's targetCpu, a queue's maxWaitSeconds)")
    .option('--pause', 'pause the target while it lasts')
    .option('--dry-run', 'dry-run on the target while it lasts')
    .option('--for <duration>', 'how long: 90m, 6h, 2d (at most 7d)')
    .option('--until <time>', 'when it ends: an ISO 8601 time (instead of --for)')
    .option('-r, --reason <text>', 'why, kept in the audit trail and the notification')
    .action(async (targetId: string, opts: SetOptions) => {
      const client = api();
      if (!client) return set(await open(), deps, output(), targetId, opts);
      const input = overrideInput(deps, opts);
      return remoteOverride(client, deps, output(), targetId, { ...input, expiresAt: new Date(input.expiresAt).toISOString() });
    });
  override
    .command('end')
    .description("end a target's override now: the deployed config applies again within a minute")
    .argument('<target>', 'target id')
    .action(async (targetId: string) => {
      const client = api();
      return client ? remoteOverride(client, deps, output(), targetId) : end(await open(), deps, output(), targetId);
    });
  override
    .command('list')
    .description('the overrides in force')
    .action(async () => {
      const client = api();
      return client ? remoteOverrides(client, deps, output()) : list(await open(), deps, output());
    });
}

/** The core's dependencies for this deployment: who is acting, and the topic the stack created. */
async function control(d: Deployment, deps: CliDeps): Promise<ControlDeps> {
  const topicArn = d.outputs[OUTPUT_KEYS.topicArn]?.OutputValue;
  return {
    config: d.config,
    store: d.store,
    now: deps.now,
    actor: await actor(deps),
    notifier: topicArn ? new SnsNotifier(deps.sns, topicArn) : undefined,
  };
}

function count(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(text.trim())) throw new CliError(`--${flag} "${text}" must be a number`);
  return Number(text);
}

/** The override the command line asks for, as the core takes it (expiresAt in epoch ms). */
function overrideInput(deps: CliDeps, opts: SetOptions) {
  const now = deps.now();
  if ((opts.for === undefined) === (opts.until === undefined))
    throw new CliError('give exactly one of --for DURATION and --until TIME: an override always ends');
  let expiresAt: number;
  if (opts.for !== undefined) {
    const ms = parseDuration(opts.for);
    if (ms === undefined) throw new CliError(`--for "${opts.for}" must be a duration such as 90m, 6h or 2d`);
    expiresAt = now + ms;
  } else {
    expiresAt = Date.parse(opts.until!);
    if (!/^\d{4}-\d{2}-\d{2}/.test(opts.until!) || Number.isNaN(expiresAt))
      throw new CliError(`--until "${opts.until}" must be an ISO 8601 time such as 2026-12-01T18:00Z`);
  }
  return {
    ...(opts.min !== undefined ? { min: count('min', opts.min) } : {}),
    ...(opts.max !== undefined ? { max: count('max', opts.max) } : {}),
    ...(opts.target !== undefined ? { target: count('target', opts.target) } : {}),
    ...(opts.pause ? { paused: true } : {}),
    ...(opts.dryRun ? { dryRun: true } : {}),
    expiresAt,
    ...(opts.reason?.trim() ? { reason: opts.reason.trim() } : {}),
  };
}

async function set(d: Deployment, deps: CliDeps, format: OutputFormat, targetId: string, opts: SetOptions): Promise<void> {
  findTarget(d, targetId);
  const input = overrideInput(deps, opts);
  let result: Awaited<ReturnType<typeof setOverride>>;
  try {
    result = await setOverride(await control(d, deps), targetId, input);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`override refused: ${err.problems.join('; ')}`);
    throw err;
  }
  if (result.warning) deps.stderr(`warning: ${result.warning}\n`);
  print(d, deps, format, result.override, 'set');
}

async function end(d: Deployment, deps: CliDeps, format: OutputFormat, targetId: string): Promise<void> {
  findTarget(d, targetId);
  const result = await endOverride(await control(d, deps), targetId);
  if (!result) throw new CliError(`target "${targetId}" has no override in force`);
  if (result.warning) deps.stderr(`warning: ${result.warning}\n`);
  print(d, deps, format, result.override, 'ended');
}

function print(d: Deployment, deps: CliDeps, format: OutputFormat, o: Override, action: 'set' | 'ended'): void {
  if (format === 'json') {
    deps.stdout(`${JSON.stringify({ action, ...o, expiresAt: new Date(o.expiresAt).toISOString(), setAt: new Date(o.setAt).toISOString() })}\n`);
    return;
  }
  deps.stdout(
    action === 'set'
      ? `override set: ${o.targetId}: ${describeOverride(d.config, o)} (in ${formatDuration(o.expiresAt - deps.now())})\n`
      : `override ended: ${o.targetId}: the deployed config applies again within a minute\n`,
  );
}

async function list(d: Deployment, deps: CliDeps, format: OutputFormat): Promise<void> {
  const now = deps.now();
  const overrides = await overridesInForce(d.store, now);
  if (format === 'json') {
    deps.stdout(
      `${JSON.stringify(
        overrides.map((o) => ({ ...o, expiresAt: new Date(o.expiresAt).toISOString(), setAt: new Date(o.setAt).toISOString() })),
        null,
        2,
      )}\n`,
    );
    return;
  }
  if (overrides.length === 0 && format === 'table') {
    deps.stdout('no override in force\n');
    return;
  }
  const body = overrides.map((o) => [o.targetId, describeOverride(d.config, o), formatDuration(o.expiresAt - now), o.setBy, o.reason ?? '-']);
  deps.stdout(rows(format, ['TARGET', 'OVERRIDE', 'ENDS IN', 'SET BY', 'REASON'], body));
}
