/**
 * The deployment a command works on: the config it was deployed with, its stack (found by name in
 * CloudFormation, checked against the config), the stack's outputs and the state store they name;
 * and who is acting, for the audit log.
 */
import { DescribeStacksCommand, type Output, type Stack } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { type AutoscalerConfig, ConfigError, type TargetConfig } from '../lambdas/shared/config';
import { loadConfigFile } from '../lambdas/shared/config-file';
import { OUTPUT_KEYS, stackNameFor } from '../lambdas/shared/deployment';
import { awsErrorName } from '../lambdas/shared/errors';
import type { StateStore } from '../lambdas/state/store';
import { type ApiClient, type CliDeps, CliError, type OutputFormat } from './deps';

export const DEFAULT_CONFIG = 'autoscaler.config.yaml';

/** The program's own options, before the command's. */
export interface GlobalOptions {
  readonly config: string;
  readonly stack?: string;
}

/** What a command needs of the deployment: its config, its stack's outputs, the state store. */
export interface Deployment {
  readonly config: AutoscalerConfig;
  readonly stackName: string;
  readonly region: string;
  readonly outputs: Readonly<Record<string, Output>>;
  readonly store: StateStore;
}

/** The config file read for the command line: a config that does not parse is one CliError saying how to pass another. */
export function readConfig(file: string, which = 'the config'): AutoscalerConfig {
  try {
    return loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`${err.message}\n(pass ${which} with --config FILE)`);
    throw err;
  }
}

export async function openDeployment(opts: GlobalOptions, deps: CliDeps): Promise<Deployment> {
  const config = readConfig(opts.config, 'the deployed config');
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

export function findTarget(d: Deployment, targetId: string): TargetConfig {
  const target = d.config.targets.find((t) => t.id === targetId);
  if (!target) throw new CliError(`no target "${targetId}" in the config (targets: ${d.config.targets.map((t) => t.id).join(', ')})`);
  return target;
}

/** Who is acting, for the audit log: the caller's IAM identity, or `cli` when STS does not say. */
export async function actor(deps: CliDeps): Promise<string> {
  try {
    const res = await deps.sts.send(new GetCallerIdentityCommand({}));
    return res.Arn ?? 'cli';
  } catch {
    return 'cli';
  }
}

/** What a command is given: the program's dependencies, and its deployment on demand. */
export interface CommandContext {
  readonly deps: CliDeps;
  /** Loads the config, finds its stack and opens the state store (every command but `config validate`); refused with `--api`. */
  readonly open: (command?: string) => Promise<Deployment>;
  /** The config file the command line names (`--config`, default autoscaler.config.yaml). */
  readonly configFile: () => string;
  /** How to print results: `--output`, or `json` where the command's own `--json` is given. */
  readonly output: (local?: { readonly json?: boolean }) => OutputFormat;
  /** The operator API's client when `--api URL` is given: the commands it serves then talk to it, not to the stack. */
  readonly api: () => ApiClient | undefined;
}
