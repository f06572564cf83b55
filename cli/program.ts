/**
 * The operator's CLI (`npx autoscaler <command>`): status, history, explain, pause/resume, dry-run,
 * config validate, runbook start, one module per command group under commands/. Every AWS client and
 * the state store come in through `CliDeps`, so tests drive the same program in-process; `bin/cli.ts`
 * supplies the real ones (default credential chain).
 */
import { Command, CommanderError } from 'commander';
import { awsErrorName } from '../lambdas/shared/errors';
import { registerConfig } from './commands/config';
import { registerExplain } from './commands/explain';
import { registerHistory } from './commands/history';
import { registerRunbook } from './commands/runbook';
import { registerStatus } from './commands/status';
import { registerSwitches } from './commands/switches';
import { type CommandContext, DEFAULT_CONFIG, type GlobalOptions, openDeployment } from './deployment';
import { type CliDeps, CliError } from './deps';

export type { TargetStatus } from './commands/status';
export { DEFAULT_CONFIG } from './deployment';
export { type CliDeps, CliError } from './deps';

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

  const ctx: CommandContext = { deps, open: () => openDeployment(program.opts<GlobalOptions>(), deps) };
  // In this order in the help.
  registerStatus(program, ctx);
  registerHistory(program, ctx);
  registerExplain(program, ctx);
  registerSwitches(program, ctx);
  registerConfig(program, ctx);
  registerRunbook(program, ctx);
  return program;
}
