/**
 * The operator's CLI (`npx autoscaler <command>`): status, history, explain, pause/resume, dry-run,
 * config validate, tags check, runbook start, recommend (from CloudWatch or a trace), recommendations (stored daily), one module per command group under commands/; with `--api URL` the
 * commands the operator API serves talk to it instead (cli/remote.ts). Every AWS client and
 * the state store come in through `CliDeps`, so tests drive the same program in-process; `bin/cli.ts`
 * supplies the real ones (default credential chain).
 */
import { Command, CommanderError, Option } from 'commander';
import { awsErrorName } from '../lambdas/shared/errors';
import { signedApiClient } from './api-client';
import { registerConfig } from './commands/config';
import { registerExplain } from './commands/explain';
import { registerHistory } from './commands/history';
import { registerOverride } from './commands/override';
import { registerRecommend } from './commands/recommend';
import { registerRecommendations } from './commands/recommendations';
import { registerRunbook } from './commands/runbook';
import { registerStatus } from './commands/status';
import { registerSwitches } from './commands/switches';
import { registerTags } from './commands/tags';
import { type CommandContext, DEFAULT_CONFIG, type GlobalOptions, openDeployment } from './deployment';
import { type AwsOptions, type CliDeps, type CliDepsFactory, CliError, OUTPUT_FORMATS, type OutputFormat } from './deps';
import { notOverApi } from './remote';

export type { TargetStatus } from './commands/status';
export { DEFAULT_CONFIG } from './deployment';
export { type ApiClient, type AwsOptions, type CliDeps, type CliDepsFactory, CliError } from './deps';

/**
 * Runs one command line (without `node` and the script); resolves to the exit code. `deps` may be a
 * factory, given the command line's `--region` and `--profile` (bin/cli.ts builds the real clients so).
 */
export async function runCli(argv: readonly string[], deps: CliDeps | CliDepsFactory): Promise<number> {
  const aws = awsOptions(argv);
  const resolved = typeof deps === 'function' ? deps(aws) : deps;
  const program = buildProgram(resolved);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof CliError) {
      resolved.stderr(`autoscaler: ${err.message}\n`);
      return 1;
    }
    // An AWS or network error: one line that says what to do where the operator can fix it, else its name and message.
    resolved.stderr(`autoscaler: ${awsProblem(err, aws) ?? `${awsErrorName(err)}: ${(err as Error).message}`}\n`);
    return 1;
  }
}

/**
 * What the SDK's errors for a missing region or missing or expired credentials mean for the operator,
 * in one line; undefined for any other error. The SDK says "Region is missing" and, from its default
 * credential chain, CredentialsProviderError "Could not load credentials from any providers".
 */
export function awsProblem(err: unknown, aws: AwsOptions): string | undefined {
  const name = awsErrorName(err);
  const message = (err as Error)?.message ?? '';
  if (/^Region is missing/.test(message)) return 'no AWS region: pass --region, set AWS_REGION, or set region in the profile (~/.aws/config)';
  if (name === 'CredentialsProviderError' || /Could not load credentials/.test(message)) {
    return aws.profile
      ? `no AWS credentials for profile "${aws.profile}": check it in ~/.aws/config, or sign in (aws sso login --profile ${aws.profile})`
      : 'no AWS credentials: pass --profile, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  if (name === 'ExpiredToken' || name === 'ExpiredTokenException' || name === 'TokenRefreshRequired') {
    return `the AWS credentials have expired: sign in again${aws.profile ? ` (aws sso login --profile ${aws.profile})` : ''}`;
  }
  return undefined;
}

/** The command line's `--region` and `--profile`, wherever they stand, before the clients are built. */
function awsOptions(argv: readonly string[]): AwsOptions {
  const peek = new Command()
    .option('--region <region>')
    .option('--profile <name>')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
  try {
    peek.parse([...argv], { from: 'user' });
  } catch {
    return {};
  }
  const { region, profile } = peek.opts<AwsOptions>();
  return { ...(region ? { region } : {}), ...(profile ? { profile } : {}) };
}

export function buildProgram(deps: CliDeps): Command {
  const program = new Command('autoscaler')
    .description('Operate a deployed autoscaler: what it sees and did, and its switches')
    .option('-c, --config <file>', 'the config the stack was deployed with', DEFAULT_CONFIG)
    .option('-s, --stack <name>', 'the stack name (default: derived from the config prefix)')
    .option('--region <region>', "the AWS region (default: AWS_REGION or the profile's)")
    .option('--profile <name>', 'the AWS profile (default: AWS_PROFILE or the default chain)')
    .option('--api <url>', 'the operator API (output AutoscalerApiUrl) instead of the stack, SigV4-signed')
    .addOption(new Option('-o, --output <format>', 'how results are printed').choices(OUTPUT_FORMATS).default('table'))
    .exitOverride()
    .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr })
    .showHelpAfterError();

  const ctx: CommandContext = {
    deps,
    // With --api, a command that needs the stack itself is one the API does not serve.
    open: (command) =>
      program.opts<{ api?: string }>().api !== undefined
        ? Promise.reject(notOverApi(command ?? 'this command'))
        : openDeployment(program.opts<GlobalOptions>(), deps),
    configFile: () => program.opts<GlobalOptions>().config,
    // A command's own --json is the older spelling of --output json.
    output: (local) => (local?.json ? 'json' : (program.opts<{ output: OutputFormat }>().output ?? 'table')),
    api: () => {
      const { api, region, profile } = program.opts<{ api?: string } & AwsOptions>();
      if (api === undefined) return undefined;
      return deps.api ? deps.api(api) : signedApiClient(api, { ...(region ? { region } : {}), ...(profile ? { profile } : {}) });
    },
  };
  // In this order in the help.
  registerStatus(program, ctx);
  registerHistory(program, ctx);
  registerExplain(program, ctx);
  registerSwitches(program, ctx);
  registerOverride(program, ctx);
  registerConfig(program, ctx);
  registerTags(program, ctx);
  registerRunbook(program, ctx);
  registerRecommend(program, ctx);
  registerRecommendations(program, ctx);
  return program;
}
