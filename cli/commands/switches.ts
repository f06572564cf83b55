/** `pause`, `resume`, `dry-run`: a target's switches, or every target's, each change audited (lambdas/control/switches.ts). */
import type { Command } from 'commander';
import { setSwitch as setSwitchCore } from '../../lambdas/control/switches';
import type { Switches } from '../../lambdas/state/store';
import { actor, type CommandContext, type Deployment, findTarget } from '../deployment';
import { type CliDeps, CliError, type OutputFormat } from '../deps';
import { remoteSwitch } from '../remote';

export function registerSwitches(program: Command, { deps, open, output, api }: CommandContext): void {
  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    program
      .command(name)
      .description(paused ? 'stop acting on one target, or on all (decisions are still recorded)' : 'act again on one target, or on all')
      .argument('[target]', 'target id (default: every target)')
      .action(async (targetId: string | undefined) => {
        const client = api();
        if (client) return remoteSwitch(client, deps, output(), paused, targetId);
        return setSwitch(await open(), deps, output(), 'paused', paused, targetId);
      });
  }

  program
    .command('dry-run')
    .description('record what would be done without doing it, for one target or all')
    .argument('<state>', 'on or off')
    .argument('[target]', 'target id (default: every target)')
    .action(async (state: string, targetId: string | undefined) => {
      if (state !== 'on' && state !== 'off') throw new CliError(`dry-run takes "on" or "off", not "${state}"`);
      await setSwitch(await open('dry-run'), deps, output(), 'dryRun', state === 'on', targetId);
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
  if (targetId !== undefined) findTarget(d, targetId);
  const who = await actor(deps);
  const r = await setSwitchCore({ config: d.config, store: d.store, now: deps.now, actor: who }, name, value, targetId);
  if (format === 'json') {
    deps.stdout(`${JSON.stringify({ target: r.scope, switch: name, value, actor: who, stillOnForEveryTarget: r.stillOnForEveryTarget })}\n`);
    return;
  }
  deps.stdout(`${r.what}: ${r.subject}\n`);
  if (r.stillOnForEveryTarget)
    deps.stdout(
      `note: ${name === 'paused' ? 'pause' : 'dry-run'} is still on for every target (\`${name === 'paused' ? 'resume' : 'dry-run off'}\` without a target lifts it)\n`,
    );
}
