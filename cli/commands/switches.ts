/** `pause`, `resume`, `dry-run`: a target's switches, or every target's, each change audited. */
import type { Command } from 'commander';
import { ALL_TARGETS, type Switches } from '../../lambdas/state/store';
import { actor, type CommandContext, type Deployment, findTarget } from '../deployment';
import { type CliDeps, CliError, type OutputFormat } from '../deps';

export function registerSwitches(program: Command, { deps, open, output }: CommandContext): void {
  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    program
      .command(name)
      .description(paused ? 'stop acting on one target, or on all (decisions are still recorded)' : 'act again on one target, or on all')
      .argument('[target]', 'target id (default: every target)')
      .action(async (targetId: string | undefined) => setSwitch(await open(), deps, output(), 'paused', paused, targetId));
  }

  program
    .command('dry-run')
    .description('record what would be done without doing it, for one target or all')
    .argument('<state>', 'on or off')
    .argument('[target]', 'target id (default: every target)')
    .action(async (state: string, targetId: string | undefined) => {
      if (state !== 'on' && state !== 'off') throw new CliError(`dry-run takes "on" or "off", not "${state}"`);
      await setSwitch(await open(), deps, output(), 'dryRun', state === 'on', targetId);
    });
}

async function setSwitch(
  d: Deployment,
  deps: CliDeps,
  format: OutputFormat,
  name: keyof Switches,
  value: boolean,
  targetId: string | undefined,
): Promise<void> {
  const scope = targetId === undefined ? ALL_TARGETS : findTarget(d, targetId).id;
  const who = await actor(deps);
  await d.store.setSwitch(scope, name, value);
  const what = name === 'paused' ? (value ? 'paused' : 'resumed') : `dry-run ${value ? 'on' : 'off'}`;
  const subject = scope === ALL_TARGETS ? 'every target' : `target ${scope}`;
  await d.store.appendAudit(
    { targetId: scope, at: deps.now(), outcome: 'control', actor: who, reason: `${what} for ${subject} by ${who}` },
    d.config.auditRetentionDays,
  );
  // A global switch wins over a target's own: say so when it hides this change.
  const hiddenByGlobal = scope !== ALL_TARGETS && !value && (await d.store.getSwitches(ALL_TARGETS))[name];
  if (format === 'json') {
    deps.stdout(`${JSON.stringify({ target: scope, switch: name, value, actor: who, stillOnForEveryTarget: Boolean(hiddenByGlobal) })}\n`);
    return;
  }
  deps.stdout(`${what}: ${subject}\n`);
  if (hiddenByGlobal)
    deps.stdout(
      `note: ${name === 'paused' ? 'pause' : 'dry-run'} is still on for every target (\`${name === 'paused' ? 'resume' : 'dry-run off'}\` without a target lifts it)\n`,
    );
}
